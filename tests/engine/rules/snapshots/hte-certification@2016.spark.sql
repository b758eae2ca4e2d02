SELECT
  uscc,
  'hte-certification' AS policy_id,
  '2016' AS policy_version,
  CASE
    WHEN c0_ok = FALSE
    OR c1_ok = FALSE
    OR c2_ok = FALSE
    OR c3_ok = FALSE
    OR c4_ok = FALSE
    OR c5_ok = FALSE
    OR c6_ok = FALSE
    OR c7_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL
    OR c1_ok IS NULL
    OR c2_ok IS NULL
    OR c3_ok IS NULL
    OR c4_ok IS NULL
    OR c5_ok IS NULL
    OR c6_ok IS NULL
    OR TRUE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  FILTER(
    ARRAY(
      CASE WHEN c0_ok = FALSE THEN 'established_one_year' END,
      CASE WHEN c1_ok = FALSE THEN 'core_ip' END,
      CASE WHEN c2_ok = FALSE THEN 'st_staff_share' END,
      CASE WHEN c3_ok = FALSE THEN 'rd_ratio' END,
      CASE WHEN c4_ok = FALSE THEN 'rd_domestic_share' END,
      CASE WHEN c5_ok = FALSE THEN 'ht_revenue_share' END,
      CASE WHEN c6_ok = FALSE THEN 'no_major_accident' END,
      CASE WHEN c7_ok = FALSE THEN 'innovation_score' END
    ),
    x -> NOT x IS NULL
  ) AS failed_conditions,
  FILTER(
    ARRAY(
      v0,
      v1,
      v2,
      v3,
      v4,
      v5,
      v6,
      v7,
      v8,
      'pending:tech_field',
      CASE WHEN c7_ok = FALSE THEN NULL ELSE 'pending:innovation_score' END
    ),
    x -> NOT x IS NULL
  ) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('established_one_year' AS STRING)
    WHEN 1
    THEN CAST('core_ip' AS STRING)
    WHEN 2
    THEN CAST('st_staff_share' AS STRING)
    WHEN 3
    THEN CAST('rd_ratio' AS STRING)
    WHEN 4
    THEN CAST('rd_domestic_share' AS STRING)
    WHEN 5
    THEN CAST('ht_revenue_share' AS STRING)
    WHEN 6
    THEN CAST('no_major_accident' AS STRING)
    WHEN 7
    THEN CAST('innovation_score' AS STRING)
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
    WHEN 4
    THEN CAST(c4_obs AS DECIMAL(38, 12))
    WHEN 5
    THEN CAST(c5_obs AS DECIMAL(38, 12))
    WHEN 6
    THEN CAST(c6_obs AS DECIMAL(38, 12))
    WHEN 7
    THEN CAST(c7_obs AS DECIMAL(38, 12))
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
    WHEN 4
    THEN CAST(c4_req AS DECIMAL(38, 12))
    WHEN 5
    THEN CAST(c5_req AS DECIMAL(38, 12))
    WHEN 6
    THEN CAST(c6_req AS DECIMAL(38, 12))
    WHEN 7
    THEN CAST(c7_req AS DECIMAL(38, 12))
  END AS binding_required,
  CASE bi
    WHEN 2
    THEN CAST(c2_per AS DECIMAL(38, 12))
    WHEN 3
    THEN CAST(c3_per AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_per AS DECIMAL(38, 12))
    WHEN 5
    THEN CAST(c5_per AS DECIMAL(38, 12))
  END AS binding_per,
  CAST(NULL AS STRING) AS binding_observed_text,
  CAST(NULL AS STRING) AS binding_required_text,
  CAST('2016-01-01' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE
    WHEN c0_ok = FALSE
    OR c1_ok = FALSE
    OR c2_ok = FALSE
    OR c3_ok = FALSE
    OR c4_ok = FALSE
    OR c5_ok = FALSE
    OR c6_ok = FALSE
    OR c7_ok = FALSE
    THEN NULL
    ELSE benefit_raw
  END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 0
      WHEN c1_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 1
      WHEN c2_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 2
      WHEN c3_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 3
      WHEN c4_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 4
      WHEN c5_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 5
      WHEN c6_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 6
      WHEN c7_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel, c6_rel, c7_rel)
      THEN 7
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
      WHEN c5_ok = FALSE
      THEN 5
      WHEN c6_ok = FALSE
      THEN 6
      WHEN c7_ok = FALSE
      THEN 7
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
      CASE
        WHEN c4_ok = FALSE
        THEN CASE
          WHEN CAST(c4_req AS DOUBLE) = 0
          THEN ABS(CAST(c4_req AS DOUBLE) - CAST(c4_obs AS DOUBLE))
          ELSE ABS(CAST(c4_req AS DOUBLE) - CAST(c4_obs AS DOUBLE)) / ABS(CAST(c4_req AS DOUBLE))
        END
      END AS c4_rel,
      CASE
        WHEN c5_ok = FALSE
        THEN CASE
          WHEN CAST(c5_req AS DOUBLE) = 0
          THEN ABS(CAST(c5_req AS DOUBLE) - CAST(c5_obs AS DOUBLE))
          ELSE ABS(CAST(c5_req AS DOUBLE) - CAST(c5_obs AS DOUBLE)) / ABS(CAST(c5_req AS DOUBLE))
        END
      END AS c5_rel,
      CASE
        WHEN c6_ok = FALSE
        THEN CASE
          WHEN CAST(c6_req AS DOUBLE) = 0
          THEN ABS(CAST(c6_req AS DOUBLE) - CAST(c6_obs AS DOUBLE))
          ELSE ABS(CAST(c6_req AS DOUBLE) - CAST(c6_obs AS DOUBLE)) / ABS(CAST(c6_req AS DOUBLE))
        END
      END AS c6_rel,
      CASE
        WHEN c7_ok = FALSE
        THEN CASE
          WHEN CAST(c7_req AS DOUBLE) = 0
          THEN ABS(CAST(c7_req AS DOUBLE) - CAST(c7_obs AS DOUBLE))
          ELSE ABS(CAST(c7_req AS DOUBLE) - CAST(c7_obs AS DOUBLE)) / ABS(CAST(c7_req AS DOUBLE))
        END
      END AS c7_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c1_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c2_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c3_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c3_ok IS NULL THEN u5 END AS v5,
      CASE WHEN c4_ok IS NULL THEN u6 END AS v6,
      CASE WHEN c5_ok IS NULL THEN u7 END AS v7,
      CASE WHEN c6_ok IS NULL THEN u8 END AS v8
    FROM (
      SELECT
        uscc,
        (
          days_since_established
        ) AS c0_obs,
        (
          365
        ) AS c0_req,
        CASE
          WHEN days_since_established IS NULL
          THEN NULL
          ELSE (
            (
              days_since_established
            ) >= (
              365
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          ip_class1_count + ip_class2_count
        ) AS c1_obs,
        (
          1
        ) AS c1_req,
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
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          st_staff_share
        ) AS c2_obs,
        (
          CAST(0.10 AS DECIMAL(38, 2))
        ) AS c2_req,
        CASE
          WHEN st_staff_share IS NULL
          THEN NULL
          ELSE (
            (
              st_staff_share
            ) >= (
              CAST(0.10 AS DECIMAL(38, 2))
            )
          )
        END AS c2_ok,
        (
          staff_count_last_year
        ) AS c2_per,
        (
          hte_rd_ratio
        ) AS c3_obs,
        (
          CASE
            WHEN sales_revenue_last_year <= 5000
            THEN CAST(0.05 AS DECIMAL(38, 2))
            WHEN sales_revenue_last_year <= 20000
            THEN CAST(0.04 AS DECIMAL(38, 2))
            ELSE CAST(0.03 AS DECIMAL(38, 2))
          END
        ) AS c3_req,
        CASE
          WHEN hte_rd_ratio IS NULL OR sales_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              hte_rd_ratio
            ) >= (
              CASE
                WHEN sales_revenue_last_year <= 5000
                THEN CAST(0.05 AS DECIMAL(38, 2))
                WHEN sales_revenue_last_year <= 20000
                THEN CAST(0.04 AS DECIMAL(38, 2))
                ELSE CAST(0.03 AS DECIMAL(38, 2))
              END
            )
          )
        END AS c3_ok,
        (
          sales_revenue_window
        ) AS c3_per,
        (
          rd_domestic_share
        ) AS c4_obs,
        (
          CAST(0.60 AS DECIMAL(38, 2))
        ) AS c4_req,
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
        END AS c4_ok,
        (
          rd_expense_window
        ) AS c4_per,
        (
          ht_revenue_share
        ) AS c5_obs,
        (
          CAST(0.60 AS DECIMAL(38, 2))
        ) AS c5_req,
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
        END AS c5_ok,
        (
          total_revenue_net_last_year
        ) AS c5_per,
        (
          credit_hte_accidents_365d
        ) AS c6_obs,
        (
          0
        ) AS c6_req,
        CASE
          WHEN credit_hte_accidents_365d IS NULL
          THEN NULL
          ELSE (
            (
              credit_hte_accidents_365d
            ) <= (
              0
            )
          )
        END AS c6_ok,
        CAST(NULL AS DOUBLE) AS c6_per,
        (
          sc_innovation_total_hi
        ) AS c7_obs,
        (
          70
        ) AS c7_req,
        CASE
          WHEN FALSE
          THEN NULL
          WHEN (
            sc_innovation_total_lo
          ) > (
            70
          )
          THEN TRUE
          WHEN NOT (
            (
              sc_innovation_total_hi
            ) > (
              70
            )
          )
          THEN FALSE
          ELSE NULL
        END AS c7_ok,
        CAST(NULL AS DOUBLE) AS c7_per,
        CASE WHEN days_since_established IS NULL THEN 'days_since_established' END AS u0,
        CASE WHEN ip_class1_count IS NULL THEN 'ip_class1_count' END AS u1,
        CASE WHEN ip_class2_count IS NULL THEN 'ip_class2_count' END AS u2,
        CASE WHEN st_staff_share IS NULL THEN 'st_staff_share' END AS u3,
        CASE WHEN hte_rd_ratio IS NULL THEN 'hte_rd_ratio' END AS u4,
        CASE WHEN sales_revenue_last_year IS NULL THEN 'sales_revenue_last_year' END AS u5,
        CASE WHEN rd_domestic_share IS NULL THEN 'rd_domestic_share' END AS u6,
        CASE WHEN ht_revenue_share IS NULL THEN 'ht_revenue_share' END AS u7,
        CASE WHEN credit_hte_accidents_365d IS NULL THEN 'credit_hte_accidents_365d' END AS u8,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *,
          sc_ip_total_lo + sc_commercialization_lo + sc_rd_rules_lo + sc_rd_institution_lo + sc_commercialization_rules_lo + sc_talent_rules_lo + sc_net_asset_growth_score_lo + sc_sales_growth_score_lo AS sc_innovation_total_lo,
          sc_ip_total_hi + sc_commercialization_hi + sc_rd_rules_hi + sc_rd_institution_hi + sc_commercialization_rules_hi + sc_talent_rules_hi + sc_net_asset_growth_score_hi + sc_sales_growth_score_hi AS sc_innovation_total_hi,
          CAST(NULL AS STRING) AS sc_innovation_total_grade,
          CAST(NULL AS DOUBLE) AS sc_innovation_total_value
        FROM (
          SELECT
            *,
            LEAST(
              sc_tech_advancement_lo + sc_core_support_lo + sc_ip_quantity_lo + sc_ip_acquisition_lo + sc_standards_bonus_lo,
              30
            ) AS sc_ip_total_lo,
            LEAST(
              sc_tech_advancement_hi + sc_core_support_hi + sc_ip_quantity_hi + sc_ip_acquisition_hi + sc_standards_bonus_hi,
              30
            ) AS sc_ip_total_hi,
            CAST(NULL AS STRING) AS sc_ip_total_grade,
            CAST(NULL AS DOUBLE) AS sc_ip_total_value
          FROM (
            SELECT
              *,
              0 AS sc_tech_advancement_lo,
              8 AS sc_tech_advancement_hi,
              CAST(NULL AS STRING) AS sc_tech_advancement_grade,
              CAST(NULL AS DOUBLE) AS sc_tech_advancement_value,
              0 AS sc_core_support_lo,
              8 AS sc_core_support_hi,
              CAST(NULL AS STRING) AS sc_core_support_grade,
              CAST(NULL AS DOUBLE) AS sc_core_support_value,
              CASE sc_ip_quantity_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 7
                WHEN 2
                THEN 5
                WHEN 3
                THEN 3
                WHEN 4
                THEN 1
                WHEN 5
                THEN 0
              END AS sc_ip_quantity_lo,
              CASE sc_ip_quantity_band
                WHEN 0
                THEN 8
                WHEN 1
                THEN 8
                WHEN 2
                THEN 6
                WHEN 3
                THEN 4
                WHEN 4
                THEN 2
                WHEN 5
                THEN 0
              END AS sc_ip_quantity_hi,
              CASE sc_ip_quantity_band
                WHEN 0
                THEN CAST(NULL AS STRING)
                WHEN 1
                THEN 'A'
                WHEN 2
                THEN 'B'
                WHEN 3
                THEN 'C'
                WHEN 4
                THEN 'D'
                WHEN 5
                THEN 'E'
              END AS sc_ip_quantity_grade,
              CASE sc_ip_acquisition_band WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 1 WHEN 3 THEN 0 END AS sc_ip_acquisition_lo,
              CASE sc_ip_acquisition_band WHEN 0 THEN 6 WHEN 1 THEN 6 WHEN 2 THEN 3 WHEN 3 THEN 0 END AS sc_ip_acquisition_hi,
              CASE sc_ip_acquisition_band
                WHEN 0
                THEN CAST(NULL AS STRING)
                WHEN 1
                THEN 'A'
                WHEN 2
                THEN 'B'
                WHEN 3
                THEN 'C'
              END AS sc_ip_acquisition_grade,
              0 AS sc_standards_bonus_lo,
              2 AS sc_standards_bonus_hi,
              CAST(NULL AS STRING) AS sc_standards_bonus_grade,
              CAST(NULL AS DOUBLE) AS sc_standards_bonus_value,
              CASE sc_commercialization_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 25
                WHEN 2
                THEN 19
                WHEN 3
                THEN 13
                WHEN 4
                THEN 7
                WHEN 5
                THEN 1
                WHEN 6
                THEN 0
              END AS sc_commercialization_lo,
              CASE sc_commercialization_band
                WHEN 0
                THEN 30
                WHEN 1
                THEN 30
                WHEN 2
                THEN 24
                WHEN 3
                THEN 18
                WHEN 4
                THEN 12
                WHEN 5
                THEN 6
                WHEN 6
                THEN 0
              END AS sc_commercialization_hi,
              CASE sc_commercialization_band
                WHEN 0
                THEN CAST(NULL AS STRING)
                WHEN 1
                THEN 'A'
                WHEN 2
                THEN 'B'
                WHEN 3
                THEN 'C'
                WHEN 4
                THEN 'D'
                WHEN 5
                THEN 'E'
                WHEN 6
                THEN 'F'
              END AS sc_commercialization_grade,
              0 AS sc_rd_rules_lo,
              6 AS sc_rd_rules_hi,
              CAST(NULL AS STRING) AS sc_rd_rules_grade,
              CAST(NULL AS DOUBLE) AS sc_rd_rules_value,
              0 AS sc_rd_institution_lo,
              6 AS sc_rd_institution_hi,
              CAST(NULL AS STRING) AS sc_rd_institution_grade,
              CAST(NULL AS DOUBLE) AS sc_rd_institution_value,
              0 AS sc_commercialization_rules_lo,
              4 AS sc_commercialization_rules_hi,
              CAST(NULL AS STRING) AS sc_commercialization_rules_grade,
              CAST(NULL AS DOUBLE) AS sc_commercialization_rules_value,
              0 AS sc_talent_rules_lo,
              4 AS sc_talent_rules_hi,
              CAST(NULL AS STRING) AS sc_talent_rules_grade,
              CAST(NULL AS DOUBLE) AS sc_talent_rules_value,
              CASE sc_net_asset_growth_score_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 9
                WHEN 2
                THEN 7
                WHEN 3
                THEN 5
                WHEN 4
                THEN 3
                WHEN 5
                THEN 1
                WHEN 6
                THEN 0
              END AS sc_net_asset_growth_score_lo,
              CASE sc_net_asset_growth_score_band
                WHEN 0
                THEN 10
                WHEN 1
                THEN 10
                WHEN 2
                THEN 8
                WHEN 3
                THEN 6
                WHEN 4
                THEN 4
                WHEN 5
                THEN 2
                WHEN 6
                THEN 0
              END AS sc_net_asset_growth_score_hi,
              CASE sc_net_asset_growth_score_band
                WHEN 0
                THEN CAST(NULL AS STRING)
                WHEN 1
                THEN 'A'
                WHEN 2
                THEN 'B'
                WHEN 3
                THEN 'C'
                WHEN 4
                THEN 'D'
                WHEN 5
                THEN 'E'
                WHEN 6
                THEN 'F'
              END AS sc_net_asset_growth_score_grade,
              CASE sc_sales_growth_score_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 9
                WHEN 2
                THEN 7
                WHEN 3
                THEN 5
                WHEN 4
                THEN 3
                WHEN 5
                THEN 1
                WHEN 6
                THEN 0
              END AS sc_sales_growth_score_lo,
              CASE sc_sales_growth_score_band
                WHEN 0
                THEN 10
                WHEN 1
                THEN 10
                WHEN 2
                THEN 8
                WHEN 3
                THEN 6
                WHEN 4
                THEN 4
                WHEN 5
                THEN 2
                WHEN 6
                THEN 0
              END AS sc_sales_growth_score_hi,
              CASE sc_sales_growth_score_band
                WHEN 0
                THEN CAST(NULL AS STRING)
                WHEN 1
                THEN 'A'
                WHEN 2
                THEN 'B'
                WHEN 3
                THEN 'C'
                WHEN 4
                THEN 'D'
                WHEN 5
                THEN 'E'
                WHEN 6
                THEN 'F'
              END AS sc_sales_growth_score_grade
            FROM (
              SELECT
                *,
                CASE
                  WHEN ip_class1_count >= 1
                  THEN 1
                  WHEN (
                    ip_class1_count >= 1
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 5
                  THEN 2
                  WHEN (
                    ip_class2_count >= 5
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 3
                  THEN 3
                  WHEN (
                    ip_class2_count >= 3
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 1
                  THEN 4
                  WHEN (
                    ip_class2_count >= 1
                  ) IS NULL
                  THEN 0
                  ELSE 5
                END AS sc_ip_quantity_band,
                CASE
                  WHEN ip_original_count >= 1
                  THEN 1
                  WHEN (
                    ip_original_count >= 1
                  ) IS NULL
                  THEN 0
                  WHEN ip_acquired_count >= 1
                  THEN 2
                  WHEN (
                    ip_acquired_count >= 1
                  ) IS NULL
                  THEN 0
                  ELSE 3
                END AS sc_ip_acquisition_band,
                CASE
                  WHEN sc_commercialization_value IS NULL
                  THEN 0
                  WHEN sc_commercialization_value >= (
                    5
                  )
                  THEN 1
                  WHEN sc_commercialization_value >= (
                    4
                  )
                  THEN 2
                  WHEN sc_commercialization_value >= (
                    3
                  )
                  THEN 3
                  WHEN sc_commercialization_value >= (
                    2
                  )
                  THEN 4
                  WHEN sc_commercialization_value > (
                    0
                  )
                  THEN 5
                  ELSE 6
                END AS sc_commercialization_band,
                CASE
                  WHEN sc_net_asset_growth_score_value IS NULL
                  THEN 0
                  WHEN sc_net_asset_growth_score_value >= (
                    0.35
                  )
                  THEN 1
                  WHEN sc_net_asset_growth_score_value >= (
                    0.25
                  )
                  THEN 2
                  WHEN sc_net_asset_growth_score_value >= (
                    0.15
                  )
                  THEN 3
                  WHEN sc_net_asset_growth_score_value >= (
                    0.05
                  )
                  THEN 4
                  WHEN sc_net_asset_growth_score_value > (
                    0
                  )
                  THEN 5
                  ELSE 6
                END AS sc_net_asset_growth_score_band,
                CASE
                  WHEN sc_sales_growth_score_value IS NULL
                  THEN 0
                  WHEN sc_sales_growth_score_value >= (
                    0.35
                  )
                  THEN 1
                  WHEN sc_sales_growth_score_value >= (
                    0.25
                  )
                  THEN 2
                  WHEN sc_sales_growth_score_value >= (
                    0.15
                  )
                  THEN 3
                  WHEN sc_sales_growth_score_value >= (
                    0.05
                  )
                  THEN 4
                  WHEN sc_sales_growth_score_value > (
                    0
                  )
                  THEN 5
                  ELSE 6
                END AS sc_sales_growth_score_band
              FROM (
                SELECT
                  *,
                  CAST(NULL AS DOUBLE) AS sc_ip_quantity_value,
                  CAST(NULL AS DOUBLE) AS sc_ip_acquisition_value,
                  results_commercialized_avg AS sc_commercialization_value,
                  CASE
                    WHEN net_asset_growth_basis IN ('year2_zero', 'first_year_zero')
                    THEN 0
                    ELSE net_asset_growth
                  END AS sc_net_asset_growth_score_value,
                  CASE
                    WHEN sales_growth_basis IN ('year2_zero', 'first_year_zero')
                    THEN 0
                    ELSE sales_growth
                  END AS sc_sales_growth_score_value
                FROM (
                  SELECT
                    *
                  FROM profile
                  WHERE
                    as_of = CAST('2016-01-01' AS DATE)
                ) AS s0
              ) AS s1
            ) AS s2
          ) AS s3
        ) AS s4
      ) AS sc
    ) AS p
  ) AS r
) AS b
