SELECT
  uscc,
  'tech-sme' AS policy_id,
  '2017' AS policy_version,
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
    OR c7_ok IS NULL
    OR TRUE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  FILTER(
    ARRAY(
      CASE WHEN c0_ok = FALSE THEN 'resident_enterprise' END,
      CASE WHEN c1_ok = FALSE THEN 'staff_cap' END,
      CASE WHEN c2_ok = FALSE THEN 'sales_cap' END,
      CASE WHEN c3_ok = FALSE THEN 'assets_cap' END,
      CASE WHEN c4_ok = FALSE THEN 'no_accident_or_misconduct' END,
      CASE WHEN c5_ok = FALSE THEN 'not_listed' END,
      CASE WHEN c6_ok = FALSE THEN 'score_pass' END,
      CASE WHEN c7_ok = FALSE THEN 'st_staff_score_nonzero' END
    ),
    x -> NOT x IS NULL
  ) AS failed_conditions,
  FILTER(
    ARRAY(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, 'pending:not_restricted'),
    x -> NOT x IS NULL
  ) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('resident_enterprise' AS STRING)
    WHEN 1
    THEN CAST('staff_cap' AS STRING)
    WHEN 2
    THEN CAST('sales_cap' AS STRING)
    WHEN 3
    THEN CAST('assets_cap' AS STRING)
    WHEN 4
    THEN CAST('no_accident_or_misconduct' AS STRING)
    WHEN 5
    THEN CAST('not_listed' AS STRING)
    WHEN 6
    THEN CAST('score_pass' AS STRING)
    WHEN 7
    THEN CAST('st_staff_score_nonzero' AS STRING)
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
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CAST(NULL AS STRING) AS binding_observed_text,
  CAST(NULL AS STRING) AS binding_required_text,
  CAST('2017-05-03' AS DATE) AS as_of,
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
      CASE WHEN c2_ok IS NULL OR c6_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c3_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c4_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c4_ok IS NULL THEN u5 END AS v5,
      CASE WHEN c5_ok IS NULL THEN u6 END AS v6,
      CASE WHEN c5_ok IS NULL THEN u7 END AS v7,
      CASE WHEN c6_ok IS NULL THEN u8 END AS v8,
      CASE WHEN c6_ok IS NULL THEN u9 END AS v9,
      CASE WHEN c6_ok IS NULL THEN u10 END AS v10,
      CASE WHEN c6_ok IS NULL THEN u11 END AS v11,
      CASE WHEN c6_ok IS NULL OR c7_ok IS NULL THEN u12 END AS v12
    FROM (
      SELECT
        uscc,
        (
          days_since_established
        ) AS c0_obs,
        (
          0
        ) AS c0_req,
        CASE
          WHEN days_since_established IS NULL
          THEN NULL
          ELSE (
            (
              days_since_established
            ) >= (
              0
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          staff_count_last_year
        ) AS c1_obs,
        (
          500
        ) AS c1_req,
        CASE
          WHEN staff_count_last_year IS NULL
          THEN NULL
          ELSE (
            (
              staff_count_last_year
            ) <= (
              500
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          sales_revenue_last_year
        ) AS c2_obs,
        (
          20000
        ) AS c2_req,
        CASE
          WHEN sales_revenue_last_year IS NULL
          THEN NULL
          ELSE (
            (
              sales_revenue_last_year
            ) <= (
              20000
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        (
          total_assets_last_year
        ) AS c3_obs,
        (
          20000
        ) AS c3_req,
        CASE
          WHEN total_assets_last_year IS NULL
          THEN NULL
          ELSE (
            (
              total_assets_last_year
            ) <= (
              20000
            )
          )
        END AS c3_ok,
        CAST(NULL AS DOUBLE) AS c3_per,
        (
          credit_hte_accidents_365d + credit_research_misconduct_365d
        ) AS c4_obs,
        (
          0
        ) AS c4_req,
        CASE
          WHEN credit_hte_accidents_365d IS NULL OR credit_research_misconduct_365d IS NULL
          THEN NULL
          ELSE (
            (
              credit_hte_accidents_365d + credit_research_misconduct_365d
            ) <= (
              0
            )
          )
        END AS c4_ok,
        CAST(NULL AS DOUBLE) AS c4_per,
        (
          abnormal_operation_listed + serious_dishonesty_listed
        ) AS c5_obs,
        (
          0
        ) AS c5_req,
        CASE
          WHEN abnormal_operation_listed IS NULL OR serious_dishonesty_listed IS NULL
          THEN NULL
          ELSE (
            (
              abnormal_operation_listed + serious_dishonesty_listed
            ) <= (
              0
            )
          )
        END AS c5_ok,
        CAST(NULL AS DOUBLE) AS c5_per,
        (
          sc_total_hi
        ) AS c6_obs,
        (
          60
        ) AS c6_req,
        CASE
          WHEN (
            has_hte_certificate = TRUE
          )
          THEN TRUE
          ELSE CASE
            WHEN FALSE
            THEN NULL
            WHEN (
              sc_total_lo
            ) >= (
              60
            )
            THEN TRUE
            WHEN NOT (
              (
                sc_total_hi
              ) >= (
                60
              )
            )
            THEN FALSE
            ELSE NULL
          END
        END AS c6_ok,
        CAST(NULL AS DOUBLE) AS c6_per,
        (
          sc_st_staff_hi
        ) AS c7_obs,
        (
          0
        ) AS c7_req,
        CASE
          WHEN (
            has_hte_certificate = TRUE
          )
          THEN TRUE
          ELSE CASE
            WHEN FALSE
            THEN NULL
            WHEN (
              sc_st_staff_lo
            ) > (
              0
            )
            THEN TRUE
            WHEN NOT (
              (
                sc_st_staff_hi
              ) > (
                0
              )
            )
            THEN FALSE
            ELSE NULL
          END
        END AS c7_ok,
        CAST(NULL AS DOUBLE) AS c7_per,
        CASE WHEN days_since_established IS NULL THEN 'days_since_established' END AS u0,
        CASE WHEN staff_count_last_year IS NULL THEN 'staff_count_last_year' END AS u1,
        CASE WHEN sales_revenue_last_year IS NULL THEN 'sales_revenue_last_year' END AS u2,
        CASE WHEN total_assets_last_year IS NULL THEN 'total_assets_last_year' END AS u3,
        CASE WHEN credit_hte_accidents_365d IS NULL THEN 'credit_hte_accidents_365d' END AS u4,
        CASE
          WHEN credit_research_misconduct_365d IS NULL
          THEN 'credit_research_misconduct_365d'
        END AS u5,
        CASE WHEN abnormal_operation_listed IS NULL THEN 'abnormal_operation_listed' END AS u6,
        CASE WHEN serious_dishonesty_listed IS NULL THEN 'serious_dishonesty_listed' END AS u7,
        CASE WHEN ip_class1_count IS NULL THEN 'ip_class1_count' END AS u8,
        CASE WHEN ip_class2_count IS NULL THEN 'ip_class2_count' END AS u9,
        CASE WHEN rd_expense_last_year IS NULL THEN 'rd_expense_last_year' END AS u10,
        CASE WHEN total_costs_last_year IS NULL THEN 'total_costs_last_year' END AS u11,
        CASE WHEN st_staff_share IS NULL THEN 'st_staff_share' END AS u12,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *,
          sc_st_staff_lo + sc_rd_input_lo + sc_ip_results_lo AS sc_total_lo,
          sc_st_staff_hi + sc_rd_input_hi + sc_ip_results_hi AS sc_total_hi,
          CAST(NULL AS STRING) AS sc_total_grade,
          CAST(NULL AS DOUBLE) AS sc_total_value
        FROM (
          SELECT
            *,
            GREATEST(sc_rd_to_sales_lo, sc_rd_to_costs_lo) AS sc_rd_input_lo,
            GREATEST(sc_rd_to_sales_hi, sc_rd_to_costs_hi) AS sc_rd_input_hi,
            CAST(NULL AS STRING) AS sc_rd_input_grade,
            CAST(NULL AS DOUBLE) AS sc_rd_input_value
          FROM (
            SELECT
              *,
              CASE sc_st_staff_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 20
                WHEN 2
                THEN 16
                WHEN 3
                THEN 12
                WHEN 4
                THEN 8
                WHEN 5
                THEN 4
                WHEN 6
                THEN 0
              END AS sc_st_staff_lo,
              CASE sc_st_staff_band
                WHEN 0
                THEN 20
                WHEN 1
                THEN 20
                WHEN 2
                THEN 16
                WHEN 3
                THEN 12
                WHEN 4
                THEN 8
                WHEN 5
                THEN 4
                WHEN 6
                THEN 0
              END AS sc_st_staff_hi,
              CASE sc_st_staff_band
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
              END AS sc_st_staff_grade,
              CASE sc_rd_to_sales_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 50
                WHEN 2
                THEN 40
                WHEN 3
                THEN 30
                WHEN 4
                THEN 20
                WHEN 5
                THEN 10
                WHEN 6
                THEN 0
              END AS sc_rd_to_sales_lo,
              CASE sc_rd_to_sales_band
                WHEN 0
                THEN 50
                WHEN 1
                THEN 50
                WHEN 2
                THEN 40
                WHEN 3
                THEN 30
                WHEN 4
                THEN 20
                WHEN 5
                THEN 10
                WHEN 6
                THEN 0
              END AS sc_rd_to_sales_hi,
              CASE sc_rd_to_sales_band
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
              END AS sc_rd_to_sales_grade,
              CASE sc_rd_to_costs_band
                WHEN 0
                THEN 0
                WHEN 1
                THEN 50
                WHEN 2
                THEN 40
                WHEN 3
                THEN 30
                WHEN 4
                THEN 20
                WHEN 5
                THEN 10
                WHEN 6
                THEN 0
              END AS sc_rd_to_costs_lo,
              CASE sc_rd_to_costs_band
                WHEN 0
                THEN 50
                WHEN 1
                THEN 50
                WHEN 2
                THEN 40
                WHEN 3
                THEN 30
                WHEN 4
                THEN 20
                WHEN 5
                THEN 10
                WHEN 6
                THEN 0
              END AS sc_rd_to_costs_hi,
              CASE sc_rd_to_costs_band
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
              END AS sc_rd_to_costs_grade,
              CASE sc_ip_results_band
                WHEN 0
                THEN 0
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
              END AS sc_ip_results_lo,
              CASE sc_ip_results_band
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
              END AS sc_ip_results_hi,
              CASE sc_ip_results_band
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
              END AS sc_ip_results_grade
            FROM (
              SELECT
                *,
                CASE
                  WHEN sc_st_staff_value IS NULL
                  THEN 0
                  WHEN sc_st_staff_value >= (
                    0.30
                  )
                  THEN 1
                  WHEN sc_st_staff_value >= (
                    0.25
                  )
                  THEN 2
                  WHEN sc_st_staff_value >= (
                    0.20
                  )
                  THEN 3
                  WHEN sc_st_staff_value >= (
                    0.15
                  )
                  THEN 4
                  WHEN sc_st_staff_value >= (
                    0.10
                  )
                  THEN 5
                  ELSE 6
                END AS sc_st_staff_band,
                CASE
                  WHEN sc_rd_to_sales_value IS NULL
                  THEN 0
                  WHEN sc_rd_to_sales_value >= (
                    0.06
                  )
                  THEN 1
                  WHEN sc_rd_to_sales_value >= (
                    0.05
                  )
                  THEN 2
                  WHEN sc_rd_to_sales_value >= (
                    0.04
                  )
                  THEN 3
                  WHEN sc_rd_to_sales_value >= (
                    0.03
                  )
                  THEN 4
                  WHEN sc_rd_to_sales_value >= (
                    0.02
                  )
                  THEN 5
                  ELSE 6
                END AS sc_rd_to_sales_band,
                CASE
                  WHEN sc_rd_to_costs_value IS NULL
                  THEN 0
                  WHEN sc_rd_to_costs_value >= (
                    0.30
                  )
                  THEN 1
                  WHEN sc_rd_to_costs_value >= (
                    0.25
                  )
                  THEN 2
                  WHEN sc_rd_to_costs_value >= (
                    0.20
                  )
                  THEN 3
                  WHEN sc_rd_to_costs_value >= (
                    0.15
                  )
                  THEN 4
                  WHEN sc_rd_to_costs_value >= (
                    0.10
                  )
                  THEN 5
                  ELSE 6
                END AS sc_rd_to_costs_band,
                CASE
                  WHEN ip_class1_count >= 1
                  THEN 1
                  WHEN (
                    ip_class1_count >= 1
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 4
                  THEN 2
                  WHEN (
                    ip_class2_count >= 4
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 3
                  THEN 3
                  WHEN (
                    ip_class2_count >= 3
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 2
                  THEN 4
                  WHEN (
                    ip_class2_count >= 2
                  ) IS NULL
                  THEN 0
                  WHEN ip_class2_count >= 1
                  THEN 5
                  WHEN (
                    ip_class2_count >= 1
                  ) IS NULL
                  THEN 0
                  ELSE 6
                END AS sc_ip_results_band
              FROM (
                SELECT
                  *,
                  st_staff_share AS sc_st_staff_value,
                  rd_expense_last_year / sales_revenue_last_year AS sc_rd_to_sales_value,
                  rd_expense_last_year / total_costs_last_year AS sc_rd_to_costs_value,
                  CAST(NULL AS DOUBLE) AS sc_ip_results_value
                FROM (
                  SELECT
                    *
                  FROM profile
                  WHERE
                    as_of = CAST('2017-05-03' AS DATE)
                ) AS s0
              ) AS s1
            ) AS s2
          ) AS s3
        ) AS s4
      ) AS sc
    ) AS p
  ) AS r
) AS b
