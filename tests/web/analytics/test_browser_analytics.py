"""企业画像分析 in a real browser: a district official filters, sees the charts drawn (no console error, no CSP
refusal) and the figures of the district only, and the shareable URL gives the same page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import HAIDIAN
from tests.web.test_browser import log_in, nav, open_page, shot  # noqa: F401 (open_page is a fixture)

pytest.importorskip("playwright.sync_api")


def test_district_official_filters_a_cohort(users: dict[str, Any], open_page: Any) -> None:  # noqa: F811
    from gaoqi.web.enterprises.models import Enterprise

    page, _ = open_page()
    log_in(page, users["district"].username)
    nav(page, "企业画像分析")
    page.locator("#analytics-chart-0 canvas").wait_for()  # 按区县
    page.locator("#analytics-trend-chart canvas").wait_for()
    assert int(page.locator("#cohort-count").inner_text()) == Enterprise.objects.filter(district_code=HAIDIAN).count()

    page.locator("select[name=has_hte]").select_option("1")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    expected = Enterprise.objects.filter(district_code=HAIDIAN, has_hte=True).count()
    assert "has_hte=1" in page.url
    assert int(page.locator("#cohort-count").inner_text()) == expected
    page.locator("#analytics-chart-0 canvas").wait_for()
    assert "朝阳区" not in page.locator("#distributions").inner_text()
    shot(page, "analytics-cohort")

    # the URL is the query: opened again, the same figure
    page.goto(page.url)
    assert int(page.locator("#cohort-count").inner_text()) == expected
