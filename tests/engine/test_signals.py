"""Review signals (审查提示信号, ADR 0035): each signal's boundary, missing data raising nothing, evidence with
feed, file and line. The workspace is built the real way: CSV files ingested, then resolved."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from gaoqi.engine import REVIEW_SIGNAL_KINDS, ReviewSignal, SignalParams, Workspace, load_signal_params
from gaoqi.engine.signals import SignalParamsError, jaccard, near_duplicate_pairs, review_signals, shingles
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


def ip_row(
    n: str, i: int, acquired: date | None, transferor: str | None, acquisition: str = "transfer"
) -> list[object]:
    return [n, "invention_patent", f"北京测试{i:03d}号科技有限公司", uscc(i), "2020-01-01", "valid", acquisition,
            None if acquired is None else acquired.isoformat(), transferor]  # fmt: skip


def test_transferor_many_needs_k_applicants_by_normalised_name(tmp_path: Path) -> None:
    old = SUBMITTED - timedelta(days=800)
    ip = [
        # the agency in two spellings (the normaliser makes them one) feeding applicants 1, 2, 3 → raised (K = 3)
        ip_row("ZL11", 1, old, "北京智汇知识产权运营有限公司"),
        ip_row("ZL12", 1, old, "北京智汇知识产权运营有限公司"),
        ip_row("ZL21", 2, old, "智汇知识产权运营（北京）有限公司"),
        ip_row("ZL31", 3, old, "北京智汇知识产权运营有限公司"),
        # another feeding 4 and 5 only (K − 1) → not raised; 6 is not an applicant
        ip_row("ZL41", 4, old, "某某大学"),
        ip_row("ZL51", 5, old, "某某大学"),
        ip_row("ZL61", 6, old, "某某大学"),
        # own R&D naming a transferor never counts
        ip_row("ZL71", 7, old, "某某大学", acquisition="original"),
    ]
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(7)),
        "ip_2026.csv": (IP_HEADER, ip),
        "hte_application_高企认定系统.csv": (APP_HEADER, [r for r in apps(7)[1] if r[0] != uscc(6)]),
    })  # fmt: skip
    with ws:
        got = kinds(ws.review_signals(AS_OF), "transferor_many")
    assert set(got) == {uscc(1), uscc(2), uscc(3)}
    s = got[uscc(1)]
    assert s.related_usccs == (uscc(2), uscc(3))
    assert s.summary == "转让人“北京智汇知识产权运营有限公司”向本批次3家申请企业转让知识产权，本企业受让2件"
    count, first, second = s.evidence
    assert (count.value, count.feed, count.line) == ("3", None, None)
    assert (first.feed, first.file_name, first.line) == ("ip", "ip_2026.csv", 2)
    assert second.line == 3
    assert got[uscc(2)].related_usccs == (uscc(1), uscc(3))


def test_transferor_threshold_is_the_parameter(tmp_path: Path, params: SignalParams) -> None:
    old = SUBMITTED - timedelta(days=800)
    ip = [ip_row(f"ZL{i}", i, old, "某某大学") for i in (1, 2)]
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(2)),
        "ip_2026.csv": (IP_HEADER, ip),
        "hte_application_高企认定系统.csv": apps(2),
    })  # fmt: skip
    with ws:
        con = ws._con
        assert not review_signals(con, AS_OF, params=params, kinds=["transferor_many"])
        two = replace(params, transferor_min_applicants=2)
        assert {s.uscc for s in review_signals(con, AS_OF, params=two, kinds=["transferor_many"])} == {uscc(1), uscc(2)}


FIN_HEADER = ["uscc", "fiscal_year", "sales_revenue", "rd_deduction_base"]
RD_HEADER = ["uscc", "fiscal_year", "rd_expense"]


def test_rd_vs_deduction_boundary_zero_base_and_missing_data(tmp_path: Path) -> None:
    rd = [
        [uscc(1), 2025, "131.00"],  # 31 % above 100 → raised
        [uscc(2), 2025, "130.00"],  # exactly 30 % → not
        [uscc(3), 2025, "50.00"],  # base 0 while R&D > 0 → raised
        [uscc(4), 2025, "500.00"],  # no base → nothing
        [uscc(5), 2025, None],  # no R&D expense → nothing
        [uscc(6), 2025, "0.00"],  # 0 and 0 → nothing
        [uscc(7), 2024, "900.00"],  # not the last fiscal year
    ]
    fin = [
        [uscc(1), 2025, 1000, "100.00"], [uscc(2), 2025, 1000, "100.00"], [uscc(3), 2025, 1000, "0"],
        [uscc(4), 2025, 1000, None], [uscc(5), 2025, 1000, "10"], [uscc(6), 2025, 1000, "0"],
        [uscc(7), 2024, 1000, "1"],
    ]  # fmt: skip
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(7)),
        "rd_2025.csv": (RD_HEADER, rd),
        "finance_2025.csv": (FIN_HEADER, fin),
        "hte_application_高企认定系统.csv": apps(7),
    })  # fmt: skip
    with ws:
        got = kinds(ws.review_signals(AS_OF), "rd_vs_deduction")
    assert set(got) == {uscc(1), uscc(3)}
    assert got[uscc(1)].summary == "2025年申报研究开发费用131万元，比加计扣除归集额100万元高出31%"
    assert got[uscc(3)].summary == "2025年申报研究开发费用50万元，而当年研发费用加计扣除归集额为0"
    rd_ev, base_ev, limit = got[uscc(1)].evidence
    assert (rd_ev.feed, rd_ev.file_name, rd_ev.line, rd_ev.value) == ("rd", "rd_2025.csv", 2, "131")
    assert (base_ev.feed, base_ev.file_name, base_ev.line, base_ev.value) == ("finance", "finance_2025.csv", 2, "100")
    assert (limit.value, limit.feed) == ("30%", None)


def test_shared_contact_address_phone_and_agent(tmp_path: Path) -> None:
    # five applicants at one address written three ways; four sharing a phone (K − 1); five sharing an agency
    # in two spellings; enterprise 6 (not an applicant) shares the phone too
    addr = {i: "北京市海淀区中关村大街1号创业大厦5层01室" for i in (1, 3, 5)}
    addr |= {2: "海淀区中关村大街1号 创业大厦5层01室", 4: "北京海淀区中关村大街1号创业大厦5层01室"}
    phone = {i: "010-82345678" for i in (1, 2, 3)} | {4: "01082345678", 6: "01082345678"}
    agent = {i: "北京华信企业管理咨询有限公司" for i in (1, 2, 3)} | {
        i: "华信（北京）企业管理咨询有限公司" for i in (4, 5)
    }
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(6, addr, phone)),
        "hte_application_高企认定系统.csv": (APP_HEADER, [r for r in apps(5, agent)[1]]),
    })  # fmt: skip
    with ws:
        signals = [s for s in ws.review_signals(AS_OF) if s.kind == "shared_contact"]
    by_what = {(s.uscc, s.evidence[0].label) for s in signals}
    assert by_what == {(uscc(i), w) for i in range(1, 6) for w in ("共用地址", "共用申报代理机构")}
    s = next(s for s in signals if s.uscc == uscc(2) and s.evidence[0].label == "共用地址")
    assert s.related_usccs == (uscc(1), uscc(3), uscc(4), uscc(5))
    assert s.summary == "本批次5家申请企业共用同一注册地址“海淀区中关村大街1号 创业大厦5层01室”"
    assert (s.evidence[0].feed, s.evidence[0].file_name, s.evidence[0].line) == (
        "registration", "registration_2026.csv", 3)  # fmt: skip
    a = next(s for s in signals if s.uscc == uscc(5) and s.evidence[0].label == "共用申报代理机构")
    assert (a.evidence[0].feed, a.evidence[0].line, a.evidence[0].value) == (
        "hte_application", 6, "华信（北京）企业管理咨询有限公司")  # fmt: skip


PROJ_HEADER = ["uscc", "batch_year", "project_code", "project_text"]
BASE_TEXT = (
    "本项目针对工业互联网平台中设备故障难以预测的问题，研究边缘计算与知识图谱技术，采用云边协同的分布式计算方法，"
    "开发预测性维护系统与可视化分析工具，实现故障预警提前七十二小时，主要创新点在于构建了行业专用知识库。"
)


def edited(text: str, n: int) -> str:
    """``text`` with its characters at n places (spread out) replaced."""
    chars = list(text)
    for k in range(n):
        chars[5 + k * 11] = "乙"
    return "".join(chars)


def test_near_duplicate_jaccard_just_under_and_over() -> None:
    a, b = BASE_TEXT, edited(BASE_TEXT, 3)
    sim = jaccard(shingles(a, 3), shingles(b, 3))
    assert 0.8 < sim < 1
    texts = [("A", a), ("B", b), ("A", b)]  # the same owner's copy never pairs
    pairs = near_duplicate_pairs(texts, threshold=sim, k=3, num_perm=128)
    assert pairs == [(0, 1, sim), (1, 2, 1.0)]  # (0, 2): one owner
    assert near_duplicate_pairs(texts, threshold=sim + 1e-9, k=3, num_perm=128) == [(1, 2, 1.0)]


def test_shingles_ignore_spaces_punctuation_and_width() -> None:
    assert (
        shingles("研发 项目，ＡＢ", 2) == shingles("研发项目ab", 2) == frozenset({"研发", "发项", "项目", "目a", "ab"})
    )
    assert shingles("", 3) == frozenset() and shingles("短", 3) == frozenset({"短"})


def test_rd_near_duplicate_across_applicants_with_evidence(tmp_path: Path) -> None:
    many = edited(BASE_TEXT, 9)  # well below 0.8
    projects = [
        [uscc(1), 2026, "RD01", BASE_TEXT],
        [uscc(1), 2026, "RD02", BASE_TEXT],  # the applicant's own second copy: never a signal by itself
        [uscc(2), 2026, "RD01", edited(BASE_TEXT, 2)],
        [uscc(3), 2026, "RD01", many],
        [uscc(4), 2026, "RD01", BASE_TEXT],  # not an applicant of the batch (withdrawn)
    ]
    assert jaccard(shingles(BASE_TEXT, 3), shingles(many, 3)) < 0.8
    rows = apps(4)[1]
    rows[3][3] = "withdrawn"
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(4)),
        "hte_application_高企认定系统.csv": (APP_HEADER, rows),
        "hte_rd_project_高企认定系统.csv": (PROJ_HEADER, projects),
    })  # fmt: skip
    with ws:
        got = kinds(ws.review_signals(AS_OF), "rd_near_duplicate")
    assert set(got) == {uscc(1), uscc(2)}
    s = got[uscc(2)]
    assert s.related_usccs == (uscc(1),)
    assert s.summary.startswith("研发项目RD01与1家其他申请企业的项目文本高度相似（字符片段相似度最高0.")
    mine, theirs = s.evidence[:2]
    assert (mine.feed, mine.file_name, mine.line) == ("hte_rd_project", "hte_rd_project_高企认定系统.csv", 4)
    assert theirs.line in (2, 3) and theirs.value.startswith(uscc(1))
    assert len(got[uscc(1)].evidence) == 4  # both of its projects match applicant 2's


def test_missing_feeds_raise_nothing(tmp_path: Path) -> None:
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(5, {i: "同一地址1号" for i in range(1, 6)})),
        "hte_application_高企认定系统.csv": apps(5),
    })  # fmt: skip
    with ws:
        signals = ws.review_signals(AS_OF)
    assert {s.kind for s in signals} == {"shared_contact"}  # every other feed was never delivered
    assert ws.review_signals(AS_OF, batch_year=2025) == []


def test_the_parameters_are_checked(tmp_path: Path) -> None:
    text = Path(load_signal_params().file).read_text(encoding="utf-8")
    bad = tmp_path / "signals.yaml"
    bad.write_text(text.replace("window_days: {value: 365", "window_days: {value: -1"), encoding="utf-8")
    with pytest.raises(SignalParamsError, match="window_days: a whole number"):
        load_signal_params(bad)
    bad.write_text(text.replace("  shared_contact:", "  shared_contacts:"), encoding="utf-8")
    with pytest.raises(SignalParamsError, match=r"unknown signals \['shared_contacts'\], missing \['shared_contact'\]"):
        load_signal_params(bad)
    short = tmp_path / "short.yaml"
    short.write_text(text.replace("window_days: {value: 365", "window_days: {value: 30"), encoding="utf-8")
    assert load_signal_params(short).ip_transfer_window_days == 30


def test_the_window_is_the_parameter(tmp_path: Path) -> None:
    text = Path(load_signal_params().file).read_text(encoding="utf-8")
    short = tmp_path / "short.yaml"
    short.write_text(text.replace("window_days: {value: 365", "window_days: {value: 30"), encoding="utf-8")
    ip = [
        ip_row("ZL1", 1, SUBMITTED - timedelta(days=30), None),
        ip_row("ZL2", 2, SUBMITTED - timedelta(days=31), None),
    ]
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(2)),
        "ip_2026.csv": (IP_HEADER, ip),
        "hte_application_高企认定系统.csv": apps(2),
    })  # fmt: skip
    with ws:
        assert {s.uscc for s in ws.review_signals(AS_OF, params=short)} == {uscc(1)}
        assert {s.uscc for s in ws.review_signals(AS_OF)} == {uscc(1), uscc(2)}


def test_a_snapshot_without_the_new_columns_read_only(tmp_path: Path) -> None:
    """A snapshot built before the optional columns existed (current views without them), opened read only: the
    signals that need them raise nothing, the others work."""
    agent = {i: "北京华信企业管理咨询有限公司" for i in range(1, 6)}
    ws = build(tmp_path, {
        "registration_2026.csv": (REG_HEADER, registration(5, {i: "同一地址1号" for i in range(1, 6)})),
        "ip_2026.csv": (IP_HEADER, [ip_row(f"ZL{i}", i, SUBMITTED - timedelta(days=800), "某某大学") for i in (1, 2, 3)]),
        "finance_2025.csv": (FIN_HEADER, [[uscc(1), 2025, 1000, "0"]]),
        "rd_2025.csv": (RD_HEADER, [[uscc(1), 2025, "50.00"]]),
        "hte_application_高企认定系统.csv": apps(5, agent),
    })  # fmt: skip
    with ws:
        before = {(s.kind, s.evidence[0].label if s.kind == "shared_contact" else "") for s in ws.review_signals(AS_OF)}
        assert before == {("transferor_many", ""), ("rd_vs_deduction", ""), ("shared_contact", "共用地址"),
                          ("shared_contact", "共用申报代理机构")}  # fmt: skip
        for table, column in (("hte_application_cur", "agent_name"), ("ip_cur", "transferor_name"),
                              ("finance_cur", "rd_deduction_base")):  # fmt: skip
            for (index,) in ws._con.execute(
                "SELECT index_name FROM duckdb_indexes() WHERE table_name = ?", [table]
            ).fetchall():
                ws._con.execute(f"DROP INDEX {index}")
            ws._con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        ws.checkpoint()
    with Workspace.open(tmp_path / "home" / "gaoqi.duckdb", read_only=True) as snap:
        after = snap.review_signals(AS_OF)
    assert {(s.kind, s.evidence[0].label) for s in after} == {("shared_contact", "共用地址")}
