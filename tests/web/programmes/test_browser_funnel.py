"""The funnel page in a real browser: a municipal official opens it from the cultivation pool's page, both charts
draw (ECharts, no console error, no CSP violation), and changing the cohort swaps the figures by htmx."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web import roles
from tests.web import factories as f
from tests.web.programmes.test_funnel import POOL, pool
from tests.web.test_browser import CHROMIUM, log_in, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page", "pool"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_the_funnel_draws_and_filters(open_page: Any, pool: Any) -> None:
    f.user(roles.MUNICIPAL, "b_municipal")
    page, _ = open_page()
    log_in(page, "b_municipal")
    page.goto(f"/programmes/{POOL}/")
    page.get_by_role("link", name="认定转化（纳入 → 申请 → 认定）").click()
    page.wait_for_load_state()
    for chart in ("funnel-chart", "funnel-district-chart"):
        sync_api.expect(page.locator(f"[data-chart={chart}] canvas")).to_have_count(1)
    sync_api.expect(page.locator("#funnel")).to_contain_text("合计")
    shot(page, "funnel")
    page.locator("select[name=cohort]").select_option("2024")
    sync_api.expect(page.locator("#funnel table").nth(1).locator("tbody tr")).to_have_count(1)
    sync_api.expect(page.locator("#funnel table").nth(1)).to_contain_text("朝阳区")
    assert "cohort=2024" in page.url
    sync_api.expect(page.locator("[data-chart=funnel-chart] canvas")).to_have_count(1)  # drawn again after the swap
