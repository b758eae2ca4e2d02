"""三率 from rows (programmes.md §6.3 Q3): 100 dispatched, 98 acknowledged in time; 90 rated — 80 YES, 6 PARTLY,
4 NO; 75 SATISFIED, 10 BASICALLY, 5 DISSATISFIED → response 98.0%, resolution 92.2%, satisfaction 88.9%,
composite 0.913. One grouped statement per table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaoqi.web.servicedesk import selectors as sel
from gaoqi.web.servicedesk.models import Request
from gaoqi.web.units.selectors import unit_get
from tests.web.conftest import HAIDIAN

pytestmark = pytest.mark.django_db


def q3_rows(sd: Any) -> None:
    unit = unit_get(f"{HAIDIAN}.hr")
    filed = dt.date(2026, 9, 1)
    resolved = ["YES"] * 80 + ["PARTLY"] * 6 + ["NO"] * 4 + [""] * 10
    satisfaction = ["SATISFIED"] * 75 + ["BASICALLY"] * 10 + ["DISSATISFIED"] * 5 + [""] * 10
    rows = []
    for i in range(100):
        late = i >= 98  # 2 acknowledged after the limit
        rows.append(Request(
            uscc=sd["hd"].uscc, enterprise_name=sd["hd"].name, district_code=HAIDIAN, category="wrp",
            urgency="GENERAL", channel="platform", title=f"诉求{i}", description="内容", unit=unit,
            route_rule="wrp：district.hr", filed_by=sd["ent"], filed_at=dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC),
            filed_on=filed, accept_due=dt.date(2026, 9, 2), answer_due=dt.date(2026, 9, 8),
            accepted_on=dt.date(2026, 9, 3 if late else 2), answered_on=dt.date(2026, 9, 8),
            status="closed" if resolved[i] else "answered", resolved=resolved[i], satisfaction=satisfaction[i],
        ))  # fmt: skip
    Request.objects.bulk_create(rows)


def test_q3_rates_give_0_913(sd: Any) -> None:
    q3_rows(sd)
    with CaptureQueriesContext(connection) as queries:
        (row,) = sel.stats(sd["municipal"], "unit")
    assert len(queries) == 1  # one grouped statement
    assert (row.dispatched, row.accepted_in_time, row.rated, row.yes, row.partly) == (100, 98, 90, 80, 6)
    assert round(row.response, 3) == 0.980
    assert round(row.resolution, 3) == 0.922  # (80 + 3) ÷ 90
    assert round(row.satisfaction, 3) == 0.889  # (75 + 5) ÷ 90
    assert row.composite == 0.913


@pytest.mark.parametrize("by", ["unit", "category", "district", "month"])
def test_every_dimension_groups_in_one_statement(sd: Any, by: str) -> None:
    q3_rows(sd)
    with CaptureQueriesContext(connection) as queries:
        rows = sel.stats(sd["haidian"], by)
    assert len(queries) == 1 and len(rows) == 1 and rows[0].composite == 0.913
    assert sel.stats(sd["chaoyang"], by) == []  # 朝阳 sees none of 海淀's
    if by == "month":
        assert rows[0].key.strftime("%Y-%m") == "2026-09"


def test_no_rated_request_has_no_rate(sd: Any) -> None:
    from tests.web.servicedesk.conftest import file_request

    file_request(sd["ent"])
    (row,) = sel.stats(sd["municipal"], "category")
    assert (row.dispatched, row.response, row.resolution, row.composite) == (1, 0.0, None, None)
