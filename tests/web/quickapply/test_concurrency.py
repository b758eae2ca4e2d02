"""Races (real threads, each with its own connection, released together): two 海淀 officials deciding one
application at once — one wins, the other is told it changed; two starts of one policy by one enterprise — one
application."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.core.errors import DomainError
from gaoqi.web.quickapply import services
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.models import PolicyApplication
from tests.web.conftest import race
from tests.web.quickapply.conftest import DISTRICT_POLICY

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officials_deciding_at_once(people: dict[str, Any]) -> None:
    user = people["ent"]
    app = services.application_start(user, DISTRICT_POLICY)
    services.application_declare(user, app, ["no_violation"])
    app = services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    seen_a, seen_b = PolicyApplication.objects.get(pk=app.pk), PolicyApplication.objects.get(pk=app.pk)
    results = race(
        lambda: services.application_transition(people["haidian"], seen_a, "approve", "同意"),
        lambda: services.application_transition(people["haidian2"], seen_b, "reject", "不符合"),
    )
    oks = [r for kind, r in results if kind == "ok"]
    errors: list[Any] = [r for kind, r in results if kind == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], DomainError) and "政策申请已由“待审核”变为" in errors[0].message
    fresh = PolicyApplication.objects.get(pk=app.pk)
    assert fresh.status == oks[0].status and fresh.status in (wf.APPROVED, wf.REJECTED)
    assert fresh.transitions.filter(target__in=[wf.APPROVED, wf.REJECTED]).count() == 1


def test_two_starts_at_once_make_one_application(people: dict[str, Any]) -> None:
    user = people["ent"]
    results = race(
        lambda: services.application_start(user, DISTRICT_POLICY),
        lambda: services.application_start(user, DISTRICT_POLICY),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(r for kind, r in results if kind == "error")
    assert isinstance(error, DomainError) and "只能有一份申请" in error.message
    assert PolicyApplication.objects.filter(uscc=user.uscc, policy_id=DISTRICT_POLICY).count() == 1
