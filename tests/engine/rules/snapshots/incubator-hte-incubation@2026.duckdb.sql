SELECT
  incubator_code,
  'incubator-hte-incubation' AS policy_id,
  '2026' AS policy_version,
  CASE
    WHEN c0_ok = FALSE
    OR c1_ok = FALSE
    OR c2_ok = FALSE
    OR c3_ok = FALSE
    OR c4_ok = FALSE
    OR c5_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL
    OR c1_ok IS NULL
    OR c2_ok IS NULL
    OR c3_ok IS NULL
    OR c4_ok IS NULL
    OR c5_ok IS NULL
    OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  LIST_FILTER(
    [
      CASE WHEN c0_ok = FALSE THEN 'incubated' END,
      CASE WHEN c1_ok = FALSE THEN 'registered_last_year' END,
      CASE WHEN c2_ok = FALSE THEN 'tech_sme' END,
      CASE WHEN c3_ok = FALSE THEN 'new_hte' END,
      CASE WHEN c4_ok = FALSE THEN 'recert_rate' END,
      CASE WHEN c5_ok = FALSE THEN 'growth' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3, v4, v5], LAMBDA x : NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('incubated' AS TEXT)
    WHEN 1
    THEN CAST('registered_last_year' AS TEXT)
    WHEN 2
    THEN CAST('tech_sme' AS TEXT)
    WHEN 3
    THEN CAST('new_hte' AS TEXT)
    WHEN 4
    THEN CAST('recert_rate' AS TEXT)
    WHEN 5
    THEN CAST('growth' AS TEXT)
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
  END AS binding_required,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CAST(NULL AS TEXT) AS binding_observed_text,
  CAST(NULL AS TEXT) AS binding_required_text,
  CAST('2026-01-01' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE
    WHEN c0_ok = FALSE
    OR c1_ok = FALSE
    OR c2_ok = FALSE
    OR c3_ok = FALSE
    OR c4_ok = FALSE
    OR c5_ok = FALSE
    THEN NULL
    ELSE benefit_raw
  END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel)
      THEN 0
      WHEN c1_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel)
      THEN 1
      WHEN c2_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel)
      THEN 2
      WHEN c3_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel)
      THEN 3
      WHEN c4_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel)
      THEN 4
      WHEN c5_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel, c4_rel, c5_rel)
      THEN 5
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
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c2_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c3_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c4_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c5_ok IS NULL THEN u5 END AS v5
    FROM (
      SELECT
        incubator_code,
        (
          incubated
        ) AS c0_obs,
        (
          30
        ) AS c0_req,
        CASE
          WHEN incubated IS NULL
          THEN NULL
          ELSE (
            (
              incubated
            ) >= (
              30
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          registered_last_year_share
        ) AS c1_obs,
        (
          CAST(0.20 AS DECIMAL(38, 2))
        ) AS c1_req,
        CASE
          WHEN registered_last_year_share IS NULL
          THEN NULL
          ELSE (
            (
              registered_last_year_share
            ) >= (
              CAST(0.20 AS DECIMAL(38, 2))
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          tech_sme_share
        ) AS c2_obs,
        (
          CAST(0.40 AS DECIMAL(38, 2))
        ) AS c2_req,
        CASE
          WHEN tech_sme_share IS NULL
          THEN NULL
          ELSE (
            (
              tech_sme_share
            ) >= (
              CAST(0.40 AS DECIMAL(38, 2))
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        (
          new_hte
        ) AS c3_obs,
        (
          5
        ) AS c3_req,
        CASE WHEN new_hte IS NULL THEN NULL ELSE (
          (
            new_hte
          ) >= (
            5
          )
        ) END AS c3_ok,
        CAST(NULL AS DOUBLE) AS c3_per,
        (
          recert_rate
        ) AS c4_obs,
        (
          CAST(0.75 AS DECIMAL(38, 2))
        ) AS c4_req,
        CASE
          WHEN recert_rate IS NULL
          THEN NULL
          ELSE (
            (
              recert_rate
            ) >= (
              CAST(0.75 AS DECIMAL(38, 2))
            )
          )
        END AS c4_ok,
        CAST(NULL AS DOUBLE) AS c4_per,
        (
          growth_share
        ) AS c5_obs,
        (
          CAST(0.30 AS DECIMAL(38, 2))
        ) AS c5_req,
        CASE
          WHEN growth_share IS NULL
          THEN NULL
          ELSE (
            (
              growth_share
            ) >= (
              CAST(0.30 AS DECIMAL(38, 2))
            )
          )
        END AS c5_ok,
        CAST(NULL AS DOUBLE) AS c5_per,
        CASE WHEN incubated IS NULL THEN 'incubated' END AS u0,
        CASE WHEN registered_last_year_share IS NULL THEN 'registered_last_year_share' END AS u1,
        CASE WHEN tech_sme_share IS NULL THEN 'tech_sme_share' END AS u2,
        CASE WHEN new_hte IS NULL THEN 'new_hte' END AS u3,
        CASE WHEN recert_rate IS NULL THEN 'recert_rate' END AS u4,
        CASE WHEN growth_share IS NULL THEN 'growth_share' END AS u5,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *,
          sc_new_hte_points_lo + sc_recert_points_lo + sc_hte_share_points_lo + sc_pool_conv_points_lo AS sc_total_lo,
          sc_new_hte_points_hi + sc_recert_points_hi + sc_hte_share_points_hi + sc_pool_conv_points_hi AS sc_total_hi,
          CAST(NULL AS TEXT) AS sc_total_grade,
          CAST(NULL AS DOUBLE) AS sc_total_value
        FROM (
          SELECT
            *,
            CASE WHEN sc_new_hte_points_band = 0 THEN 0 ELSE sc_new_hte_points_value END AS sc_new_hte_points_lo,
            CASE WHEN sc_new_hte_points_band = 0 THEN 40 ELSE sc_new_hte_points_value END AS sc_new_hte_points_hi,
            CAST(NULL AS TEXT) AS sc_new_hte_points_grade,
            CASE WHEN sc_recert_points_band = 0 THEN 0 ELSE sc_recert_points_value END AS sc_recert_points_lo,
            CASE WHEN sc_recert_points_band = 0 THEN 20 ELSE sc_recert_points_value END AS sc_recert_points_hi,
            CAST(NULL AS TEXT) AS sc_recert_points_grade,
            CASE WHEN sc_hte_share_points_band = 0 THEN 0 ELSE sc_hte_share_points_value END AS sc_hte_share_points_lo,
            CASE WHEN sc_hte_share_points_band = 0 THEN 20 ELSE sc_hte_share_points_value END AS sc_hte_share_points_hi,
            CAST(NULL AS TEXT) AS sc_hte_share_points_grade,
            CASE WHEN sc_pool_conv_points_band = 0 THEN 0 ELSE sc_pool_conv_points_value END AS sc_pool_conv_points_lo,
            CASE WHEN sc_pool_conv_points_band = 0 THEN 20 ELSE sc_pool_conv_points_value END AS sc_pool_conv_points_hi,
            CAST(NULL AS TEXT) AS sc_pool_conv_points_grade
          FROM (
            SELECT
              *,
              CASE WHEN sc_new_hte_points_value IS NULL THEN 0 ELSE 1 END AS sc_new_hte_points_band,
              CASE WHEN sc_recert_points_value IS NULL THEN 0 ELSE 1 END AS sc_recert_points_band,
              CASE WHEN sc_hte_share_points_value IS NULL THEN 0 ELSE 1 END AS sc_hte_share_points_band,
              CASE WHEN sc_pool_conv_points_value IS NULL THEN 0 ELSE 1 END AS sc_pool_conv_points_band
            FROM (
              SELECT
                *,
                LEAST(new_hte / 10, 1) * 40 AS sc_new_hte_points_value,
                CASE
                  WHEN recert_rate < CAST(0.75 AS DECIMAL(38, 2))
                  THEN 0
                  ELSE 10 + (
                    recert_rate - CAST(0.75 AS DECIMAL(38, 2))
                  ) / (
                    1 - CAST(0.75 AS DECIMAL(38, 2))
                  ) * (
                    20 - 10
                  )
                END AS sc_recert_points_value,
                LEAST(hte_share / CAST(0.5 AS DECIMAL(38, 1)), 1) * 20 AS sc_hte_share_points_value,
                CASE
                  WHEN pool_members = 0
                  THEN 0
                  ELSE LEAST(pool_conv / CAST(0.5 AS DECIMAL(38, 1)), 1) * 20
                END AS sc_pool_conv_points_value
              FROM (
                SELECT
                  *
                FROM profile
                WHERE
                  as_of = CAST('2026-01-01' AS DATE)
              ) AS s0
            ) AS s1
          ) AS s2
        ) AS s3
      ) AS sc
    ) AS p
  ) AS r
) AS b
