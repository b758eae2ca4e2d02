SELECT
  uscc,
  'hte-loss-carryforward' AS policy_id,
  '2018' AS policy_version,
  CASE
    WHEN c0_ok = FALSE
    THEN 'fail'
    WHEN c0_ok IS NULL OR FALSE
    THEN 'unknown'
    ELSE 'pass'
  END AS status,
  FILTER(ARRAY(CASE WHEN c0_ok = FALSE THEN 'hte_or_tech_sme' END), x -> NOT x IS NULL) AS failed_conditions,
  FILTER(ARRAY(v0, v1), x -> NOT x IS NULL) AS unknown_features,
  CASE bi WHEN 0 THEN CAST('hte_or_tech_sme' AS STRING) END AS binding_condition,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_observed,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_required,
  CAST(NULL AS DECIMAL(38, 12)) AS binding_per,
  CASE bi WHEN 0 THEN CAST(c0_obs AS STRING) END AS binding_observed_text,
  CASE bi WHEN 0 THEN CAST(c0_req AS STRING) END AS binding_required_text,
  CAST('2018-01-01' AS DATE) AS as_of,
  'gaoqi-rules/1' AS engine_version,
  '' AS ruleset_hash,
  CASE WHEN c0_ok = FALSE THEN NULL ELSE benefit_raw END AS benefit_amount
FROM (
  SELECT
    *,
    CASE WHEN c0_rel = c0_rel THEN 0 WHEN c0_ok = FALSE THEN 0 END AS bi
  FROM (
    SELECT
      *,
      CASE WHEN c0_ok = FALSE THEN CAST(1 AS DOUBLE) END AS c0_rel,
      CASE WHEN c0_ok IS NULL THEN u0 END AS v0,
      CASE WHEN c0_ok IS NULL THEN u1 END AS v1
    FROM (
      SELECT
        uscc,
        (
          has_hte_certificate = TRUE OR has_tech_sme = TRUE
        ) AS c0_obs,
        (
          TRUE
        ) AS c0_req,
        CASE
          WHEN has_hte_certificate IS NULL OR has_tech_sme IS NULL
          THEN NULL
          ELSE (
            (
              has_hte_certificate = TRUE OR has_tech_sme = TRUE
            ) = (
              TRUE
            )
          )
        END AS c0_ok,
        CAST(NULL AS DOUBLE) AS c0_per,
        CASE WHEN has_hte_certificate IS NULL THEN 'has_hte_certificate' END AS u0,
        CASE WHEN has_tech_sme IS NULL THEN 'has_tech_sme' END AS u1,
        CAST(NULL AS DECIMAL(38, 4)) AS benefit_raw
      FROM (
        SELECT
          *
        FROM profile
        WHERE
          as_of = CAST('2018-01-01' AS DATE)
      ) AS sc
    ) AS p
  ) AS r
) AS b
