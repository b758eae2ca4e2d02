SELECT
  uscc,
  'hte-certification' AS policy_id,
  '2008' AS policy_version,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE OR c3_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL OR c1_ok IS NULL OR c2_ok IS NULL OR c3_ok IS NULL OR TRUE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  FILTER(
    ARRAY(
      CASE WHEN c0_ok = FALSE THEN 'core_ip' END,
      CASE WHEN c1_ok = FALSE THEN 'rd_ratio' END,
      CASE WHEN c2_ok = FALSE THEN 'rd_domestic_share' END,
      CASE WHEN c3_ok = FALSE THEN 'ht_revenue_share' END
    ),
    x -> NOT x IS NULL
  ) AS failed_conditions,
  FILTER(
    ARRAY(v0, v1, v2, v3, v4, v5, 'pending:tech_field', 'pending:staff', 'pending:innovation'),
    x -> NOT x IS NULL
  ) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('core_ip' AS STRING)
    WHEN 1
    THEN CAST('rd_ratio' AS STRING)
    WHEN 2
    THEN CAST('rd_domestic_share' AS STRING)
    WHEN 3
    THEN CAST('ht_revenue_share' AS STRING)
  END AS binding_condition,
  CASE bi
    WHEN 0
    THEN CAST(c0_obs AS DECIMAL(38, 12))
    WHEN 1
    THEN CAST(c1_obs AS DECIMAL(38, 12))
    WHEN 2
    THEN CAST(c2_obs AS DECIMAL(38, 12))
    WHEN 3
    THEN CAST(c3_obs AS DECIMAL(38, 12))
  END AS binding_observed,
  CASE bi
    WHEN 0
    THEN CAST(c0_req AS DECIMAL(38, 12))
    WHEN 1
    THEN CAST(c1_req AS DECIMAL(38, 12))
    WHEN 2
    THEN CAST(c2_req AS DECIMAL(38, 12))
    WHEN 3
    THEN CAST(c3_req AS DECIMAL(38, 12))
  END AS binding_required,
  CASE bi
    WHEN 1
    THEN CAST(c1_per AS DECIMAL(38, 12))
    WHEN 2
    THEN CAST(c2_per AS DECIMAL(38, 12))
    WHEN 3
    THEN CAST(c3_per AS DECIMAL(38, 12))
  END AS binding_per,
  CAST(NULL AS STRING) AS binding_observed_text,
  CAST(NULL AS STRING) AS binding_required_text,
  CAST('2008-04-14' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE OR c3_ok = FALSE
    THEN NULL
    ELSE benefit_raw
  END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 0
      WHEN c1_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 1
      WHEN c2_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 2
      WHEN c3_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 3
      WHEN c0_ok = FALSE
      THEN 0
      WHEN c1_ok = FALSE
      THEN 1
      WHEN c2_ok = FALSE
      THEN 2
      WHEN c3_ok = FALSE
      THEN 3
    END AS bi
  FROM (
    SELECT
      *,
      CASE
        WHEN c0_ok = FALSE
        THEN CASE
          WHEN CAST(c0_req AS DOUBLE) = 0
          THEN ABS(CAST(c0_req AS DOUBLE) - CAST(c0_obs AS DOUBLE))
          ELSE ABS(CAST(c0_req AS DOUBLE) - CAST(c0_obs AS DOUBLE)) / ABS(CAST(c0_req AS DOUBLE))
        END
      END AS c0_rel,
      CASE
        WHEN c1_ok = FALSE
        THEN CASE
          WHEN CAST(c1_req AS DOUBLE) = 0
          THEN ABS(CAST(c1_req AS DOUBLE) - CAST(c1_obs AS DOUBLE))
          ELSE ABS(CAST(c1_req AS DOUBLE) - CAST(c1_obs AS DOUBLE)) / ABS(CAST(c1_req AS DOUBLE))
        END
      END AS c1_rel,
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
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c0_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c1_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c1_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c2_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c3_ok IS NULL THEN u5 END AS v5
    FROM (
      SELECT
        uscc,
        (
          ip_class1_count + ip_class2_count
        ) AS c0_obs,
        (
          1
        ) AS c0_req,
        CASE
          WHEN ip_class1_count IS NULL OR ip_class2_count IS NULL
          THEN NULL
          ELSE (
            (
              ip_class1_count + ip_class2_count
            ) >= (
              1
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          hte_rd_ratio
        ) AS c1_obs,
        (
          CASE
            WHEN sales_revenue_last_year <= 5000
            THEN CAST(0.06 AS DECIMAL(38, 2))
            WHEN sales_revenue_last_year <= 20000
            THEN CAST(0.04 AS DECIMAL(38, 2))
            ELSE CAST(0.03 AS DECIMAL(38, 2))
          END
        ) AS c1_req,
        CASE
          WHEN hte_rd_ratio IS NULL OR sales_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              hte_rd_ratio
            ) >= (
              CASE
                WHEN sales_revenue_last_year <= 5000
                THEN CAST(0.06 AS DECIMAL(38, 2))
                WHEN sales_revenue_last_year <= 20000
                THEN CAST(0.04 AS DECIMAL(38, 2))
                ELSE CAST(0.03 AS DECIMAL(38, 2))
              END
            )
          )
        END AS c1_ok,
        (
          sales_revenue_window
        ) AS c1_per,
        (
          rd_domestic_share
        ) AS c2_obs,
        (
          CAST(0.60 AS DECIMAL(38, 2))
        ) AS c2_req,
        CASE
          WHEN rd_domestic_share IS NULL
          THEN NULL
          ELSE (
            (
              rd_domestic_share
            ) >= (
              CAST(0.60 AS DECIMAL(38, 2))
            )
          )
        END AS c2_ok,
        (
          rd_expense_window
        ) AS c2_per,
        (
          ht_revenue_share
        ) AS c3_obs,
        (
          CAST(0.60 AS DECIMAL(38, 2))
        ) AS c3_req,
        CASE
          WHEN ht_revenue_share IS NULL
          THEN NULL
          ELSE (
            (
              ht_revenue_share
            ) >= (
              CAST(0.60 AS DECIMAL(38, 2))
            )
          )
        END AS c3_ok,
        (
          total_revenue_net_last_year
        ) AS c3_per,
        CASE WHEN ip_class1_count IS NULL THEN 'ip_class1_count' END AS u0,
        CASE WHEN ip_class2_count IS NULL THEN 'ip_class2_count' END AS u1,
        CASE WHEN hte_rd_ratio IS NULL THEN 'hte_rd_ratio' END AS u2,
        CASE WHEN sales_revenue_last_year IS NULL THEN 'sales_revenue_last_year' END AS u3,
        CASE WHEN rd_domestic_share IS NULL THEN 'rd_domestic_share' END AS u4,
        CASE WHEN ht_revenue_share IS NULL THEN 'ht_revenue_share' END AS u5,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *
        FROM profile
        WHERE
          as_of = CAST('2008-04-14' AS DATE)
      ) AS sc
    ) AS p
  ) AS r
) AS b
