"""Review signals (审查提示信号, ADR 0035): each signal's boundary, missing data raising nothing, evidence with
feed, file and line. The workspace is built the real way: CSV files ingested, then resolved."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from gaoqi.engine import REVIEW_SIGNAL_KINDS, ReviewSignal, SignalParams, Workspace, load_signal_params
from gaoqi.engine.uscc import check_character

AS_OF = date(2026, 6, 1)
SUBMITTED = date(2026, 5, 20)


def uscc(i: int) -> str:
    body = f"91110108{i:09d}"
    return body + check_character(body)


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def registration(
    n: int, address: dict[int, str] | None = None, phone: dict[int, str] | None = None
) -> list[list[object]]:
    address, phone = address or {}, phone or {}
    return [
        [uscc(i), f"北京测试{i:03d}号科技有限公司", "2015-01-01", "110108", address.get(i, f"北京市海淀区测试路{i}号"),
         phone.get(i, f"010-6{i:07d}"), "存续"]
        for i in range(1, n + 1)
    ]  # fmt: skip


REG_HEADER = ["uscc", "name", "established_date", "district_code", "address", "phone", "status"]
IP_HEADER = ["ip_number", "ip_type", "holder_name", "holder_uscc", "grant_date", "status", "acquisition",
             "acquired_date", "transferor_name"]  # fmt: skip
APP_HEADER = ["uscc", "batch_year", "submitted_date", "status", "agent_name"]


def build(tmp_path: Path, files: dict[str, tuple[list[str], list[list[object]]]]) -> Workspace:
    deliver = tmp_path / "in"
    deliver.mkdir()
    for name, (header, rows) in files.items():
        write(deliver / name, header, rows)
    ws = Workspace.open(tmp_path / "home")
    summary = ws.ingest(deliver)
    assert all(f.error is None and not f.refused and f.rows_quarantined == 0 for f in summary.files), summary.files
    ws.resolve()
    return ws


def apps(n: int, agent: dict[int, str] | None = None) -> tuple[list[str], list[list[object]]]:
    agent = agent or {}
    return APP_HEADER, [[uscc(i), 2026, SUBMITTED.isoformat(), "in_review", agent.get(i)] for i in range(1, n + 1)]


def kinds(signals: list[ReviewSignal], kind: str) -> dict[str, ReviewSignal]:
    return {s.uscc: s for s in signals if s.kind == kind}


@pytest.fixture(scope="module")
def params() -> SignalParams:
    return load_signal_params()


def test_the_parameters_file_declares_every_kind_unconfirmed(params: SignalParams) -> None:
    assert set(params.signals) == set(REVIEW_SIGNAL_KINDS)
    for spec in params.signals.values():
        assert spec.articles and spec.unconfirmed == frozenset(spec.parameters)
    assert params.ip_transfer_window_days == 365 and params.transferor_min_applicants == 3
    assert params.rd_jaccard_min == 0.8 and params.rd_max_excess_share == Decimal("0.30")
    assert params.shared_min_applicants == 5


def test_ip_transfer_window_boundary_and_evidence(tmp_path: Path) -> None:
    ip = [
        # 1: 365 days before → raised; 2: 366 days → not; 3: 10 days but invalid → not counted, not raised;
        # 4: 10 days, a trademark → not counted; 5: own R&D → never
        ["ZL1", "invention_patent", "北京测试001号科技有限公司", uscc(1), "2020-01-01", "valid", "transfer",
         (SUBMITTED - timedelta(days=365)).isoformat(), "某某大学"],
        ["ZL2", "invention_patent", "北京测试002号科技有限公司", uscc(2), "2020-01-01", "valid", "transfer",
         (SUBMITTED - timedelta(days=366)).isoformat(), "某某大学"],
        ["ZL3", "invention_patent", "北京测试003号科技有限公司", uscc(3), "2020-01-01", "invalid", "transfer",
         (SUBMITTED - timedelta(days=10)).isoformat(), "某某大学"],
        ["TM4", "trademark", "北京测试004号科技有限公司", uscc(4), "2020-01-01", "valid", "transfer",
         (SUBMITTED - timedelta(days=10)).isoformat(), "某某大学"],
        ["ZL5", "utility_model", "北京测试005号科技有限公司", uscc(5), "2020-01-01", "valid", "original", None, None],
    ]  # fmt: skip
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(5)),
        "ip_2026.csv": (IP_HEADER, ip),
        "hte_application_高企认定系统.csv": apps(5),
    })  # fmt: skip
    with ws:
        got = kinds(ws.review_signals(AS_OF), "ip_transfer_recent")
    assert set(got) == {uscc(1)}
    s = got[uscc(1)]
    assert s.batch_year == 2026 and s.related_usccs == ()
    assert s.summary == "申请前365天内受让知识产权1件（发明专利1件）并计入知识产权"
    sub, rec = s.evidence
    assert (sub.label, sub.value, sub.feed, sub.file_name, sub.line) == (
        "申请提交日期",
        "2026-05-20",
        "hte_application",
        "hte_application_高企认定系统.csv",
        2,
    )
    assert (rec.feed, rec.file_name, rec.line) == ("ip", "ip_2026.csv", 2)
    assert rec.value.startswith("2025-05-20（发明专利 ZL1，申请前365天")


def test_st_staff_above_insured_boundary_and_missing_data(tmp_path: Path) -> None:
    rd = [
        [uscc(1), 2025, 30, 21],  # 21 > 20 insured → raised
        [uscc(2), 2025, 30, 20],  # 20 = 20 → not
        [uscc(3), 2025, 30, 25],  # no social insurance rows → nothing
        [uscc(4), 2025, 30, None],  # no S&T staff figure → nothing
        [uscc(5), 2024, 30, 99],  # another year → nothing
    ]
    si = [[uscc(i), f"2025-{m:02d}", 20 if m == 7 else 12] for i in (1, 2, 4, 5) for m in (1, 7, 12)]
    si += [[uscc(1), "2026-01", 40]]  # not the fiscal year
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(5)),
        "rd_2025.csv": (["uscc", "fiscal_year", "staff_count", "st_staff_count"], rd),
        "social_insurance_2025.csv": (["uscc", "period", "insured_count"], si),
        "hte_application_高企认定系统.csv": apps(5),
    })  # fmt: skip
    with ws:
        got = kinds(ws.review_signals(AS_OF), "st_staff_above_insured")
    assert set(got) == {uscc(1)}
    s = got[uscc(1)]
    assert s.summary == "2025年科技人员21人，超过当年最高参保人数20人（多1人）"
    st, ins = s.evidence
    assert (st.feed, st.file_name, st.line, st.value) == ("rd", "rd_2025.csv", 2, "21")
    assert (ins.feed, ins.file_name, ins.value, ins.label) == (
        "social_insurance",
        "social_insurance_2025.csv",
        "20",
        "2025年最高参保人数（2025-07）",
    )
    assert ins.line == 3


def test_no_application_no_signal(tmp_path: Path) -> None:
    rd = [[uscc(1), 2025, 30, 21]]
    si = [[uscc(1), "2025-07", 5]]
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(2)),
        "rd_2025.csv": (["uscc", "fiscal_year", "staff_count", "st_staff_count"], rd),
        "social_insurance_2025.csv": (["uscc", "period", "insured_count"], si),
        "hte_application_高企认定系统.csv": (APP_HEADER, [[uscc(1), 2026, "2026-05-20", "withdrawn", None],
                                                          [uscc(2), 2026, "2026-06-02", "in_review", None]]),
    })  # fmt: skip
    with ws:
        assert ws.review_signals(AS_OF) == []
        assert {s.uscc for s in ws.review_signals(date(2026, 6, 2))} == set()  # uscc(2) has no rd/si data
