"""Warning rules (监测预警, ADR 0029): ``kind: warning`` policies loaded apart, evaluated set-based over the
profile and the warning features, with severity, escalation, evidence (feed, file, line) and the change since a
previous snapshot. Every value below is computed by hand."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gaoqi.engine.rules import load_policies
from gaoqi.engine.rules.load import PolicyLoadError, load_policy_file
from gaoqi.engine.warning_rules import (
    evaluate_warnings,
    load_warning_rules,
    warning_catalogue,
    warning_meta,
    warning_rows,
    warnings_sql,
)
from tests.engine.features.workspace import Workspace, code

ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = ROOT / "policies"
AS_OF = date(2026, 6, 1)  # window FY2023–2025, last year FY2025
D = Decimal

FILES = {
    1: ("registration", "registration_市场监管局_2026.csv"),
    2: ("finance", "finance_税务局_2026.csv"),
    3: ("rd", "rd_统计局_2026.csv"),
    5: ("credit", "credit_信用中心_2026.csv"),
    6: ("certificate", "certificate_高企认定系统.csv"),
    7: ("social_insurance", "social_insurance_人社局_2026.csv"),
}


def with_loads(ws: Workspace) -> Workspace:
    for load_id, (feed, name) in FILES.items():
        ws.con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, 'csv', 'utf-8', 'zh', 1, 1, 0, TIMESTAMP '2026-05-01 00:00:00')",
            [load_id, feed, name, f"sha{load_id}"],
        )
    return ws


@pytest.fixture()
def ws() -> Workspace:
    return with_loads(Workspace())


def rules_dir(tmp_path: Path, *names: str, extra: dict[str, str] | None = None) -> Path:
    """A policy directory with the shipped warning rules ``names`` (and ``extra`` files: name → text)."""
    out = tmp_path / "policies"
    out.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(POLICY_DIR / f"{name}.yaml", out / f"{name}.yaml")
    for name, text in (extra or {}).items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def hte(ws: Workspace, uscc: str, issued: date = date(2024, 11, 1), expiry: date | None = date(2027, 10, 31)) -> None:
    ws.certificate(uscc, "hte", issued, expiry)


def run(ws: Workspace, directory: Path, as_of: date = AS_OF, previous: Path | None = None) -> dict[str, Any]:
    ws.build(as_of)
    return evaluate_warnings(ws.con, as_of, load_warning_rules(directory), previous)


def raised(ws: Workspace) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["uscc"], r["rule_id"]): r for r in warning_rows(ws.con)}


# --- loading apart ---------------------------------------------------------------------------------------------


def test_warning_rules_are_loaded_apart_from_the_enterprise_policies() -> None:
    enterprise = {p.id for p in load_policies(POLICY_DIR)}
    warnings = load_warning_rules(POLICY_DIR)
    assert warnings and all(p.kind == "warning" and p.subject == "warning" for p in warnings)
    assert not enterprise & {p.id for p in warnings}
    assert "warning-st-staff-share" in {p.id for p in warnings}
    assert all(v.severity is not None for p in warnings for v in p.versions)


# --- S&T staff share (Art. 11(四)): the boundary -----------------------------------------------------------------


def test_st_staff_share_below_ten_percent_is_raised_at_ten_percent_not(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-st-staff-share")
    at_line, below, no_cert, unknown = (ws.enterprise(code(n)) for n in (101, 102, 103, 104))
    ws.rd(at_line, 2025, 100, staff=100, st_staff=10)  # 10 ÷ 100 = 10% exactly: meets the line
    ws.rd(below, 2025, 100, staff=1000, st_staff=D("99.99"), line=17)  # 9.999% < 10%
    ws.rd(no_cert, 2025, 100, staff=100, st_staff=5)  # 5%, but no HTE certificate
    ws.rd(unknown, 2025, 100, staff=None, st_staff=5)  # share unknown
    for u in (at_line, below, unknown):
        hte(ws, u)
    out = run(ws, d)
    assert out["rules"] == ["warning-st-staff-share@2016"]
    assert out["raised"] == 1 and out["by_rule"] == {"warning-st-staff-share": 1}
    assert len(out["ruleset_hash"]) == 64
    got = raised(ws)
    assert list(got) == [(below, "warning-st-staff-share")]
    row = got[(below, "warning-st-staff-share")]
    assert row["severity"] == "HIGH" and row["rule_version"] == "2016"
    assert row["name"] == "科技人员占比低于认定条件"
    assert row["articles"] == ["国科发火〔2016〕32号 第九条", "国科发火〔2016〕32号 第十一条（四）"]
    assert row["as_of"] == "2026-06-01"
    share = next(e for e in row["evidence"] if e["feature"] == "st_staff_share")
    assert share["value"] == "0.099990000000" and share["label"] == "科技人员占比"
    assert (share["feed"], share["file"], share["line"]) == ("rd", "rd_统计局_2026.csv", 17)
    cert = next(e for e in row["evidence"] if e["feature"] == "has_hte_certificate")
    assert cert["value"] is True and (cert["feed"], cert["file"]) == ("certificate", "certificate_高企认定系统.csv")
    assert isinstance(cert["line"], int)
    assert warning_meta(ws.con)["rules"] == ["warning-st-staff-share@2016"]


# --- severity escalation -----------------------------------------------------------------------------------------

ESCALATING = """\
id: warning-test-escalation
name: 测试升级
authority: 测试
document_number: 国科发火〔2016〕32号
kind: warning
versions:
  - id: "1"
    valid_from: 2016-01-01
    documents: [国科发火〔2016〕32号]
    severity: WARN
    escalate:
      - {severity: CRITICAL, when: st_staff_share < param.critical_below}
      - {severity: HIGH, when: st_staff_share < param.high_below}
    parameters:
      line: {type: ratio, value: 0.10, label: 下限}
      high_below: {type: ratio, value: 0.08, label: 高}
      critical_below: {type: ratio, value: 0.05, label: 严重}
    conditions:
      - id: share
        label: 低于下限
        article: 国科发火〔2016〕32号 第十一条（四）
        kind: data
        expr: st_staff_share < param.line
"""


def test_the_first_escalation_that_holds_sets_the_severity(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, extra={"warning-test-escalation.yaml": ESCALATING})
    shares = {201: 9, 202: 8, 203: 7, 204: 5, 205: 4}  # of 100 staff
    ids = {}
    for n, st in shares.items():
        ids[n] = ws.enterprise(code(n))
        ws.rd(ids[n], 2025, 100, staff=100, st_staff=st)
    run(ws, d)
    got = {u: r["severity"] for (u, _), r in raised(ws).items()}
    # 9% WARN; 8% is not < 8%: WARN; 7% HIGH; 5% is not < 5%: HIGH; 4% CRITICAL (the first item wins over HIGH)
    assert got == {ids[201]: "WARN", ids[202]: "WARN", ids[203]: "HIGH", ids[204]: "HIGH", ids[205]: "CRITICAL"}


def test_spark_sql_is_printed_from_the_same_tree(tmp_path: Path) -> None:
    rules = load_warning_rules(rules_dir(tmp_path, extra={"warning-test-escalation.yaml": ESCALATING}))
    duck, chosen = warnings_sql(rules, AS_OF)
    spark, _ = warnings_sql(rules, AS_OF, "spark")
    assert [p.id for p, _ in chosen] == ["warning-test-escalation"]
    assert "FROM warning_profile WHERE" in duck and "FROM warning_profile WHERE" in spark
    assert (
        "CASE WHEN NOT (st_staff_share IS NULL) AND (st_staff_share < CAST(0.05 AS DECIMAL(38, 2))) THEN 'CRITICAL'"
        in duck
    )


def test_no_version_in_force_gives_no_rows(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-st-staff-share")
    u = ws.enterprise(code(301))
    ws.rd(u, 2014, 100, staff=100, st_staff=1)
    hte(ws, u, date(2014, 1, 1), date(2016, 12, 31))
    out = run(ws, d, date(2015, 6, 1))
    assert out["rules"] == [] and out["raised"] == 0
    assert list(warning_rows(ws.con)) == []


# --- change since the previous snapshot --------------------------------------------------------------------------


def previous_snapshot(ws: Workspace, as_of: date, path: Path) -> Path:
    """The workspace's profile at ``as_of`` and its loads copied into a snapshot file (as a publication does)."""
    ws.build(as_of)
    ws.con.execute(f"ATTACH '{path}' AS snap")
    ws.con.execute("CREATE TABLE snap.profile AS SELECT * FROM profile")
    ws.con.execute("CREATE TABLE snap.loads AS SELECT * FROM loads")
    ws.con.execute("DETACH snap")
    return path


def features(ws: Workspace, uscc: str) -> dict[str, Any]:
    cur = ws.con.execute("SELECT * FROM warning_profile WHERE uscc = ?", [uscc])
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


def test_without_a_previous_snapshot_the_change_features_are_null(ws: Workspace, tmp_path: Path) -> None:
    u = ws.enterprise(code(401))
    ws.insured(u, date(2026, 5, 1), 50)
    run(ws, rules_dir(tmp_path, "warning-st-staff-share"))
    f = features(ws, u)
    assert [f[k] for k in ("previous_as_of", "previous_district_code", "district_changed", "previous_insured_count",
                           "insured_count_decline_share")] == [None] * 5  # fmt: skip
    assert f["insured_count"] == 50 and f["as_of_month_day"] == 601


def test_the_previous_snapshot_gives_district_and_staff_changes(ws: Workspace, tmp_path: Path) -> None:
    moved, stayed, new = ws.enterprise(code(501)), ws.enterprise(code(502)), None
    ws.insured(moved, date(2026, 2, 1), 100)
    ws.insured(stayed, date(2026, 2, 1), 40)
    prev = previous_snapshot(ws, date(2026, 3, 1), tmp_path / "snapshot-1.duckdb")
    ws.con.execute("UPDATE enterprise SET district_code = '110105' WHERE uscc = ?", [moved])
    ws.insured(moved, date(2026, 5, 1), 70)  # 100 → 70: down 30% exactly
    ws.insured(stayed, date(2026, 5, 1), 44)  # 40 → 44: up 10%
    new = ws.enterprise(code(503))  # not in the previous snapshot
    run(ws, rules_dir(tmp_path, "warning-st-staff-share"), previous=prev)
    f = features(ws, moved)
    assert f["previous_as_of"] == date(2026, 3, 1)
    assert (f["previous_district_code"], f["district_code"], f["district_changed"]) == ("110108", "110105", True)
    assert (f["previous_insured_count"], f["insured_count"]) == (100, 70)
    assert f["insured_count_decline_share"] == D("0.3")
    assert f["previous_registration_file"] == "registration_市场监管局_2026.csv"
    g = features(ws, stayed)
    assert g["district_changed"] is False and g["insured_count_decline_share"] == D("-0.1")
    h = features(ws, new)
    assert h["previous_as_of"] is None and h["district_changed"] is None
    assert warning_meta(ws.con)["previous"] == "snapshot-1.duckdb"
    # the previous snapshot is attached read only and detached again
    assert "warn_prev" not in {r[0] for r in ws.con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}


def test_a_missing_previous_snapshot_is_refused(ws: Workspace, tmp_path: Path) -> None:
    ws.enterprise(code(601))
    with pytest.raises(FileNotFoundError, match="previous snapshot not found"):
        run(ws, rules_dir(tmp_path, "warning-st-staff-share"), previous=tmp_path / "nope.duckdb")


# --- the loader's refusals, with file and line ---------------------------------------------------------------------


def _refused(tmp_path: Path, text: str) -> str:
    f = tmp_path / "warning-bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyLoadError) as e:
        load_policy_file(f)
    return str(e.value)


def test_the_loader_refuses_bad_warning_rules_with_file_and_line(tmp_path: Path) -> None:
    base = ESCALATING
    msg = _refused(tmp_path, base.replace("expr: st_staff_share < param.line", "expr: st_staff_ratio < param.line"))
    assert "warning-bad.yaml:23: unknown feature 'st_staff_ratio'" in msg
    msg = _refused(tmp_path, base.replace("article: 国科发火〔2016〕32号 第十一条（四）", "article: 第十一条"))
    assert "warning-bad.yaml:21: article '第十一条' must read" in msg
    msg = _refused(tmp_path, base.replace("severity: WARN", "severity: URGENT"))
    assert "warning-bad.yaml:10: severity 'URGENT' must be one of INFO, WARN, HIGH, CRITICAL" in msg
    msg = _refused(tmp_path, base.replace("when: st_staff_share < param.high_below", "when: st_staff_share"))
    assert "warning-bad.yaml:13: type error: an escalation's 'when' must be boolean, not ratio" in msg
    msg = _refused(tmp_path, base.replace("    severity: WARN\n", ""))
    assert "warning-bad.yaml:7: missing 'severity'" in msg
    msg = _refused(tmp_path, base.replace("kind: data", "kind: attested").replace(
        "        expr: st_staff_share < param.line\n", ""))  # fmt: skip
    assert "warning-bad.yaml:19: a warning rule's conditions are data conditions, not attested ('share')" in msg
    overlap = base + base[base.index('  - id: "1"') :].replace('id: "1"', 'id: "2"').replace("2016-01-01", "2020-01-01")
    msg = _refused(tmp_path, overlap)
    assert "version '2' (from 2020-01-01) overlaps version '1'" in msg and "warning-bad.yaml:24:" in msg
    msg = _refused(tmp_path, base.replace("kind: warning", "kind: warning\nsubject: enterprise"))
    assert "only a warning rule is" in msg
    # severity belongs to warning rules only; a warning-only feature is not an enterprise policy's
    msg = _refused(tmp_path, base.replace("kind: warning", "kind: subsidy"))
    assert "warning-bad.yaml:10: 'severity' is only for warning rules (kind: warning)" in msg
    msg = _refused(
        tmp_path,
        base.replace("kind: warning", "kind: subsidy").replace("    severity: WARN\n", "").replace(
            "    escalate:\n      - {severity: CRITICAL, when: st_staff_share < param.critical_below}\n"
            "      - {severity: HIGH, when: st_staff_share < param.high_below}\n", "").replace(
            "st_staff_share < param.line", "insured_count_decline_share < param.line"),
    )  # fmt: skip
    assert "unknown feature 'insured_count_decline_share'" in msg


# --- the catalogue -------------------------------------------------------------------------------------------------


def test_the_catalogue_describes_each_rule_in_words(tmp_path: Path) -> None:
    rules = load_warning_rules(rules_dir(tmp_path, "warning-st-staff-share",
                                         extra={"warning-test-escalation.yaml": ESCALATING}))  # fmt: skip
    cat = {r["id"]: r for r in warning_catalogue(rules, AS_OF)}
    st = cat["warning-st-staff-share"]
    assert (st["version"], st["in_force"], st["severity"], st["escalations"]) == ("2016", True, "HIGH", [])
    assert [c["text"] for c in st["conditions"]] == ["持有有效高新技术企业证书 = 是", "科技人员占比 < 10%"]
    assert st["parameters"] == [{"name": "st_staff_share_min", "label": "科技人员占职工总数比例下限", "type": "ratio",
                                 "value": "0.10", "text": "10%", "unconfirmed": False}]  # fmt: skip
    esc = cat["warning-test-escalation"]["escalations"]
    assert esc == [
        {"severity": "CRITICAL", "when": "st_staff_share < param.critical_below", "text": "科技人员占比 < 5%"},
        {"severity": "HIGH", "when": "st_staff_share < param.high_below", "text": "科技人员占比 < 8%"},
    ]


def test_rows_are_json_serialisable(ws: Workspace, tmp_path: Path) -> None:
    import json

    u = ws.enterprise(code(701))
    ws.rd(u, 2025, 100, staff=100, st_staff=1)
    hte(ws, u)
    run(ws, rules_dir(tmp_path, "warning-st-staff-share"))
    (row,) = list(warning_rows(ws.con))
    assert json.loads(json.dumps(row, ensure_ascii=False)) == row


def test_the_workspace_api(tmp_path: Path) -> None:
    from gaoqi.engine import Workspace as PublicWorkspace

    home = tmp_path / "home"
    with PublicWorkspace.open(home) as w:
        con: duckdb.DuckDBPyConnection = w._con
        con.execute(
            "CREATE TABLE profile AS SELECT CAST('x' AS VARCHAR) AS uscc, DATE '2026-06-01' AS as_of WHERE FALSE"
        )
        rules = w.warning_rules(POLICY_DIR, AS_OF)
        assert "warning-st-staff-share" in {r["id"] for r in rules}
        assert list(w.warning_rows()) == [] and w.warning_meta() == {}
