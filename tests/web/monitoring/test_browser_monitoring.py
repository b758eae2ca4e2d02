"""A warning from opening to handling in a real browser: a snapshot raises it (warnings_derive), the 海淀 official
finds it on 监测预警 (the trend and severity charts draw: ECharts, no console error, no CSP violation), opens it
(evidence with file and line), acknowledges it, handles it by a referral; the municipal office sees the referral
in 撤销移送 and the warning 已处置."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web import roles
from tests.web import factories as f
from tests.web.conftest import HAIDIAN
from tests.web.monitoring.conftest import published, row
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_a_warning_from_opening_to_handling(open_page: Any) -> None:
    from gaoqi.web.monitoring import services
    from gaoqi.web.monitoring.models import Warning

    ent = f.enterprise(name="北京浏览器预警科技有限公司", district_code=HAIDIAN)
    f.user(roles.DISTRICT, "b_mon_haidian", district_code=HAIDIAN)
    f.user(roles.MUNICIPAL, "b_mon_municipal")
    snap = published(dt.date(2026, 9, 30))
    with transaction.atomic():
        services.warnings_derive(snap, [row(ent)])
    w = Warning.objects.get()

    page, _ = open_page()
    log_in(page, "b_mon_haidian")
    nav(page, "监测预警")
    sync_api.expect(page.locator("#warn-total")).to_contain_text("未处置预警 1 条")
    sync_api.expect(page.locator("#monitoring-trend-chart canvas")).to_have_count(1)
    sync_api.expect(page.locator("#monitoring-severity-chart canvas")).to_have_count(1)
    page.locator("#warning-filters select[name=severity]").select_option("HIGH")
    page.locator("#warning-filters").get_by_role("button", name="查询").click()
    sync_api.expect(page.locator(f"#warning-{w.pk}")).to_be_visible()
    page.locator(f"#warning-{w.pk}").get_by_role("link", name=f"#{w.pk}").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#warning-status")).to_have_text("待处理")
    sync_api.expect(page.locator("#evidence")).to_contain_text("annual_report_2025.csv")
    page.locator("#act-acknowledge").get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#warning-status")).to_have_text("已签收")
    page.locator("#act-handle select[name=how]").select_option("referral")
    page.locator("#act-handle input[name=comment]").fill("科技人员占比连续两年不足，移送撤销")
    page.locator("#act-handle").get_by_role("button", name="处置").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#warning-status")).to_have_text("已处置")
    sync_api.expect(page.locator("#warning-action")).to_contain_text("移送撤销")
    sync_api.expect(page.locator("#history tbody tr")).to_have_count(3)
    shot(page, "monitoring-warning-handled")

    muni, _ = open_page()
    log_in(muni, "b_mon_municipal")
    nav(muni, "撤销移送")
    sync_api.expect(muni.locator("#referrals-waiting")).to_contain_text("北京浏览器预警科技有限公司")
    muni.locator("#referrals-waiting").get_by_role("link").first.click()
    muni.wait_for_load_state()
    sync_api.expect(muni.locator("#referral-status")).to_have_text("已移送待决定")
    sync_api.expect(muni.locator("body")).to_contain_text("须书面告知发证系统")
    shot(muni, "monitoring-referral")
