"""High-tech-enterprise certification in a real browser: every actor logs in through the login form and does
its part of the journey through the pages.

1. The standard route: the enterprise drafts (prefilled, locked values with their sources), enters an R&D
   project with its PDF, runs the self-check and submits; the district passes the formal check; the municipal
   office draws the panel and accepts; five experts score; the municipal office approves; publicity ends
   (the platform's date moved past 10 working days) and the enterprise downloads its certificate.
2. 报备即批准: the enterprise files under the pilot with the 告知承诺书 and is certified at once; the check
   afterwards (drawn for every filing here) fails, the qualification is revoked, and the enterprise cannot
   apply again the same year.

The browser set-up (Debian's chromium, the console/CSP watch, the login helper) is ``tests/web/test_browser.py``'s.
``live_server`` serves from a thread of this process, so moving ``core.clock.today`` here moves the server's date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import services
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.workdays import deadline_provisional
from gaoqi.web.core import clock as platform_clock
from tests.web.certification.pdfs import CLEAN
from tests.web.conftest import AS_OF, make_user
from tests.web.test_browser import CHROMIUM, Watch, log_in, nav, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")

FIELD = "电子信息"  # in the 报备即批准 pilot too
START_DAY = dt.date(2026, 7, 1)
PDF = CLEAN


# ------------------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture()
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser session per actor (cookies not shared), watched for console errors and CSP violations."""
    contexts: list[Any] = []
    watches: list[Watch] = []

    def make() -> Any:
        ctx = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}, reduced_motion="reduce"
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        watches.append(Watch(page))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    for w in watches:
        w.check()


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    """The platform's date (core.clock.today), movable by the test; the live server thread sees the same."""
    now = {"day": START_DAY}
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


@pytest.fixture()
def actors(snapshot: Any, transactional_db: Any) -> dict[str, Any]:
    """An enterprise meeting every data condition (only expert items outstanding), its district's official,
    a municipal official, and an expert pool (8 technical experts in the field, 3 financial)."""
    from gaoqi.web.certification.models import Expert
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    rows = PolicyResult.objects.filter(
        snapshot=snapshot, policy_id="hte-certification", status="unknown", failed_count=0, enterprise__has_hte=False
    ).select_related("enterprise")
    ok = sorted(r.enterprise.uscc for r in rows if all(u.startswith("pending:") for u in r.unknown_features))
    assert ok, "the synthetic population has a certifiable enterprise"
    ent = Enterprise.objects.get(uscc=ok[0])
    out: dict[str, Any] = {
        "ent": ent,
        "enterprise": make_user(roles.ENTERPRISE, "ent", uscc=ent.uscc),
        "district": make_user(roles.DISTRICT, "dist", district_code=ent.district_code),
        "municipal": make_user(roles.MUNICIPAL, "muni"),
    }
    for i in range(8):
        Expert.objects.create(user=make_user(roles.EXPERT, f"tech{i}"), kind="technical", fields=[FIELD])
    for i in range(3):
        Expert.objects.create(user=make_user(roles.EXPERT, f"fin{i}"), kind="financial", fields=[])
    return out


@pytest.fixture()
def attachment(tmp_path: Path) -> Path:
    path = tmp_path / "RD01-立项报告.pdf"
    path.write_bytes(PDF)
    return path


# ------------------------------------------------------------------------------------------------------
# helpers


def submit(page: Any, button: Any) -> None:
    """Click a form's button and wait for the page the POST redirects to."""
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()


def act(page: Any, action: str) -> None:
    submit(page, page.locator(f'button[data-action="{action}"]'))


def status(page: Any) -> str:
    return str(page.locator("#app-status").inner_text())


def messages(page: Any) -> str:
    box = page.locator("ul.messages")
    return str(box.inner_text()) if box.count() else ""


def card(page: Any, heading: str) -> Any:
    """The page's section under the heading ``heading``."""
    return page.locator("section.card").filter(has=page.locator("h2", has_text=heading))


def open_from_queue(page: Any, app_pk: int) -> None:
    """高企认定 → 待我办理 → the application."""
    nav(page, "高企认定")
    queue = page.locator("section.card table.list").first  # 待我办理 comes first
    link = queue.get_by_role("link", name=str(app_pk), exact=True)
    with page.expect_navigation():
        link.click()
    page.wait_for_url(f"**/certification/{app_pk}/")


def start_application(page: Any, field: str) -> int:
    nav(page, "高企认定")
    page.locator("select[name=tech_field]").select_option(field)
    page.locator("input[name=as_of]").fill(AS_OF.isoformat())
    submit(page, page.get_by_role("button", name="发起认定申请"))
    match = re.search(r"/certification/(\d+)/$", page.url)
    assert match, f"not on the application page: {page.url} {messages(page)}"
    return int(match.group(1))


#: One entry per section the enterprise fills in, each with its PDF (the self-check requires all four).
ENTRIES = {"rd_projects": "RD01 智能识别算法研发", "products": "PS01 智能识别模组", "results": "CG01 识别算法成果转化",
           "rd_management": "GL01 研发项目管理制度"}  # fmt: skip


def fill_rd01_with_pdf(page: Any, attachment: Path) -> None:
    """Every section filled in, RD01 first with its PDF, then the other entries' PDFs."""
    for section, line in ENTRIES.items():
        page.locator(f"textarea[name={section}]").fill(line)
    submit(page, page.get_by_role("button", name="保存", exact=True))
    assert "已保存" in messages(page)
    assert "缺少附件：RD01、PS01、CG01、GL01" in page.locator("main").inner_text()
    for line in ENTRIES.values():
        code = line.split()[0]
        page.locator("input[name=item]").fill(code)
        page.locator("input[type=file][name=file]").set_input_files(str(attachment))
        submit(page, page.get_by_role("button", name="上传附件"))
        assert "附件已上传" in messages(page), messages(page)
    main = page.locator("main").inner_text()
    assert f"RD01（{attachment.name}）" in main and "缺少附件" not in main
    assert page.locator("textarea[name=rd_projects]").input_value() == "RD01 智能识别算法研发"


def assert_locked_prefill(page: Any, uscc: str) -> None:
    """The shared values are shown locked, each with its source (feed · file 第 n 行), and not editable."""
    prefill = card(page, "一、共享数据（已锁定")
    assert uscc in prefill.locator("dl.facts").inner_text()
    assert re.search(r"来源：.+第\d+行", prefill.inner_text())
    locked = prefill.locator("td", has_text="🔒")
    assert locked.count() >= 1
    for i in range(locked.count()):
        assert re.search(r"🔒 .+ · .+ 第\d+行", locked.nth(i).inner_text()), locked.nth(i).inner_text()
    assert prefill.locator("input, textarea, select").count() == 0


def run_self_check(page: Any) -> None:
    submit(page, page.get_by_role("button", name="运行自评"))
    check = card(page, "三、自评")
    check.locator("table.list").wait_for()
    assert check.locator("ul.error").count() == 0, check.locator("ul.error").inner_text()
    assert "数据条件均满足，可以提交" in check.inner_text()


# ------------------------------------------------------------------------------------------------------
# the journeys


def test_standard_route_from_draft_to_certificate(
    actors: dict[str, Any], open_page: Any, clock: dict[str, dt.date], attachment: Path
) -> None:
    from gaoqi.web.certification.models import Application, Certificate, Expert, Panel

    a = actors

    # the enterprise: start, see the locked prefill, enter RD01 with its PDF, self-check, submit
    ent = open_page()
    log_in(ent, a["enterprise"].username)
    pk = start_application(ent, FIELD)
    assert status(ent) == "草稿"
    assert_locked_prefill(ent, a["ent"].uscc)
    shot(ent, "cert-standard-1-draft")
    fill_rd01_with_pdf(ent, attachment)
    run_self_check(ent)
    shot(ent, "cert-standard-2-self-check")
    act(ent, "submit")
    assert status(ent) == "区级形式审查", messages(ent)
    shot(ent, "cert-standard-3-submitted")

    # the district official: 待我办理 → formal check passed
    dist = open_page()
    log_in(dist, a["district"].username)
    open_from_queue(dist, pk)
    assert "RD01 智能识别算法研发" in dist.locator("main").inner_text()
    act(dist, "district_pass")
    assert status(dist) == "市级受理", messages(dist)
    shot(dist, "cert-standard-4-district-passed")

    # the municipal official: draw the panel, accept
    muni = open_page()
    log_in(muni, a["municipal"].username)
    open_from_queue(muni, pk)
    act(muni, "accept")  # 受理并抽取专家: one step
    panel_card = card(muni, "四、专家评审")
    assert "5 人" in panel_card.inner_text()
    assert panel_card.locator("table.panel-members tbody tr").count() == 5
    assert "（组长）" in panel_card.inner_text() and "随机种子" in panel_card.inner_text()
    assert status(muni) == "专家评审", messages(muni)
    shot(muni, "cert-standard-5-expert-review")

    # each expert of the panel: score every item at the top of its range
    panel = Panel.objects.get(application_id=pk)
    usernames = list(Expert.objects.filter(pk__in=panel.expert_ids).values_list("user__username", flat=True))
    assert len(usernames) == 5
    for n, username in enumerate(sorted(usernames), 1):
        exp = open_page()
        log_in(exp, username)
        open_from_queue(exp, pk)
        with exp.expect_navigation():
            exp.get_by_role("link", name="进行评分").click()
        rows = exp.locator("form table.list tbody tr")
        assert rows.count() >= 1
        for i in range(rows.count()):
            row = rows.nth(i)
            lo, hi = (int(x) for x in re.findall(r"\d+", row.locator("td").nth(2).inner_text()))  # column 1: the band
            box = row.locator("input[type=number]")
            assert (box.get_attribute("min"), box.get_attribute("max")) == (str(lo), str(hi))
            box.fill(str(hi))
        if n == 1:
            shot(exp, "cert-standard-6-scoring")
        submit(exp, exp.get_by_role("button", name="提交评分"))
        assert "评分已提交" in messages(exp), messages(exp)
        assert exp.get_by_role("link", name="进行评分").count() == 0
    assert Application.objects.get(pk=pk).status == wf.DECISION

    # the municipal official: the panel's result, then approval (publicity)
    open_from_queue(muni, pk)
    assert status(muni) == "待认定决定"
    assert "组长汇总" in muni.locator("main").inner_text()
    act(muni, "approve")
    assert status(muni) == "公示中", messages(muni)
    shot(muni, "cert-standard-7-publicity")
    ent.reload()
    assert status(ent) == "公示中"

    # 10 working days of publicity: the page says when they end; the office closes it once they have
    end, _ = deadline_provisional(Application.objects.get(pk=pk).stage_started_at, 10)
    assert muni.locator(".publicity-ends").inner_text() == f"{end.year}年{end.month}月{end.day}日"
    clock["day"] = end
    assert services.publicity_close_due() == []
    act(muni, "publicity_end")
    assert status(muni) == "公示中" and "公示期至" in messages(muni)
    clock["day"] = end + dt.timedelta(days=1)
    act(muni, "publicity_end")
    assert status(muni) == "已认定", messages(muni)

    # the enterprise: 已认定, the certificate's number, and its PDF
    ent.reload()
    assert status(ent) == "已认定"
    cert = Certificate.objects.get(application_id=pk)
    certs = card(ent, "证书")
    assert cert.number in certs.inner_text() and re.fullmatch(r"GR\d{4}11\d{6}", cert.number)
    shot(ent, "cert-standard-8-certified")
    href = certs.get_by_role("link", name="下载 PDF").get_attribute("href")
    response = ent.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    steps = list(Application.objects.get(pk=pk).transitions.values_list("action", flat=True))
    assert steps == ["start", "submit", "district_pass", "accept", "scores_complete", "approve", "publicity_end"]


def test_pilot_filing_then_a_failed_check_afterwards_revokes(
    actors: dict[str, Any], open_page: Any, clock: dict[str, dt.date], attachment: Path, monkeypatch: Any
) -> None:
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Certificate, PostCheck

    monkeypatch.setitem(process_config().pilot, "post_check_share", 1.0)  # every filing is checked afterwards
    a = actors

    # the enterprise: draft, RD01 with its PDF, 告知承诺书, file (报备即批准)
    ent = open_page()
    log_in(ent, a["enterprise"].username)
    pk = start_application(ent, FIELD)
    fill_rd01_with_pdf(ent, attachment)
    run_self_check(ent)
    # the self-check shows the pilot's own conditions: only the declarations are outstanding
    pilot_blocking = ent.locator(".pilot-blocking li").all_inner_texts()
    assert pilot_blocking and all("告知承诺" in b for b in pilot_blocking), pilot_blocking
    ent.locator('input[name=condition][value="commitment"]').check()
    ent.locator('input[name=condition][value="pilot_area"]').check()
    submit(ent, ent.get_by_role("button", name="提交承诺"))
    assert "已记录告知承诺" in messages(ent)
    assert ent.locator('input[name=condition][value="commitment"]').is_checked()
    shot(ent, "cert-pilot-1-declared")
    act(ent, "file")
    assert status(ent) == "报备即批准", messages(ent)
    assert "路径：报备即批准" in ent.locator("main").inner_text()
    cert = Certificate.objects.get(application_id=pk)
    assert (cert.status, cert.issue_date) == (Certificate.VALID, clock["day"])
    assert cert.number in card(ent, "证书").inner_text()
    assert card(ent, "证书").locator(".cert-status").inner_text() == "有效"
    shot(ent, "cert-pilot-2-filed")

    # the municipal official: the check afterwards, failed with reasons → revoked
    muni = open_page()
    log_in(muni, a["municipal"].username)
    open_from_queue(muni, pk)
    check = card(muni, "事后核查（报备即批准）")
    assert "抽中核查" in check.inner_text()
    check.locator("select[name=passed]").select_option("0")
    check.locator("input[name=reasons]").fill("研发费用归集不实")
    submit(muni, check.get_by_role("button", name="提交核查结果"))
    assert status(muni) == "已撤销", messages(muni)
    assert "结果：核查未通过 研发费用归集不实" in card(muni, "事后核查（报备即批准）").inner_text()
    assert card(muni, "证书").locator(".cert-status").inner_text() == "已撤销"
    shot(muni, "cert-pilot-3-revoked")
    cert.refresh_from_db()
    assert cert.status == Certificate.REVOKED
    assert PostCheck.objects.get(application_id=pk).outcome == "failed"

    # the enterprise: revoked, and no new application this year
    ent.reload()
    assert status(ent) == "已撤销"
    assert card(ent, "证书").locator(".cert-status").inner_text() == "已撤销"
    assert "撤销资格" in card(ent, "办理记录").inner_text()
    nav(ent, "高企认定")  # the start form gives way to the reason
    assert "当年不得再次申请" in ent.locator("#start-refusal").inner_text()
    assert ent.get_by_role("button", name="发起认定申请").count() == 0
    shot(ent, "cert-pilot-4-barred")
