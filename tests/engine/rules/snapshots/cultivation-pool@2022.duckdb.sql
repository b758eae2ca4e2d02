SELECT
  uscc,
  'cultivation-pool' AS policy_id,
  '2022' AS policy_version,
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
      CASE WHEN c0_ok = FALSE THEN 'zgc_hte_innovative' END,
      CASE WHEN c1_ok = FALSE THEN 'under_age_limit' END,
      CASE WHEN c2_ok = FALSE THEN 'not_national_hte' END,
      CASE WHEN c3_ok = FALSE THEN 'registered_in_beijing' END,
      CASE WHEN c4_ok = FALSE THEN 'not_listed' END,
      CASE WHEN c5_ok = FALSE THEN 'not_deregistered' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3, v4, v5, v6], LAMBDA x : NOT x IS NULL) AS unknown_features,
  CASE bi
    WHEN 0
    THEN CAST('zgc_hte_innovative' AS TEXT)
    WHEN 1
    THEN CAST('under_age_limit' AS TEXT)
    WHEN 2
    THEN CAST('not_national_hte' AS TEXT)
    WHEN 3
    THEN CAST('registered_in_beijing' AS TEXT)
    WHEN 4
    THEN CAST('not_listed' AS TEXT)
    WHEN 5
    THEN CAST('not_deregistered' AS TEXT)
  END AS binding_condition,
  CASE bi
    WHEN 1
    THEN CAST(c1_obs AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_obs AS DECIMAL(38, 12))
  END AS binding_observed,
  CASE bi
    WHEN 1
    THEN CAST(c1_req AS DECIMAL(38, 12))
    WHEN 4
    THEN CAST(c4_req AS DECIMAL(38, 12))
  END AS binding_required,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CASE bi
    WHEN 0
    THEN CAST(c0_obs AS TEXT)
    WHEN 2
    THEN CAST(c2_obs AS TEXT)
    WHEN 3
    THEN CAST(c3_obs AS TEXT)
    WHEN 5
    THEN CAST(c5_obs AS TEXT)
  END AS binding_observed_text,
  CASE bi
    WHEN 0
    THEN CAST(c0_req AS TEXT)
    WHEN 2
    THEN CAST(c2_req AS TEXT)
    WHEN 3
    THEN CAST(c3_req AS TEXT)
    WHEN 5
    THEN CAST(c5_req AS TEXT)
  END AS binding_required_text,
  CAST('2022-01-01' AS DATE) AS as_of,
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
      CASE WHEN c3_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c3_rel,
      CASE
        WHEN c4_ok = FALSE
        THEN CASE
          WHEN CAST(c4_req AS DOUBLE) = 0
          THEN ABS(CAST(c4_req AS DOUBLE) - CAST(c4_obs AS DOUBLE))
          ELSE ABS(CAST(c4_req AS DOUBLE) - CAST(c4_obs AS DOUBLE)) / ABS(CAST(c4_req AS DOUBLE))
        END
      END AS c4_rel,
      CASE WHEN c5_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c5_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c1_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c2_ok IS NULL THEN u3 END AS v3,
      CASE WHEN c3_ok IS NULL OR c5_ok IS NULL THEN u4 END AS v4,
      CASE WHEN c4_ok IS NULL THEN u5 END AS v5,
      CASE WHEN c4_ok IS NULL THEN u6 END AS v6
    FROM (
      SELECT
        uscc,
        (
          has_zgc_hte_innovative
        ) AS c0_obs,
        (
          TRUE
        ) AS c0_req,
        CASE
          WHEN has_zgc_hte_innovative IS NULL
          THEN NULL
          ELSE (
            (
              has_zgc_hte_innovative
            ) = (
              TRUE
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          CASE
            WHEN FALSE = TRUE
            THEN established_full_years_civil_code
            ELSE established_full_years
          END
        ) AS c1_obs,
        (
          2
        ) AS c1_req,
        CASE
          WHEN established_full_years IS NULL OR established_full_years_civil_code IS NULL
          THEN NULL
          ELSE (
            (
              CASE
                WHEN FALSE = TRUE
                THEN established_full_years_civil_code
                ELSE established_full_years
              END
            ) < (
              2
            )
          )
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          has_hte_certificate
        ) AS c2_obs,
        (
          FALSE
        ) AS c2_req,
        CASE
          WHEN has_hte_certificate IS NULL
          THEN NULL
          ELSE (
            (
              has_hte_certificate
            ) = (
              FALSE
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        (
          status = '迁出'
        ) AS c3_obs,
        (
          FALSE
        ) AS c3_req,
        CASE
          WHEN status IS NULL
          THEN NULL
          ELSE (
            (
              status = '迁出'
            ) = (
              FALSE
            )
          )
        END AS c3_ok,
        CAST(NULL AS DOUBLE) AS c3_per,
        (
          abnormal_operation_listed + serious_dishonesty_listed
        ) AS c4_obs,
        (
          0
        ) AS c4_req,
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
        END AS c4_ok,
        CAST(NULL AS DOUBLE) AS c4_per,
        (
          status IN ('注销', '吊销')
        ) AS c5_obs,
        (
          FALSE
        ) AS c5_req,
        CASE
          WHEN status IS NULL
          THEN NULL
          ELSE (
            (
              status IN ('注销', '吊销')
            ) = (
              FALSE
            )
          )
        END AS c5_ok,
        CAST(NULL AS DOUBLE) AS c5_per,
        CASE WHEN has_zgc_hte_innovative IS NULL THEN 'has_zgc_hte_innovative' END AS u0,
        CASE WHEN established_full_years IS NULL THEN 'established_full_years' END AS u1,
        CASE
          WHEN established_full_years_civil_code IS NULL
          THEN 'established_full_years_civil_code'
        END AS u2,
        CASE WHEN has_hte_certificate IS NULL THEN 'has_hte_certificate' END AS u3,
        CASE WHEN status IS NULL THEN 'status' END AS u4,
        CASE WHEN abnormal_operation_listed IS NULL THEN 'abnormal_operation_listed' END AS u5,
        CASE WHEN serious_dishonesty_listed IS NULL THEN 'serious_dishonesty_listed' END AS u6,
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
