"""Incubators (issue 12, ADR 0018): the enterprise's incubator, the incubator figures counted by hand, the
evaluation as a policy over incubators (programmes.md §5.3-style vectors I1–I4), and the subject's type check."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gaoqi.engine.features.incubator import FEATURES as INCUBATOR_FEATURES
from gaoqi.engine.incubators import (
    ROWS_SQL,
    IncubatorFiguresError,
    build_incubator_figures,
    evaluate_incubators,
)
from gaoqi.engine.rules import evaluate, load_policies
from gaoqi.engine.rules.ir import Policy
from gaoqi.engine.rules.load import PolicyLoadError, load_policy_file
from gaoqi.engine.rules.subjects import SUBJECTS
from tests.engine.features.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = ROOT / "policies"
AS_OF = date(2026, 12, 31)


@pytest.fixture()
def ws() -> Workspace:
    return Workspace()


def incubator_policies() -> list[Policy]:
    return load_policies(POLICY_DIR, "incubator")


def starting(policies: list[Policy], start: date) -> list[Policy]:
    """The policies with their first version in force from ``start`` (to evaluate an earlier year)."""
    out = []
    for p in policies:
        first = dataclasses.replace(p.versions[0], valid_from=start)
        out.append(dataclasses.replace(p, versions=(first, *p.versions[1:])))
    return out


def rows(ws: Workspace, sql: str) -> list[dict[str, Any]]:
    cur = ws.con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def figures(ws: Workspace, as_of: date = AS_OF, policies: list[Policy] | None = None) -> dict[str, dict[str, Any]]:
    ws.build(as_of)
    enterprise = load_policies(POLICY_DIR)
    evaluate(ws.con, as_of, enterprise)
    build_incubator_figures(ws.con, as_of, policies or incubator_policies(), enterprise)
    return {r["incubator_code"]: r for r in rows(ws, ROWS_SQL)}


def test_the_policies_are_split_by_subject() -> None:
    assert "incubator-hte-incubation" not in {p.id for p in load_policies(POLICY_DIR)}
    (policy,) = incubator_policies()
    assert (policy.id, policy.subject, policy.kind) == ("incubator-hte-incubation", "incubator", "evaluation")
    v = policy.version_at(AS_OF)
    assert v is not None
    # thresholds CONFIRMED (row 4.5), weights DEFAULT (unconfirmed)
    assert {n: v.parameters[n].value for n in ("min_incubated", "min_new_hte")} == {
        "min_incubated": Decimal(30),
        "min_new_hte": Decimal(5),
    }
    assert v.parameters["min_recert_rate"].value == Decimal("0.75")
    assert not v.parameters["min_recert_rate"].unconfirmed
    assert all(v.parameters[n].unconfirmed for n in ("w_new_hte", "w_recert", "w_hte_share", "w_pool_conv"))


def test_a_policy_reads_only_its_subjects_features(tmp_path: Path) -> None:
    text = (POLICY_DIR / "incubator-hte-incubation.yaml").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("expr: incubated >= param.min_incubated", "expr: staff_count_last_year >= 30"))
    with pytest.raises(PolicyLoadError, match="unknown feature 'staff_count_last_year'"):
        load_policy_file(wrong)
    enterprise = tmp_path / "enterprise.yaml"
    enterprise.write_text(text.replace("subject: incubator\n", ""))
    with pytest.raises(PolicyLoadError, match="unknown feature 'incubated'"):
        load_policy_file(enterprise)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace("subject: incubator", "subject: university"))
    with pytest.raises(PolicyLoadError, match="subject 'university' must be one of enterprise, incubator"):
        load_policy_file(unknown)


def test_subject_feature_names_are_apart() -> None:
    assert not set(SUBJECTS["enterprise"].features) & set(SUBJECTS["incubator"].features)
    assert [f.name for f in INCUBATOR_FEATURES][:3] == ["incubator_kind", "incubator_level", "incubator_district_code"]


def test_the_enterprise_belongs_to_the_last_incubator_entered(ws: Workspace) -> None:
    moved = ws.enterprise()
    ws.incubator("INC-A")
    ws.incubator("INC-B")
    ws.incubation("INC-A", moved, date(2023, 1, 1), date(2024, 12, 31), "exited")
    ws.incubation("INC-B", moved, date(2025, 1, 10))
    later = ws.enterprise()  # enters B after as-of: not yet B's
    ws.incubation("INC-A", later, date(2024, 1, 1))
    ws.incubation("INC-B", later, date(2026, 1, 1))
    graduated = ws.enterprise()
    ws.incubation("INC-A", graduated, date(2022, 1, 1), date(2025, 6, 30), "graduated")
    none = ws.enterprise()
    got = ws.build(date(2025, 12, 31))
    assert (got[moved]["incubator_code"], got[moved]["incubation_status"]) == ("INC-B", "incubating")
    assert got[moved]["incubation_entered_on"] == date(2025, 1, 10)
    assert got[moved]["incubation_load_id"] == 9
    assert got[later]["incubator_code"] == "INC-A"
    assert (got[graduated]["incubation_status"], got[graduated]["incubation_left_on"]) == (
        "graduated",
        date(2025, 6, 30),
    )
    assert got[none]["incubator_code"] is None and got[none]["incubation_status"] is None


def _population(ws: Workspace) -> dict[str, str]:
    """Incubators A, B, C (empty) and ten enterprises; the figures of 2026 are counted by hand in the test."""
    for code in ("INC-A", "INC-B", "INC-C"):
        ws.incubator(code)
    e = {k: ws.enterprise() for k in ("e2", "e3", "e4", "e5", "e6", "e7", "e10")}
    e["e1"] = ws.enterprise(established=date(2025, 2, 1))
    e["e8"] = ws.enterprise(established=date(2025, 6, 1))
    e["e9"] = ws.enterprise(established=date(2025, 6, 1))
    a, b = "INC-A", "INC-B"
    # e1: incubated in A, registered 2025, tech SME, first HTE in 2026
    ws.incubation(a, e["e1"], date(2025, 3, 1))
    ws.certificate(e["e1"], "tech_sme", date(2025, 4, 1), None)
    ws.certificate(e["e1"], "hte", date(2026, 11, 1), date(2029, 10, 31))
    # e2: A until mid-2025, then B; first HTE in 2026 → B's only (I4)
    ws.incubation(a, e["e2"], date(2023, 1, 1), date(2025, 6, 30), "exited")
    ws.incubation(b, e["e2"], date(2025, 7, 1))
    ws.certificate(e["e2"], "hte", date(2026, 3, 1), date(2029, 2, 28))
    # e3: graduated from A in 2024 (inside the two-year window); its certificate expires in 2026, renewed
    ws.incubation(a, e["e3"], date(2021, 1, 1), date(2024, 6, 30), "graduated")
    ws.certificate(e["e3"], "hte", date(2023, 11, 1), date(2026, 10, 31), number="OLD")
    ws.certificate(e["e3"], "hte", date(2026, 10, 20), date(2029, 10, 19), number="NEW")
    # e4: graduated in 2023 (outside the window); e5: left A in 2025 (exited): neither counts
    ws.incubation(a, e["e4"], date(2020, 1, 1), date(2023, 12, 31), "graduated")
    ws.incubation(a, e["e5"], date(2024, 1, 1), date(2025, 5, 1), "exited")
    ws.certificate(e["e4"], "hte", date(2026, 5, 1), None)
    # e6: in A; certificate expiring in 2026, not renewed; sales +21% (grown)
    ws.incubation(a, e["e6"], date(2024, 1, 1))
    ws.certificate(e["e6"], "hte", date(2023, 12, 1), date(2026, 11, 30))
    ws.finance(e["e6"], 2024, 100)
    ws.finance(e["e6"], 2025, 121)
    # e7: in A; sales +20% exactly (not more), R&D +30% (grown)
    ws.incubation(a, e["e7"], date(2024, 1, 1))
    ws.finance(e["e7"], 2024, 100)
    ws.finance(e["e7"], 2025, 120)
    ws.rd(e["e7"], 2024, 10)
    ws.rd(e["e7"], 2025, 13)
    # e8: in A, on the cultivation list (ZGC 科技创新型, under two years); e9: the same, certified in 2026
    for k in ("e8", "e9"):
        ws.incubation(a, e[k], date(2025, 7, 1))
        ws.certificate(e[k], "zgc_hte", date(2025, 9, 1), None, subtype="科技创新型")
    ws.certificate(e["e9"], "hte", date(2026, 9, 1), date(2029, 8, 31))
    # e10: never incubated; a credit event delivers the credit feed (the pool's listing condition is known)
    ws.credit(e["e10"], "administrative_penalty", date(2019, 1, 1))
    return e


def test_incubator_figures_equal_counts_by_hand(ws: Workspace) -> None:
    _population(ws)
    got = figures(ws)
    a, b, c = got["INC-A"], got["INC-B"], got["INC-C"]
    want_a = {
        "incubated": 6,  # e1 e3 e6 e7 e8 e9
        "incubating": 5,  # e3 graduated
        "registered_last_year": 3,  # e1 e8 e9
        "tech_sme": 1,
        "new_hte": 2,  # e1 e9 (e2 is B's)
        "hte_valid": 3,  # e1 e3 e9
        "hte_due": 2,  # e3 e6
        "hte_recertified": 1,  # e3
        "in_pool": 1,  # e8
        "pool_members": 2,  # e8, and e9 (on the list but for its new certificate)
        "pool_converted": 1,  # e9
        "grown": 2,  # e6 (sales) e7 (R&D; sales +20% is not more than 20%)
    }
    assert {k: a[k] for k in want_a} == want_a
    assert a["registered_last_year_share"] == Decimal("0.5")
    assert a["hte_share"] == Decimal("0.5")
    assert a["recert_rate"] == Decimal("0.5")
    assert a["pool_conv"] == Decimal("0.5")
    assert a["growth_share"] == Decimal("0.333333333333")  # 2/6 at the ratio's 12 decimals
    assert (b["incubated"], b["new_hte"], b["hte_valid"], b["hte_due"]) == (1, 1, 1, 0)
    assert b["recert_rate"] is None  # none due: unknown, not 0
    assert (c["incubated"], c["hte_share"]) == (0, None)
    assert (a["evaluation_year"], a["as_of"], a["incubator_district_code"]) == (2026, AS_OF, "110108")


def test_the_city_rates_count_every_enterprise(ws: Workspace) -> None:
    _population(ws)
    figures(ws)
    (city,) = rows(ws, "SELECT * FROM incubator_city")
    assert (city["incubated"], city["new_hte"], city["hte_valid"]) == (10, 4, 5)  # e1 e2 e4 e9; + e3
    assert (city["pool_members"], city["pool_converted"], city["pool_conv"]) == (2, 1, Decimal("0.5"))


def test_the_evaluation_of_the_hand_counted_incubators(ws: Workspace) -> None:
    _population(ws)
    got = figures(ws)
    a = got["INC-A"]
    assert a["status"] == "fail"
    assert list(a["failed_conditions"]) == ["incubated", "tech_sme", "new_hte", "recert_rate"]
    # 2/10 × 40 = 8; 复审率 0.5 below the gate: 0; 有效高企占比 0.5: 20; 转化率 0.5: 20
    assert (a["score_lo"], a["score_hi"]) == (48.0, 48.0)
    gates = {g["id"]: g["ok"] for g in a["gates"]}
    assert gates == {
        "incubated": False,  # 6 < 30
        "registered_last_year": True,  # 3/6 ≥ 20%
        "tech_sme": False,  # 1/6 < 40%
        "new_hte": False,  # 2 < 5
        "recert_rate": False,  # 50% < 75%
        "growth": True,  # 2/6 ≥ 30%
    }
    b = got["INC-B"]
    # no certificate due: 复审率 unknown, its points the whole range [0, 20]
    assert "recert_rate" in b["unknown_features"]
    assert b["score_hi"] - b["score_lo"] == 20.0
    assert got["INC-C"]["status"] == "fail"  # no enterprise: fails the count gate
    order = [r["incubator_code"] for r in rows(ws, ROWS_SQL)]
    assert order[0] == "INC-A"


def test_vector_i4_counts_for_the_last_incubator_only(ws: Workspace) -> None:
    ws.incubator("INC-A")
    ws.incubator("INC-B")
    moved = ws.enterprise()
    ws.incubation("INC-A", moved, date(2022, 1, 1), date(2024, 12, 31), "exited")
    ws.incubation("INC-B", moved, date(2025, 1, 1))
    ws.certificate(moved, "hte", date(2025, 10, 1), date(2028, 9, 30))
    got = figures(ws, date(2025, 12, 31), starting(incubator_policies(), date(2025, 1, 1)))
    assert (got["INC-B"]["incubated"], got["INC-B"]["new_hte"]) == (1, 1)
    assert (got["INC-A"]["incubated"], got["INC-A"]["new_hte"]) == (0, 0)
    attached = rows(ws, "SELECT uscc, incubator_code, attached FROM incubator_enterprise")
    assert attached == [{"uscc": moved, "incubator_code": "INC-B", "attached": True}]


def _vector(ws: Workspace, code: str, **figs: Any) -> None:
    cols = {f.name: f.sql_type for f in INCUBATOR_FEATURES}
    if not ws.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'incubator_profile'"
    ).fetchall()[0][0]:
        ws.con.execute(
            "CREATE TABLE incubator_profile (incubator_code VARCHAR, as_of DATE, "
            + ", ".join(f"{n} {t}" for n, t in cols.items())
            + ")"
        )
    names = ["incubator_code", "as_of", *figs]
    ws.con.execute(
        f"INSERT INTO incubator_profile ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [code, AS_OF, *figs.values()],
    )


def _evaluated(ws: Workspace) -> dict[str, dict[str, Any]]:
    evaluate_incubators(ws.con, AS_OF, incubator_policies())
    return {r["incubator_code"]: r for r in rows(ws, "SELECT * FROM incubator_results")}


I1 = {
    "incubated": 32,
    "registered_last_year": 7,
    "registered_last_year_share": Decimal(7) / Decimal(32),  # 21.9%
    "tech_sme": 14,
    "tech_sme_share": Decimal(14) / Decimal(32),  # 43.8%
    "new_hte": 6,
    "hte_due": 8,
    "hte_recertified": 6,
    "recert_rate": Decimal("0.75"),
    "grown": 10,
    "growth_share": Decimal(10) / Decimal(32),  # 31.3%
    "hte_valid": 8,
    "hte_share": Decimal("0.25"),
    "pool_members": 10,
    "pool_converted": 2,
    "pool_conv": Decimal("0.2"),
}


def test_vectors_i1_i2_i3(ws: Workspace) -> None:
    _vector(ws, "I1", **I1)
    _vector(ws, "I2", **{**I1, "hte_recertified": 5, "recert_rate": Decimal(5) / Decimal(8)})  # 62.5%
    got = _evaluated(ws)
    # I1: every gate passes; 75% is inclusive
    assert got["I1"]["status"] == "pass" and list(got["I1"]["failed_conditions"]) == []
    # I2: fails the 复审 gate only
    assert got["I2"]["status"] == "fail" and list(got["I2"]["failed_conditions"]) == ["recert_rate"]
    # I3: new_hte 6, recert 0.75, hte_share 0.25, pool_conv 0.2 → 24 + 10 + 10 + 8 = 52
    scores = {s["id"]: s["lo"] for s in got["I1"]["scores"]}
    assert scores == {
        "new_hte_points": 24.0,
        "recert_points": 10.0,
        "hte_share_points": 10.0,
        "pool_conv_points": 8.0,
        "total": 52.0,
    }
    assert (got["I1"]["score_lo"], got["I1"]["score_hi"]) == (52.0, 52.0)
    # I2's 复审率 below the gate scores 0
    assert {s["id"]: s["lo"] for s in got["I2"]["scores"]}["recert_points"] == 0.0


def test_score_boundaries(ws: Workspace) -> None:
    _vector(ws, "full", **{**I1, "new_hte": 12, "recert_rate": Decimal(1), "hte_share": Decimal("0.6"),
                           "pool_conv": Decimal("0.5")})  # fmt: skip
    _vector(ws, "no_pool", **{**I1, "pool_members": 0, "pool_converted": 0, "pool_conv": None})
    _vector(ws, "just_below", **{**I1, "recert_rate": Decimal("0.749999"), "incubated": 29})
    got = _evaluated(ws)
    assert got["full"]["score_lo"] == 100.0
    assert {s["id"]: s["lo"] for s in got["no_pool"]["scores"]}["pool_conv_points"] == 0.0
    assert got["no_pool"]["score_lo"] == got["no_pool"]["score_hi"] == 44.0
    assert list(got["just_below"]["failed_conditions"]) == ["incubated", "recert_rate"]


def test_figures_need_an_evaluation_at_the_same_date(ws: Workspace) -> None:
    ws.incubator("INC-A")
    ws.enterprise()
    ws.build(AS_OF)
    with pytest.raises(IncubatorFiguresError, match="evaluate the enterprises"):
        build_incubator_figures(ws.con, AS_OF, incubator_policies(), load_policies(POLICY_DIR))
    evaluate(ws.con, AS_OF, load_policies(POLICY_DIR))
    with pytest.raises(IncubatorFiguresError, match="no policy over incubators"):
        build_incubator_figures(ws.con, AS_OF, [], load_policies(POLICY_DIR))


def test_the_interpreter_scores_the_formula_scores_as_the_sql(ws: Workspace) -> None:
    from gaoqi.engine.rules.interpret import score_intervals

    _vector(ws, "I1", **I1)
    _vector(ws, "no_due", **{**I1, "hte_due": 0, "hte_recertified": 0, "recert_rate": None})
    got = _evaluated(ws)
    (policy,) = incubator_policies()
    version = policy.version_at(AS_OF)
    assert version is not None
    for code in ("I1", "no_due"):
        row = rows(ws, f"SELECT * FROM incubator_profile WHERE incubator_code = '{code}'")[0]
        python = {
            k: (round(float(str(v.lo)), 9), round(float(str(v.hi)), 9))
            for k, v in score_intervals(version, row).items()
        }
        sql = {s["id"]: (round(s["lo"], 9), round(s["hi"], 9)) for s in got[code]["scores"]}
        assert python == sql
    # an unknown 复审率: its points are the whole range
    assert {s["id"]: (s["lo"], s["hi"]) for s in got["no_due"]["scores"]}["recert_points"] == (0.0, 20.0)
