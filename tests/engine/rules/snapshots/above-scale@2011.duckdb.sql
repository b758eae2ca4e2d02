SELECT
  uscc,
  'above-scale' AS policy_id,
  '2011' AS policy_version,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL OR c1_ok IS NULL OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  LIST_FILTER(
    [
      CASE WHEN c0_ok = FALSE THEN 'revenue_threshold_sector' END,
      CASE WHEN c1_ok = FALSE THEN 'revenue' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3], LAMBDA x : NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('revenue_threshold_sector' AS TEXT)
    WHEN 1
    THEN CAST('revenue' AS TEXT)
  END AS binding_condition,
  CASE bi WHEN 1 THEN CAST(c1_obs AS DECIMAL(38, 12)) END AS binding_observed,
  CASE bi WHEN 1 THEN CAST(c1_req AS DECIMAL(38, 12)) END AS binding_required,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CASE bi WHEN 0 THEN CAST(c0_obs AS TEXT) END AS binding_observed_text,
  CASE bi WHEN 0 THEN CAST(c0_req AS TEXT) END AS binding_required_text,
  CAST('2011-01-01' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE WHEN c0_ok = FALSE OR c1_ok = FALSE THEN NULL ELSE benefit_raw END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel)
      THEN 0
      WHEN c1_rel = LEAST(c0_rel, c1_rel)
      THEN 1
      WHEN c0_ok = FALSE
      THEN 0
      WHEN c1_ok = FALSE
      THEN 1
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
      CASE WHEN c0_ok IS NULL OR c1_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c0_ok IS NULL OR c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c0_ok IS NULL OR c1_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c1_ok IS NULL THEN u3 END AS v3
    FROM (
      SELECT
        uscc,
        (
          industry_section IN ('B', 'C', 'D', 'G', 'H', 'I', 'L', 'M', 'N', 'O', 'P', 'R')
          OR industry_division IN ('51', '52', '84', '85')
          OR industry_class IN ('7020', '7030', '7040', '7090')
        ) AS c0_obs,
        (
          TRUE
        ) AS c0_req,
        CASE
          WHEN industry_class IS NULL OR industry_division IS NULL OR industry_section IS NULL
          THEN NULL
          ELSE (
            (
              industry_section IN ('B', 'C', 'D', 'G', 'H', 'I', 'L', 'M', 'N', 'O', 'P', 'R')
              OR industry_division IN ('51', '52', '84', '85')
              OR industry_class IN ('7020', '7030', '7040', '7090')
            ) = (
              TRUE
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          sales_revenue_last_year
        ) AS c1_obs,
        (
          CASE
            WHEN industry_section IN ('B', 'C', 'D')
            THEN 2000
            WHEN industry_division = '51'
            THEN 2000
            WHEN industry_division = '52'
            THEN 500
            WHEN industry_section = 'H'
            THEN 200
            WHEN industry_section IN ('G', 'I', 'N') OR industry_division = '84'
            THEN 2000
            WHEN industry_section IN ('L', 'M', 'P')
            OR industry_class IN ('7020', '7030', '7040', '7090')
            THEN 1000
            ELSE 500
          END
        ) AS c1_req,
        CASE
          WHEN industry_class IS NULL
          OR industry_division IS NULL
          OR industry_section IS NULL
          OR sales_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              sales_revenue_last_year
            ) >= (
              CASE
                WHEN industry_section IN ('B', 'C', 'D')
                THEN 2000
                WHEN industry_division = '51'
                THEN 2000
                WHEN industry_division = '52'
                THEN 500
                WHEN industry_section = 'H'
                THEN 200
                WHEN industry_section IN ('G', 'I', 'N') OR industry_division = '84'
                THEN 2000
                WHEN industry_section IN ('L', 'M', 'P')
                OR industry_class IN ('7020', '7030', '7040', '7090')
                THEN 1000
                ELSE 500
              END
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        CASE WHEN industry_class IS NULL THEN 'industry_class' END AS u0,
        CASE WHEN industry_division IS NULL THEN 'industry_division' END AS u1,
        CASE WHEN industry_section IS NULL THEN 'industry_section' END AS u2,
        CASE WHEN sales_revenue_last_year IS NULL THEN 'sales_revenue_last_year' END AS u3,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *
        FROM profile
        WHERE
          as_of = CAST('2011-01-01' AS DATE)
      ) AS sc
    ) AS p
  ) AS r
) AS b
