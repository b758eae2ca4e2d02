"""A recommendation in a real browser: a 海淀 district official recommends an enterprise on its recommend page (the
soft criteria shown as hints); a municipal official's decline without a reason is refused in the row (htmx, 400),
then the confirmation swaps the row to 已确认纳入 and the enterprise is on the cultivation pool. The journey goes on
with the cultivation itself: the district official (the tutor) records a one-to-one tutoring session for the new
member on its form, and the enterprise logs in, finds the record under 培育记录 and confirms it (htmx swaps the
status block to 企业已确认)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.programmes.models import ListMembership, Recommendation, Tutoring
from tests.web import factories as f
from tests.web.programmes.factories import POOL
from tests.web.test_browser import CHROMIUM, log_in, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # a fixture of test_browser.py (fresh, watched browser sessions), used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_a_district_recommends_the_municipal_office_confirms_the_district_tutors_the_enterprise_confirms(
    open_page: Any,
) -> None:
    ent = f.enterprise(name="北京浏览器推荐科技有限公司")
    f.user(roles.DISTRICT, "b_district", display_name="王辅导")
    f.user(roles.MUNICIPAL, "b_municipal")
    f.user(roles.ENTERPRISE, "b_enterprise", uscc=ent.uscc)

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

    # the tutor records a one-to-one session for the confirmed member
    page, _ = open_page()
    log_in(page, "b_district")
    page.locator("header nav").get_by_role("link", name="培育记录", exact=True).click()
    page.get_by_role("link", name="记录一对一辅导").click()
    page.get_by_label("企业（必填）").select_option(ent.uscc)
    page.get_by_label("辅导意见（必填）").fill("建议规范研发费用辅助账，准备明年申报")
    page.get_by_label("跟进事项1").fill("整理近三年研发辅助账")
    page.get_by_label("完成期限1").fill("2027-03-31")
    page.get_by_role("button", name="保存辅导记录").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#record-status")).to_contain_text("待企业确认")
    sync_api.expect(page.locator("#gaps")).to_contain_text("没有该企业的高企认定评估结果")
    sync_api.expect(page.locator("#followups")).to_contain_text("整理近三年研发辅助账")
    rec = Tutoring.objects.get(enterprise=ent)
    assert (rec.tutor.username, rec.status) == ("b_district", "recorded")

    # the enterprise finds it and confirms it (htmx swaps the status block)
    page, _ = open_page()
    log_in(page, "b_enterprise")
    page.locator("header nav").get_by_role("link", name="培育记录", exact=True).click()
    page.locator(f"#tutoring-{rec.pk}").get_by_role("link").click()
    page.wait_for_url(f"**/programmes/cultivation/tutoring/{rec.pk}/")
    sync_api.expect(page.get_by_role("button", name="提出异议")).to_be_visible()
    page.get_by_role("button", name="确认无误").click()
    sync_api.expect(page.locator("#record-status")).to_contain_text("企业已确认")
    sync_api.expect(page.locator("#record-status")).to_contain_text("已确认辅导记录")
    shot(page, "tutoring-confirmed")
    rec.refresh_from_db()
    assert (rec.status, rec.answered_by.username) == ("confirmed", "b_enterprise")
