SELECT
  uscc,
  'above-scale-to-strong' AS policy_id,
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
      CASE WHEN c0_ok = FALSE THEN 'valid_hte' END,
      CASE WHEN c1_ok = FALSE THEN 'registered_in_beijing' END,
      CASE WHEN c2_ok = FALSE THEN 'above_upper_cap' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3, v4, v5, v6, v7], LAMBDA x : NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('valid_hte' AS TEXT)
    WHEN 1
    THEN CAST('registered_in_beijing' AS TEXT)
    WHEN 2
    THEN CAST('above_upper_cap' AS TEXT)
  END AS binding_condition,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_observed,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_required,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CASE bi
    WHEN 0
    THEN CAST(c0_obs AS TEXT)
    WHEN 1
    THEN CAST(c1_obs AS TEXT)
    WHEN 2
    THEN CAST(c2_obs AS TEXT)
  END AS binding_observed_text,
  CASE bi
    WHEN 0
    THEN CAST(c0_req AS TEXT)
    WHEN 1
    THEN CAST(c1_req AS TEXT)
    WHEN 2
    THEN CAST(c2_req AS TEXT)
  END AS binding_required_text,
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
      CASE WHEN c1_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c1_rel,
      CASE WHEN c2_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c2_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c2_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c2_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c2_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c2_ok IS NULL THEN u5 END AS v5,
      CASE WHEN c2_ok IS NULL THEN u6 END AS v6,
      CASE WHEN c2_ok IS NULL THEN u7 END AS v7
    FROM (
      SELECT
        uscc,
        (
          has_hte_certificate
        ) AS c0_obs,
        (
          TRUE
        ) AS c0_req,
        CASE
          WHEN has_hte_certificate IS NULL
          THEN NULL
          ELSE (
            (
              has_hte_certificate
            ) = (
              TRUE
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          status IN ('迁出', '注销', '吊销')
        ) AS c1_obs,
        (
          FALSE
        ) AS c1_req,
        CASE
          WHEN status IS NULL
          THEN NULL
          ELSE (
            (
              status IN ('迁出', '注销', '吊销')
            ) = (
              FALSE
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          CASE
            WHEN FALSE = TRUE
            THEN sales_revenue_last_year >= 20000
            WHEN industry_section IN ('B', 'C', 'D')
            THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 40000
            WHEN industry_division = '65'
            THEN staff_count_last_year >= 300 AND sales_revenue_last_year >= 10000
            WHEN industry_division IN ('63', '64')
            THEN staff_count_last_year >= 2000 AND sales_revenue_last_year >= 100000
            WHEN industry_division = '51'
            THEN staff_count_last_year >= 200 AND sales_revenue_last_year >= 40000
            WHEN industry_division = '52'
            THEN staff_count_last_year >= 300 AND sales_revenue_last_year >= 20000
            WHEN industry_section = 'H'
            THEN staff_count_last_year >= 300 AND sales_revenue_last_year >= 10000
            WHEN industry_section = 'L'
            THEN staff_count_last_year >= 300 AND total_assets_last_year >= 120000
            WHEN industry_section = 'E'
            THEN sales_revenue_last_year >= 80000 AND total_assets_last_year >= 80000
            WHEN industry_division IN ('53', '54', '55', '56', '57', '58')
            THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 30000
            WHEN industry_division = '59'
            THEN staff_count_last_year >= 200 AND sales_revenue_last_year >= 30000
            WHEN industry_division = '60'
            THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 30000
            WHEN industry_class = '7020'
            THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 5000
            WHEN industry_class = '7010'
            THEN sales_revenue_last_year >= 200000 AND total_assets_last_year >= 10000
            WHEN industry_section = 'A'
            THEN sales_revenue_last_year >= 20000
            ELSE staff_count_last_year >= 300
          END
        ) AS c2_obs,
        (
          TRUE
        ) AS c2_req,
        CASE
          WHEN industry_class IS NULL
          OR industry_division IS NULL
          OR industry_section IS NULL
          OR sales_revenue_last_year IS NULL
          OR staff_count_last_year IS NULL
          OR total_assets_last_year IS NULL
          THEN NULL
          ELSE (
            (
              CASE
                WHEN FALSE = TRUE
                THEN sales_revenue_last_year >= 20000
                WHEN industry_section IN ('B', 'C', 'D')
                THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 40000
                WHEN industry_division = '65'
                THEN staff_count_last_year >= 300 AND sales_revenue_last_year >= 10000
                WHEN industry_division IN ('63', '64')
                THEN staff_count_last_year >= 2000 AND sales_revenue_last_year >= 100000
                WHEN industry_division = '51'
                THEN staff_count_last_year >= 200 AND sales_revenue_last_year >= 40000
                WHEN industry_division = '52'
                THEN staff_count_last_year >= 300 AND sales_revenue_last_year >= 20000
                WHEN industry_section = 'H'
                THEN staff_count_last_year >= 300 AND sales_revenue_last_year >= 10000
                WHEN industry_section = 'L'
                THEN staff_count_last_year >= 300 AND total_assets_last_year >= 120000
                WHEN industry_section = 'E'
                THEN sales_revenue_last_year >= 80000 AND total_assets_last_year >= 80000
                WHEN industry_division IN ('53', '54', '55', '56', '57', '58')
                THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 30000
                WHEN industry_division = '59'
                THEN staff_count_last_year >= 200 AND sales_revenue_last_year >= 30000
                WHEN industry_division = '60'
                THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 30000
                WHEN industry_class = '7020'
                THEN staff_count_last_year >= 1000 AND sales_revenue_last_year >= 5000
                WHEN industry_class = '7010'
                THEN sales_revenue_last_year >= 200000 AND total_assets_last_year >= 10000
                WHEN industry_section = 'A'
                THEN sales_revenue_last_year >= 20000
                ELSE staff_count_last_year >= 300
              END
            ) = (
              TRUE
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        CASE WHEN has_hte_certificate IS NULL THEN 'has_hte_certificate' END AS u0,
        CASE WHEN status IS NULL THEN 'status' END AS u1,
        CASE WHEN industry_class IS NULL THEN 'industry_class' END AS u2,
        CASE WHEN industry_division IS NULL THEN 'industry_division' END AS u3,
        CASE WHEN industry_section IS NULL THEN 'industry_section' END AS u4,
        CASE WHEN sales_revenue_last_year IS NULL THEN 'sales_revenue_last_year' END AS u5,
        CASE WHEN staff_count_last_year IS NULL THEN 'staff_count_last_year' END AS u6,
        CASE WHEN total_assets_last_year IS NULL THEN 'total_assets_last_year' END AS u7,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
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
