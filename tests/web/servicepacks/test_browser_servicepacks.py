"""A service-package item from assignment to rating in a real browser: the municipal office makes a 规升强 member's
package and assigns an item to a 海淀 unit; 海淀's official accepts it and marks it done with a result; the
enterprise rates it; the package page shows 已办结 and the rating (no console error, no CSP violation)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_an_item_from_assignment_to_rating(open_page: Any, world: dict[str, Any]) -> None:
    w = world
    expect = sync_api.expect
    # the municipal office: the package, then the item
    page, _ = open_page()
    log_in(page, "sp_municipal")
    nav(page, "服务包")
    expect(page.locator("h1")).to_contain_text("我方承办事项")
    page.get_by_role("link", name="查看服务包").click()
    form = page.locator("#package-new")
    form.locator("select[name=uscc]").select_option(w["hd1"].uscc)
    form.locator("select[name=municipal_steward]").select_option("sp_municipal")
    form.locator("select[name=district_steward]").select_option("sp_haidian")
    form.get_by_role("button", name="建立服务包").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("2026年度服务包")
    assign = page.locator("#item-assign")
    assign.get_by_label("服务需求").fill("协调研发用房 2000 平方米")
    assign.locator("select[name=category]").select_option("space")
    assign.locator("select[name=unit]").select_option("110108.sci")
    assign.locator("select[name=handler]").select_option("sp_haidian")
    assign.get_by_role("button", name="交办").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("服务事项已交办")
    expect(page.locator(".item-status")).to_have_text("已交办")
    pkg = ServicePackage.objects.get(enterprise=w["hd1"])
    item = ServiceItem.objects.get(package=pkg)
    # 海淀's official: from its queue to the package; accept, then done with a result
    page, _ = open_page()
    log_in(page, "sp_haidian")
    nav(page, "服务包")
    expect(page.locator("#queue")).to_contain_text("协调研发用房")
    page.locator("#queue").get_by_role("link", name=w["hd1"].name).click()
    page.wait_for_load_state()
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name="受理").click()
    page.wait_for_load_state()
    expect(card.locator(".item-status")).to_have_text("已受理")
    card.get_by_label("办理结果").fill("已协调园区研发用房 2000 平方米")
    card.get_by_role("button", name="办结").click()
    page.wait_for_load_state()
    expect(card.locator(".item-status")).to_have_text("已办结")
    # the enterprise: its package, the rating
    page, _ = open_page()
    log_in(page, "sp_ent1")
    nav(page, "我的服务包")
    page.get_by_role("link", name="2026年度服务包").click()
    page.wait_for_load_state()
    card = page.locator(f"#item-{item.pk}")
    card.locator("select[name=rating]").select_option("satisfied")
    card.get_by_label("评价意见").fill("响应很快")
    card.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("评价已提交")
    expect(card.locator(".item-status")).to_have_text("已办结")
    expect(card.locator(".item-result")).to_contain_text("已协调园区研发用房 2000 平方米")
    expect(card.locator(".item-rating")).to_contain_text("满意：响应很快")
    expect(page.locator("#average-rating")).to_contain_text("3")
    shot(page, "servicepack")
    assert ServiceItem.objects.get(pk=item.pk).rating == "satisfied"
