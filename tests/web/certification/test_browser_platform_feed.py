"""What a person sees of the platform's own feed (ADR 0011), in a real browser: an enterprise certified under
报备即批准 asks for a rename on 我的证书; anyone sees it on the public 公示 page with its period; once the publicity
is over and the next snapshot is published, the municipal official finds the enterprise in 企业库 by its new name,
and its profile says 高新技术企业 有效 with the source 高企认定系统."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import services as sv
from gaoqi.web.core import clock as platform_clock
from tests.web.certification.conftest import PILOT_DECLARATIONS, draft
from tests.web.conftest import AS_OF, make_user
from tests.web.test_browser import CHROMIUM, log_in, nav, open_page, search, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside Playwright's loop

__all__ = ["open_page"]  # a fixture of test_browser.py (fresh, watched browser sessions), used here

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium missing: run `make install`")

NEW_NAME = "北京更名后智能识别科技有限公司"


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    now = {"day": AS_OF}  # certified on the snapshot's date
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


@pytest.fixture()
def holder(snapshot: Any, transactional_db: Any, clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch) -> Any:
    """A certifiable enterprise without an HTE certificate, certified by the platform (报备即批准)."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    rows = PolicyResult.objects.filter(
        snapshot=snapshot, policy_id="hte-certification", status="unknown", failed_count=0, enterprise__has_hte=False
    ).select_related("enterprise")
    ok = sorted(r.enterprise.uscc for r in rows if all(u.startswith("pending:") for u in r.unknown_features))
    assert ok
    ent = Enterprise.objects.get(uscc=ok[0])
    user = make_user(roles.ENTERPRISE, "ent", uscc=ent.uscc)
    monkeypatch.setitem(process_config().pilot, "post_check_share", 0.0)
    app = draft({"enterprise": user})
    sv.application_declare(user, app, PILOT_DECLARATIONS)
    sv.application_transition(user, app, "file")
    return ent


def test_a_rename_is_in_public_and_the_new_name_finds_the_certified_enterprise(
    holder: Any, open_page: Any, clock: dict[str, dt.date]
) -> None:
    from gaoqi.web.certification.models import NameChange
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    page, _ = open_page()
    log_in(page, "ent")
    page.goto("/certification/")
    page.locator("input[name=new_name]").fill(NEW_NAME)
    page.get_by_role("button", name="申请更名").click()
    page.wait_for_load_state()
    assert "更名申请已提交" in page.inner_text("main")
    nc = NameChange.objects.get(new_name=NEW_NAME)
    assert nc.publicity_start is not None and nc.publicity_end is not None

    public, _ = open_page()  # nobody logged in
    public.goto("/certification/publicity/")
    row = public.locator("tr", has_text=NEW_NAME)
    row.wait_for()
    text = row.inner_text()
    period = f"{nc.publicity_start.year}年{nc.publicity_start.month}月{nc.publicity_start.day}日至"
    assert holder.name in text and period in text and f"{nc.publicity_end.year}年" in text
    shot(public, "publicity-rename")

    clock["day"] = nc.publicity_end + dt.timedelta(days=1)
    assert len(sv.daily()["renamed"]) == 1
    snap = snapshot_run(Snapshot.objects.create(as_of=clock["day"]).pk)
    assert snap.status == Snapshot.PUBLISHED, snap.message

    official, _ = open_page()
    make_user(roles.MUNICIPAL, "muni")
    log_in(official, "muni")
    nav(official, "企业库")
    search(official, "更名后智能识别", holder.name)
    official.locator("#results").get_by_role("link", name=holder.name, exact=True).click()
    official.wait_for_load_state()
    facts = official.locator("dl.facts").inner_text()
    assert "有效，至" in facts and NEW_NAME in facts
    assert "certificate_高企认定系统.csv" in official.locator("main").inner_text()
    shot(official, "profile-platform-certificate")
