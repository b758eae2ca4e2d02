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


# --- high-tech revenue share (Art. 11(六)) and domestic R&D share (Art. 11(五)): the 60 % lines ------------------


def test_ht_revenue_share_below_sixty_percent_is_raised_at_sixty_percent_not(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-ht-revenue-share")
    at_line, below, unknown = (ws.enterprise(code(n)) for n in (151, 152, 153))
    for u, ht in ((at_line, 60), (below, D("59.99")), (unknown, None)):
        ws.finance(u, 2025, 100, total_revenue=110, non_taxable=10)  # total revenue net of non-taxable: 100
        ws.rd(u, 2025, 5, ht=ht)
        hte(ws, u)
    out = run(ws, d)
    assert out["by_rule"] == {"warning-ht-revenue-share": 1}
    row = raised(ws)[(below, "warning-ht-revenue-share")]
    assert (row["severity"], row["articles"][-1]) == ("HIGH", "国科发火〔2016〕32号 第十一条（六）")
    share = next(e for e in row["evidence"] if e["feature"] == "ht_revenue_share")
    assert share["value"] == "0.599900000000"


def test_rd_domestic_share_below_sixty_percent_is_a_warn(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-rd-domestic-share")
    at_line, below = ws.enterprise(code(161)), ws.enterprise(code(162))
    for u, dom in ((at_line, (20, 20, 20)), (below, (20, 20, D("19.99")))):
        for fy, total, x in zip((2023, 2024, 2025), (30, 30, 40), dom, strict=True):
            ws.rd(u, fy, total, domestic=x)  # window R&D 100: 60 at the line, 59.99 below it
        hte(ws, u)
    out = run(ws, d)
    assert out["by_rule"] == {"warning-rd-domestic-share": 1}
    row = raised(ws)[(below, "warning-rd-domestic-share")]
    assert row["severity"] == "WARN"


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


# --- the full catalogue: every rule at its boundary ------------------------------------------------------------

PLATFORM = {10: ("hte_application", "hte_application_高企认定系统.csv"),
            11: ("hte_annual_report", "hte_annual_report_高企认定系统.csv")}  # fmt: skip


def platform_loads(ws: Workspace, *feeds: str) -> None:
    for load_id, (feed, name) in PLATFORM.items():
        if feed in feeds:
            ws.con.execute(
                "INSERT INTO loads VALUES (?, ?, ?, ?, 'csv', 'utf-8', 'zh', 1, 1, 0, TIMESTAMP '2026-05-01 00:00:00')",
                [load_id, feed, name, f"sha{load_id}"],
            )


def application(ws: Workspace, uscc: str, year: int, submitted: date, status: str = "in_review", line: int = 2) -> None:
    ws.con.execute(
        "INSERT INTO hte_application (uscc, batch_year, submitted_date, status, _load_id, _line) VALUES (?, ?, ?, ?, 10, ?)",
        [uscc, year, submitted, status, line],
    )


def report(ws: Workspace, uscc: str, year: int, submitted: date, line: int = 2) -> None:
    ws.con.execute(
        "INSERT INTO hte_annual_report (uscc, report_year, submitted_date, _load_id, _line) VALUES (?, ?, ?, 11, ?)",
        [uscc, year, submitted, line],
    )


def severities(ws: Workspace, rule: str) -> dict[str, str]:
    return {u: r["severity"] for (u, rid), r in raised(ws).items() if rid == rule}


def test_certificate_expiring_180_and_90_days_without_a_renewal(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-certificate-expiring")
    platform_loads(ws, "hte_application")
    cases = {  # as-of 2026-06-01: +180 days = 2026-11-28, +90 = 2026-08-30
        801: date(2026, 11, 28), 802: date(2026, 11, 29), 803: date(2026, 8, 30), 804: date(2026, 8, 31),
        805: date(2026, 6, 1), 806: date(2026, 9, 1), 807: date(2026, 9, 1), 808: date(2026, 9, 1),
    }  # fmt: skip
    ids = {n: ws.enterprise(code(n)) for n in cases}
    for n, expiry in cases.items():
        hte(ws, ids[n], date(expiry.year - 3, expiry.month, expiry.day) + (date(2024, 1, 2) - date(2024, 1, 1)), expiry)
    application(ws, ids[806], 2026, date(2026, 5, 20))  # renewal in review: no warning
    application(ws, ids[807], 2026, date(2026, 5, 20), status="withdrawn")  # withdrawn: still none
    application(ws, ids[808], 2023, date(2023, 5, 20), status="certified")  # the one that gave this certificate
    run(ws, d)
    got = severities(ws, "warning-certificate-expiring")
    assert got == {ids[801]: "WARN", ids[803]: "HIGH", ids[804]: "WARN", ids[805]: "HIGH", ids[807]: "WARN",
                   ids[808]: "WARN"}  # fmt: skip
    ev = {e["feature"]: e for e in raised(ws)[(ids[801], "warning-certificate-expiring")]["evidence"]}
    assert ev["hte_days_to_expiry"]["value"] == 180 and ev["hte_days_to_expiry"]["unit"] == "天"
    # "no row" is read from the platform's delivered file: its name, no line
    assert ev["hte_renewal_applied"]["value"] is False
    assert (ev["hte_renewal_applied"]["file"], ev["hte_renewal_applied"]["line"]) == (
        "hte_application_高企认定系统.csv", None)  # fmt: skip
    ev = {e["feature"]: e for e in raised(ws)[(ids[807], "warning-certificate-expiring")]["evidence"]}
    assert ev["hte_renewal_applied"]["file"] == "hte_application_高企认定系统.csv"


def test_without_the_application_feed_the_renewal_is_unknown(ws: Workspace, tmp_path: Path) -> None:
    u = ws.enterprise(code(811))
    hte(ws, u, date(2023, 9, 1), date(2026, 8, 31))
    run(ws, rules_dir(tmp_path, "warning-certificate-expiring"))
    assert features(ws, u)["hte_renewal_applied"] is None and features(ws, u)["hte_days_to_expiry"] == 91
    assert raised(ws) == {}


def test_rd_ratio_below_its_tier_by_the_last_years_sales(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-rd-ratio")
    cases = {  # sales (万元), R&D of FY2025 → raised?
        901: ("5000", "250"),  # tier 1 (≤ 5000 inclusive) 5%: exactly 5%, not raised
        902: ("5000", "249.99"),  # 4.9998% < 5%
        903: ("5000.01", "210"),  # tier 2 4%: 4.19999…%, not raised
        904: ("20000", "799.99"),  # tier 2 (2亿 inclusive): 3.99995% < 4%
        905: ("30000", "900"),  # tier 3 3%: exactly, not raised
        906: ("30000", "899.99"),  # 2.99997% < 3%
        907: ("0", "10"),  # no sales: ratio unknown
    }
    ids = {n: ws.enterprise(code(n)) for n in cases}
    for n, (sales, rd) in cases.items():
        ws.finance(ids[n], 2025, D(sales))
        ws.rd(ids[n], 2025, D(rd))
        hte(ws, ids[n])
    run(ws, d)
    assert severities(ws, "warning-rd-ratio") == {ids[902]: "HIGH", ids[904]: "HIGH", ids[906]: "HIGH"}
    ev = {e["feature"]: e for e in raised(ws)[(ids[902], "warning-rd-ratio")]["evidence"]}
    assert ev["rd_ratio_last_year"]["value"] == "0.049998000000"
    assert [s["feed"] for s in ev["rd_ratio_last_year"]["sources"]] == ["rd", "finance"]
    assert ev["sales_revenue_last_year"]["value"] == "5000.0000" and ev["sales_revenue_last_year"]["file"] == (
        "finance_税务局_2026.csv")  # fmt: skip


def test_revenue_decline_over_30_percent(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-revenue-decline")
    cases = {1001: ("100", "70"), 1002: ("100", "69.99"), 1003: ("0", "50"), 1004: ("100", None)}
    ids = {n: ws.enterprise(code(n)) for n in cases}
    for n, (prior, last) in cases.items():
        ws.finance(ids[n], 2024, D(prior), line=40 + n % 10)
        if last is not None:
            ws.finance(ids[n], 2025, D(last))
        hte(ws, ids[n])
    run(ws, d)
    # 30% exactly is no warning; 30.01% is; a prior year of 0 or a missing year is unknown
    assert severities(ws, "warning-revenue-decline") == {ids[1002]: "WARN"}
    (ev,) = [e for e in raised(ws)[(ids[1002], "warning-revenue-decline")]["evidence"]
             if e["feature"] == "sales_revenue_decline_share"]  # fmt: skip
    assert ev["value"] == "0.300100000000"
    assert [(s["feed"], s["line"]) for s in ev["sources"]][1] == ("finance", 42)


def test_staff_decline_since_the_previous_snapshot(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-staff-decline")
    ids = {n: ws.enterprise(code(n)) for n in (1101, 1102)}
    for u in ids.values():
        ws.insured(u, date(2026, 2, 1), 100)
        hte(ws, u)
    prev = previous_snapshot(ws, date(2026, 3, 1), tmp_path / "snapshot-1.duckdb")
    ws.insured(ids[1101], date(2026, 5, 1), 70)  # 30% exactly: no warning
    ws.insured(ids[1102], date(2026, 5, 1), 69)  # 31%
    run(ws, d)  # no previous snapshot: the change is unknown
    assert severities(ws, "warning-staff-decline") == {}
    run(ws, d, previous=prev)
    assert severities(ws, "warning-staff-decline") == {ids[1102]: "WARN"}
    ev = {e["feature"]: e for e in raised(ws)[(ids[1102], "warning-staff-decline")]["evidence"]}
    share = ev["insured_count_decline_share"]
    assert share["value"] == "0.310000000000"
    assert [(s["feed"], s["file"], s["previous"]) for s in share["sources"]] == [
        ("social_insurance", "social_insurance_人社局_2026.csv", False),
        ("social_insurance", "social_insurance_人社局_2026.csv", True),
    ]


def test_annual_report_missing_after_31_may(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-annual-report-missing")
    platform_loads(ws, "hte_annual_report")
    held, reported, lapsed, late = (ws.enterprise(code(n)) for n in (1201, 1202, 1203, 1204))
    hte(ws, held, date(2022, 11, 1), date(2025, 10, 31))  # valid during 2025, expired since
    hte(ws, reported)
    report(ws, reported, 2025, date(2026, 5, 30))
    hte(ws, lapsed, date(2021, 11, 1), date(2024, 10, 31))  # not held in 2025
    hte(ws, late)
    report(ws, late, 2025, date(2026, 6, 2))  # after the as-of date: not yet seen
    report(ws, late, 2024, date(2025, 5, 2))  # another year's report does not count
    run(ws, d, date(2026, 5, 31))
    assert severities(ws, "warning-annual-report-missing") == {}
    run(ws, d, date(2026, 6, 1))
    assert severities(ws, "warning-annual-report-missing") == {held: "HIGH", late: "HIGH"}
    ev = {e["feature"]: e for e in raised(ws)[(held, "warning-annual-report-missing")]["evidence"]}
    assert ev["as_of_month_day"]["value"] == 601
    assert ev["hte_held_last_year"]["file"] == "certificate_高企认定系统.csv"
    assert ev["annual_report_last_year_submitted"]["file"] == "hte_annual_report_高企认定系统.csv"


def test_annual_report_feed_never_delivered_is_unknown(ws: Workspace, tmp_path: Path) -> None:
    u = ws.enterprise(code(1211))
    hte(ws, u)
    run(ws, rules_dir(tmp_path, "warning-annual-report-missing"))
    assert features(ws, u)["annual_report_last_year_submitted"] is None and raised(ws) == {}


def test_credit_events_dishonesty_critical_tax_and_penalty_high(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-credit-dishonesty", "warning-credit-serious")
    listed, removed, tax_365, tax_366, penalty, not_hte = (ws.enterprise(code(n)) for n in range(1301, 1307))
    for u in (listed, removed, tax_365, tax_366, penalty):
        hte(ws, u)
    ws.credit(listed, "serious_dishonesty", date(2020, 1, 1))  # listed years ago, still in force
    ws.credit(removed, "serious_dishonesty", date(2025, 1, 1), removed=date(2026, 6, 1))  # removed on the as-of date
    ws.credit(tax_365, "major_tax_violation", date(2025, 6, 1))  # as_of − 365 days: counted
    ws.credit(tax_366, "major_tax_violation", date(2025, 5, 31))  # as_of − 366 days: not
    ws.credit(penalty, "administrative_penalty", date(2026, 6, 1))
    ws.credit(not_hte, "serious_dishonesty", date(2026, 1, 1))
    run(ws, d)
    assert severities(ws, "warning-credit-dishonesty") == {listed: "CRITICAL"}
    assert severities(ws, "warning-credit-serious") == {tax_365: "HIGH", penalty: "HIGH"}
    ev = {e["feature"]: e for e in raised(ws)[(listed, "warning-credit-dishonesty")]["evidence"]}
    assert ev["serious_dishonesty_listed"]["value"] == 1
    assert ev["serious_dishonesty_listed"]["file"] == "credit_信用中心_2026.csv"
    ev = {e["feature"]: e for e in raised(ws)[(tax_365, "warning-credit-serious")]["evidence"]}
    assert (ev["credit_major_tax_violation_365d"]["value"], ev["credit_administrative_penalty_365d"]["value"]) == (1, 0)


def test_relocation_moved_out_district_and_tax_district(ws: Workspace, tmp_path: Path) -> None:
    d = rules_dir(tmp_path, "warning-relocation-moved-out", "warning-relocation-district",
                  "warning-relocation-tax-district")  # fmt: skip
    out, moved, taxed, same, no_tax = (ws.enterprise(code(n)) for n in range(1401, 1406))
    ws.con.execute("UPDATE enterprise SET status = '迁出' WHERE uscc = ?", [out])
    for u in (out, moved, taxed, same, no_tax):
        hte(ws, u)
    for u, (a, b) in {taxed: ("110108", "110105"), same: ("110108", "110108"), no_tax: ("110108", None)}.items():
        ws.finance(u, 2024, D(100))
        ws.finance(u, 2025, D(100))
        ws.con.execute("UPDATE finance SET tax_district_code = ? WHERE uscc = ? AND fiscal_year = 2024", [a, u])
        ws.con.execute("UPDATE finance SET tax_district_code = ? WHERE uscc = ? AND fiscal_year = 2025", [b, u])
    prev = previous_snapshot(ws, date(2026, 3, 1), tmp_path / "snapshot-1.duckdb")
    ws.con.execute("UPDATE enterprise SET district_code = '110105' WHERE uscc = ?", [moved])
    run(ws, d, previous=prev)
    got = {(u, rid) for (u, rid) in raised(ws)}
    assert got == {(out, "warning-relocation-moved-out"), (moved, "warning-relocation-district"),
                   (taxed, "warning-relocation-tax-district")}  # fmt: skip
    ev = {e["feature"]: e for e in raised(ws)[(moved, "warning-relocation-district")]["evidence"]}
    assert [(s["file"], s["previous"]) for s in ev["district_changed"]["sources"]] == [
        ("registration_市场监管局_2026.csv", False), ("registration_市场监管局_2026.csv", True)]  # fmt: skip
    f = features(ws, taxed)
    assert (f["tax_district_code_prior_year"], f["tax_district_code_last_year"], f["tax_district_changed"]) == (
        "110108", "110105", True)  # fmt: skip
    assert features(ws, no_tax)["tax_district_changed"] is None


def test_every_shipped_warning_rule_runs_on_one_population(ws: Workspace, tmp_path: Path) -> None:
    platform_loads(ws, "hte_application", "hte_annual_report")
    u = ws.enterprise(code(1501))
    hte(ws, u)
    out = run(ws, POLICY_DIR)
    assert len(out["rules"]) == len(load_warning_rules(POLICY_DIR)) >= 11
    assert set(out["by_rule"]) == {p.id for p in load_warning_rules(POLICY_DIR)}


def test_docs_list_the_warning_features() -> None:
    from gaoqi.engine.warning_rules import features_markdown

    text = (ROOT / "docs" / "features.md").read_text(encoding="utf-8")
    assert features_markdown() in text, "docs/features.md: paste warning_rules.features_markdown() into it"
