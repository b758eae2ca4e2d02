"""Two officials acting on the same item at once: one wins, the other is told the item has changed; two
creations of one enterprise's package for one year: one package."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.core.errors import Conflict, StaleActionError
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.servicepacks import services
from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage
from tests.web.conftest import race
from tests.web.servicepacks.conftest import item, package

pytestmark = pytest.mark.django_db(transaction=True)


def test_completing_and_returning_at_once_one_wins(world: dict[str, Any]) -> None:
    w = world
    i = item(w, package(w))
    services.item_act(w["haidian"], i.pk, "accept")
    out = race(lambda: services.item_act(w["haidian"], i.pk, "complete", "已办结", seen="accepted"),
               lambda: services.item_act(w["haidian2"], i.pk, "return", "非本单位职能", seen="accepted"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    err = next(v for k, v in out if k == "error")
    assert isinstance(err, StaleActionError)
    winner = next(v for k, v in out if k == "ok")
    assert ServiceItem.objects.get(pk=i.pk).status == winner.status in {"done", "returned"}
    assert WorkflowLog.objects.filter(workflow="service_item", object_id=i.pk).count() == 3  # assign, accept, one


def test_two_completions_at_once_one_wins(world: dict[str, Any]) -> None:
    w = world
    i = item(w, package(w))
    services.item_act(w["haidian"], i.pk, "accept")
    out = race(lambda: services.item_act(w["haidian"], i.pk, "complete", "甲的结果"),
               lambda: services.item_act(w["haidian2"], i.pk, "complete", "乙的结果"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    assert isinstance(next(v for k, v in out if k == "error"), StaleActionError)
    assert ServiceItem.objects.get(pk=i.pk).result == next(v for k, v in out if k == "ok").result


def test_two_creations_of_one_package_at_once(world: dict[str, Any]) -> None:
    w = world
    out = race(lambda: package(w), lambda: package(w, by="haidian"))
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    assert isinstance(next(v for k, v in out if k == "error"), Conflict)
    assert ServicePackage.objects.filter(enterprise=w["hd1"], year=2026).count() == 1


def test_a_single_creation_and_the_bulk_at_once_make_one_package_each(world: dict[str, Any]) -> None:
    """The bulk action and a single creation of one of its enterprises' packages at once: never two packages for
    one enterprise and year, and the bulk never fails on the other's row (one lock per year serialises them)."""
    w = world
    out = race(lambda: package(w, by="haidian"),
               lambda: services.packages_create_all(w["municipal"], year=2026, municipal_steward=w["municipal"]))  # fmt: skip
    (single, made), (bulk, counts) = out
    assert bulk == "ok", out  # the bulk never fails on the single creation's row
    if single == "ok":  # the single one first: the bulk found hd1's package made
        assert counts["already"] == 1 and made.enterprise == w["hd1"]
    else:  # the bulk first: the single one is told the package exists
        assert isinstance(made, Conflict)
    for ent in (w["hd1"], w["hd2"], w["cy"]):
        assert ServicePackage.objects.filter(enterprise=ent, year=2026).count() == 1
