SELECT
  uscc,
  'dongcheng-hte-reward' AS policy_id,
  '2022' AS policy_version,
  CASE
    WHEN c0_ok = FALSE OR c1_ok = FALSE OR c2_ok = FALSE OR c3_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL OR c1_ok IS NULL OR c2_ok IS NULL OR c3_ok IS NULL OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  LIST_FILTER(
    [
      CASE WHEN c0_ok = FALSE THEN 'registered_in_dongcheng' END,
      CASE WHEN c1_ok = FALSE THEN 'holds_hte_certificate' END,
      CASE WHEN c2_ok = FALSE THEN 'first_certification' END,
      CASE WHEN c3_ok = FALSE THEN 'newly_certified' END
    ],
    LAMBDA x : NOT x IS NULL
  ) AS failed_conditions,
  LIST_FILTER([v0, v1, v2, v3], LAMBDA x : NOT x IS NULL) AS unknown_features,
  bc AS binding_condition,
  CASE
    WHEN bc = 'registered_in_dongcheng'
    THEN '所属区县 ' || (
      CASE CAST(c0_obs AS TEXT)
        WHEN '110101'
        THEN '东城区'
        WHEN '110102'
        THEN '西城区'
        WHEN '110105'
        THEN '朝阳区'
        WHEN '110106'
        THEN '丰台区'
        WHEN '110107'
        THEN '石景山区'
        WHEN '110108'
        THEN '海淀区'
        WHEN '110109'
        THEN '门头沟区'
        WHEN '110111'
        THEN '房山区'
        WHEN '110112'
        THEN '通州区'
        WHEN '110113'
        THEN '顺义区'
        WHEN '110114'
        THEN '昌平区'
        WHEN '110115'
        THEN '大兴区'
        WHEN '110116'
        THEN '怀柔区'
        WHEN '110117'
        THEN '平谷区'
        WHEN '110118'
        THEN '密云区'
        WHEN '110119'
        THEN '延庆区'
        ELSE CAST(c0_obs AS TEXT)
      END
    ) || '，应为 ' || (
      CASE CAST(c0_req AS TEXT)
        WHEN '110101'
        THEN '东城区'
        WHEN '110102'
        THEN '西城区'
        WHEN '110105'
        THEN '朝阳区'
        WHEN '110106'
        THEN '丰台区'
        WHEN '110107'
        THEN '石景山区'
        WHEN '110108'
        THEN '海淀区'
        WHEN '110109'
        THEN '门头沟区'
        WHEN '110111'
        THEN '房山区'
        WHEN '110112'
        THEN '通州区'
        WHEN '110113'
        THEN '顺义区'
        WHEN '110114'
        THEN '昌平区'
        WHEN '110115'
        THEN '大兴区'
        WHEN '110116'
        THEN '怀柔区'
        WHEN '110117'
        THEN '平谷区'
        WHEN '110118'
        THEN '密云区'
        WHEN '110119'
        THEN '延庆区'
        ELSE CAST(c0_req AS TEXT)
      END
    )
    WHEN bc = 'holds_hte_certificate'
    THEN '持有有效高新技术企业证书：' || CASE WHEN c1_obs THEN '是' ELSE '否' END || '，应为 ' || CASE WHEN c1_req THEN '是' ELSE '否' END
    WHEN bc = 'first_certification'
    THEN '曾持有更早的高企证书（重新认定）：' || CASE WHEN c2_obs THEN '是' ELSE '否' END || '，应为 ' || CASE WHEN c2_req THEN '是' ELSE '否' END
    WHEN bc = 'newly_certified'
    THEN '高企证书发证天数 ' || (
      CASE
        WHEN ROUND(c3_obs, 2) = ROUND(c3_req, 2) AND c3_obs <> c3_req
        THEN (
          CASE
            WHEN CAST(CAST(ROUND(c3_obs, 8) AS DECIMAL(38, 8)) AS TEXT) LIKE '%.%'
            THEN RTRIM(RTRIM(CAST(CAST(ROUND(c3_obs, 8) AS DECIMAL(38, 8)) AS TEXT), '0'), '.')
            ELSE CAST(CAST(ROUND(c3_obs, 8) AS DECIMAL(38, 8)) AS TEXT)
          END
        )
        ELSE (
          CASE
            WHEN CAST(CAST(ROUND(c3_obs, 2) AS DECIMAL(38, 2)) AS TEXT) LIKE '%.%'
            THEN RTRIM(RTRIM(CAST(CAST(ROUND(c3_obs, 2) AS DECIMAL(38, 2)) AS TEXT), '0'), '.')
            ELSE CAST(CAST(ROUND(c3_obs, 2) AS DECIMAL(38, 2)) AS TEXT)
          END
        )
      END
    ) || ' 天' || '，至多 ' || (
      CASE
        WHEN ROUND(c3_req, 2) = 0 AND c3_req <> 0
        THEN (
          CASE
            WHEN CAST(CAST(ROUND(c3_req, 8) AS DECIMAL(38, 8)) AS TEXT) LIKE '%.%'
            THEN RTRIM(RTRIM(CAST(CAST(ROUND(c3_req, 8) AS DECIMAL(38, 8)) AS TEXT), '0'), '.')
            ELSE CAST(CAST(ROUND(c3_req, 8) AS DECIMAL(38, 8)) AS TEXT)
          END
        )
        ELSE (
          CASE
            WHEN CAST(CAST(ROUND(c3_req, 2) AS DECIMAL(38, 2)) AS TEXT) LIKE '%.%'
            THEN RTRIM(RTRIM(CAST(CAST(ROUND(c3_req, 2) AS DECIMAL(38, 2)) AS TEXT), '0'), '.')
            ELSE CAST(CAST(ROUND(c3_req, 2) AS DECIMAL(38, 2)) AS TEXT)
          END
        )
      END
    ) || ' 天' || '，超出 ' || (
      CASE
        WHEN ROUND(c3_obs - c3_req, 2) = 0 AND c3_obs - c3_req <> 0
        THEN (
          CASE
            WHEN CAST(CAST(ROUND(c3_obs - c3_req, 8) AS DECIMAL(38, 8)) AS TEXT) LIKE '%.%'
            THEN RTRIM(RTRIM(CAST(CAST(ROUND(c3_obs - c3_req, 8) AS DECIMAL(38, 8)) AS TEXT), '0'), '.')
            ELSE CAST(CAST(ROUND(c3_obs - c3_req, 8) AS DECIMAL(38, 8)) AS TEXT)
          END
        )
        ELSE (
          CASE
            WHEN CAST(CAST(ROUND(c3_obs - c3_req, 2) AS DECIMAL(38, 2)) AS TEXT) LIKE '%.%'
            THEN RTRIM(RTRIM(CAST(CAST(ROUND(c3_obs - c3_req, 2) AS DECIMAL(38, 2)) AS TEXT), '0'), '.')
            ELSE CAST(CAST(ROUND(c3_obs - c3_req, 2) AS DECIMAL(38, 2)) AS TEXT)
          END
        )
      END
    ) || ' 天'
  END AS binding_gap,
  CAST('2022-08-02' AS DATE) AS as_of,
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
      THEN 'registered_in_dongcheng'
      WHEN c1_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 'holds_hte_certificate'
      WHEN c2_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 'first_certification'
      WHEN c3_rel = LEAST(c0_rel, c1_rel, c2_rel, c3_rel)
      THEN 'newly_certified'
      WHEN c0_ok = FALSE
      THEN 'registered_in_dongcheng'
      WHEN c1_ok = FALSE
      THEN 'holds_hte_certificate'
      WHEN c2_ok = FALSE
      THEN 'first_certification'
      WHEN c3_ok = FALSE
      THEN 'newly_certified'
    END AS bc
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
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c1_ok IS NULL THEN u1 END AS v1,
      CASE WHEN c2_ok IS NULL THEN u2 END AS v2,
      CASE WHEN c3_ok IS NULL THEN u3 END AS v3
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
          has_hte_certificate
        ) AS c1_obs,
        (
          TRUE
        ) AS c1_req,
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
        END AS c1_ok,
        CAST(NULL AS DOUBLE) AS c1_per,
        (
          hte_prior_certificate
        ) AS c2_obs,
        (
          FALSE
        ) AS c2_req,
        CASE
          WHEN hte_prior_certificate IS NULL
          THEN NULL
          ELSE (
            (
              hte_prior_certificate
            ) = (
              FALSE
            )
          )
        END AS c2_ok,
        CAST(NULL AS DOUBLE) AS c2_per,
        (
          hte_days_since_issue
        ) AS c3_obs,
        (
          365
        ) AS c3_req,
        CASE
          WHEN hte_days_since_issue IS NULL
          THEN NULL
          ELSE (
            (
              hte_days_since_issue
            ) <= (
              365
            )
          )
        END AS c3_ok,
        CAST(NULL AS DOUBLE) AS c3_per,
        CASE WHEN district_code IS NULL THEN 'district_code' END AS u0,
        CASE WHEN has_hte_certificate IS NULL THEN 'has_hte_certificate' END AS u1,
        CASE WHEN hte_prior_certificate IS NULL THEN 'hte_prior_certificate' END AS u2,
        CASE WHEN hte_days_since_issue IS NULL THEN 'hte_days_since_issue' END AS u3,
        CAST(10 AS DECIMAL(38, 4)) AS benefit_raw
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
