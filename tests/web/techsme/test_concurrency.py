"""Races (real threads, each with its own connection, released together): two registrations at once get
distinct consecutive numbers (no gap, no duplicate); two officials approving one evaluation: one wins, the
other is told it changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError
from gaoqi.web.techsme import services
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.models import Evaluation, NumberCounter, Registration
from tests.web import factories as f
from tests.web.conftest import race
from tests.web.techsme.factories import evaluation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture()
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from gaoqi.web.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 1))


def test_two_registrations_at_once_get_consecutive_numbers(_clock: None) -> None:
    muni = f.user(roles.MUNICIPAL)
    a, b = (evaluation(status=wf.PUBLICITY, stage_started_at=dt.date(2026, 7, 1)) for _ in range(2))
    results = race(
        lambda: services.evaluation_transition(muni, a, "register"),
        lambda: services.evaluation_transition(None, b, "register"),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    numbers = sorted(Registration.objects.values_list("number", flat=True))
    assert numbers == ["2026110108A0000001", "2026110108A0000002"]
    assert NumberCounter.objects.get(prefix="2026110108A").last == 2


def test_two_officials_approving_one_evaluation(_clock: None) -> None:
    ev = evaluation(status=wf.SUBMITTED)
    district, muni = f.user(roles.DISTRICT), f.user(roles.MUNICIPAL)
    seen_a, seen_b = Evaluation.objects.get(pk=ev.pk), Evaluation.objects.get(pk=ev.pk)
    results = race(
        lambda: services.evaluation_transition(district, seen_a, "approve"),
        lambda: services.evaluation_transition(muni, seen_b, "reject", "信息不完整"),
    )
    oks = [r for kind, r in results if kind == "ok"]
    errors: list[Any] = [r for kind, r in results if kind == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], DomainError) and "评价已由“待审核”变为" in errors[0].message
    assert Evaluation.objects.get(pk=ev.pk).status == oks[0].status


def test_two_registrations_of_one_evaluation_give_one_number(_clock: None) -> None:
    ev = evaluation(status=wf.PUBLICITY, stage_started_at=dt.date(2026, 7, 1))
    muni = f.user(roles.MUNICIPAL)
    results = race(
        lambda: services.evaluation_transition(muni, Evaluation.objects.get(pk=ev.pk), "register"),
        lambda: services.evaluation_transition(None, Evaluation.objects.get(pk=ev.pk), "register"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert list(Registration.objects.values_list("number", flat=True)) == ["2026110108A0000001"]
    assert NumberCounter.objects.get().last == 1
