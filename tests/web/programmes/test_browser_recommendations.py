"""A recommendation in a real browser: a 海淀 district official recommends an enterprise on its recommend page (the
soft criteria shown as hints); a municipal official's decline without a reason is refused in the row (htmx, 400),
then the confirmation swaps the row to 已确认纳入 and the enterprise is on the cultivation pool."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.programmes.models import ListMembership, Recommendation
from tests.web import factories as f
from tests.web.programmes.factories import POOL
from tests.web.test_browser import CHROMIUM, log_in, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # a fixture of test_browser.py (fresh, watched browser sessions), used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_a_district_recommends_and_the_municipal_office_confirms_in_the_queue(open_page: Any) -> None:
    ent = f.enterprise(name="北京浏览器推荐科技有限公司")
    f.user(roles.DISTRICT, "b_district")
    f.user(roles.MUNICIPAL, "b_municipal")

    page, _ = open_page()
    log_in(page, "b_district")
    page.goto(f"/programmes/{POOL}/recommend/{ent.uscc}/")
    sync_api.expect(page.get_by_text("注册成立满6个月（成立日期不详）")).to_be_visible()
    page.get_by_label("推荐理由（必填）").fill("近两年发明专利授权三件")
    page.get_by_role("button", name="提交推荐").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#recommendations")).to_contain_text("北京浏览器推荐科技有限公司")
    sync_api.expect(page.get_by_role("button", name="撤回推荐")).to_be_visible()
    rec = Recommendation.objects.get(enterprise=ent)

    page, watch = open_page()
    watch.allow(r"status of 400|Response Status Error Code 400")  # the refused decline: its row shows why (htmx)
    log_in(page, "b_municipal")
    page.goto(f"/programmes/{POOL}/recommendations/")
    row = page.locator(f"#rec-{rec.pk}")
    row.get_by_placeholder("不予纳入的理由（必填）").fill(" ")
    row.get_by_role("button", name="不予纳入").click()
    sync_api.expect(page.locator(f"#rec-{rec.pk}")).to_contain_text("“不予纳入”需要填写意见")
    page.locator(f"#rec-{rec.pk}").get_by_placeholder("意见（选填）").fill("同意")
    page.locator(f"#rec-{rec.pk}").get_by_role("button", name="确认纳入").click()
    sync_api.expect(page.locator(f"#rec-{rec.pk}")).to_contain_text("已确认纳入")
    shot(page, "recommendation-confirmed")
    assert ListMembership.objects.get(enterprise=ent, list_id=POOL).route == "recommendation"
