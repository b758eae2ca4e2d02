"""Scores from measures: one SQL statement over a long ``area_measures`` table (area, measure, value), ADR 0032.

1. (sub-parks) the districts' rows are summed per group (``groups``: group → member areas); a measure none of a
   group's members has stays absent;
2. the measures are pivoted to one row per area (``m``) and each indicator's compiled formula is its value
   (NULL: no data — a measure absent, or a ``ratio`` over 0);
3. each indicator is normalised min–max across the areas with a value, to 0–100: (v − min) ÷ (max − min) × 100,
   inverted for lower-is-better ((max − v) ÷ (max − min) × 100); when every area with a value has the same
   value, each gets 100 (no one is behind); an area without a value has no score (无数据), never 0;
4. composite = Σ weight × score ÷ Σ weight over the indicators the area HAS a score for (its missing indicators'
   weights are left out, not counted as 0); no score at all: no composite and no rank;
5. rank: by composite rounded to 0.01, highest first; equal composites share a rank (1, 2, 2, 4).

Scores and composites are rounded to 0.01 (half away from zero) in the statement; values are DOUBLE.
Runs on an in-memory DuckDB connection: no workspace is needed (the platform's measures come from its own
database).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb

from gaoqi.engine.evaluation.indicators import IndicatorVersion
from gaoqi.engine.validate import lit

_TWO = Decimal("0.01")


@dataclass(frozen=True)
class AreaScore:
    area: str
    values: dict[str, float | None]  # indicator code → value (None: no data)
    scores: dict[str, Decimal | None]  # indicator code → 0–100 (None: no data)
    composite: Decimal | None
    weight_used: Decimal  # Σ weights of the indicators with a score
    rank: int | None
    measures: dict[str, float | None]  # measure → value the formulas read (None: no data)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def scoring_sql(version: IndicatorVersion, grouped: bool) -> str:
    """The statement over ``area_measures`` (and ``area_groups(area, member)`` when ``grouped``) and ``areas``."""
    measures = version.measures
    src = (
        "SELECT g.area, a.measure, SUM(a.value) AS value FROM area_measures a "
        "JOIN area_groups g ON g.member = a.area GROUP BY g.area, a.measure"
        if grouped
        else "SELECT area, measure, value FROM area_measures"
    )
    pivot = ", ".join(f"MAX(value) FILTER (WHERE measure = {lit(n)}) AS {_q(n)}" for n in measures) or "NULL AS _none"
    vals = ", ".join(f"CAST({i.sql} AS DOUBLE) AS {_q('v_' + i.code)}" for i in version.indicators)
    scores = []
    for i in version.indicators:
        v = _q("v_" + i.code)
        lo, hi = f"MIN({v}) OVER ()", f"MAX({v}) OVER ()"
        num = f"({v} - {lo})" if i.direction == "higher" else f"({hi} - {v})"
        scores.append(
            f"CASE WHEN {v} IS NULL THEN NULL WHEN {hi} = {lo} THEN 100.0 "
            f"ELSE ROUND({num} / ({hi} - {lo}) * 100.0, 6) END AS {_q('s_' + i.code)}"
        )
    weighted = " + ".join(f"COALESCE({i.weight} * {_q('s_' + i.code)}, 0)" for i in version.indicators)
    weights = " + ".join(
        f"CASE WHEN {_q('s_' + i.code)} IS NULL THEN 0 ELSE {i.weight} END" for i in version.indicators
    )
    return f"""
    WITH src AS ({src}),
    m AS (SELECT a.area, {pivot} FROM areas a LEFT JOIN src ON src.area = a.area GROUP BY a.area),
    v AS (SELECT m.*, {vals} FROM m),
    s AS (SELECT v.*, {", ".join(scores)} FROM v),
    c AS (SELECT s.*, CAST({weights} AS DOUBLE) AS weight_used,
                 CASE WHEN ({weights}) = 0 THEN NULL ELSE ({weighted}) / ({weights}) END AS composite FROM s)
    SELECT c.*, CASE WHEN composite IS NULL THEN NULL
                     ELSE RANK() OVER (ORDER BY ROUND(composite, 2) DESC NULLS LAST) END AS rank
    FROM c ORDER BY rank NULLS LAST, area"""


def _dec(x: Any) -> Decimal | None:
    return None if x is None else Decimal(repr(float(x))).quantize(_TWO, rounding=ROUND_HALF_UP)


def score_areas(
    version: IndicatorVersion,
    rows: Iterable[tuple[str, str, float | int | Decimal | None]],
    areas: Sequence[str],
    groups: Mapping[str, Sequence[str]] | None = None,
) -> list[AreaScore]:
    """Every area of ``areas`` scored by ``version`` from the long ``rows`` (area, measure, value; a None value
    or an absent row: no data). ``groups``: score groups of the rows' areas instead (sub-parks → districts);
    ``areas`` then names the groups. Best first; areas without a composite last, by code."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE area_measures (area VARCHAR, measure VARCHAR, value DOUBLE)")
        data = [(str(a), str(m), float(v)) for a, m, v in rows if v is not None]
        if data:
            con.executemany("INSERT INTO area_measures VALUES (?, ?, ?)", data)
        con.execute("CREATE TABLE areas (area VARCHAR)")
        if areas:
            con.executemany("INSERT INTO areas VALUES (?)", [(a,) for a in areas])
        if groups is not None:
            con.execute("CREATE TABLE area_groups (area VARCHAR, member VARCHAR)")
            pairs = [(g, d) for g, ds in groups.items() for d in ds]
            if pairs:
                con.executemany("INSERT INTO area_groups VALUES (?, ?)", pairs)
        cur = con.execute(scoring_sql(version, groups is not None))
        names = [d[0] for d in cur.description or ()]
        out = []
        for row in cur.fetchall():
            r = dict(zip(names, row, strict=True))
            out.append(
                AreaScore(
                    area=str(r["area"]),
                    values={i.code: r["v_" + i.code] for i in version.indicators},
                    scores={i.code: _dec(r["s_" + i.code]) for i in version.indicators},
                    composite=_dec(r["composite"]),
                    weight_used=Decimal(repr(float(r["weight_used"]))).normalize(),
                    rank=None if r["rank"] is None else int(r["rank"]),
                    measures={n: r[n] for n in version.measures},
                )
            )
        return out
    finally:
        con.close()
