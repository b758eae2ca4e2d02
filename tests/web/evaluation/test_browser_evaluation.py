"""The evaluation in a real browser: the evaluator computes the year's report from the 分析评价 page, the ranking
chart draws (ECharts, no console error, no CSP violation), a comment is saved and the report submitted; the municipal
office publishes it; the 海淀 official opens its own page from the index and its chart draws."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web import roles
from tests.web.conftest import HAIDIAN, make_user
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_compute_comment_submit_publish_and_the_districts_page(open_page: Any, snapshot: Any) -> None:
    make_user(roles.EVALUATOR, "b_evaluator")
    make_user(roles.MUNICIPAL, "b_municipal")
    make_user(roles.DISTRICT, "b_haidian", district_code=HAIDIAN)
    page, _ = open_page()
    log_in(page, "b_evaluator")
    nav(page, "分析评价")
    page.locator("input[name=year]").fill("2025")
    page.get_by_role("button", name="生成或重新计算评价报告").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("h1")).to_contain_text("2025年度各区评价报告")
    sync_api.expect(page.locator("#evaluation-chart canvas")).to_have_count(1)
    box = page.locator(f"#comment-{HAIDIAN}")
    box.locator("textarea").fill("海淀区新认定高企数居前。")
    box.get_by_role("button", name="保存意见").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator(".messages")).to_contain_text("评估意见已保存")
    shot(page, "evaluation-report")
    page.get_by_role("button", name="提交市级审核").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator(".messages")).to_contain_text("已提交")

    office, _ = open_page()
    log_in(office, "b_municipal")
    nav(office, "分析评价")
    office.get_by_role("link", name="2025年").click()
    office.wait_for_load_state()
    office.get_by_role("button", name="通报各区").click()
    office.wait_for_load_state()
    sync_api.expect(office.locator(".messages")).to_contain_text("已通报")

    district, _ = open_page()
    log_in(district, "b_haidian")
    nav(district, "分析评价")
    district.get_by_role("link", name="海淀区").click()
    district.wait_for_load_state()
    sync_api.expect(district.locator("h1")).to_contain_text("海淀区 · 2025年度")
    sync_api.expect(district.locator("body")).to_contain_text("海淀区新认定高企数居前。")
    sync_api.expect(district.locator("#evaluation-area-chart canvas")).to_have_count(1)
    shot(district, "evaluation-district")
