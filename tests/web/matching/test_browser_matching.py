"""供需对接 in a real browser: the 海淀 enterprise registers a product through the form, the municipal office
confirms it, the 海淀 official runs the matching on a demand and reads the ranked match with its reasons, and the
enterprise finds the match on 我的对接. No console error, no CSP violation."""

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
def test_register_confirm_match_and_the_enterprise_is_told(open_page: Any, world: dict[str, Any]) -> None:
    ent, _ = open_page()
    log_in(ent, "mt_hd_ent")
    nav(ent, "供需对接")
    ent.get_by_role("link", name="我的产品").click()
    ent.get_by_role("link", name="登记新产品").click()
    ent.get_by_label("产品名称（必填）").fill("路口边缘计算盒")
    ent.locator("select[name=field]").select_option("electronic_information")
    ent.get_by_label("产品简介（必填：技术特点、功能、应用场景）").fill(
        "面向路口的边缘计算与目标检测设备，支持计算机视觉算法。"
    )
    ent.get_by_label("参考价格（万元，选填）").fill("90")
    ent.get_by_role("button", name="提交确认").click()
    ent.wait_for_load_state()
    sync_api.expect(ent.locator("main")).to_contain_text("待确认")
    product_url = ent.url

    office, _ = open_page()
    log_in(office, "mt_muni")
    office.goto(product_url)
    office.get_by_role("button", name="确认").click()
    office.wait_for_load_state()
    sync_api.expect(office.locator("main")).to_contain_text("已确认")

    official, _ = open_page()
    log_in(official, "mt_hd")
    nav(official, "供需对接")
    official.get_by_role("link", name="路口目标检测应用场景").click()
    official.get_by_role("button", name="立即匹配").click()
    official.wait_for_load_state()
    sync_api.expect(official.locator("main")).to_contain_text("匹配完成：推荐 2 项")
    table = official.locator("table.list")
    sync_api.expect(table).to_contain_text("路口边缘计算盒")
    sync_api.expect(table).to_contain_text("共同关键词")
    sync_api.expect(table).to_contain_text("技术领域一致：电子信息")
    shot(official, "matching-demand")

    ent.goto("/matching/mine/")
    sync_api.expect(ent.locator("main")).to_contain_text("路口目标检测应用场景")
    sync_api.expect(ent.locator("main")).to_contain_text("路口边缘计算盒")
