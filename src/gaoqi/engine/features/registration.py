"""Registration (登记): the spine of the profile — one row per ``enterprise`` row — its registered facts,
industry classification, former names (``name_history``) and the enterprise's window of operating years."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from functools import cache, partial
from importlib import resources

from gaoqi.engine.features.declare import Source, SourceSQL, Window, declare, in_list, source_row


@cache
def industry_sections() -> tuple[tuple[str, int, int], ...]:
    """GB/T 4754-2017 sections: (letter, first division, last division)."""
    text = resources.files("gaoqi.engine").joinpath("data", "industry_sections.json").read_text("utf-8")
    data = json.loads(text)
    return tuple(
        (letter, int(v["divisions"][0]), int(v["divisions"][1]))
        for letter, v in data.items()
        if not letter.startswith("_")
    )


_LETTERS = in_list(tuple(s[0] for s in industry_sections()))
_E = ("registration",)
_f = partial(declare, group="enterprise", feeds=_E)

# The registry is a table: keep it laid out as one (fmt: off).
# fmt: off
FEATURES = (
    # --- enterprise ---------------------------------------------------------------------------------
    _f("as_of", "评估基准日", "date", "DATE",
       "The as-of (application) date the profile is computed for; every window and cut-off derives "
       "from it.", article="S-195 §三(一)", feeds=(),
       sql="{as_of}"),
    _f("uscc", "统一社会信用代码", "text", "VARCHAR", "Unified social credit code.",
       provenance="registration",
       sql="win.uscc"),
    _f("name", "企业名称", "text", "VARCHAR", "Current registered name.",
       provenance="registration",
       sql="win.name"),
    _f("former_names", "曾用名", "text", "VARCHAR[]",
       "List of the enterprise's other names in name_history (normalised name different from the current "
       "one; one entry per normalised name), oldest first; empty list when none.",
       feeds=("registration", "name_change"),
       sql="COALESCE(nh.former_names, [])"),
    _f("district_code", "所属区县代码", "text", "VARCHAR", "GB/T 2260 district code.",
       provenance="registration",
       sql="win.district_code"),
    _f("industry_code", "国民经济行业代码", "text", "VARCHAR",
       "GB/T 4754 industry code as delivered.", provenance="registration",
       sql="win.industry_code"),
    _f("industry_section", "行业门类", "text", "VARCHAR",
       "GB/T 4754-2017 section letter (A–T): the code's leading letter if it has one, else looked up from "
       "its first two digits (division); NULL when neither is usable.",
       sql=f"CASE WHEN SUBSTR(win.ind2, 1, 1) IN {_LETTERS} THEN SUBSTR(win.ind2, 1, 1) ELSE sec.section END"),
    _f("industry_division", "行业大类", "text", "VARCHAR",
       "GB/T 4754-2017 two-digit division (大类), digits only: the two characters after the code's section "
       "letter (A–T) if it has one, else its first two (I6510 → 65, 6510 → 65, C3911 → 39); NULL unless they "
       "are a division of the standard (01–97). The letter is not checked against the division.",
       # sec is joined on the first two characters after the letter: a match is a known division
       sql="sec.division"),
    _f("industry_class", "行业小类", "text", "VARCHAR",
       "GB/T 4754-2017 four-digit class (小类), digits only: the first four digits after the section letter "
       "when industry_division is known and the next two characters are digits too (I6510 → 6510, "
       "7010 → 7010); NULL for shorter codes (I65, 651).",
       sql="CASE WHEN sec.division IS NOT NULL AND SUBSTR(win.ind_digits, 3, 1) BETWEEN '0' AND '9' "
           "AND SUBSTR(win.ind_digits, 4, 1) BETWEEN '0' AND '9' THEN SUBSTR(win.ind_digits, 1, 4) END"),
    _f("status", "登记状态", "text", "VARCHAR", "Registration status (存续, 在业, …).",
       provenance="registration",
       sql="win.status"),
    _f("established_date", "成立日期", "date", "DATE", "Date of establishment.",
       provenance="registration",
       sql="win.established_date"),
    _f("days_since_established", "成立天数", "integer", "BIGINT",
       "as_of − established_date in days (negative if established after as_of). Condition (一) holds "
       "at ≥ 365.", unit="天", article="S-32 Art. 11(一); S-195 §三 (一年以上 = 365 days)",
       sql="DATE_DIFF('day', win.established_date, {as_of})"),
    _f("established_full_years", "成立满周年数", "integer", "INTEGER",
       "Whole years from established_date to as_of: the largest n with add_years(established_date, n) ≤ "
       "as_of, add_years mapping 29 Feb to 28 Feb in a common year. The anniversary itself completes the "
       "year (2024-03-01 → 2 on 2026-03-01; 2024-02-29 → 2 on 2026-02-28). Negative if established after "
       "as_of.", unit="年", article="SEED §三(一)三 (成立不满两年: the anniversary reading is a DEFAULT)",
       sql="win.full_years"),
    _f("established_full_years_civil_code", "成立满周年数（民法典期间计算）", "integer", "INTEGER",
       "Whole years counted by the Civil Code's period rules (Art. 201: the starting day is not counted; "
       "Art. 202: a period ends with the corresponding day of its last month, or that month's last day if "
       "it has none): established_full_years at as_of − 1 day, so the anniversary itself still counts as "
       "under (2024-03-01 → 1 on 2026-03-01, 2 on 2026-03-02; 2024-02-29 → 1 on 2026-02-28).",
       unit="年", article="民法典 第二百零一条、第二百零二条",
       sql="win.full_years_civil_code"),
    # --- window -------------------------------------------------------------------------------------
    _f("fy_window_start", "窗口起始年度", "integer", "INTEGER",
       "First fiscal year of the enterprise's window: as_of year − 3, or the establishment year if later. "
       "NULL when window_years = 0.", article="S-195 §三(一); S-32 Art. 11(五)", group="window",
       sql="CASE WHEN k > 0 THEN {as_of_year} - k END"),
    _f("fy_window_end", "窗口截止年度", "integer", "INTEGER",
       "Last fiscal year of the window = 最近一年 = as_of year − 1. NULL when window_years = 0.",
       article="S-195 §三(一)", group="window", feeds=(),
       sql="CASE WHEN k > 0 THEN {last_year} END"),
    _f("window_years", "实际经营年数", "integer", "INTEGER",
       "Number of window years the enterprise operated: 3, or fewer when its establishment year falls "
       "inside the window (the establishment year counts as an operating year); 0 when established in or "
       "after the as-of year. Unknown establishment date → 3.",
       unit="年", article="S-32 Art. 11(五) 实际经营年限", group="window",
       sql="k"),
    # --- provenance ---------------------------------------------------------------------------------
    *source_row("registration", "登记", "the enterprise's registration row", feeds=_E,
                load_id="reg_load_id", line="reg_line"),
)
# fmt: on


def full_years_sql(on: date) -> str:
    """Whole years from ``established_date`` to the day ``on``: its year minus the establishment year, less
    one if the anniversary in ``on``'s year is later than ``on``. Plain EXTRACT and CASE on literals, the
    same on DuckDB and Spark; a 29 February establishment has its anniversary on 28 February in a common
    year (add_years)."""
    md = "EXTRACT(MONTH FROM established_date) * 100 + EXTRACT(DAY FROM established_date)"
    anniversary = md if calendar.isleap(on.year) else f"CASE WHEN {md} = 229 THEN 228 ELSE {md} END"
    return (
        f"{on.year} - EXTRACT(YEAR FROM established_date) "
        f"- CASE WHEN {on.month * 100 + on.day} < {anniversary} THEN 1 ELSE 0 END"
    )


def _sql(w: Window) -> SourceSQL:
    year = "EXTRACT(YEAR FROM established_date)"
    ay = w.as_of.year
    divisions = ", ".join(
        f"('{d:02d}', '{letter}')" for letter, lo, hi in industry_sections() for d in range(lo, hi + 1)
    )
    return SourceSQL(
        ctes={
            # The spine: one row per enterprise, with k = its operating years in the window.
            "ent": f"""
            SELECT uscc, name, name_norm, district_code, industry_code, status, established_date,
                   SUBSTR(UPPER(TRIM(industry_code)), 1, 2) AS ind2,
                   -- the code without its section letter: its division is the first two characters
                   CASE WHEN SUBSTR(UPPER(TRIM(industry_code)), 1, 1) IN {_LETTERS}
                        THEN SUBSTR(UPPER(TRIM(industry_code)), 2)
                        ELSE UPPER(TRIM(industry_code)) END AS ind_digits,
                   _load_id AS reg_load_id, _line AS reg_line,
                   CASE WHEN established_date IS NULL THEN 3
                        WHEN {year} <= {w.first_year} THEN 3
                        WHEN {year} >= {ay} THEN 0
                        ELSE {ay} - {year} END AS k,
                   {full_years_sql(w.as_of)} AS full_years,
                   {full_years_sql(w.as_of - timedelta(days=1))} AS full_years_civil_code
            FROM enterprise""",
            # every two-digit GB/T 4754 division with its section
            "sec": f"""
            SELECT division, section FROM (VALUES {divisions}) AS t(division, section)""",
            "nh1": """
            SELECT n.uscc, MIN(n.name) AS name, MIN(n.valid_from) AS first_from
            FROM name_history n
            JOIN enterprise e ON e.uscc = n.uscc
            WHERE COALESCE(n.name_norm, n.name) <> COALESCE(e.name_norm, e.name)
            GROUP BY n.uscc, COALESCE(n.name_norm, n.name)""",
            "nh": """
            SELECT uscc, LIST(name ORDER BY first_from NULLS FIRST, name) AS former_names
            FROM nh1
            GROUP BY uscc""",
        },
        joins=(
            "LEFT JOIN sec ON sec.division = SUBSTR(win.ind_digits, 1, 2)",
            "LEFT JOIN nh ON nh.uscc = win.uscc",
        ),
    )


SOURCE = Source("registration", FEATURES, _sql)
