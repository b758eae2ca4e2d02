SELECT
  uscc,
  'dongcheng-zgc-hte-rd-reward' AS policy_id,
  '2022' AS policy_version,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE OR c3_ok = FALSE OR c4_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL
    OR c1_ok IS NULL
    OR c2_ok IS NULL
    OR c3_ok IS NULL
    OR c4_ok IS NULL
    OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  FILTER(
    ARRAY(
      CASE WHEN c0_ok = FALSE THEN 'registered_in_dongcheng' END,
      CASE WHEN c1_ok = FALSE THEN 'zgc_hte' END,
      CASE WHEN c2_ok = FALSE THEN 'revenue_tier' END,
      CASE WHEN c3_ok = FALSE THEN 'revenue_below_top_tier' END,
      CASE WHEN c4_ok = FALSE THEN 'rd_share' END
    ),
    x -> NOT x IS NULL
  ) AS failed_conditions,
  FILTER(ARRAY(v0, v1, v2, v3), x -> NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('registered_in_dongcheng' AS STRING)
    WHEN 1
    THEN CAST('zgc_hte' AS STRING)
    WHEN 2
    THEN CAST('revenue_tier' AS STRING)
    WHEN 3
    THEN CAST('revenue_below_top_tier' AS STRING)
    WHEN 4
    THEN CAST('rd_share' AS STRING)
  END AS binding_condition,
  CASE bi
    WHEN 2
    THEN CAST(c2_obs AS DECIMAL(38, 12))
    WHEN 3
    THEN CAST(c3_obs AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_obs AS DECIMAL(38, 12))
  END AS binding_observed,
  CASE bi
    WHEN 2
    THEN CAST(c2_req AS DECIMAL(38, 12))
    WHEN 3
    THEN CAST(c3_req AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_req AS DECIMAL(38, 12))
  END AS binding_required,
  CASE bi WHEN 4 THEN CAST(c4_per AS DECIMAL(38, 12)) END AS binding_per,
  CASE bi WHEN 0 THEN CAST(c0_obs AS STRING) WHEN 1 THEN CAST(c1_obs AS STRING) END AS binding_observed_text,
  CASE bi WHEN 0 THEN CAST(c0_req AS STRING) WHEN 1 THEN CAST(c1_req AS STRING) END AS binding_required_text,
  CAST('2022-08-02' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE OR c3_ok = FALSE OR c4_ok = FALSE
    THEN NULL
    ELSE benefit_raw
  END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel)
      THEN 0
      WHEN c1_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel)
      THEN 1
      WHEN c2_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel)
      THEN 2
      WHEN c3_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel)
      THEN 3
      WHEN c4_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel)
      THEN 4
      WHEN c0_ok = FALSE
      THEN 0
      WHEN c1_ok = FALSE
      THEN 1
      WHEN c2_ok = FALSE
      THEN 2
      WHEN c3_ok = FALSE
      THEN 3
      WHEN c4_ok = FALSE
      THEN 4
    END AS bi
  FROM (
    SELECT
      *,
      CASE WHEN c0_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c0_rel,
      CASE WHEN c1_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c1_rel,
      CASE
        WHEN c2_ok = FALSE
        THEN CASE
          WHEN CAST(c2_req AS DOUBLE) = 0
          THEN ABS(CAST(c2_req AS DOUBLE) - CAST(c2_obs AS DOUBLE))
          ELSE ABS(CAST(c2_req AS DOUBLE) - CAST(c2_obs AS DOUBLE)) / ABS(CAST(c2_req AS DOUBLE))
        END
      END AS c2_rel,
      CASE
        WHEN c3_ok = FALSE
        THEN CASE
          WHEN CAST(c3_req AS DOUBLE) = 0
          THEN ABS(CAST(c3_req AS DOUBLE) - CAST(c3_obs AS DOUBLE))
          ELSE ABS(CAST(c3_req AS DOUBLE) - CAST(c3_obs AS DOUBLE)) / ABS(CAST(c3_req AS DOUBLE))
        END
      END AS c3_rel,
      CASE
        WHEN c4_ok = FALSE
        THEN CASE
          WHEN CAST(c4_req AS DOUBLE) = 0
          THEN ABS(CAST(c4_req AS DOUBLE) - CAST(c4_obs AS DOUBLE))
          ELSE ABS(CAST(c4_req AS DOUBLE) - CAST(c4_obs AS DOUBLE)) / ABS(CAST(c4_req AS DOUBLE))
        END
      END AS c4_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c2_ok IS NULL OR c3_ok IS NULL OR c4_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c4_ok IS NULL THEN u3 END AS v3
    FROM (
      SELECT
        uscc,
        (
          district_code
        ) AS c0_obs,
        (
          '110101'
        ) AS c0_req,
        CASE
          WHEN district_code IS NULL
          THEN NULL
          ELSE (
            (
              district_code
            ) = (
              '110101'
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          has_zgc_hte
        ) AS c1_obs,
        (
          TRUE
        ) AS c1_req,
        CASE
          WHEN has_zgc_hte IS NULL
          THEN NULL
          ELSE (
            (
              has_zgc_hte
            ) = (
              TRUE
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          total_revenue_last_year
        ) AS c2_obs,
        (
          50000
        ) AS c2_req,
        CASE
          WHEN total_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              total_revenue_last_year
            ) >= (
              50000
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        (
          total_revenue_last_year
        ) AS c3_obs,
        (
          500000
        ) AS c3_req,
        CASE
          WHEN total_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              total_revenue_last_year
            ) < (
              500000
            )
          )
        END AS c3_ok,
        CAST(NULL AS DOUBLE) AS c3_per,
        (
          rd_expense_last_year / total_revenue_last_year
        ) AS c4_obs,
        (
          CASE
            WHEN total_revenue_last_year < 100000
            THEN CAST(0.05 AS DECIMAL(38, 2))
            ELSE CAST(0.04 AS DECIMAL(38, 2))
          END
        ) AS c4_req,
        CASE
          WHEN rd_expense_last_year IS NULL OR total_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              rd_expense_last_year / total_revenue_last_year
            ) >= (
              CASE
                WHEN total_revenue_last_year < 100000
                THEN CAST(0.05 AS DECIMAL(38, 2))
                ELSE CAST(0.04 AS DECIMAL(38, 2))
              END
            )
          )
        END AS c4_ok,
        (
          total_revenue_last_year
        ) AS c4_per,
        CASE WHEN district_code IS NULL THEN 'district_code' END AS u0,
        CASE WHEN has_zgc_hte IS NULL THEN 'has_zgc_hte' END AS u1,
        CASE WHEN total_revenue_last_year IS NULL THEN 'total_revenue_last_year' END AS u2,
        CASE WHEN rd_expense_last_year IS NULL THEN 'rd_expense_last_year' END AS u3,
        CAST(CASE WHEN total_revenue_last_year < 100000 THEN 5 ELSE 10 END AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *
        FROM profile
        WHERE
          as_of = CAST('2022-08-02' AS DATE)
      ) AS sc
    ) AS p
  ) AS r
) AS b
