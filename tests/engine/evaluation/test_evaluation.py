"""The district evaluation's engine side (issue 15, ADR 0032): every engine measure against a hand count on a small
population, the min–max scores (test vector E1), no data shown as no data (never 0) with the composite over the
remaining weights, sub-parks summing their districts, and indicator files refused at load with file and line."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gaoqi.engine import (
    IndicatorLoadError,
    MeasureSpec,
    default_indicator_path,
    default_subpark_path,
    load_indicators,
    load_indicators_bytes,
    load_subparks,
    load_subparks_bytes,
    score_areas,
)
from gaoqi.engine.evaluation.measures import district_measures_sql
from tests.engine.features.workspace import Workspace

HD, CY, DC = "110108", "110105", "110101"
PLATFORM = [
    MeasureSpec(n, n, provider="platform")
    for n in ("pool_converted", "pool_entrants", "sts_converted", "requests_answered_in_time", "requests_filed",
              "cert_stages_on_time", "cert_stages_done", "pack_items_on_time", "pack_items_due", "warnings_on_time",
              "warnings_due")
]  # fmt: skip


def _finance(ws: Workspace, uscc: str, fy: int, sales: object, tax: object = None) -> None:
    ws._insert("finance", {"uscc": uscc, "fiscal_year": fy, "sales_revenue": sales, "tax_paid": tax}, 2, None)


def _measures(ws: Workspace, year: int) -> dict[tuple[str, str], float]:
    ws.build(date(2026, 3, 1))
    rows = ws.con.execute(district_measures_sql(year, [HD, CY, DC])).fetchall()
    return {(a, m): v for a, m, v in rows}


def test_every_engine_measure_equals_a_hand_count() -> None:
    ws = Workspace()
    e = {k: ws.enterprise() for k in ("a", "b", "c", "d", "f", "g", "h")}
    ws.con.execute("UPDATE enterprise SET district_code = ? WHERE uscc IN (?, ?)", [CY, e["g"], e["h"]])
    # a: valid through 2024 and 2025 (issued 2023-06-01, expires 2026-05-31): in both stocks
    ws.certificate(e["a"], "hte", date(2023, 6, 1), date(2026, 5, 31))
    # b: first certified 2025-03-01 (new in 2025); valid at the end of 2025 only
    ws.certificate(e["b"], "hte", date(2025, 3, 1), None)
    # c: expires 2025-10-31 and re-certified 2025-11-01 (due and re-certified; valid at both ends)
    ws.certificate(e["c"], "hte", date(2022, 11, 1), date(2025, 10, 31), number="C-OLD")
    ws.certificate(e["c"], "hte", date(2025, 11, 1), date(2028, 10, 31), number="C-NEW")
    # d: expires 2025-12-30, not renewed (due, not re-certified; valid at the end of 2024 only)
    ws.certificate(e["d"], "hte", date(2022, 12, 31), date(2025, 12, 30))
    # f: revoked: counts nowhere, but its issue in 2025 is its first (new in 2025 — a first issue whatever its status)
    ws.certificate(e["f"], "hte", date(2025, 2, 1), None, status="revoked")
    # g (朝阳): expiry exactly 2025-12-31: valid at the end of 2025 (the last day counts)
    ws.certificate(e["g"], "hte", date(2022, 1, 1), date(2025, 12, 31))
    # finance and R&D of 2025 and 2024 (万元)
    _finance(ws, e["a"], 2025, 200, 20)
    _finance(ws, e["a"], 2024, 100, 10)
    _finance(ws, e["b"], 2025, 50, None)  # no 2024 row: outside the growth panel; tax missing
    _finance(ws, e["c"], 2025, 300, 30)
    _finance(ws, e["c"], 2024, 200, None)  # tax missing in 2024: in the revenue panel, not the tax panel
    _finance(ws, e["d"], 2025, 999, 99)  # not valid at the end of 2025: in no panel
    _finance(ws, e["d"], 2024, 999, 99)
    ws.rd(e["a"], 2025, 20)
    ws.rd(e["b"], 2025, 5)
    ws.rd(e["c"], 2025, None)  # no R&D figure: outside the intensity pair
    ws.rd(e["d"], 2025, 100)
    got = _measures(ws, 2025)
    hd = {m: v for (a, m), v in got.items() if a == HD}
    assert hd == {
        "hte_valid": 3,  # a b c
        "hte_valid_prev": 3,  # a c d
        "hte_new": 2,  # b f
        "hte_due": 2,  # c d
        "hte_recertified": 1,  # c
        "hte_rd": 25,  # a 20 + b 5
        "hte_rd_revenue": 250,  # a 200 + b 50
        "hte_revenue": 500,  # a 200 + c 300
        "hte_revenue_prev": 300,  # a 100 + c 200
        "hte_tax": 20,  # a only
        "hte_tax_prev": 10,
    }
    cy = {m: v for (a, m), v in got.items() if a == CY}
    # 朝阳: g valid at the end of 2025 (inclusive), its certificate due in 2025; h nothing; no finance: sums absent
    assert cy == {"hte_valid": 1, "hte_valid_prev": 1, "hte_new": 0, "hte_due": 1, "hte_recertified": 0}
    assert not [k for k in got if k[0] == DC]  # no enterprise in 东城: no data at all


def _version(year: int = 2025):  # type: ignore[no-untyped-def]
    v = load_indicators(default_indicator_path(), PLATFORM).version_for_year(year)
    assert v is not None
    return v


def test_vector_e1_min_max() -> None:
    v = _version()
    d1 = dataclasses.replace(v, indicators=tuple(i for i in v.indicators if i.code == "D1"))
    rows = [("u1", "hte_valid", 110), ("u1", "hte_valid_prev", 100), ("u2", "hte_valid", 105),
            ("u2", "hte_valid_prev", 100), ("u3", "hte_valid", 120), ("u3", "hte_valid_prev", 100)]  # fmt: skip
    got = {s.area: s for s in score_areas(d1, rows, ["u1", "u2", "u3"])}
    assert [round(got[u].values["D1"], 6) for u in ("u1", "u2", "u3")] == [0.1, 0.05, 0.2]
    assert [got[u].scores["D1"] for u in ("u1", "u2", "u3")] == [Decimal("33.33"), Decimal("0.00"), Decimal("100.00")]
    assert [float(got[u].scores["D1"]) for u in ("u1", "u2", "u3")] == pytest.approx([33.3, 0, 100], abs=0.05)
    assert [got[u].rank for u in ("u3", "u1", "u2")] == [1, 2, 3]


def test_lower_is_better_is_inverted_and_equal_values_all_score_100() -> None:
    v = _version()
    d1 = dataclasses.replace(v, indicators=tuple(dataclasses.replace(i, direction="lower") for i in v.indicators
                                                 if i.code == "D1"))  # fmt: skip
    rows = [("u1", "hte_valid", 110), ("u1", "hte_valid_prev", 100), ("u2", "hte_valid", 105),
            ("u2", "hte_valid_prev", 100), ("u3", "hte_valid", 120), ("u3", "hte_valid_prev", 100)]  # fmt: skip
    got = {s.area: s.scores["D1"] for s in score_areas(d1, rows, ["u1", "u2", "u3"])}
    assert got == {"u1": Decimal("66.67"), "u2": Decimal("100.00"), "u3": Decimal("0.00")}
    d2 = dataclasses.replace(v, indicators=tuple(i for i in v.indicators if i.code == "D2"))
    same = {s.area: (s.scores["D2"], s.rank) for s in score_areas(d2, [("a", "hte_new", 4), ("b", "hte_new", 4)],
                                                                   ["a", "b"])}  # fmt: skip
    assert same == {"a": (Decimal("100.00"), 1), "b": (Decimal("100.00"), 1)}


def test_no_data_is_no_score_and_the_composite_uses_the_remaining_weights() -> None:
    v = _version()
    two = dataclasses.replace(v, indicators=tuple(i for i in v.indicators if i.code in ("D2", "D3")))
    # weights D2 15, D3 10. a: D2 10, D3 1/2; b: D2 0, D3 1/1; c: D2 5, no certificate due (ratio over 0: no data)
    rows = [("a", "hte_new", 10), ("a", "hte_recertified", 1), ("a", "hte_due", 2),
            ("b", "hte_new", 0), ("b", "hte_recertified", 1), ("b", "hte_due", 1),
            ("c", "hte_new", 5), ("c", "hte_recertified", 0), ("c", "hte_due", 0)]  # fmt: skip
    got = {s.area: s for s in score_areas(two, rows, ["a", "b", "c", "z"])}
    assert got["c"].values["D3"] is None and got["c"].scores["D3"] is None  # 无数据, not 0
    assert got["c"].scores["D2"] == Decimal("50.00")
    assert got["c"].composite == Decimal("50.00") and got["c"].weight_used == 15  # D2 alone: 15×50 ÷ 15
    assert got["a"].composite == Decimal("60.00")  # (15×100 + 10×0) ÷ 25
    assert got["b"].composite == Decimal("40.00")  # (15×0 + 10×100) ÷ 25
    assert (got["z"].composite, got["z"].rank, got["z"].scores) == (None, None, {"D2": None, "D3": None})
    assert [s.area for s in score_areas(two, rows, ["a", "b", "c", "z"])] == ["a", "c", "b", "z"]


def test_sub_parks_sum_their_districts_measures() -> None:
    v = _version()
    d3 = dataclasses.replace(v, indicators=tuple(i for i in v.indicators if i.code == "D3"))
    rows = [(HD, "hte_recertified", 1), (HD, "hte_due", 4), (CY, "hte_recertified", 3), (CY, "hte_due", 4),
            (DC, "hte_recertified", 1), (DC, "hte_due", 1)]  # fmt: skip
    groups = {"P1": (HD, CY), "P2": (DC,), "P3": ("110119",)}
    got = {s.area: s for s in score_areas(d3, rows, ["P1", "P2", "P3"], groups)}
    assert got["P1"].measures == {"hte_recertified": 4, "hte_due": 8}
    assert got["P1"].values["D3"] == 0.5 and got["P2"].values["D3"] == 1.0
    assert got["P3"].values["D3"] is None and got["P3"].rank is None
    subparks, sha = load_subparks(default_subpark_path())
    assert len(subparks) == 16 and all(s.unconfirmed for s in subparks) and len(sha) == 64


BAD = """id: t
name: 测试
versions:
  - id: "1"
    valid_from: 2025-01-01
    indicators:
      - code: X1
        name: 甲
        definition: 甲
        formula: {formula}
        direction: higher
        weight: 1
        unit: ratio
"""


@pytest.mark.parametrize(
    ("formula", "says"),
    [
        ("hte_valid / hte_valid_prev", "divides by 'hte_valid_prev', which can be zero"),
        ("hte_new / (hte_valid - hte_valid_prev)", "divides by 'hte_valid - hte_valid_prev'"),
        ("hte_new / 0", "divides by '0'"),
        ("hte_vaild + 1", "unknown measure 'hte_vaild'"),
        ("warnings_on_time", "measure 'warnings_on_time' has no provider yet (pending: monitoring)"),
        ("profile.hte_new", "is not a measure name"),
        ("abs(hte_new)", "is not allowed"),
        ("ratio(hte_new)", "ratio takes two arguments"),
        ("hte_new >", "cannot be parsed"),
    ],
)
def test_a_bad_formula_is_refused_at_load_with_file_and_line(formula: str, says: str) -> None:
    pending = MeasureSpec("warnings_on_time", "预警按时处置数", provider="monitoring", pending=True)
    with pytest.raises(IndicatorLoadError) as info:
        load_indicators_bytes(BAD.format(formula=formula).encode(), "bad.yaml", [pending])
    (error,) = info.value.errors
    assert (error.file, error.line) == ("bad.yaml", 10), str(error)
    assert says in error.message
    assert str(error).startswith("bad.yaml:10: ")


def test_guarded_and_safe_divisions_load() -> None:
    ok = [MeasureSpec("areas_km2", "面积", "count", nonzero=True, provider="test")]
    for formula in ("ratio(hte_new, hte_valid - hte_valid_prev)", "hte_new / 2", "hte_new / areas_km2"):
        s = load_indicators_bytes(BAD.format(formula=formula).encode(), "ok.yaml", ok)
        assert s.versions[0].indicators[0].formula == formula


def test_other_refusals_name_their_line(tmp_path: Path) -> None:
    text = (
        BAD.format(formula="hte_new").replace("direction: higher", "direction: up").replace("weight: 1", "weight: -1")
    )
    with pytest.raises(IndicatorLoadError) as info:
        load_indicators_bytes(text.encode(), "x.yaml")
    assert {(e.line, e.message.split(" ")[0]) for e in info.value.errors} == {
        (7, "the"),
        (11, "direction"),
        (12, "'weight'"),
    }
    bad = b"subparks:\n  - {code: P, name: p, districts: ['110108', '110199']}\n"
    with pytest.raises(IndicatorLoadError) as sp:
        load_subparks_bytes(bad, "subparks.yaml")
    assert str(sp.value) == "subparks.yaml:2: unknown district code '110199'"
    path = tmp_path / "i.yaml"
    path.write_text("id: [", encoding="utf-8")
    with pytest.raises(IndicatorLoadError, match=r"i\.yaml:1: invalid YAML"):
        load_indicators(path)


def test_the_shipped_file_loads_and_is_all_default() -> None:
    s = load_indicators(default_indicator_path(), PLATFORM)
    v = s.version_for_year(2025)
    assert v is not None and s.version_for_year(2024) is None
    assert [i.code for i in v.indicators] == [
        "D1",
        "D2",
        "D3",
        "D4",
        "D7",
        "D8",
        "D8T",
        "D9",
        "D10",
        "D12",
        "D13",
        "D14",
    ]
    assert sum(i.weight for i in v.indicators) == 100
    assert all(i.unconfirmed for i in v.indicators)
    with pytest.raises(IndicatorLoadError, match="unknown measure 'pool_converted'"):
        load_indicators(default_indicator_path())  # the platform's measures are the platform's to declare


def test_every_shipped_indicator_over_hand_given_measures() -> None:
    v = _version()
    a = {"hte_valid": 110, "hte_valid_prev": 100, "hte_new": 12, "hte_recertified": 3, "hte_due": 4,
         "pool_converted": 5, "pool_entrants": 20, "hte_rd": 30, "hte_rd_revenue": 600, "hte_revenue": 1150,
         "hte_revenue_prev": 1000, "hte_tax": 90, "hte_tax_prev": 100, "sts_converted": 7,
         "requests_answered_in_time": 45, "requests_filed": 50, "cert_stages_on_time": 8, "cert_stages_done": 10,
         "pack_items_on_time": 0, "pack_items_due": 0, "warnings_on_time": 3, "warnings_due": 4}  # fmt: skip
    (got,) = score_areas(v, [("a", m, x) for m, x in a.items()], ["a"])
    want = {"D1": 0.1, "D2": 12, "D3": 0.75, "D4": 0.25, "D7": 0.05, "D8": 0.15, "D8T": -0.1, "D9": 7, "D10": 0.9,
            "D12": 0.8, "D13": None, "D14": 0.75}  # fmt: skip
    assert {k: None if x is None else round(x, 9) for k, x in got.values.items()} == want
    # one area: every indicator with a value scores 100; D13 (no item due: ratio over 0) has none
    assert got.scores["D13"] is None and all(s == 100 for k, s in got.scores.items() if k != "D13")
    assert got.weight_used == 95 and got.composite == 100 and got.rank == 1
