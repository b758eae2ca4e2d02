"""The pages and the API: the queue (filters, key paging, export), the package page (summary, moves, rating), the
enterprise's own packages, the 时限监控 section, the API answers; refusals shown as messages; scoping by URL;
and every word on these pages Chinese."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web.servicepacks import services
from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage
from tests.web.conftest import login
from tests.web.servicepacks.conftest import TODAY, item, package
from tests.web.test_chinese_everywhere import ascii_words

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_create_a_package_and_assign_an_item_through_the_pages(world: dict[str, Any]) -> None:
    w = world
    c = login(w["municipal"])
    page = c.get(reverse("servicepacks:packages"))
    assert page.status_code == 200 and w["hd1"].name in _text(page)  # a member without a package is offered
    assert w["outsider"].name not in _text(page)
    r = c.post(reverse("servicepacks:package_new"), {"uscc": w["hd1"].uscc, "year": 2026,
               "municipal_steward": "sp_municipal", "district_steward": "sp_haidian"})  # fmt: skip
    pkg = ServicePackage.objects.get(enterprise=w["hd1"])
    assert r.status_code == 302 and r["Location"] == reverse("servicepacks:package", args=[pkg.pk])
    r = c.post(reverse("servicepacks:package_new"), {"uscc": w["hd1"].uscc, "year": 2026,
               "municipal_steward": "sp_municipal", "district_steward": "sp_haidian"}, follow=True)  # fmt: skip
    assert "已有2026年度服务包" in _text(r)
    r = c.post(reverse("servicepacks:item_assign", args=[pkg.pk]), {"need": "协调研发用房", "category": "space",
               "unit": "m.nosuch", "handler": "sp_municipal"}, follow=True)  # fmt: skip
    assert "责任单位“m.nosuch”不存在" in _text(r)
    r = c.post(reverse("servicepacks:item_assign", args=[pkg.pk]), {"need": "协调研发用房", "category": "space",
               "unit": "110108.sci", "handler": "sp_haidian"}, follow=True)  # fmt: skip
    i = ServiceItem.objects.get(package=pkg)
    assert i.status == "assigned" and "服务事项已交办" in _text(r) and "已交办" in _text(r)


def test_the_district_handles_and_the_enterprise_rates(world: dict[str, Any]) -> None:
    w = world
    pkg = package(w)
    i = item(w, pkg)
    d = login(w["haidian"])
    page = _text(d.get(reverse("servicepacks:package", args=[pkg.pk])))
    assert "受理" in page and "退回交办人" in page
    assert login(w["chaoyang"]).get(reverse("servicepacks:package", args=[pkg.pk])).status_code == 404  # canary
    r = d.post(reverse("servicepacks:item_act", args=[i.pk]), {"action": "accept", "seen": "assigned"})
    assert r.status_code == 302
    r = d.post(reverse("servicepacks:item_act", args=[i.pk]), {"action": "complete", "comment": "", "seen": "accepted"},
               follow=True)  # fmt: skip
    assert "需要填写意见" in _text(r)
    d.post(
        reverse("servicepacks:item_act", args=[i.pk]), {"action": "complete", "comment": "已落实", "seen": "accepted"}
    )
    assert ServiceItem.objects.get(pk=i.pk).status == "done"
    # the enterprise: an official cannot rate (the access table), another enterprise gets 404
    assert d.post(reverse("servicepacks:item_rate", args=[i.pk]), {"rating": "satisfied"}).status_code == 403
    assert (
        login(w["ent2"]).post(reverse("servicepacks:item_rate", args=[i.pk]), {"rating": "satisfied"}).status_code
        == 404
    )
    e = login(w["ent1"])
    mine = _text(e.get(reverse("servicepacks:mine")))
    assert "2026年度服务包" in mine
    assert "提交评价" in _text(e.get(reverse("servicepacks:package", args=[pkg.pk])))
    r = e.post(reverse("servicepacks:item_rate", args=[i.pk]), {"rating": "basic", "comment": "还行"}, follow=True)
    page = _text(r)
    assert "评价已提交" in page and "基本满意：还行" in page and "已办结" in page
    assert "提交评价" not in page
    r = e.post(reverse("servicepacks:item_rate", args=[i.pk]), {"rating": "satisfied"}, follow=True)
    assert "不能重复评价" in _text(r)
    # an enterprise cannot accept (the workflow's roles) — shown as a message
    j = item(w, pkg)
    r = e.post(reverse("servicepacks:item_act", args=[j.pk]), {"action": "accept"}, follow=True)
    assert "您的角色不能执行“受理”" in _text(r)
    assert ServiceItem.objects.get(pk=j.pk).status == "assigned"


def test_the_queue_filters_pages_by_key_and_exports(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    from gaoqi.web.servicepacks import selectors

    w = world
    pkg = package(w)
    items = [item(w, pkg, need=f"需求{n}") for n in range(7)]
    m = item(w, pkg, unit="m.hte", handler="municipal", need="市级事项")
    ServiceItem.objects.filter(pk=items[0].pk).update(due_on=TODAY - dt.timedelta(days=1))  # overdue
    c = login(w["haidian"])
    page = _text(c.get(reverse("servicepacks:queue")))
    assert "共 7 项" in page and "市级事项" not in page and "已超期" in page
    assert "共 1 项" in _text(c.get(reverse("servicepacks:queue") + "?overdue=1"))
    assert "共 8 项" in _text(login(w["municipal"]).get(reverse("servicepacks:queue")))
    assert "共 1 项" in _text(login(w["municipal"]).get(reverse("servicepacks:queue") + "?unit=m.hte"))
    assert "共 0 项" in _text(login(w["chaoyang"]).get(reverse("servicepacks:queue")))  # canary
    # key paging: pages of 3 cover every row once, in due order
    qs = selectors.items_owed(w["haidian"], selectors.QueueFilter(), TODAY)
    seen, after = [], ""
    while True:
        p = selectors.queue_page(qs, after, size=3)
        seen += [i.pk for i in p.rows]
        if not p.next_after:
            break
        after = p.next_after
    assert seen == [i.pk for i in qs] and len(seen) == 7 and seen[0] == items[0].pk
    r = c.get(reverse("servicepacks:queue_export"))
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 8
    assert sum(1 for row in rows[1:] if row[11] == "是") == 1
    assert m.pk  # the municipal unit's item is not 海淀's to export


def test_the_deadline_page_has_the_section(world: dict[str, Any]) -> None:
    w = world
    pkg = package(w)
    i = item(w, pkg, need="超期的事项")
    ServiceItem.objects.filter(pk=i.pk).update(due_on=TODAY - dt.timedelta(days=1))
    page = _text(login(w["haidian"]).get(reverse("certification:overdue")))
    assert "服务包事项超期（1 项）" in page and "超期的事项" in page
    assert "已超时" in page  # the page's own content is still there
    page = _text(login(w["chaoyang"]).get(reverse("certification:overdue")))
    assert "服务包事项超期（0 项）" in page and "超期的事项" not in page


def test_the_api(world: dict[str, Any]) -> None:
    w = world
    hd, cy = package(w), package(w, "cy")
    i = item(w, hd)
    services.item_act(w["haidian"], i.pk, "accept")
    services.item_act(w["haidian"], i.pk, "complete", "已落实")
    services.item_rate(w["ent1"], i.pk, "satisfied")
    item(w, cy, unit="110105.sci", handler="chaoyang")
    m = login(w["municipal"])
    data = m.get("/api/service-packages").json()
    assert data["count"] == 2 and {p["uscc"] for p in data["items"]} == {w["hd1"].uscc, w["cy"].uscc}
    d = login(w["haidian"])
    assert [p["id"] for p in d.get("/api/service-packages").json()["items"]] == [hd.pk]
    assert d.get(f"/api/service-packages/{cy.pk}").status_code == 404  # canary
    detail = d.get(f"/api/service-packages/{hd.pk}").json()
    assert detail["summary"]["done"] == 1 and detail["summary"]["average_rating"] == 3.0
    assert detail["summary"]["on_time_rate"] == 1.0 and detail["items"][0]["rating"] == "satisfied"
    items = d.get("/api/service-packages/items?status=done").json()
    assert items["count"] == 1 and items["items"][0]["result"] == "已落实"
    assert d.get("/api/service-packages/items").json()["count"] == 1
    assert m.get("/api/service-packages/items").json()["count"] == 2
    one = login(w["ent1"]).get(f"/api/service-packages/items/{i.pk}").json()
    assert one["status"] == "done" and one["overdue"] is False
    assert login(w["ent2"]).get(f"/api/service-packages/items/{i.pk}").status_code == 404


def test_every_word_on_these_pages_is_chinese(world: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User

    w = world
    pkg = package(w)
    i = item(w, pkg)
    services.item_act(w["haidian"], i.pk, "accept")
    services.item_act(w["haidian"], i.pk, "complete", "已落实")
    services.item_rate(w["ent1"], i.pk, "unsatisfied", "不够")
    j = item(w, pkg, unit="m.hte", handler="municipal")
    services.item_act(w["municipal"], j.pk, "return", "请区里办")
    ServiceItem.objects.filter(pk=item(w, pkg).pk).update(due_on=TODAY - dt.timedelta(days=2))
    known = set(User.objects.values_list("username", flat=True))
    pages = {
        "municipal": ["servicepacks:queue", "servicepacks:packages", ("servicepacks:package", pkg.pk),
                      "certification:overdue"],
        "haidian": ["servicepacks:queue", "servicepacks:packages", ("servicepacks:package", pkg.pk)],
        "evaluator": ["servicepacks:packages", ("servicepacks:package", pkg.pk)],
        "ent1": ["servicepacks:mine", ("servicepacks:package", pkg.pk)],
    }  # fmt: skip
    found = {}
    for who, names in pages.items():
        c = login(w[who])
        for n in names:
            url = reverse(n[0], args=[n[1]]) if isinstance(n, tuple) else reverse(n)
            r = c.get(url, headers={"Accept-Language": "en-US"})
            assert r.status_code == 200, url
            if words := ascii_words(_text(r), known):
                found[f"{who} {url}"] = words
    assert not found, found


def test_the_bulk_action_reports_its_counts(world: dict[str, Any]) -> None:
    w = world
    package(w)
    r = login(w["municipal"]).post(reverse("servicepacks:package_bulk"), {"year": 2026,
                                   "municipal_steward": "sp_municipal"}, follow=True)  # fmt: skip
    assert "已为 2 家规升强企业建立2026年度服务包；1 家已有服务包；0 家" in _text(r)
    assert ServicePackage.objects.filter(year=2026).count() == 3
    assert login(w["haidian"]).post(reverse("servicepacks:package_bulk"), {"year": 2026}).status_code == 403
    r = login(w["municipal"]).post(reverse("servicepacks:package_bulk"), {"year": 2031,
                                   "municipal_steward": "sp_municipal"}, follow=True)  # fmt: skip
    assert "服务包年度只能为2026年或2027年" in _text(r)


def test_a_bad_page_key_or_filter_is_ignored(world: dict[str, Any]) -> None:
    c = login(world["municipal"])
    for q in ("?after=bogus", "?status=nosuch", "?after=2026-13-45_1", "?category=nosuch"):
        assert c.get(reverse("servicepacks:queue") + q).status_code == 200, q
