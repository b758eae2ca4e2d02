"""政策沙盘 in a real browser: the municipal office drafts a reward (a bad article first: refused next to its
field), tries it over the published snapshot and sees the counts, submits it; a second official approves it; it is
published and the policy catalogue shows it. Every page is watched for console errors and CSP violations."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.drafting import render
from gaoqi.web.drafting.models import PolicyDraft
from tests.web.conftest import make_user
from tests.web.drafting.conftest import REPO
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # fixtures used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.mark.django_db(transaction=True)
def test_the_office_drafts_tries_and_publishes_a_reward(
    open_page: Any, snapshot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(REPO / "policies", folder)
    monkeypatch.setenv("GAOQI_POLICIES", str(folder))
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "0")
    make_user(roles.MUNICIPAL, "b_author")
    make_user(roles.MUNICIPAL, "b_approver")
    hte_label = dict(render.feature_choices())["has_hte_certificate"]

    page, watch = open_page()
    watch.allow(r"status of 400 \(Bad Request\)")  # the refused form answers 400, on purpose
    log_in(page, "b_author")
    nav(page, "政策沙盘")
    page.get_by_role("link", name="起草新政策").click()
    page.wait_for_load_state()
    page.locator("[name=policy_id]").fill("haidian-hte-reward")
    page.locator("[name=name]").fill("海淀区高新技术企业奖励")
    page.locator("[name=authority]").fill("北京市海淀区人民政府")
    page.locator("[name=document_number]").fill("京科发〔2026〕8号")
    page.locator("[name=version_id]").fill("2027")
    page.locator("[name=valid_from]").fill("2027-01-01")
    page.locator("[name=documents]").fill("京科发〔2026〕8号")
    page.locator("[name=p0_name]").fill("reward")
    page.locator("[name=p0_label]").fill("奖励金额")
    page.locator("[name=p0_type]").select_option("money")
    page.locator("[name=p0_value]").fill("20")
    page.locator("[name=p0_unit]").fill("万元")
    page.locator("[name=c0_label]").fill("持有高新技术企业证书")
    page.locator("[name=c0_feature]").select_option(label=hte_label)
    page.locator("[name=c0_op]").select_option("=")
    page.locator("[name=c0_value]").fill("是")
    page.locator("[name=c0_article]").fill("京科发〔2025〕3号 第三条")  # not one of the version's documents
    page.locator("[name=benefit_amount]").fill("param.reward")
    page.locator("[name=benefit_label]").fill("奖励20万元")
    page.get_by_role("button", name="保存并校验").click()
    page.wait_for_load_state()
    cell = page.locator("td", has=page.locator("[name=c0_article]"))
    sync_api.expect(cell).to_contain_text("条款引用的「京科发〔2025〕3号」不在本版本的文件中")
    shot(page, "drafting-refused")
    assert PolicyDraft.objects.count() == 0
    page.locator("[name=c0_article]").fill("京科发〔2026〕8号 第三条")
    page.get_by_role("button", name="保存并校验").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#draft-status")).to_have_text("草稿")
    draft = PolicyDraft.objects.get()

    page.get_by_role("button", name="在现行数据快照上试算").click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    totals = draft.try_result["draft"]["district"]["totals"]
    row = page.locator("#try-totals tbody tr").first
    cells = row.locator("td")
    sync_api.expect(cells.nth(1)).to_have_text(str(totals["pass"]))
    sync_api.expect(cells.nth(2)).to_have_text(str(totals["fail"]))
    sync_api.expect(cells.nth(3)).to_have_text(str(totals["unknown"]))
    sync_api.expect(cells.nth(4)).to_have_text(draft.try_result["draft"]["district"]["cost"])
    assert totals["pass"] > 0
    sync_api.expect(page.get_by_role("heading", name="按区县")).to_be_visible()
    shot(page, "drafting-tried")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#draft-status")).to_have_text("待审核")
    assert page.get_by_role("button", name="审核通过并发布").count() == 0  # not for the author

    second, _ = open_page()
    log_in(second, "b_approver")
    nav(second, "政策沙盘")
    second.get_by_role("link", name=f"草稿 #{draft.pk}").click()
    second.wait_for_load_state()
    second.get_by_role("button", name="审核通过并发布").click()
    second.wait_for_load_state()
    sync_api.expect(second.locator("#draft-status")).to_have_text("已发布")
    sync_api.expect(second.locator("body")).to_contain_text("haidian-hte-reward.yaml")
    shot(second, "drafting-published")
    assert (folder / "haidian-hte-reward.yaml").exists()
    nav(second, "政策库")
    sync_api.expect(second.locator("body")).to_contain_text("海淀区高新技术企业奖励")
