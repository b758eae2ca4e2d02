"""A review signal in a real browser: a snapshot attaches it to an application in district review
(signals_derive); the 海淀 reviewer finds it on 审查风险提示, opens the application, reads the evidence (file and
line) and the related applicant, records 已作说明 with a note; the page then shows the conclusion and no form."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gaoqi.web import roles
from tests.web import factories as f
from tests.web.conftest import HAIDIAN
from tests.web.reviewsignals.conftest import derive, published, sig
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_reads_a_signal_and_records_a_conclusion(open_page: Any) -> None:
    from gaoqi.web.reviewsignals.models import ReviewSignal

    app = f.application("district_review", district_code=HAIDIAN)
    other = f.application("district_review", district_code=HAIDIAN)
    f.user(roles.DISTRICT, "b_rs_haidian", district_code=HAIDIAN)
    derive(
        published(),
        sig(app, "shared_contact", summary="本批次2家申请企业共用同一申报代理机构“北京某某咨询有限公司”",
            related=(other.uscc,)),
    )  # fmt: skip
    s = ReviewSignal.objects.get()

    page, _ = open_page()
    log_in(page, "b_rs_haidian")
    nav(page, "审查风险提示")
    row = page.locator(f"#signal-row-{s.pk}")
    sync_api.expect(row).to_contain_text("多家申请企业共用地址、电话或代理机构")
    sync_api.expect(row).to_contain_text(other.enterprise_name)
    row.get_by_role("link", name=f"#{s.pk}").click()
    page.wait_for_load_state()
    panel = page.locator(f"#signal-{s.pk}")
    sync_api.expect(panel.locator(".signal-status")).to_have_text("待核实")
    sync_api.expect(panel.locator(".signal-evidence")).to_contain_text("hte_annual_report_2025.csv 第17行")
    sync_api.expect(panel.locator(".signal-related")).to_contain_text(other.uscc)
    sync_api.expect(page.locator("#review-signals")).to_contain_text("供参考，不作为认定结论")
    panel.locator("select[name=conclusion]").select_option("explained")
    panel.locator("input[name=note]").fill("企业书面说明：集团统一委托代理机构申报，已核对委托合同")
    panel.get_by_role("button", name="记录核实结论").click()
    page.wait_for_load_state()
    panel = page.locator(f"#signal-{s.pk}")
    sync_api.expect(panel.locator(".signal-status")).to_have_text("已核实")
    sync_api.expect(panel.locator(".signal-conclusion")).to_contain_text("已作说明：企业书面说明")
    sync_api.expect(panel.get_by_role("button", name="记录核实结论")).to_have_count(0)
    shot(page, "review-signal-concluded")
    s.refresh_from_db()
    assert (s.status, s.conclusion) == ("concluded", "explained")
