"""Incubators and service agencies on a real published snapshot (issue 12, ADR 0018): the figures published with
the snapshot from the incubation feed, the ranking's order, scoping canaries (an incubator never sees another's
page, enterprises, export or API; a district official only its district's bodies), the export's formula cells
neutralised, and tutoring not yet wired."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from tests.web.conftest import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture()
def world(users: dict[str, Any], snapshot: Any) -> dict[str, Any]:
    """The roster as published, two incubator accounts (the two bodies counting the most enterprises) and a
    district official of a district with a body and another without it."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.incubators.models import Incubator, IncubatorFigures

    figures = list(
        IncubatorFigures.objects.filter(snapshot=snapshot).select_related("incubator").order_by("-incubated", "rank")
    )
    assert len(figures) >= 3
    a, b = figures[0].incubator, figures[1].incubator
    # the users fixture gave ten 海淀 enterprises the code INC-T by hand; put the feed's attribution back
    from gaoqi.engine import Workspace

    with Workspace.open(snapshot.duckdb_path, read_only=True) as ws:
        published = {r["uscc"]: r["incubator_code"] or "" for r in ws.enterprise_rows()}
    for ent in Enterprise.objects.filter(incubator_code="INC-T"):
        ent.incubator_code = published[ent.uscc]
        ent.save(update_fields=["incubator_code"])
    other = next((c for c in ("110105", "110108", "110101", "110102", "110106") if c != a.district_code), "110105")
    return {
        "snapshot": snapshot,
        "a": a,
        "b": b,
        "inc_a": make_user(roles.INCUBATOR, "inc_a", incubator_code=a.code),
        "inc_b": make_user(roles.INCUBATOR, "inc_b", incubator_code=b.code),
        "district_a": make_user(roles.DISTRICT, "district_a", district_code=a.district_code),
        "district_other": make_user(roles.DISTRICT, "district_other", district_code=other),
        "municipal": users[roles.MUNICIPAL],
        "enterprise": users[roles.ENTERPRISE],
        "incubators": list(Incubator.objects.order_by("code")),
    }


def test_publishing_stores_the_engines_figures(world: dict[str, Any]) -> None:
    from gaoqi.engine import Workspace
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.incubators.models import CityFigures, IncubatorFigures

    snap = world["snapshot"]
    with Workspace.open(snap.duckdb_path, read_only=True) as ws:
        engine = {r["incubator_code"]: r for r in ws.incubator_rows()}
        city = ws.incubator_city()
    published = {
        f.incubator.code: f for f in IncubatorFigures.objects.filter(snapshot=snap).select_related("incubator")
    }
    assert set(published) == set(engine) == {i.code for i in world["incubators"]}
    for code, f in published.items():
        e = engine[code]
        assert (f.incubated, f.new_hte, f.hte_valid, f.pool_members) == (
            e["incubated"],
            e["new_hte"],
            e["hte_valid"],
            e["pool_members"],
        )
        assert f.status == e["status"] and f.failed_conditions == list(e["failed_conditions"])
        # the enterprise index carries the same attribution: each body's enterprises, counted by hand
        assert Enterprise.objects.filter(incubator_code=code).count() == f.incubated
        assert f.evaluation_year == snap.as_of.year
    assert CityFigures.objects.get(snapshot=snap).incubated == city["incubated"] == Enterprise.objects.count()
    assert sum(f.incubated for f in published.values()) > 0


def test_the_ranking_is_best_score_first(world: dict[str, Any]) -> None:
    from gaoqi.web.incubators.models import IncubatorFigures

    rows = list(IncubatorFigures.objects.filter(snapshot=world["snapshot"]).order_by("rank"))
    assert [f.rank for f in rows] == list(range(1, len(rows) + 1))
    keys = [(-(f.score_lo or -1), -(f.score_hi or -1), f.incubator.code) for f in rows]
    assert keys == sorted(keys)
    page = login(world["municipal"]).get(reverse("incubators:ranking"))
    assert page.status_code == 200
    text = page.content.decode()
    positions = [text.index(f.incubator.name) for f in rows]
    assert positions == sorted(positions)
    by_size = login(world["municipal"]).get(reverse("incubators:ranking"), {"sort": "incubated"}).content.decode()
    bigger_first = sorted(rows, key=lambda f: (-f.incubated, f.rank))
    assert [by_size.index(f.incubator.name) for f in bigger_first] == sorted(
        by_size.index(f.incubator.name) for f in bigger_first
    )


def test_an_incubator_sees_its_own_page_and_enterprises_only(world: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    a, b = world["a"], world["b"]
    c = login(world["inc_a"])
    assert c.get(reverse("incubators:mine")).url == reverse("incubators:detail", args=[a.code])
    own = c.get(reverse("incubators:detail", args=[a.code]))
    assert own.status_code == 200
    text = own.content.decode()
    mine = list(Enterprise.objects.filter(incubator_code=a.code).order_by("name", "pk")[:25])
    theirs = list(Enterprise.objects.filter(incubator_code=b.code))
    assert mine and theirs
    assert all(e.name in text for e in mine)
    assert not [e.name for e in theirs if e.name in text]
    # B's page, its enterprises, the ranking, the export and the API: refused or not found
    assert c.get(reverse("incubators:detail", args=[b.code])).status_code == 404
    assert c.get(reverse("enterprises:detail", args=[theirs[0].uscc])).status_code == 404
    assert c.get(reverse("enterprises:detail", args=[mine[0].uscc])).status_code == 200
    assert c.get(reverse("incubators:ranking")).status_code == 403
    assert c.get(reverse("incubators:export")).status_code == 403
    assert c.get(f"/api/incubators/{b.code}").status_code == 404
    assert c.get(f"/api/incubators/{a.code}").json()["code"] == a.code
    items = c.get("/api/incubators").json()["items"]
    assert [i["code"] for i in items] == [a.code]


def test_a_district_official_sees_its_districts_bodies_only(world: dict[str, Any]) -> None:
    a = world["a"]
    inside = [i for i in world["incubators"] if i.district_code == a.district_code]
    outside = [i for i in world["incubators"] if i.district_code != a.district_code]
    c = login(world["district_a"])
    api = c.get("/api/incubators").json()
    assert {i["code"] for i in api["items"]} == {i.code for i in inside} and api["count"] == len(inside)
    page = c.get(reverse("incubators:ranking")).content.decode()
    assert all(i.name in page for i in inside)
    assert not [i.name for i in outside if i.name in page]
    for i in outside:
        assert c.get(reverse("incubators:detail", args=[i.code])).status_code == 404
        assert c.get(f"/api/incubators/{i.code}").status_code == 404
    other = login(world["district_other"])
    names = {i.code for i in world["incubators"] if i.district_code == world["district_other"].district_code}
    assert {i["code"] for i in other.get("/api/incubators").json()["items"]} == names
    assert other.get(reverse("incubators:detail", args=[a.code])).status_code == 404
    # an enterprise account sees no incubator at all
    ent = login(world["enterprise"])
    assert ent.get(reverse("incubators:ranking")).status_code == 403
    assert ent.get(reverse("incubators:detail", args=[a.code])).status_code == 403
    assert ent.get("/api/incubators").status_code == 403


def test_the_district_sees_of_a_body_only_its_districts_enterprises(world: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    a = world["a"]
    page = login(world["district_a"]).get(reverse("incubators:detail", args=[a.code]), {"page": 1}).content.decode()
    away = Enterprise.objects.filter(incubator_code=a.code).exclude(district_code=a.district_code)
    assert not [e.name for e in away if e.name in page]


def test_the_export_is_the_ranking_with_formula_cells_neutralised(world: dict[str, Any]) -> None:
    import openpyxl

    from gaoqi.web.incubators.models import Incubator

    a = world["a"]
    Incubator.objects.filter(pk=a.pk).update(name='=HYPERLINK("http://evil")')
    data = login(world["municipal"]).get(reverse("incubators:export"))
    assert data.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(data.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(world["incubators"])
    names = [r[2] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert [r[0] for r in rows[1:]] == list(range(1, len(rows)))
    district = openpyxl.load_workbook(io.BytesIO(login(world["district_a"]).get(reverse("incubators:export")).content))
    codes = {r[1] for r in list(district.active.iter_rows(values_only=True))[1:]}
    assert codes == {i.code for i in world["incubators"] if i.district_code == a.district_code}


def test_the_page_compares_with_the_city_and_counts_the_tutoring_the_body_gave(world: dict[str, Any]) -> None:
    import datetime as dt

    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.incubators.selectors import tutoring_given
    from gaoqi.web.programmes.models import ORG_INCUBATOR, TrainingSession, Tutoring

    a, b = world["a"], world["b"]
    ent = Enterprise.objects.filter(incubator_code=a.code).first() or Enterprise.objects.first()
    assert ent is not None
    by_a = {"tutor_kind": ORG_INCUBATOR, "incubator_code": a.code, "tutor": world["inc_a"], "enterprise": ent,
            "advice": "规范研发辅助账"}  # fmt: skip
    Tutoring.objects.create(held_on=dt.date(2026, 1, 1), **by_a)
    Tutoring.objects.create(held_on=dt.date(2026, 12, 31), **by_a)
    Tutoring.objects.create(held_on=dt.date(2025, 12, 31), **by_a)  # another year
    Tutoring.objects.create(**{**by_a, "incubator_code": b.code, "tutor": world["inc_b"]}, held_on=dt.date(2026, 5, 1))
    TrainingSession.objects.create(held_on=dt.date(2026, 3, 1), topic="高企政策解读", organiser_kind=ORG_INCUBATOR,
                                   incubator_code=a.code, organised_by=world["inc_a"], mode="onsite", hours=2)  # fmt: skip
    assert (tutoring_given(a.code, 2026), tutoring_given(a.code, 2025), tutoring_given(b.code, 2026)) == (3, 1, 1)
    text = login(world["municipal"]).get(reverse("incubators:detail", args=[a.code])).content.decode()
    assert "与全市比较" in text and "评价门槛" in text and "尚未接入" not in text


def test_republishing_the_same_snapshot_replaces_its_figures(world: dict[str, Any]) -> None:
    from gaoqi.engine import Workspace
    from gaoqi.web.incubators.models import IncubatorFigures
    from gaoqi.web.incubators.services import figures_publish

    snap = world["snapshot"]
    before = list(IncubatorFigures.objects.filter(snapshot=snap).order_by("rank").values_list("incubator_id", "rank"))
    with Workspace.open(snap.duckdb_path, read_only=True) as ws:
        n = figures_publish(snap, ws.incubator_rows(), ws.incubator_city())
    assert n == len(before)
    after = list(IncubatorFigures.objects.filter(snapshot=snap).order_by("rank").values_list("incubator_id", "rank"))
    assert after == before


@pytest.mark.django_db
def test_applications_count_for_the_incubators_asked_submitted_in_the_year() -> None:
    """每个孵化机构当年提出的高企申请：草稿、已撤回和其他年度不计，未入孵或不在所问机构的企业不计。"""
    import datetime as dt

    from gaoqi.web.certification import workflow as cwf
    from gaoqi.web.certification.models import Application
    from gaoqi.web.incubators.services import _applied
    from tests.web import factories as f

    officer = make_user(roles.MUNICIPAL, "applied_counter")
    cases = [("INC-A", 2026, cwf.DISTRICT_REVIEW), ("INC-A", 2026, cwf.DRAFT), ("INC-A", 2025, cwf.DISTRICT_REVIEW),
             ("INC-B", 2026, cwf.WITHDRAWN), ("INC-B", 2026, cwf.MUNICIPAL_REVIEW), ("", 2026, cwf.DISTRICT_REVIEW),
             ("INC-C", 2026, cwf.DISTRICT_REVIEW), ("INC-A", 2026, cwf.CERTIFIED)]  # fmt: skip
    for i, (code, year, status) in enumerate(cases):
        ent = f.enterprise(name=f"申报企业{i}")
        ent.incubator_code = code
        ent.save(update_fields=["incubator_code"])
        Application.objects.create(uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, year=year,
                                   tech_field="电子信息", status=status, stage_started_at=dt.date(year, 6, 1),
                                   as_of=dt.date(year, 6, 30), created_by=officer)  # fmt: skip
    assert _applied(2026, ["INC-A", "INC-B"]) == {"INC-A": 2, "INC-B": 1}
