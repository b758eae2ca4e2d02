"""The issue's journey in a real browser: the municipal office drafts a 免申即享 reward (first refused: an attested
condition cannot be paid without an application — the refusal stands next to 兑现方式), tries it over the published
snapshot, submits it; a second official approves and publishes it. The next snapshot evaluates it: an enterprise
that passes finds the reward in its 消息中心, confirms its account on its 免申即享 page; once the window has passed
(the daily maturing) the municipal office sees the benefit and the downloaded payment list has the enterprise's
row with its USCC and the amount. Every page is watched for console errors and CSP violations."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.drafting import render
from gaoqi.web.drafting.models import PolicyDraft
from tests.web.conftest import AS_OF, make_user
from tests.web.drafting.conftest import REPO
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")

POLICY = "haidian-hte-msjx"
NAME = "海淀区高新技术企业免申即享奖励"
HAIDIAN = "110108"


def _draft_in_the_browser(page: Any) -> None:
    labels = dict(render.feature_choices())
    page.locator("[name=policy_id]").fill(POLICY)
    page.locator("[name=name]").fill(NAME)
    page.locator("[name=authority]").fill("北京市海淀区人民政府")
    page.locator("[name=document_number]").fill("京科发〔2026〕9号")
    page.locator("[name=version_id]").fill("2026")
    page.locator("[name=valid_from]").fill("2026-01-01")  # in force at the next snapshot's date
    page.locator("[name=documents]").fill("京科发〔2026〕9号")
    page.locator("[name=p0_name]").fill("reward")
    page.locator("[name=p0_label]").fill("奖励金额")
    page.locator("[name=p0_type]").select_option("money")
    page.locator("[name=p0_value]").fill("20")
    page.locator("[name=p0_unit]").fill("万元")
    page.locator("[name=c0_id]").fill("in_haidian")
    page.locator("[name=c0_label]").fill("注册在海淀区")
    page.locator("[name=c0_feature]").select_option(label=labels["district_code"])
    page.locator("[name=c0_op]").select_option("=")
    page.locator("[name=c0_value]").fill(HAIDIAN)
    page.locator("[name=c0_article]").fill("京科发〔2026〕9号 第三条")
    page.locator("[name=c1_id]").fill("holds_hte")
    page.locator("[name=c1_label]").fill("持有高新技术企业证书")
    page.locator("[name=c1_feature]").select_option(label=labels["has_hte_certificate"])
    page.locator("[name=c1_op]").select_option("=")
    page.locator("[name=c1_value]").fill("是")
    page.locator("[name=c1_article]").fill("京科发〔2026〕9号 第三条（一）")
    # an attested condition: 免申即享 must refuse it
    page.locator("[name=c2_id]").fill("no_violation")
    page.locator("[name=c2_label]").fill("承诺无重大违法行为")
    page.locator("[name=c2_kind]").select_option("attested")
    page.locator("[name=c2_article]").fill("京科发〔2026〕9号 第四条")
    page.locator("[name=benefit_amount]").fill("param.reward")
    page.locator("[name=benefit_label]").fill("一次性奖励20万元")
    page.locator("[name=benefit_period]").select_option("once")
    page.locator("[name=delivery]").select_option("automatic")


@pytest.mark.django_db(transaction=True)
def test_a_published_msjx_reward_reaches_the_inbox_and_the_payment_list(
    open_page: Any, snapshot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.benefits.models import Benefit
    from gaoqi.web.benefits.services import benefits_mature
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run
    from gaoqi.web.push.models import Message

    folder = tmp_path / "policies"
    shutil.copytree(REPO / "policies", folder)
    monkeypatch.setenv("GAOQI_POLICIES", str(folder))
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "0")
    make_user(roles.MUNICIPAL, "j_author")
    make_user(roles.MUNICIPAL, "j_approver")

    # ---- the office drafts, is refused, fixes, tries and submits
    page, watch = open_page()
    watch.allow(r"status of 400 \(Bad Request\)")  # the refused form answers 400, on purpose
    log_in(page, "j_author")
    nav(page, "政策沙盘")
    page.get_by_role("link", name="起草新政策").click()
    page.wait_for_load_state()
    _draft_in_the_browser(page)
    page.get_by_role("button", name="保存并校验").click()
    page.wait_for_load_state()
    field = page.locator("#delivery-field")
    sync_api.expect(field).to_contain_text("免申即享要求全部条件由数据判定：条件「承诺无重大违法行为」为企业承诺")
    shot(page, "journey-refused")
    assert PolicyDraft.objects.count() == 0
    for f in ("c2_id", "c2_label", "c2_article"):
        page.locator(f"[name={f}]").fill("")
    page.locator("[name=c2_kind]").select_option("data")
    page.get_by_role("button", name="保存并校验").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#draft-status")).to_have_text("草稿")
    sync_api.expect(page.locator("body")).to_contain_text("免申即享")
    draft = PolicyDraft.objects.get()
    assert "delivery: automatic" in draft.yaml_text and "period: once" in draft.yaml_text
    page.get_by_role("button", name="在现行数据快照上试算").click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    tried = draft.try_result["draft"]["district"]["totals"]
    assert tried["pass"] > 0
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#draft-status")).to_have_text("待审核")

    # ---- a second official publishes it
    second, _ = open_page()
    log_in(second, "j_approver")
    nav(second, "政策沙盘")
    second.get_by_role("link", name=f"草稿 #{draft.pk}").click()
    second.wait_for_load_state()
    second.get_by_role("button", name="审核通过并发布").click()
    second.wait_for_load_state()
    sync_api.expect(second.locator("#draft-status")).to_have_text("已发布")
    assert (folder / f"{POLICY}.yaml").exists()
    assert not PolicyResult.objects.filter(policy_id=POLICY).exists()

    # ---- the next snapshot evaluates it: results, benefits and messages in the same switch
    snap = snapshot_run(Snapshot.objects.create(as_of=AS_OF).pk)
    assert snap.status == Snapshot.PUBLISHED
    passing = PolicyResult.objects.of(snap).filter(policy_id=POLICY, status="pass")
    assert passing.count() == tried["pass"]
    assert all(r.benefit_amount == Decimal("20") for r in passing)
    benefits = Benefit.objects.filter(policy_id=POLICY)
    assert sorted(benefits.values_list("result_id", flat=True)) == sorted(passing.values_list("id", flat=True))
    assert set(benefits.values_list("period", flat=True)) == {"once"}
    result = passing.select_related("enterprise").order_by("enterprise__uscc").first()
    assert result is not None
    ent = result.enterprise
    assert ent.district_code == HAIDIAN
    assert Message.objects.filter(enterprise=ent, policy_id=POLICY, kind="qualifies").count() == 1
    make_user(roles.ENTERPRISE, "j_enterprise", uscc=ent.uscc)

    # ---- the enterprise finds it in its inbox and confirms its account
    third, _ = open_page()
    log_in(third, "j_enterprise")
    inbox = third.locator("header nav").get_by_role("link", name=re.compile(r"^消息中心"))
    sync_api.expect(inbox.locator(".badge")).to_be_visible()  # the unread count beside 消息中心
    inbox.click()
    third.wait_for_load_state()
    row = third.locator("table.list tbody tr", has_text=NAME)
    sync_api.expect(row).to_have_count(1)
    sync_api.expect(row).to_contain_text("未读")
    row.get_by_role("link").click()
    third.wait_for_load_state()
    sync_api.expect(third.locator("body")).to_contain_text(NAME)
    shot(third, "journey-inbox-message")
    nav(third, "我的免申即享")
    benefit = benefits.get(enterprise=ent)
    third.get_by_role("link", name=benefit.record_id).click()
    third.wait_for_load_state()
    third.locator("[name=bank_name]").fill("北京银行海淀支行")
    third.locator("[name=account_number]").fill("6222000011112222")
    third.get_by_role("button", name="确认账户").click()
    third.wait_for_load_state()
    benefit.refresh_from_db()
    assert benefit.status == "confirmed"
    sync_api.expect(third.locator("body")).to_contain_text("2222")
    assert "6222000011112222" not in third.content()  # masked, the enterprise included
    shot(third, "journey-confirmed")

    # ---- the window passes: the daily maturing makes it payable
    after = benefit.window_ends + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: after)
    assert benefits_mature()["payable"] >= 1
    benefit.refresh_from_db()
    assert benefit.status == "payable"

    # ---- the municipal office sees it and downloads the payment list
    make_user(roles.MUNICIPAL, "j_payer")
    fourth, _ = open_page()
    log_in(fourth, "j_payer")
    nav(fourth, "免申即享")
    fourth.locator("select[name=policy]").select_option(POLICY)
    fourth.get_by_role("button", name="查询").click()
    fourth.wait_for_load_state()
    sync_api.expect(fourth.locator("table.list tbody tr", has_text=benefit.record_id)).to_contain_text(ent.name)
    shot(fourth, "journey-benefits")
    with fourth.expect_download() as got:
        fourth.get_by_role("link", name="下载兑付清单（Excel）").click()
    data = Path(got.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(BytesIO(data), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    mine = [r for r in rows if benefit.record_id in r]
    assert len(mine) == 1
    assert mine[0][1] == ent.uscc and Decimal(str(mine[0][6])) == Decimal("20")
    assert mine[0][5] == "6222000011112222"  # the paying official's list carries the account whole
