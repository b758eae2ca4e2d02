"""The cultivation pool's funnel equals a count by hand over a small built population (three districts, three
cohorts, both routes): a certificate exactly on 31 December of y+1 (in conversion(y, 1)) and one a day later (not),
an application without a certificate, a certificate and an application from before the entry (never counted), a
certificate from department data (the stay's exit: applied though not through the platform), a draft (not an
application), a revoked certificate, a certificate after the stay ended (in conversion, not in the stay), a
removal and a re-entry in the same year (two entrants). Then scoping canaries for the selector, the page, the
export and the API (a district official sees its district only; enterprise, expert and incubator are refused)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.programmes.funnel import FunnelFilter, FunnelRow, chart, funnel, median
from tests.web import factories as f
from tests.web.conftest import login

pytestmark = pytest.mark.django_db

POOL = "cultivation-pool"
H, C, X = "110108", "110105", "110101"  # 海淀, 朝阳, 东城
TODAY = dt.date(2027, 3, 1)
CANARY = "朝阳漏斗哨兵科技有限公司"


def _at(day: dt.date) -> Any:
    """Noon in Beijing on ``day`` (a submission time)."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12, 0))


def _stay(ent: Any, route: str, entered: dt.date, left: dt.date | None = None, reason: str = "", **kw: Any) -> Any:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.programmes.models import ListMembership

    snap = Snapshot.objects.filter(is_current=True).first()
    return ListMembership.objects.create(
        enterprise=ent, list_id=kw.pop("list_id", POOL), route=route, entered_on=entered, entered_snapshot=snap,
        left_on=left, left_snapshot=snap if left else None, left_reason=reason,
        left_comment="迁出" if reason == "removed" else "",
    )  # fmt: skip


def _applied(ent: Any, day: dt.date | None, status: str = "district_review", year: int = 2026) -> Any:
    return f.application(status, code=ent.uscc, district_code=ent.district_code, year=year,
                         submitted_at=None if day is None else _at(day))  # fmt: skip


@pytest.fixture()
def pool(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from gaoqi.web.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    e = {k: f.enterprise(name=f"企业{k}", district_code=d) for k, d in
         (("a1", H), ("a2", H), ("a3", H), ("a4", H), ("a9", H), ("a5", C), ("a6", C), ("a8", X))}  # fmt: skip
    e["a7"] = f.enterprise(name=CANARY, district_code=C)
    # (H, 2025, rule) a1: certificate on 31 Dec 2026, exactly the end of y+1; left certified at the next snapshot
    _stay(e["a1"], "rule", dt.date(2025, 1, 1), dt.date(2027, 1, 1), "certified")
    _applied(e["a1"], dt.date(2026, 3, 1))
    f.certificate(code=e["a1"].uscc, issue_date=dt.date(2026, 12, 31))
    _stay(e["a1"], "rule", dt.date(2025, 1, 1), list_id="above-scale")  # another list: never counted
    # (H, 2025, rule) a2: certificate one day after the end of y+1 (stay still open)
    _stay(e["a2"], "rule", dt.date(2025, 1, 1))
    _applied(e["a2"], dt.date(2026, 6, 1))
    f.certificate(code=e["a2"].uscc, issue_date=dt.date(2027, 1, 1))
    # (H, 2025, rule) a4: certificate and application from before the entry — neither counts
    _stay(e["a4"], "rule", dt.date(2025, 1, 1))
    _applied(e["a4"], dt.date(2024, 3, 1), status="certified", year=2024)
    f.certificate(code=e["a4"].uscc, issue_date=dt.date(2024, 6, 1))
    # (H, 2025, recommendation) a3: applied, not certified
    _stay(e["a3"], "recommendation", dt.date(2025, 7, 1))
    _applied(e["a3"], dt.date(2026, 5, 1))
    # (C, 2025, recommendation) a5: certified by department data (the stay's exit), never applied here
    _stay(e["a5"], "recommendation", dt.date(2025, 3, 31), dt.date(2025, 12, 31), "certified")
    # (C, 2026, rule) a6: a draft is not an application
    _stay(e["a6"], "rule", dt.date(2026, 3, 31))
    _applied(e["a6"], None, status="draft")
    # (C, 2024, rule) a7: applied in the stay, certified after it ended (period over): conversion k=3 only
    _stay(e["a7"], "rule", dt.date(2024, 6, 30), dt.date(2027, 1, 1), "period_over")
    _applied(e["a7"], dt.date(2026, 10, 1))
    f.certificate(code=e["a7"].uscc, issue_date=dt.date(2027, 2, 1))
    # (X, 2026, recommendation) a8: applied; its certificate was revoked (void)
    _stay(e["a8"], "recommendation", dt.date(2026, 7, 1))
    _applied(e["a8"], dt.date(2026, 8, 1), status="revoked")
    f.certificate(code=e["a8"].uscc, issue_date=dt.date(2026, 9, 1), status="revoked")
    # (H, 2026) a9: removed, then recommended back the same year; applied and certified in the second stay
    _stay(e["a9"], "rule", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "removed")
    _stay(e["a9"], "recommendation", dt.date(2026, 9, 30))
    _applied(e["a9"], dt.date(2026, 10, 15))
    f.certificate(code=e["a9"].uscc, issue_date=dt.date(2026, 12, 1))
    return e


#: The count by hand: (district, cohort, route) → entrants, applied, applied here, certified, certified by the
#: end of y+1, y+2, y+3, the days from entry to certification of the certified.
BY_HAND: dict[tuple[str, int, str], tuple[int, int, int, int, tuple[int, int, int], list[int]]] = {
    (H, 2025, "rule"): (3, 2, 2, 2, (1, 2, 2), [729, 730]),  # a1 729 days (2025-01-01 → 2026-12-31), a2 730
    (H, 2025, "recommendation"): (1, 1, 1, 0, (0, 0, 0), []),  # a3
    (C, 2025, "recommendation"): (1, 1, 0, 1, (1, 1, 1), [275]),  # a5: 2025-03-31 → 2025-12-31
    (C, 2026, "rule"): (1, 0, 0, 0, (0, 0, 0), []),  # a6
    (C, 2024, "rule"): (1, 1, 1, 0, (0, 0, 1), []),  # a7: certified in 2027 = 2024 + 3
    (X, 2026, "recommendation"): (1, 1, 1, 0, (0, 0, 0), []),  # a8
    (H, 2026, "rule"): (1, 0, 0, 0, (1, 1, 1), []),  # a9's first stay: certified after its removal
    (H, 2026, "recommendation"): (1, 1, 1, 1, (1, 1, 1), [62]),  # a9's second stay: 2026-09-30 → 2026-12-01
}


def _tuple(r: FunnelRow) -> tuple[Any, ...]:
    return r.entrants, r.applied, r.applied_here, r.certified, tuple(r.by_end[k] for k in (1, 2, 3))


def test_the_funnel_equals_a_count_by_hand(pool: dict[str, Any]) -> None:
    data = funnel(f.user(roles.MUNICIPAL), POOL)
    assert data is not None
    got = {(r.district, r.cohort, r.route): r for r in data.rows}
    assert set(got) == set(BY_HAND)
    for key, (*counts, by_end, days) in BY_HAND.items():
        assert _tuple(got[key]) == (*counts, by_end), key
        assert sorted(got[key].days.elements()) == days, key
    t = data.total
    assert _tuple(t) == (10, 7, 6, 4, (4, 5, 6))
    assert t.median_days == (275 + 729) / 2  # 62, 275, 729, 730
    assert t.certified_rate == 0.4 and t.applied_rate == 0.7 and t.conversion == {1: 0.4, 2: 0.5, 3: 0.6}
    rule, rec = data.by_route
    assert (rule.route, _tuple(rule), rule.median_days) == ("rule", (6, 3, 3, 2, (2, 3, 4)), 729.5)
    assert (rec.route, _tuple(rec), rec.median_days) == ("recommendation", (4, 4, 3, 2, (2, 2, 2)), (62 + 275) / 2)
    assert data.cohorts == [2024, 2025, 2026]
    # k's year-end passed (closed) or not yet (the figure may still grow), on 2027-03-01
    assert got[(H, 2025, "rule")].open_k == {1: False, 2: True, 3: True}
    assert got[(C, 2024, "rule")].open_k == {1: False, 2: False, 3: True}
    drawn = chart(data)
    assert [x["value"] for x in drawn["stages"]] == [10, 7, 4]
    assert drawn["districts"] == ["东城区", "朝阳区", "海淀区"]  # by code: 110101, 110105, 110108
    assert drawn["rates"] == [
        {"name": "按规则纳入", "data": [None, 0.0, 50.0]},  # 海淀 rule: 2 certified of 4
        {"name": "推荐纳入", "data": [0.0, 100.0, 50.0]},
    ]


def test_filters_by_cohort_and_route(pool: dict[str, Any]) -> None:
    municipal = f.user(roles.MUNICIPAL)
    y2025 = funnel(municipal, POOL, FunnelFilter(cohort=2025))
    assert y2025 is not None and _tuple(y2025.total) == (5, 4, 3, 3, (2, 3, 3))
    assert y2025.cohorts == [2024, 2025, 2026]  # the filter offers every cohort
    rec_2025 = funnel(municipal, POOL, FunnelFilter(cohort=2025, route="recommendation"))
    assert rec_2025 is not None and _tuple(rec_2025.total) == (2, 2, 1, 1, (1, 1, 1))
    assert [(r.district, r.cohort) for r in rec_2025.rows] == [(C, 2025), (H, 2025)]
    assert [r.district for r in rec_2025.by_district] == [C, H]
    none = funnel(municipal, POOL, FunnelFilter(cohort=2019))
    assert none is not None and none.empty and none.total.median_days is None


def test_the_reference_vector_p5(monkeypatch: pytest.MonkeyPatch) -> None:
    """programmes.md §2.3 P5: entrant 2025, certificate dated 2026-11-20: counts in conversion(2025, k=1)."""
    from gaoqi.web.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 5))
    ent = f.enterprise(name="企业P5")
    _stay(ent, "rule", dt.date(2025, 1, 1), dt.date(2026, 12, 31), "certified")
    f.certificate(code=ent.uscc, issue_date=dt.date(2026, 11, 20))
    data = funnel(f.user(roles.MUNICIPAL), POOL)
    assert data is not None and data.total.conversion == {1: 1.0, 2: 1.0, 3: 1.0}
    assert data.total.open_k == {1: False, 2: True, 3: True}
    assert data.total.median_days == (dt.date(2026, 11, 20) - dt.date(2025, 1, 1)).days


def test_median() -> None:
    from collections import Counter

    assert median(Counter()) is None
    assert median(Counter({5: 1})) == 5
    assert median(Counter({1: 1, 9: 1})) == 5
    assert median(Counter({1: 2, 9: 1})) == 1
    assert median(Counter({1: 1, 3: 1, 9: 2})) == 6


def test_the_selector_is_scoped(pool: dict[str, Any]) -> None:
    haidian = funnel(f.user(roles.DISTRICT, district_code=H), POOL)
    assert haidian is not None and {r.district for r in haidian.rows} == {H}
    assert _tuple(haidian.total) == (6, 4, 4, 3, (3, 4, 4))
    chaoyang = funnel(f.user(roles.DISTRICT, district_code=C), POOL)
    assert chaoyang is not None and _tuple(chaoyang.total) == (3, 2, 1, 1, (1, 1, 2))
    evaluator = funnel(f.user(roles.EVALUATOR), POOL)
    assert evaluator is not None and evaluator.total.entrants == 10
    for role in (roles.ENTERPRISE, roles.EXPERT, roles.INCUBATOR, roles.SYSADMIN, roles.AUDITOR):
        assert funnel(f.user(role), POOL) is None, role
    from gaoqi.web.accounts.models import User

    # an account without its district (the database refuses to store one: the selector refuses it too)
    assert funnel(User(role=roles.DISTRICT, district_code=""), POOL) is None


def test_the_page_is_scoped_and_linked_from_the_list(pool: dict[str, Any]) -> None:
    url = reverse("programmes:funnel", args=[POOL])
    haidian = login(f.user(roles.DISTRICT, district_code=H)).get(url)
    page = haidian.content.decode()
    assert haidian.status_code == 200 and 'data-chart="funnel-chart"' in page and "海淀区" in page
    assert "朝阳区" not in page and "东城区" not in page
    municipal = login(f.user(roles.MUNICIPAL)).get(url + "?cohort=2024&route=rule", headers={"HX-Request": "true"})
    fragment = municipal.content.decode()
    assert municipal.status_code == 200 and "<html" not in fragment and "朝阳区" in fragment
    assert "海淀区" not in fragment.split("按区县")[1]  # the table holds 朝阳's 2024 cohort only
    for role in (roles.ENTERPRISE, roles.EXPERT, roles.INCUBATOR, roles.SYSADMIN):
        assert login(f.user(role)).get(url).status_code == 403, role
    assert login(f.user(roles.MUNICIPAL)).get(reverse("programmes:funnel", args=["above-scale"])).status_code == 404
    detail = login(f.user(roles.DISTRICT, district_code=H)).get(reverse("programmes:detail", args=[POOL]))
    assert url in detail.content.decode()
    above = login(f.user(roles.MUNICIPAL)).get(reverse("programmes:detail", args=["above-scale"]))
    assert reverse("programmes:funnel", args=["above-scale"]) not in above.content.decode()


def test_the_export_is_scoped_and_neutralises_formulas(pool: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    from gaoqi.web.core import labels

    url = reverse("programmes:funnel_export", args=[POOL])
    response = login(f.user(roles.DISTRICT, district_code=H)).get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:-3]} == {"海淀区"}  # the detail lines; then two routes and the total
    assert rows[-1][:7] == ("全部区县", "全部年度", "全部方式", 6, 4, 4, 3)
    assert login(f.user(roles.ENTERPRISE)).get(url).status_code == 403
    # a district's name that reads as a formula is written as text
    monkeypatch.setattr(labels, "district", lambda code: "=1+1" if code == H else "区")
    rows = list(
        load_workbook(io.BytesIO(login(f.user(roles.MUNICIPAL)).get(url).content)).active.iter_rows(values_only=True)
    )
    assert "'=1+1" in {r[0] for r in rows}


def test_the_api_is_scoped(pool: dict[str, Any]) -> None:
    url = f"/api/lists/{POOL}/funnel"
    haidian = login(f.user(roles.DISTRICT, district_code=H)).get(url).json()
    assert {r["district_code"] for r in haidian["rows"]} == {H}
    assert haidian["total"]["entrants"] == 6 and haidian["total"]["certified_by_end"] == {"1": 3, "2": 4, "3": 4}
    everyone = login(f.user(roles.MUNICIPAL)).get(url + "?cohort=2025&route=rule").json()
    assert everyone["total"]["entrants"] == 3 and everyone["total"]["median_days_to_certification"] == 729.5
    assert everyone["rows"][0]["conversion_open"] == {"1": False, "2": True, "3": True}
    for role in (roles.ENTERPRISE, roles.EXPERT, roles.INCUBATOR):
        assert login(f.user(role)).get(url).status_code == 403, role
    assert login(f.user(roles.MUNICIPAL)).get("/api/lists/above-scale/funnel").status_code == 404
    assert login(f.user(roles.MUNICIPAL)).get(url + "?route=other").status_code == 400


def test_an_application_counts_by_its_day_in_beijing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Submitted at 00:30 in Beijing on the day of entry (16:30 UTC the day before): in the stay; at 23:30 the
    evening before: not."""
    from gaoqi.web.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    on_time, early = f.enterprise(name="企业准时"), f.enterprise(name="企业提前")
    for ent, when in ((on_time, dt.datetime(2026, 1, 1, 0, 30)), (early, dt.datetime(2025, 12, 31, 23, 30))):
        _stay(ent, "rule", dt.date(2026, 1, 1))
        f.application("district_review", code=ent.uscc, submitted_at=timezone.make_aware(when))
    data = funnel(f.user(roles.MUNICIPAL), POOL)
    assert data is not None and (data.total.entrants, data.total.applied_here) == (2, 1)


def test_a_kept_funnel_follows_the_data(pool: dict[str, Any]) -> None:
    """The funnel is kept between requests, and recomputed when what it counts changes: a certificate issued, a
    revocation, an official's removal, an application submitted, a new stay."""
    from gaoqi.web.certification.models import Certificate
    from gaoqi.web.programmes import funnel as fn
    from gaoqi.web.programmes.models import ListMembership
    from gaoqi.web.programmes.services import membership_remove

    municipal = f.user(roles.MUNICIPAL)
    before = funnel(municipal, POOL)
    assert before is not None and before.total.certified == 4
    f.certificate(code=pool["a3"].uscc, issue_date=dt.date(2027, 2, 1))  # a3: applied, now certified
    after = funnel(municipal, POOL)
    assert after is not None and after.total.certified == 5
    signatures = [fn.data_signature()]
    Certificate.objects.filter(uscc=pool["a3"].uscc).update(status="revoked")
    signatures.append(fn.data_signature())
    assert funnel(municipal, POOL).total.certified == 4  # type: ignore[union-attr]
    stay = ListMembership.objects.get(enterprise=pool["a6"], list_id=POOL)
    membership_remove(municipal, stay.pk, "迁出本市")
    signatures.append(fn.data_signature())
    _applied(pool["a6"], dt.date(2026, 12, 1), status="withdrawn")
    signatures.append(fn.data_signature())
    _stay(pool["a6"], "recommendation", TODAY)
    signatures.append(fn.data_signature())
    assert len(set(signatures)) == len(signatures)
    last = funnel(municipal, POOL)
    assert last is not None and (last.total.entrants, last.total.applied_here) == (11, 7)
