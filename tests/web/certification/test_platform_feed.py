"""The platform as a department feed (ADR 0011): certificates it issues, revokes and renames reach the next
published snapshot (profile, directory, dashboard, policies) through the engine's normal ingest, with the
source 高企认定系统 in their provenance; renames are on the public 公示 page and found by the directory search."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from gaoqi.web.certification import services as sv
from tests.web.certification.conftest import PILOT_DECLARATIONS, draft
from tests.web.conftest import login

# the platform's delivery (feed.py), spelt out: the source a person reads in every provenance
CERTIFICATE_FILE, NAME_CHANGE_FILE = "certificate_高企认定系统.csv", "name_change_高企认定系统.csv"
APPLICATION_FILE, ANNUAL_REPORT_FILE = "hte_application_高企认定系统.csv", "hte_annual_report_高企认定系统.csv"
RD_PROJECT_FILE = "hte_rd_project_高企认定系统.csv"


@pytest.fixture()
def candidate(snapshot: Any) -> str:
    """A certifiable enterprise (only expert items outstanding) holding no HTE certificate yet, so that the
    platform's certificate is what makes it one."""
    from gaoqi.web.enterprises.models import PolicyResult

    rows = PolicyResult.objects.filter(
        snapshot=snapshot, policy_id="hte-certification", status="unknown", failed_count=0, enterprise__has_hte=False
    ).select_related("enterprise")
    ok = sorted(r.enterprise.uscc for r in rows if all(u.startswith("pending:") for u in r.unknown_features))
    assert ok, "the synthetic population has a certifiable enterprise without a certificate"
    return ok[0]


def _publish(as_of: dt.date) -> Any:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    snap = snapshot_run(Snapshot.objects.create(as_of=as_of).pk)
    assert snap.status == Snapshot.PUBLISHED, snap.message
    return snap


def _certify(p: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """报备即批准, the shortest route to a certificate: declare the commitment, file."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Certificate

    monkeypatch.setitem(process_config().pilot, "post_check_share", 0.0)
    app = draft(p)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    app = sv.application_transition(p["enterprise"], app, "file")
    return Certificate.objects.get(application=app)


def _result(snap: Any, uscc: str, policy: str) -> Any:
    from gaoqi.web.enterprises.models import PolicyResult

    return PolicyResult.objects.get(snapshot=snap, enterprise__uscc=uscc, policy_id=policy)


def _hte_total(user: Any) -> int:
    from gaoqi.web.dashboard.selectors import dashboard_figures

    return int(dashboard_figures(user)["totals"]["hte"])


def _hte_field(page: str) -> str:
    found = re.search(r"<dt>高新技术企业</dt><dd>(.*?)</dd>", page)
    assert found, "the profile shows the HTE line"
    return found.group(1)


@pytest.mark.django_db
def test_certificates_issued_and_revoked_by_the_platform_reach_the_next_snapshot(
    people: dict[str, Any], clock: dict[str, dt.date], snapshot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    p = people
    uscc = p["enterprise"].uscc
    muni = p["municipal"]
    clock["day"] = snapshot.as_of  # certified on the snapshot's date: every snapshot below is of that date
    first = snapshot
    assert Enterprise.objects.get(uscc=uscc).has_hte is False
    before_total = _hte_total(muni)
    assert _hte_field(login(muni).get(f"/enterprises/{uscc}/").content.decode()) == "否"
    rd_before = _result(first, uscc, "rd-super-deduction").benefit_amount
    assert "holds_hte_certificate" in _result(first, uscc, "dongcheng-hte-reward").failed_conditions
    assert _hte_total(muni) == before_total

    cert = _certify(p, monkeypatch)
    assert cert.issue_date == clock["day"]
    snap = _publish(clock["day"])

    ent = Enterprise.objects.get(uscc=uscc)
    assert (ent.has_hte, ent.hte_expiry_date, ent.tech_field) == (True, cert.expiry_date, "electronic_information")
    c = login(muni)
    page = c.get(f"/enterprises/{uscc}/").content.decode()
    assert _hte_field(page).startswith(f"有效，至 {cert.expiry_date:%Y}")
    # the certificate's row on the profile says where it came from: the platform's file, line 2
    assert cert.number in page and f"{CERTIFICATE_FILE} 第2行" in page and "高企认定系统" in page
    listing = c.get("/enterprises/", {"q": uscc, "hte": "yes"}).content.decode()
    assert f'href="/enterprises/{uscc}/"' in listing and "✓" in listing
    assert _hte_total(muni) == before_total + 1
    assert "holds_hte_certificate" not in _result(snap, uscc, "dongcheng-hte-reward").failed_conditions
    # the super deduction is reckoned at the HTE tax rate now (15% instead of 25%)
    rd_after = _result(snap, uscc, "rd-super-deduction").benefit_amount
    assert rd_before is not None and rd_after is not None
    assert rd_after == pytest.approx(rd_before * Decimal("0.15") / Decimal("0.25"))
    con = duckdb.connect(snap.duckdb_path, read_only=True)
    try:
        row = con.execute(
            "SELECT l.file_name, c._line, c.status, p.hte_certificate_number FROM certificate_cur c "
            "JOIN loads l ON l.load_id = c._load_id JOIN profile p ON p.uscc = c.uscc WHERE c.uscc = ? AND c.number = ?",
            [uscc, cert.number],
        ).fetchall()
        loads = con.execute("SELECT count(*) FROM loads").fetchall()[0][0]
    finally:
        con.close()
    assert row == [(CERTIFICATE_FILE, 2, "valid", cert.number)]

    # nothing changed: the same bytes are skipped, no new delivery
    again = _publish(clock["day"])
    con = duckdb.connect(again.duckdb_path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == loads
    finally:
        con.close()

    sv.application_revoke(muni, cert.application, reason="falsification", detail="研发项目材料伪造")
    revoked = _publish(clock["day"])
    ent = Enterprise.objects.get(uscc=uscc)
    assert ent.has_hte is False
    assert _hte_field(c.get(f"/enterprises/{uscc}/").content.decode()) == "否"
    assert f'href="/enterprises/{uscc}/"' not in c.get("/enterprises/", {"q": uscc, "hte": "yes"}).content.decode()
    assert _hte_total(muni) == before_total
    assert "holds_hte_certificate" in _result(revoked, uscc, "dongcheng-hte-reward").failed_conditions
    assert _result(revoked, uscc, "rd-super-deduction").benefit_amount == rd_before


@pytest.mark.django_db
def test_a_rename_is_published_replaces_the_certificate_once_and_is_found_by_its_new_name(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import Client

    from gaoqi.web.enterprises.models import Enterprise

    p = people
    uscc = p["enterprise"].uscc
    old_name = Enterprise.objects.get(uscc=uscc).name
    new_name = "北京更名后智能识别科技有限公司"
    cert = _certify(p, monkeypatch)
    nc = sv.name_change_request(p["enterprise"], cert, new_name=new_name)
    assert nc.publicity_start is not None and nc.publicity_end is not None

    # the rename's publicity is public, with its period
    public = Client().get("/certification/publicity/").content.decode()
    assert new_name in public and old_name in public and cert.number in public
    assert f"{nc.publicity_start:%Y年%-m月%-d日}至{nc.publicity_end:%Y年%-m月%-d日}" in public

    clock["day"] = nc.publicity_end + dt.timedelta(days=1)
    assert sv.daily()["renamed"] == [cert.number]
    assert new_name not in Client().get("/certification/publicity/").content.decode()  # publicity over
    from gaoqi.web.certification.feed import certificate_rows

    # the replaced certificate is not written: one row for the number, the live one
    rows = [r for r in certificate_rows() if r["number"] == cert.number]
    assert [(r["status"], r["uscc"]) for r in rows] == [("valid", uscc)]

    c = login(p["municipal"])

    def found(q: str) -> bool:
        return f'href="/enterprises/{uscc}/"' in c.get("/enterprises/", {"q": q}).content.decode()

    assert not found(new_name)  # not published yet
    snap = _publish(clock["day"])
    ent = Enterprise.objects.get(uscc=uscc)
    assert new_name in ent.former_names.split("\n") and ent.has_hte
    assert found(new_name)
    assert found("更名后智能识别")
    assert found(old_name)
    con = duckdb.connect(snap.duckdb_path, read_only=True)
    try:
        history = con.execute(
            "SELECT h.valid_from, l.file_name FROM name_history h JOIN name_change_cur n "
            "ON n.uscc = h.uscc AND n.new_name = h.name JOIN loads l ON l.load_id = n._load_id "
            "WHERE h.uscc = ? AND h.name = ?",
            [uscc, new_name],
        ).fetchall()
        n_hte = con.execute(
            "SELECT count(*) FROM certificate_cur WHERE uscc = ? AND kind = 'hte' AND status = 'valid'", [uscc]
        ).fetchall()[0][0]
    finally:
        con.close()
    assert history == [(clock["day"], NAME_CHANGE_FILE)]
    assert n_hte == 1  # replaced and replacing certificate: counted once


@pytest.mark.django_db
def test_the_platform_feed_maps_statuses_writes_live_certificates_once_and_only_changed_bytes(tmp_path: Any) -> None:
    from gaoqi.engine.feeds import feed_for_filename
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.certification.feed import certificate_rows, feed_files
    from gaoqi.web.certification.models import Certificate

    def cert(number: str, status: str, field: str = "电子信息", replaces: Any = None) -> Any:
        issue = dt.date(2025, 3, 1)
        return Certificate.objects.create(
            number=number, uscc="91110108MA01ABCD1X", enterprise_name="北京甲科技有限公司", tech_field=field,
            issue_date=issue, expiry_date=sv.expiry_for(issue), status=status, replaces=replaces,
        )  # fmt: skip

    old = cert("GR202511000002", Certificate.REPLACED)
    cert("GR202511000002", Certificate.VALID, replaces=old)
    cert("GR202511000001", Certificate.CANCELLED, field="先进制造与自动化")
    cert("GR202511000003", Certificate.EXPIRED, field="不在目录中的领域")
    assert [(r["number"], r["status"], r["tech_field"]) for r in certificate_rows()] == [
        ("GR202511000001", "revoked", "advanced_manufacturing"),
        ("GR202511000002", "valid", "electronic_information"),
        ("GR202511000003", "expired", ""),
    ]
    files = feed_files()
    # with certificates, the applications, annual reports and R&D projects are written too (no row: none filed)
    assert list(files) == [CERTIFICATE_FILE, APPLICATION_FILE, ANNUAL_REPORT_FILE, RD_PROJECT_FILE]
    assert feed_for_filename(CERTIFICATE_FILE) == "certificate"
    assert (
        files[CERTIFICATE_FILE].decode().splitlines()[0]
        == "统一社会信用代码,资质类型,证书编号,发证日期,有效期至,证书状态,技术领域,证书子类型"
    )
    assert feed_files() == files  # the same state gives the same bytes
    assert sv.platform_feed_write(None, tmp_path) == [
        CERTIFICATE_FILE, APPLICATION_FILE, ANNUAL_REPORT_FILE, RD_PROJECT_FILE,
    ]  # fmt: skip
    assert (tmp_path / CERTIFICATE_FILE).read_bytes() == files[CERTIFICATE_FILE]
    writes = AuditEvent.objects.filter(action="platform_feed.write").count()
    assert sv.platform_feed_write(None, tmp_path) == []  # unchanged: left alone, not audited again
    assert AuditEvent.objects.filter(action="platform_feed.write").count() == writes == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [CERTIFICATE_FILE, APPLICATION_FILE, ANNUAL_REPORT_FILE, RD_PROJECT_FILE]
    )


@pytest.mark.django_db
def test_the_platform_feed_writes_its_applications_and_annual_reports_for_the_warning_rules(tmp_path: Any) -> None:
    """ADR 0029: the applications the platform received (one per enterprise and batch year, drafts never) and
    the annual development reports filed on it, in the engine's feeds hte_application / hte_annual_report, which
    the engine ingests like any delivery."""
    from gaoqi.engine import Workspace, feed_for_filename
    from gaoqi.web import roles
    from gaoqi.web.certification import workflow as wf
    from gaoqi.web.certification.feed import annual_report_rows, application_rows, feed_files
    from gaoqi.web.certification.models import AnnualReport, Application, Certificate
    from tests.web.conftest import make_user

    user = make_user(roles.MUNICIPAL)
    from gaoqi.engine.uscc import complete

    a, b = complete("91110108MA0000001"), complete("91110105MA0000002")
    tz = dt.timezone(dt.timedelta(hours=8))

    def app(uscc: str, year: int, status: str, submitted: dt.datetime | None) -> Any:
        return Application.objects.create(
            uscc=uscc, enterprise_name="北京甲科技有限公司", district_code="110108", year=year,
            tech_field="电子信息", status=status, stage_started_at=dt.date(2026, 5, 1), as_of=dt.date(2026, 3, 31),
            created_by=user, submitted_at=submitted,
        )  # fmt: skip

    assert feed_files() == {}  # nothing filed, no certificate: the platform delivers nothing
    app(a, 2025, wf.REJECTED, dt.datetime(2025, 5, 10, 9, 0, tzinfo=tz))
    app(a, 2025, wf.CERTIFIED, dt.datetime(2025, 6, 1, 0, 30, tzinfo=tz))  # 00:30 in Beijing: 1 June, not 31 May
    app(a, 2026, wf.EXPERT_REVIEW, dt.datetime(2026, 5, 20, 15, 0, tzinfo=tz))
    app(b, 2026, wf.DRAFT, None)  # a draft is not an application yet
    app(b, 2026, wf.WITHDRAWN, dt.datetime(2026, 4, 2, 9, 0, tzinfo=tz))
    assert application_rows() == [
        {"uscc": b, "batch_year": 2026, "submitted_date": "2026-04-02", "status": "withdrawn", "agent_name": ""},
        {"uscc": a, "batch_year": 2025, "submitted_date": "2025-06-01", "status": "certified", "agent_name": ""},
        {"uscc": a, "batch_year": 2026, "submitted_date": "2026-05-20", "status": "in_review", "agent_name": ""},
    ]  # by USCC (110105 before 110108) and year; of a's two 2025 applications the later one
    issue = dt.date(2025, 10, 1)
    cert = Certificate.objects.create(
        number="GR202511000009", uscc=a, enterprise_name="北京甲科技有限公司", tech_field="电子信息",
        issue_date=issue, expiry_date=sv.expiry_for(issue),
    )  # fmt: skip
    report = AnnualReport.objects.create(certificate=cert, year=2025, data={})
    AnnualReport.objects.filter(pk=report.pk).update(submitted_at=dt.datetime(2026, 5, 31, 23, 0, tzinfo=tz))
    assert annual_report_rows() == [{"uscc": a, "report_year": 2025, "submitted_date": "2026-05-31"}]
    files = feed_files()
    assert list(files) == [CERTIFICATE_FILE, APPLICATION_FILE, ANNUAL_REPORT_FILE, RD_PROJECT_FILE]
    assert feed_for_filename(APPLICATION_FILE) == "hte_application"
    assert feed_for_filename(ANNUAL_REPORT_FILE) == "hte_annual_report"
    assert files[APPLICATION_FILE].decode().splitlines() == [
        "统一社会信用代码,申报年度,提交日期,申请状态,申报代理机构",  # the agency (ADR 0035): optional, none given here
        f"{b},2026,2026-04-02,withdrawn,",
        f"{a},2025,2025-06-01,certified,",
        f"{a},2026,2026-05-20,in_review,",
    ]
    assert files[ANNUAL_REPORT_FILE].decode().splitlines() == [
        "统一社会信用代码,报告年度,填报日期",
        f"{a},2025,2026-05-31",
    ]
    # the engine ingests them as any delivery: every row loaded, none quarantined
    sv.platform_feed_write(None, tmp_path / "feed")
    with Workspace.open(tmp_path / "home") as ws:
        summary = ws.ingest(tmp_path / "feed")
    loaded = {f.feed: (f.rows_loaded, f.rows_quarantined) for f in summary.files}
    assert loaded["hte_application"] == (3, 0) and loaded["hte_annual_report"] == (1, 0)


@pytest.mark.django_db
def test_the_platform_feed_writes_agents_and_rd_projects_for_the_review_signals(tmp_path: Any) -> None:
    """ADR 0036: the agent (申报代理机构) an application names goes in its hte_application row; the R&D projects of
    each submitted application (never a draft's) in hte_rd_project, one row per code (name and description as
    typed, the name alone as project_name), bytes a function of the database only; the engine ingests both."""
    from gaoqi.engine import Workspace, feed_for_filename
    from gaoqi.engine.uscc import complete
    from gaoqi.web import roles
    from gaoqi.web.certification import workflow as wf
    from gaoqi.web.certification.feed import application_rows, feed_files, rd_project_rows
    from gaoqi.web.certification.models import Application
    from tests.web.conftest import make_user

    user = make_user(roles.MUNICIPAL)
    a, b, c = complete("91110108MA0000011"), complete("91110105MA0000012"), complete("91110105MA0000013")
    tz = dt.timezone(dt.timedelta(hours=8))

    def app(uscc: str, status: str, form: dict[str, Any], submitted: dt.datetime | None) -> Any:
        return Application.objects.create(
            uscc=uscc, enterprise_name="北京甲科技有限公司", district_code=uscc[2:8], year=2026,
            tech_field="电子信息", status=status, stage_started_at=dt.date(2026, 5, 1), as_of=dt.date(2026, 3, 31),
            created_by=user, submitted_at=submitted, form=form,
        )  # fmt: skip

    rd = [{"code": "RD02", "name": "智能巡检机器人：基于视觉的  电力巡检"}, {"code": "RD01", "name": "边缘计算网关"},
          {"code": "RD01", "name": "重复编号"}, {"code": "RD03", "name": ""}]  # fmt: skip
    app(a, wf.DISTRICT_REVIEW, {"rd_projects": rd, "agent_name": "北京某某知识产权代理有限公司"},
        dt.datetime(2026, 5, 20, 15, 0, tzinfo=tz))  # fmt: skip
    app(b, wf.DRAFT, {"rd_projects": [{"code": "RD01", "name": "草稿项目"}], "agent_name": "草稿代理"}, None)
    app(c, wf.EXPERT_REVIEW, {"rd_projects": [{"code": "RD01", "name": "=HYPERLINK(1)"}]},
        dt.datetime(2026, 5, 21, 9, 0, tzinfo=tz))  # fmt: skip
    assert [(r["uscc"], r["agent_name"]) for r in application_rows()] == [(c, ""), (a, "北京某某知识产权代理有限公司")]
    assert rd_project_rows() == [
        {"uscc": c, "batch_year": 2026, "project_code": "RD01", "project_name": "=HYPERLINK(1)",
         "project_text": "=HYPERLINK(1)"},
        {"uscc": a, "batch_year": 2026, "project_code": "RD01", "project_name": "边缘计算网关",
         "project_text": "边缘计算网关"},
        {"uscc": a, "batch_year": 2026, "project_code": "RD02", "project_name": "智能巡检机器人",
         "project_text": "智能巡检机器人：基于视觉的 电力巡检"},
    ]  # fmt: skip
    files = feed_files()
    assert feed_for_filename(RD_PROJECT_FILE) == "hte_rd_project"
    assert files[RD_PROJECT_FILE].decode().splitlines()[0] == "统一社会信用代码,申报年度,项目编号,项目名称,项目内容"
    assert (
        files[APPLICATION_FILE].decode().splitlines()[2]
        == f"{a},2026,2026-05-20,in_review,北京某某知识产权代理有限公司"
    )
    assert feed_files() == files  # the same state gives the same bytes
    sv.platform_feed_write(None, tmp_path / "feed")
    with Workspace.open(tmp_path / "home") as ws:
        summary = ws.ingest(tmp_path / "feed")
        loaded = {f.feed: (f.rows_loaded, f.rows_quarantined) for f in summary.files}
    assert loaded["hte_application"] == (2, 0) and loaded["hte_rd_project"] == (3, 0)
