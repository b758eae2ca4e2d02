SELECT
  uscc,
  'small-to-above-scale' AS policy_id,
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
  LIST_FILTER(
    [
      CASE WHEN c0_ok = FALSE THEN 'valid_hte' END,
      CASE WHEN c1_ok = FALSE THEN 'registered_in_beijing' END,
      CASE WHEN c2_ok = FALSE THEN 'revenue_threshold_sector' END,
      CASE WHEN c3_ok = FALSE THEN 'below_scale_line' END,
      CASE WHEN c4_ok = FALSE THEN 'near_scale_line' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3, v4, v5], LAMBDA x : NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('valid_hte' AS TEXT)
    WHEN 1
    THEN CAST('registered_in_beijing' AS TEXT)
    WHEN 2
    THEN CAST('revenue_threshold_sector' AS TEXT)
    WHEN 3
    THEN CAST('below_scale_line' AS TEXT)
    WHEN 4
    THEN CAST('near_scale_line' AS TEXT)
  END AS binding_condition,
  CASE bi
    WHEN 3
    THEN CAST(c3_obs AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_obs AS DECIMAL(38, 12))
  END AS binding_observed,
  CASE bi
    WHEN 3
    THEN CAST(c3_req AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_req AS DECIMAL(38, 12))
  END AS binding_required,
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
      CASE WHEN c2_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c2_rel,
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
      CASE WHEN c2_ok IS NULL OR c3_ok IS NULL OR c4_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c2_ok IS NULL OR c3_ok IS NULL OR c4_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c3_ok IS NULL OR c4_ok IS NULL THEN u5 END AS v5
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
          industry_section IN ('B', 'C', 'D', 'G', 'H', 'I', 'L', 'M', 'N', 'O', 'P', 'R')
          OR industry_division IN ('51', '52', '84', '85')
          OR industry_class IN ('7020', '7030', '7040', '7090')
        ) AS c2_obs,
        (
          TRUE
        ) AS c2_req,
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
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        (
          sales_revenue_last_year
        ) AS c3_obs,
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
        ) AS c3_req,
        CASE
          WHEN industry_class IS NULL
          OR industry_division IS NULL
          OR industry_section IS NULL
          OR sales_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              sales_revenue_last_year
            ) < (
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
        END AS c3_ok,
        CAST(NULL AS DOUBLE) AS c3_per,
        (
          sales_revenue_last_year
        ) AS c4_obs,
        (
          CAST(0.0 AS DECIMAL(38, 1)) * CASE
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
        ) AS c4_req,
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
              CAST(0.0 AS DECIMAL(38, 1)) * CASE
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
        END AS c4_ok,
        CAST(NULL AS DOUBLE) AS c4_per,
        CASE WHEN has_hte_certificate IS NULL THEN 'has_hte_certificate' END AS u0,
        CASE WHEN status IS NULL THEN 'status' END AS u1,
        CASE WHEN industry_class IS NULL THEN 'industry_class' END AS u2,
        CASE WHEN industry_division IS NULL THEN 'industry_division' END AS u3,
        CASE WHEN industry_section IS NULL THEN 'industry_section' END AS u4,
        CASE WHEN sales_revenue_last_year IS NULL THEN 'sales_revenue_last_year' END AS u5,
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
