SELECT
  uscc,
  'rd-super-deduction' AS policy_id,
  '2023' AS policy_version,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL OR c1_ok IS NULL OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  FILTER(
    ARRAY(
      CASE WHEN c0_ok = FALSE THEN 'has_rd_expense' END,
      CASE WHEN c1_ok = FALSE THEN 'not_excluded_industry' END
    ),
    x -> NOT x IS NULL
  ) AS failed_conditions,
  FILTER(ARRAY(v0, v1, v2), x -> NOT x IS NULL) AS unknown_features,
  bc AS binding_condition,
  CASE
    WHEN bc = 'has_rd_expense'
    THEN '最近一年研究开发费用 ' || (
      CASE
        WHEN ROUND(c0_obs, 4) = ROUND(c0_req, 4) AND c0_obs <> c0_req
        THEN (
          CASE
            WHEN CAST(CAST(ROUND(c0_obs, 8) AS DECIMAL(38, 8)) AS STRING) LIKE '%.%'
            THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(CAST(ROUND(c0_obs, 8) AS DECIMAL(38, 8)) AS STRING)))
            ELSE CAST(CAST(ROUND(c0_obs, 8) AS DECIMAL(38, 8)) AS STRING)
          END
        )
        ELSE (
          CASE
            WHEN CAST(CAST(ROUND(c0_obs, 4) AS DECIMAL(38, 4)) AS STRING) LIKE '%.%'
            THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(CAST(ROUND(c0_obs, 4) AS DECIMAL(38, 4)) AS STRING)))
            ELSE CAST(CAST(ROUND(c0_obs, 4) AS DECIMAL(38, 4)) AS STRING)
          END
        )
      END
    ) || '万元' || '，需大于 ' || (
      CASE
        WHEN ROUND(c0_req, 4) = 0 AND c0_req <> 0
        THEN (
          CASE
            WHEN CAST(CAST(ROUND(c0_req, 8) AS DECIMAL(38, 8)) AS STRING) LIKE '%.%'
            THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(CAST(ROUND(c0_req, 8) AS DECIMAL(38, 8)) AS STRING)))
            ELSE CAST(CAST(ROUND(c0_req, 8) AS DECIMAL(38, 8)) AS STRING)
          END
        )
        ELSE (
          CASE
            WHEN CAST(CAST(ROUND(c0_req, 4) AS DECIMAL(38, 4)) AS STRING) LIKE '%.%'
            THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(CAST(ROUND(c0_req, 4) AS DECIMAL(38, 4)) AS STRING)))
            ELSE CAST(CAST(ROUND(c0_req, 4) AS DECIMAL(38, 4)) AS STRING)
          END
        )
      END
    ) || '万元' || '，差 ' || (
      CASE
        WHEN ROUND(c0_req - c0_obs, 4) = 0 AND c0_req - c0_obs <> 0
        THEN (
          CASE
            WHEN CAST(CAST(ROUND(c0_req - c0_obs, 8) AS DECIMAL(38, 8)) AS STRING) LIKE '%.%'
            THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(CAST(ROUND(c0_req - c0_obs, 8) AS DECIMAL(38, 8)) AS STRING)))
            ELSE CAST(CAST(ROUND(c0_req - c0_obs, 8) AS DECIMAL(38, 8)) AS STRING)
          END
        )
        ELSE (
          CASE
            WHEN CAST(CAST(ROUND(c0_req - c0_obs, 4) AS DECIMAL(38, 4)) AS STRING) LIKE '%.%'
            THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(CAST(ROUND(c0_req - c0_obs, 4) AS DECIMAL(38, 4)) AS STRING)))
            ELSE CAST(CAST(ROUND(c0_req - c0_obs, 4) AS DECIMAL(38, 4)) AS STRING)
          END
        )
      END
    ) || '万元'
    WHEN bc = 'not_excluded_industry'
    THEN '不属于烟草制造业、住宿和餐饮业、批发和零售业、房地产业、租赁和商务服务业、娱乐业：否，应为 是'
  END AS binding_gap,
  CAST('2023-01-01' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE WHEN c0_ok = FALSE OR c1_ok = FALSE THEN NULL ELSE benefit_raw END AS benefit_amount
FROM (
  SELECT
    *,
    CASE
      WHEN c0_rel = LEAST(c0_rel, c1_rel)
      THEN 'has_rd_expense'
      WHEN c1_rel = LEAST(c0_rel, c1_rel)
      THEN 'not_excluded_industry'
      WHEN c0_ok = FALSE
      THEN 'has_rd_expense'
      WHEN c1_ok = FALSE
      THEN 'not_excluded_industry'
    END AS bc
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
      CASE WHEN c1_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c1_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c1_ok IS NULL THEN u2 END AS v2
    FROM (
      SELECT
        uscc,
        (
          rd_expense_last_year
        ) AS c0_obs,
        (
          0
        ) AS c0_req,
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
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        (
          industry_section IN ('F', 'H', 'K', 'L') OR industry_division IN ('16', '90')
        ) AS c1_obs,
        (
          FALSE
        ) AS c1_req,
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
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        CASE WHEN rd_expense_last_year IS NULL THEN 'rd_expense_last_year' END AS u0,
        CASE WHEN industry_division IS NULL THEN 'industry_division' END AS u1,
        CASE WHEN industry_section IS NULL THEN 'industry_section' END AS u2,
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
          as_of = CAST('2023-01-01' AS DATE)
      ) AS sc
    ) AS p
  ) AS r
) AS b
