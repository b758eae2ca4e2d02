"""Two officials acting on one report at once (publish and return): one wins, the other is told the report has
changed; two evaluators computing the same year at once: one report (ADR 0032)."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core.errors import StaleActionError
from gaoqi.web.evaluation import services
from gaoqi.web.evaluation.models import EvaluationReport
from tests.web.conftest import make_user, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_and_return_at_once_one_wins(snapshot: Any) -> None:
    ev = make_user(roles.EVALUATOR, "race_ev")
    m1, m2 = make_user(roles.MUNICIPAL, "race_m1"), make_user(roles.MUNICIPAL, "race_m2")
    r = services.report_compute(ev, 2025, "district")
    services.report_move(ev, r.pk, "submit")
    out = race(lambda: services.report_move(m1, r.pk, "publish", seen="submitted"),
               lambda: services.report_move(m2, r.pk, "return", comment="数据有误", seen="submitted"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    assert isinstance(next(v for k, v in out if k == "error"), StaleActionError)
    winner = next(v for k, v in out if k == "ok")
    assert EvaluationReport.objects.get(pk=r.pk).status == winner.status in {"published", "returned"}


def test_two_computations_of_one_year_make_one_report(snapshot: Any) -> None:
    e1, e2 = make_user(roles.EVALUATOR, "race_e1"), make_user(roles.EVALUATOR, "race_e2")
    out = race(lambda: services.report_compute(e1, 2025, "district"),
               lambda: services.report_compute(e2, 2025, "district"))  # fmt: skip
    assert [k for k, _ in out] == ["ok", "ok"], out  # the second recomputes the first's draft
    assert EvaluationReport.objects.filter(year=2025, area_kind="district").count() == 1
    assert EvaluationReport.objects.get().areas.count() == 16
