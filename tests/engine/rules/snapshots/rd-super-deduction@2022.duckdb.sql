SELECT
  uscc,
  'rd-super-deduction' AS policy_id,
  '2022' AS policy_version,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL OR c1_ok IS NULL OR c2_ok IS NULL OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  LIST_FILTER(
    [
      CASE WHEN c0_ok = FALSE THEN 'tech_sme_or_manufacturing' END,
      CASE WHEN c1_ok = FALSE THEN 'has_rd_expense' END,
      CASE WHEN c2_ok = FALSE THEN 'not_excluded_industry' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3], LAMBDA x : NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('tech_sme_or_manufacturing' AS TEXT)
    WHEN 1
    THEN CAST('has_rd_expense' AS TEXT)
    WHEN 2
    THEN CAST('not_excluded_industry' AS TEXT)
  END AS binding_condition,
  CASE bi WHEN 1 THEN CAST(c1_obs AS DECIMAL(38, 12)) END AS binding_observed,
  CASE bi WHEN 1 THEN CAST(c1_req AS DECIMAL(38, 12)) END AS binding_required,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CASE bi WHEN 0 THEN CAST(c0_obs AS TEXT) WHEN 2 THEN CAST(c2_obs AS TEXT) END AS binding_observed_text,
  CASE bi WHEN 0 THEN CAST(c0_req AS TEXT) WHEN 2 THEN CAST(c2_req AS TEXT) END AS binding_required_text,
  CAST('2022-01-01' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE
    THEN NULL
    ELSE benefit_raw
  END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel, c2_rel)
      THEN 0
      WHEN c1_rel = LEAST(c0_rel, c1_rel, c2_rel)
      THEN 1
      WHEN c2_rel = LEAST(c0_rel, c1_rel, c2_rel)
      THEN 2
      WHEN c0_ok = FALSE
      THEN 0
      WHEN c1_ok = FALSE
      THEN 1
      WHEN c2_ok = FALSE
      THEN 2
    END AS bi
  FROM (
    SELECT
      *,
      CASE WHEN c0_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c0_rel,
      CASE
        WHEN c1_ok = FALSE
        THEN CASE
          WHEN CAST(c1_req AS DOUBLE) = 0
          THEN ABS(CAST(c1_req AS DOUBLE) - CAST(c1_obs AS DOUBLE))
          ELSE ABS(CAST(c1_req AS DOUBLE) - CAST(c1_obs AS DOUBLE)) / ABS(CAST(c1_req AS DOUBLE))
        END
      END AS c1_rel,
      CASE WHEN c2_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c2_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c0_ok IS NULL OR c2_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c1_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c2_ok IS NULL THEN u3 END AS v3
    FROM (
      SELECT
        uscc,
        (
          has_tech_sme = TRUE OR industry_section = 'C'
        ) AS c0_obs,
        (
          TRUE
        ) AS c0_req,
        CASE
          WHEN has_tech_sme IS NULL OR industry_section IS NULL
          THEN NULL
          ELSE (
            (
              has_tech_sme = TRUE OR industry_section = 'C'
            ) = (
              TRUE
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          rd_expense_last_year
        ) AS c1_obs,
        (
          0
        ) AS c1_req,
        CASE
          WHEN rd_expense_last_year IS NULL
          THEN NULL
          ELSE (
            (
              rd_expense_last_year
            ) > (
              0
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          industry_section IN ('F', 'H', 'K', 'L') OR industry_division IN ('16', '90')
        ) AS c2_obs,
        (
          FALSE
        ) AS c2_req,
        CASE
          WHEN industry_division IS NULL OR industry_section IS NULL
          THEN NULL
          ELSE (
            (
              industry_section IN ('F', 'H', 'K', 'L') OR industry_division IN ('16', '90')
            ) = (
              FALSE
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        CASE WHEN has_tech_sme IS NULL THEN 'has_tech_sme' END AS u0,
        CASE WHEN industry_section IS NULL THEN 'industry_section' END AS u1,
        CASE WHEN rd_expense_last_year IS NULL THEN 'rd_expense_last_year' END AS u2,
        CASE WHEN industry_division IS NULL THEN 'industry_division' END AS u3,
        CAST(rd_expense_last_year * CAST(1.00 AS DECIMAL(38, 2)) * CASE
          WHEN has_hte_certificate
          THEN CAST(0.15 AS DECIMAL(38, 2))
          ELSE CAST(0.25 AS DECIMAL(38, 2))
        END AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *
        FROM profile
        WHERE
          as_of = CAST('2022-01-01' AS DATE)
      ) AS sc
    ) AS p
  ) AS r
) AS b
