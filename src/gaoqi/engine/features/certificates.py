"""Certificates (资质, ``certificate_cur``): the current high-tech enterprise (HTE) certificate and its details,
re-certification, and the tech-SME and Zhongguancun registrations.

A register feed: an enterprise without certificates has none (false) when the feed was delivered, and the
flags are NULL when it never was."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import Source, SourceSQL, Window, date_lit, declare, in_list, source_row

HTE_VALIDITY_YEARS = 3  # S-32 Art. 9, used only when a HTE certificate has no expiry date
#: An HTE certificate's last day when the feed gives no expiry date: three years from its issue, the day before.
HTE_DEFAULT_EXPIRY = f"CAST(issue_date + INTERVAL {HTE_VALIDITY_YEARS} YEAR - INTERVAL 1 DAY AS DATE)"
#: How the feed writes the 科技创新型 sub-type of a ZGC HTE certificate (free text, trimmed at ingest). The
#: sub-types' definition was not found (programmes.md row 1.9): UNCONFIRMED.
ZGC_INNOVATIVE_SUBTYPES = ("科技创新型", "科技创新型企业")

_CE = ("certificate",)
_f = partial(declare, group="certificate", feeds=_CE)

# ``ce`` (see _sql) has, per enterprise: hte = the current HTE certificate (a struct), n_hte / n_tech_sme /
# n_zgc_hte = how many current certificates of each kind, n_zgc_hte_innovative = how many current zgc_hte
# ones of sub-type 科技创新型, n_zgc_hte_no_subtype = those delivered without a sub-type, hte_first = the first HTE
# issue date.
# fmt: off
FEATURES = (
    _f("has_hte_certificate", "持有有效高新技术企业证书", "boolean", "BOOLEAN",
       "A HTE certificate is current at as_of: issue_date ≤ as_of ≤ expiry (inclusive) and status not "
       "revoked. A missing expiry is issue_date + 3 years − 1 day.",
       article="S-32 Art. 9", provenance="hte_certificate",
       sql="ce.n_hte > 0", absent="FALSE"),
    _f("hte_certificate_number", "高企证书编号", "text", "VARCHAR",
       "Number of the current HTE certificate (the latest issued if several).",
       provenance="hte_certificate",
       sql="ce.hte.number"),
    _f("hte_issue_date", "高企证书发证日期", "date", "DATE",
       "Issue date of the current HTE certificate.", provenance="hte_certificate",
       sql="ce.hte.issue_date"),
    _f("hte_days_since_issue", "高企证书发证天数", "integer", "BIGINT",
       "as_of − hte_issue_date in days (0 on the issue date); NULL without a current HTE certificate. "
       "District rewards for a newly issued certificate use it.", unit="天", provenance="hte_certificate",
       sql="DATE_DIFF('day', ce.hte.issue_date, {as_of})"),
    _f("hte_expiry_date", "高企证书有效期至", "date", "DATE",
       "Expiry (valid-to, inclusive) of the current HTE certificate; issue + 3 years − 1 day when the "
       "feed has none.", article="S-32 Art. 9", provenance="hte_certificate",
       sql="ce.hte.expiry"),
    _f("tech_field", "技术领域", "text", "VARCHAR",
       "Technical field (one of the eight 国家重点支持的高新技术领域) of the current HTE certificate.",
       article="S-32 annex", provenance="hte_certificate",
       sql="ce.hte.tech_field"),
    _f("hte_prior_certificate", "曾持有更早的高企证书（重新认定）", "boolean", "BOOLEAN",
       "The enterprise has a current HTE certificate (has_hte_certificate) and another HTE certificate in "
       "certificate_cur issued strictly before hte_issue_date, whatever that one's status (expired, revoked) "
       "or expiry: a re-certification. FALSE with no current HTE certificate or only certificates issued on "
       "or after the current one's issue date.", article="S-32 Art. 9",
       sql="ce.hte_first < ce.hte.issue_date", absent="FALSE"),
    _f("hte_first_issue_date", "首次高企证书发证日期", "date", "DATE",
       "Earliest issue_date ≤ as_of of any HTE certificate in certificate_cur, whatever its status or "
       "expiry, current or not; NULL when there is none.",
       sql="ce.hte_first"),
    _f("has_tech_sme", "科技型中小企业（有效）", "boolean", "BOOLEAN",
       "A tech_sme registration is current at as_of (same rule; no expiry = current).", article="S-115",
       sql="ce.n_tech_sme > 0", absent="FALSE"),
    _f("has_zgc_hte", "中关村高新技术企业（有效）", "boolean", "BOOLEAN",
       "A zgc_hte certificate is current at as_of (same rule; no expiry = current).",
       sql="ce.n_zgc_hte > 0", absent="FALSE"),
    _f("has_zgc_hte_innovative", "中关村高新技术企业（科技创新型，有效）", "boolean", "BOOLEAN",
       "A zgc_hte certificate of sub-type 科技创新型 (written 科技创新型 or 科技创新型企业) is current at as_of "
       "(same rule as has_zgc_hte); unknown (NULL) when none is but a current one was delivered without its "
       "sub-type. The sub-type's definition was not found (UNCONFIRMED).",
       article="SEED §三(一)三",
       sql="CASE WHEN ce.n_zgc_hte_innovative > 0 THEN TRUE WHEN ce.n_zgc_hte_no_subtype > 0 THEN NULL "
           "ELSE FALSE END", absent="FALSE", absent_when="ce.uscc IS NULL"),
    # --- provenance ---------------------------------------------------------------------------------
    *source_row("hte_certificate", "高企证书", "the current HTE certificate row", feeds=_CE,
                load_id="ce.hte.load_id", line="ce.hte.line"),
)
# fmt: on


def _sql(w: Window) -> SourceSQL:
    a = date_lit(w.as_of)
    innovative = in_list(ZGC_INNOVATIVE_SUBTYPES)
    expiry = f"COALESCE(expiry_date, CASE WHEN kind = 'hte' THEN {HTE_DEFAULT_EXPIRY} END)"
    return SourceSQL(
        ctes={
            # Every certificate issued by as_of, flagged current (not revoked, not expired at as_of): the
            # current ones give the flags and the HTE certificate; all HTE ones the first issue date.
            "cert": f"""
            SELECT uscc, kind, number, issue_date, tech_field, subtype, _load_id, _line, {expiry} AS expiry,
                   COALESCE(status, '') <> 'revoked'
                   AND ({expiry} IS NULL OR {expiry} >= {a}) AS cur
            FROM certificate_cur
            WHERE issue_date <= {a}""",
            "ce": f"""
            SELECT uscc,
                   ARG_MAX(STRUCT_PACK(number := number, issue_date := issue_date, expiry := expiry,
                                       tech_field := tech_field, load_id := _load_id, line := _line),
                           -- ties on issue date broken by delivery, so DuckDB and Spark pick the same row
                           STRUCT_PACK(d := issue_date, l := _load_id, n := _line))
                       FILTER (WHERE kind = 'hte' AND cur) AS hte,
                   COUNT(*) FILTER (WHERE kind = 'hte' AND cur) AS n_hte,
                   COUNT(*) FILTER (WHERE kind = 'tech_sme' AND cur) AS n_tech_sme,
                   COUNT(*) FILTER (WHERE kind = 'zgc_hte' AND cur) AS n_zgc_hte,
                   COUNT(*) FILTER (WHERE kind = 'zgc_hte' AND cur AND subtype IN {innovative})
                       AS n_zgc_hte_innovative,
                   COUNT(*) FILTER (WHERE kind = 'zgc_hte' AND cur AND subtype IS NULL) AS n_zgc_hte_no_subtype,
                   MIN(issue_date) FILTER (WHERE kind = 'hte') AS hte_first
            FROM cert
            GROUP BY uscc""",
        },
        joins=("LEFT JOIN ce ON ce.uscc = win.uscc",),
    )


SOURCE = Source("certificates", FEATURES, _sql, register_feed="certificate")
