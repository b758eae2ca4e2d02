"""账号管理, 安全设置 and 时限监控 in a real browser (Playwright, Debian's chromium), watched for console errors
and CSP violations like every browser test."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from tests.web.conftest import HAIDIAN, PASSWORD, make_user
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page  # noqa: F401  (open_page: a fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_administrators_create_an_account_and_tighten_the_lockout(db: Any, open_page: Any) -> None:  # noqa: F811
    from gaoqi.web.accounts.models import User

    make_user(roles.SYSADMIN, "admin_b")
    make_user(roles.SECADMIN, "sec_b")
    page, watch = open_page()
    watch.allow(r"status of 400")  # the refused form answers 400, with the reasons on the page
    log_in(page, "admin_b")
    nav(page, "账号管理")
    form = page.locator("#create")
    form.get_by_label("用户名").fill("haidian_new")
    form.get_by_label("姓名或单位").fill("海淀区科委")
    form.get_by_label("角色").select_option(label="区级管理人员")
    form.get_by_label("初始密码").fill(PASSWORD)
    form.get_by_role("button", name="创建账号").click()
    page.wait_for_load_state()
    assert "区级管理人员须填写所属区县" in page.locator("#create").inner_text()  # said where it is wrong
    form = page.locator("#create")
    form.get_by_label("用户名").fill("haidian_new")
    form.get_by_label("所属区县（区级管理人员）").select_option(HAIDIAN)
    form.get_by_label("初始密码").fill(PASSWORD)
    form.get_by_role("button", name="创建账号").click()
    page.wait_for_url("**/accounts/users/*/")
    assert "账号 haidian_new 已创建" in page.locator("ul.messages").inner_text()
    assert "海淀区" in page.locator("dl.facts").inner_text()
    assert User.objects.get(username="haidian_new").district_code == HAIDIAN

    sec, _ = open_page()
    log_in(sec, "sec_b")
    nav(sec, "安全设置")
    assert "同一账号 5 次失败后锁定 15 分钟" in sec.locator("#in-force").inner_text()
    sec.get_by_label("同一账号失败次数上限（次）").fill("3")
    sec.get_by_role("button", name="保存").click()
    sec.wait_for_load_state()
    assert "同一账号失败次数上限：5 → 3 次" in sec.locator("ul.messages").inner_text()
    assert "同一账号 3 次失败后锁定 15 分钟" in sec.locator("#in-force").inner_text()

    newcomer, locked = open_page()
    locked.allow(r"status of 429")
    for _ in range(3):
        log_in(newcomer, "haidian_new", "wrong-password-0000")
    log_in(newcomer, "haidian_new")
    assert newcomer.locator("h1").inner_text() == "账号已锁定"  # at the third failure, the limit just set


def test_the_deadline_chart_draws(db: Any, open_page: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from gaoqi.web.certification import workflow as wf
    from gaoqi.web.certification.models import Application
    from gaoqi.web.certification.workdays import add_workdays

    on = dt.date(2026, 11, 16)
    monkeypatch.setattr(clock, "today", lambda: on)
    official = make_user(roles.DISTRICT, "dist_b", district_code=HAIDIAN)
    for i, (stage, used) in enumerate([(wf.DISTRICT_REVIEW, 7), (wf.EXPERT_REVIEW, 14)]):
        Application.objects.create(
            uscc=f"9111010855138{i:04d}X", enterprise_name=f"图表测试{i}科技有限公司", district_code=HAIDIAN,
            year=2026, tech_field="电子信息", status=stage, stage_started_at=add_workdays(on, -used),
            as_of=dt.date(2026, 6, 30), created_by=official,
        )  # fmt: skip
    page, _ = open_page()
    log_in(page, official.username)
    nav(page, "时限监控")
    page.locator("#overdue-district-chart canvas").wait_for()
    page.locator("#overdue-stage-chart canvas").wait_for()
    assert page.locator("#count-overdue b").inner_text() == "1"
    assert page.locator("#count-due-soon b").inner_text() == "1"
    assert "图表测试1科技有限公司" in page.locator("#due-soon").inner_text()
