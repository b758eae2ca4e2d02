"""A request from filing to rating in a real browser: an enterprise files it (我的诉求), the 海淀 unit's official
accepts and answers it (诉求办理), the enterprise rates it, and the request shows 已办结 with the rating; the
三率 chart draws (ECharts, no console error, no CSP violation)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web import roles
from tests.web import factories as f
from tests.web.conftest import HAIDIAN
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_a_request_from_filing_to_rating(open_page: Any) -> None:
    from gaoqi.web.servicedesk.config import routing_reset
    from gaoqi.web.servicedesk.models import Request
    from gaoqi.web.units.services import units_sync

    units_sync()  # a transactional test starts from a flushed database
    routing_reset()
    ent = f.enterprise(name="北京浏览器诉求科技有限公司", district_code=HAIDIAN)
    f.user(roles.ENTERPRISE, "b_sd_ent", uscc=ent.uscc)
    f.user(roles.DISTRICT, "b_sd_haidian", district_code=HAIDIAN)
    f.user(roles.MUNICIPAL, "b_sd_municipal")

    # the enterprise files
    page, _ = open_page()
    log_in(page, "b_sd_ent")
    nav(page, "我的诉求")
    page.get_by_role("link", name="提出诉求").click()
    page.locator("select[name=category]").select_option("wrp")
    page.locator("input[name=title]").fill("研发骨干工作居住证办理")
    page.locator("textarea[name=description]").fill("三名研发骨干申请工作居住证，窗口要求的材料与指南不一致。")
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#sd-status")).to_have_text("已提交")
    sync_api.expect(page.locator("#sd-unit")).to_have_text("海淀区人力资源和社会保障局")
    req = Request.objects.get()

    # the district unit's official accepts and answers
    official, _ = open_page()
    log_in(official, "b_sd_haidian")
    nav(official, "诉求办理")
    official.locator("#queue").get_by_role("link", name="研发骨干工作居住证办理").click()
    official.wait_for_load_state()
    official.locator("#act-accept").get_by_role("button", name="受理").click()
    official.wait_for_load_state()
    sync_api.expect(official.locator("#sd-status")).to_have_text("已受理")
    official.locator("#act-answer textarea[name=comment]").fill("已与窗口核实，按新版指南准备材料，专人对接。")
    official.locator("#act-answer").get_by_role("button", name="答复").click()
    official.wait_for_load_state()
    sync_api.expect(official.locator("#sd-status")).to_have_text("已答复")

    # the enterprise rates it
    page.goto(f"/servicedesk/{req.pk}/")
    sync_api.expect(page.locator("#sd-answer")).to_contain_text("按新版指南准备材料")
    page.locator("#act-rate select[name=resolved]").select_option("YES")
    page.locator("#act-rate select[name=satisfaction]").select_option("SATISFIED")
    page.locator("#act-rate input[name=comment]").fill("办理及时")
    page.locator("#act-rate").get_by_role("button", name="评价").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#sd-status")).to_have_text("已办结")
    sync_api.expect(page.locator("#sd-rating")).to_contain_text("已解决 · 满意 · 办理及时")
    sync_api.expect(page.locator("#history tbody tr")).to_have_count(4)
    shot(page, "servicedesk-request-closed")
    nav(page, "我的诉求")
    sync_api.expect(page.locator("#my-requests .sd-status")).to_have_text("已办结")

    # the municipal office's 三率 chart draws
    muni, _ = open_page()
    log_in(muni, "b_sd_municipal")
    muni.goto("/servicedesk/stats/?by=district")
    sync_api.expect(muni.locator("#servicedesk-stats-chart canvas")).to_have_count(1)
    sync_api.expect(muni.locator("#rates")).to_contain_text("海淀区")
    shot(muni, "servicedesk-rates")
