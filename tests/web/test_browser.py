"""The platform in a real browser: each persona logs in through the login form and does its main task.

Playwright drives Debian's chromium (``make install`` installs it at /usr/bin/chromium; Playwright's own browser
downloads are never used) against pytest-django's ``live_server``. Every page is watched for console errors,
uncaught exceptions and Content-Security-Policy violations ("Refused to …"): any of them fails the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import CHAOYANG, HAIDIAN, PASSWORD, make_user

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")


class Watch:
    """Console errors, page errors and CSP violations of one page; ``allow`` tolerates an expected HTTP error."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        self.allowed: list[re.Pattern[str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"pageerror: {exc}"))

    def _console(self, msg: Any) -> None:
        text = msg.text
        csp = "Refused to" in text or "Content Security Policy" in text or "violates" in text
        if (msg.type == "error" or csp) and not any(p.search(text) for p in self.allowed):
            self.problems.append(f"console {msg.type}: {text} @ {msg.location.get('url', '')}")

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture()
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A factory of fresh browser sessions (one context each: cookies are not shared) with a ``Watch``."""
    contexts: list[Any] = []
    watches: list[Watch] = []

    def make() -> tuple[Any, Watch]:
        ctx = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}, reduced_motion="reduce"
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        watch = Watch(page)
        watches.append(watch)
        return page, watch

    yield make
    for ctx in contexts:
        ctx.close()
    for w in watches:
        w.check()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot kept as a test artifact (test-artifacts/ is not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def nav(page: Any, label: str) -> None:
    page.locator("header nav").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def search(page: Any, q: str, expect_name: str) -> None:
    """Type into the 企业库 box: htmx swaps the results in place."""
    page.locator("input[name=q]").fill(q)
    page.locator("#results").get_by_role("link", name=expect_name, exact=True).wait_for()
    assert f"q={q}" in page.url or "q=" in page.url  # hx-push-url keeps the query addressable


def _fragment(name: str) -> str:
    """A Chinese fragment of ``name`` that is not a prefix (so the search really is a substring search)."""
    from gaoqi.web.enterprises.models import Enterprise

    core = name.removeprefix("北京").removeprefix("市")
    for size in (3, 4, 5, 6):
        for start in range(1, max(2, len(core) - size)):
            frag = core[start : start + size]
            if len(frag) == size and Enterprise.objects.filter(name__contains=frag).count() <= 20:
                return frag
    return core


def _target(district: str) -> Any:
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    ids = PolicyResult.objects.filter(policy_id="hte-certification", enterprise__district_code=district).values(
        "enterprise_id"
    )
    ent = (
        Enterprise.objects.filter(pk__in=ids, sales_last_year__isnull=False)
        .exclude(name__startswith="金丝雀")
        .order_by("uscc")
        .first()
    )
    assert ent is not None
    return ent


def test_municipal_official(users: dict[str, Any], open_page: Any) -> None:
    ent = _target(HAIDIAN)
    page, _ = open_page()
    log_in(page, users["municipal"].username)

    # 工作台: the charts render (ECharts draws on a canvas)
    assert urlsplit(page.url).path == "/"
    page.locator("#district-chart canvas").wait_for()
    page.locator("#field-chart canvas").wait_for()
    shot(page, "dashboard")

    # 企业库: by pinyin initials, by a Chinese name fragment, then the profile
    nav(page, "企业库")
    search(page, ent.name_initials[:12], ent.name)
    search(page, _fragment(ent.name), ent.name)
    page.locator("#results").get_by_role("link", name=ent.name, exact=True).click()
    page.wait_for_url(f"**/enterprises/{ent.uscc}/")
    assert page.locator("h1").inner_text() == ent.name
    page.locator("#finance-chart canvas").wait_for()
    shot(page, "enterprise-profile")

    # 逐条说明 (htmx): the conditions table of hte-certification appears under its row
    page.locator('button[hx-get$="/explain/hte-certification/"]').click()
    table = page.locator("#explain-hte-certification table").first
    table.wait_for()
    assert "条款" in table.locator("thead").inner_text()
    assert table.locator("tbody tr").count() >= 3

    # 政策模拟: choose the policy and a parameter, run, see the chart and the table by district
    nav(page, "政策模拟")
    page.locator("select[name=policy]").select_option("hte-certification")
    page.locator("select[name=param] option[value=ip_min]").wait_for(state="attached")
    page.locator("select[name=param]").select_option("ip_min")
    page.locator("input[name=value]").fill("3")
    page.get_by_role("button", name="模拟").click()
    page.wait_for_load_state()
    page.locator("#simulate-chart canvas").wait_for()
    rows = page.locator("section.card table.list tbody tr")
    assert rows.count() >= 1
    assert "Ⅰ类或Ⅱ类知识产权件数下限" in page.locator("section.card").inner_text()  # the parameter by its name
    shot(page, "policy-simulation")


def test_district_official(users: dict[str, Any], open_page: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    ent = _target(HAIDIAN)
    chaoyang = Enterprise.objects.filter(district_code=CHAOYANG).order_by("uscc").first()
    assert chaoyang is not None
    page, watch = open_page()
    log_in(page, users["district"].username)

    nav(page, "企业库")
    search(page, _fragment(ent.name), ent.name)
    page.locator("#results").get_by_role("link", name=ent.name, exact=True).click()
    page.wait_for_url(f"**/enterprises/{ent.uscc}/")
    assert "海淀" in page.locator("dl.facts").inner_text()

    # personal data: masked until revealed (htmx POST, audited), then the full ID number
    personal = page.locator("#personal")
    assert ent.legal_rep_id_number not in personal.inner_text()
    personal.get_by_role("button").click()
    page.wait_for_function(
        "id => document.getElementById('personal').textContent.includes(id)", arg=ent.legal_rep_id_number
    )

    # a 朝阳 enterprise typed into the address bar: 404, and its name is nowhere on the page
    watch.allow(r"status of 404")
    response = page.goto(f"/enterprises/{chaoyang.uscc}/")
    assert response is not None and response.status == 404
    assert chaoyang.name not in page.content()
    assert page.locator("h1").inner_text() == "404 页面不存在"


def test_enterprise_user_then_auditor(users: dict[str, Any], open_page: Any) -> None:
    ent_user = users["enterprise"]
    page, _ = open_page()
    log_in(page, ent_user.username)
    nav(page, "我的企业")
    page.locator("a", has_text="查看完整企业画像").click()
    page.wait_for_url(f"**/enterprises/{ent_user.uscc}/")
    assert ent_user.uscc in page.locator("dl.facts").inner_text()

    auditor_page, _ = open_page()
    log_in(auditor_page, users["auditor"].username)
    nav(auditor_page, "审计日志")
    log = auditor_page.locator("section.card table tbody").inner_text()
    for username in (ent_user.username, users["auditor"].username):
        assert re.search(rf"{username}\s.*\s登录\s.*\s成功", log), log  # the action and outcome in words


def test_five_wrong_passwords_lock_the_account(db: Any, open_page: Any) -> None:
    user = make_user("district", username="locked_out", district_code=HAIDIAN)
    page, watch = open_page()
    watch.allow(r"status of 429")  # axes answers a locked account with 429 Too Many Requests
    for _ in range(5):
        log_in(page, user.username, "wrong-password-0000")
        if "/accounts/login/" in page.url and page.locator("h1").inner_text() == "登录":
            assert "用户名或密码错误" in page.locator("p.error").inner_text()
    log_in(page, user.username)
    assert page.locator("h1").inner_text() == "账号已锁定"
    assert "/accounts/login/" in page.url
