"""The talent quota in a real browser: the 海淀 official sets a quota, gives the last unit by htmx (the panel swaps
in place), is told when none is left; the enterprise then sees the allocation on 我的支持. No console error, no
CSP violation."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_the_last_unit_by_htmx_then_the_enterprise_sees_it(open_page: Any, world: dict[str, Any]) -> None:
    page, _ = open_page()
    log_in(page, "hd_official")
    nav(page, "定向支持")
    page.get_by_role("link", name="人才指标梯度配给").click()
    page.wait_for_load_state()
    page.locator("select[name=quota_type]").select_option("wrp")
    page.get_by_label("指标总数").fill("1")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#quota-panel")).to_contain_text("默认值，待确认")
    url = page.url
    form = page.locator("form[hx-post]")
    form.locator("select[name=uscc]").select_option(world["hd"].uscc)
    form.locator("input[name=count]").fill("1")
    form.get_by_role("button", name="配给").click()
    sync_api.expect(page.locator("#quota-panel [role=status]")).to_contain_text(
        "已向海淀支持测试科技有限公司配给 1 个名额"
    )
    sync_api.expect(page.locator("#quota-panel")).to_contain_text("剩余 0")
    assert page.url == url  # swapped in place
    form = page.locator("form[hx-post]")
    form.locator("select[name=uscc]").select_option(world["hd2"].uscc)
    form.locator("input[name=count]").fill("1")
    form.get_by_role("button", name="配给").click()
    sync_api.expect(page.locator("#quota-panel [role=alert]")).to_have_text("名额已用完：剩余 0")
    shot(page, "support-quota")
    ent, _ = open_page()
    log_in(ent, "hd_ent")
    nav(ent, "我的支持")
    sync_api.expect(ent.locator("main")).to_contain_text("工作居住证指标")
    sync_api.expect(ent.locator("main")).to_contain_text("1 个名额")
