"""应知尽知、应享尽享: the policies each member qualifies for, informed and claimed, counted in one grouped query
and equal to a count by hand; scoped; the writes audited."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.support import selectors, services
from gaoqi.web.support.models import PolicyDelivery
from tests.web import factories
from tests.web.support.conftest import member, result

pytestmark = pytest.mark.django_db

P1, P2, LIST = "hte-certification", "rd-super-deduction", "above-scale"


@pytest.fixture()
def qualified(world: dict[str, Any]) -> dict[str, Any]:
    hd, hd2, cy = world["hd"], world["hd2"], world["cy"]
    for ent in (hd, hd2, cy):
        result(ent, P1)
    result(hd, P2)
    result(hd2, P2, "fail")  # not qualified
    result(hd, LIST)  # a list is not a benefit
    outsider = factories.enterprise(name="不在清单测试科技有限公司")
    result(outsider, P1)  # not a member
    services.delivery_inform(world["haidian"], uscc=hd.uscc, policy_id=P1, informed_on="2026-10-01", via="visit")
    services.delivery_claim(world["haidian"], uscc=hd.uscc, policy_id=P1, claimed_on="2026-11-01", note="已兑现")
    services.delivery_inform(world["haidian"], uscc=hd2.uscc, policy_id=P1, informed_on="2026-10-02", via="phone")
    return world


def by_hand(world: dict[str, Any], user: Any) -> Counter[tuple[str, str, str]]:
    """(district, policy, what) counted in Python over every pair: qualified, not informed, not claimed."""
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.programmes.models import ListMembership

    members = set(ListMembership.objects.filter(list_id__in=selectors.LISTS, left_on__isnull=True)
                  .values_list("enterprise_id", flat=True))  # fmt: skip
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    seen = set(enterprises_visible_to(user).values_list("id", flat=True))
    out: Counter[tuple[str, str, str]] = Counter()
    for r in PolicyResult.objects.filter(status="pass").select_related("enterprise"):
        if r.enterprise_id not in members or r.enterprise_id not in seen or r.policy_id == LIST:
            continue
        d = PolicyDelivery.objects.filter(enterprise_uscc=r.enterprise.uscc, policy_id=r.policy_id).first()
        key = (r.enterprise.district_code, r.policy_id)
        out[(*key, "n")] += 1
        out[(*key, "uninformed")] += d is None or d.informed_on is None
        out[(*key, "unclaimed")] += d is None or d.claimed_on is None
    return out


def as_counter(rows: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    out: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        for what in ("n", "uninformed", "unclaimed"):
            out[(r["district"], r["policy_id"], what)] += r[what]
    return out


def test_the_counts_equal_a_count_by_hand(qualified: dict[str, Any]) -> None:
    w = qualified
    rows = selectors.gap_counts(w["municipal"])
    assert as_counter(rows) == by_hand(w, w["municipal"])
    assert {(r["district"], r["policy_id"]): (r["n"], r["uninformed"], r["unclaimed"]) for r in rows} == {
        ("110108", P1): (2, 0, 1),
        ("110108", P2): (1, 1, 1),
        ("110105", P1): (1, 1, 1),
    }
    assert as_counter(selectors.gap_counts(w["haidian"])) == by_hand(w, w["haidian"])
    assert {r["district"] for r in selectors.gap_counts(w["chaoyang"])} == {"110105"}


def test_the_counts_are_one_query(qualified: dict[str, Any]) -> None:
    selectors.benefit_policy_ids()  # the catalogue read once (cached)
    with CaptureQueriesContext(connection) as q:
        selectors.gap_counts(qualified["municipal"])
    assert len([s for s in q.captured_queries if "policyresult" in s["sql"].lower()]) == 1
    assert len(q.captured_queries) <= 2  # the current snapshot, then the grouped anti-join


def test_the_gap_list_and_the_enterprises_page(qualified: dict[str, Any]) -> None:
    w = qualified
    f = selectors.GapFilter
    pairs = lambda qs: {(r.enterprise.uscc, r.policy_id) for r in qs}  # noqa: E731
    assert pairs(selectors.gaps(w["municipal"], f(which="uninformed"))) == {(w["hd"].uscc, P2), (w["cy"].uscc, P1)}
    assert pairs(selectors.gaps(w["municipal"], f(which="unclaimed", district="110108"))) == {
        (w["hd"].uscc, P2), (w["hd2"].uscc, P1)}  # fmt: skip
    assert pairs(selectors.gaps(w["ent"])) == {(w["hd"].uscc, P2)}  # an enterprise: its own only
    page = {row["result"].policy_id: row["delivery"] for row in selectors.enterprise_policies(w["hd"])}
    assert set(page) == {P1, P2}
    assert page[P1].informed_via == "visit" and page[P1].claimed_on is not None and page[P2] is None


def test_delivery_refusals_and_audit(qualified: dict[str, Any]) -> None:
    w = qualified
    with pytest.raises(NotFound):
        services.delivery_inform(w["chaoyang"], uscc=w["hd"].uscc, policy_id=P2, informed_on="2026-10-01", via="visit")
    with pytest.raises(Forbidden):
        services.delivery_claim(w["ent"], uscc=w["hd"].uscc, policy_id=P2, claimed_on="2026-10-01")
    with pytest.raises(DomainError, match="政策不存在"):
        services.delivery_inform(w["haidian"], uscc=w["hd"].uscc, policy_id=LIST, informed_on="2026-10-01", via="visit")
    with pytest.raises(DomainError, match="告知方式"):
        services.delivery_inform(w["haidian"], uscc=w["hd"].uscc, policy_id=P2, informed_on="2026-10-01", via="email")
    # the platform's push (issue 14) writes the same row with no official
    row = services.delivery_inform(None, uscc=w["hd"].uscc, policy_id=P2, informed_on="2026-12-01", via="platform")
    assert (row.informed_via, row.informed_by) == ("platform", None)
    # an earlier informing keeps the first date
    row = services.delivery_inform(
        w["haidian"], uscc=w["hd"].uscc, policy_id=P2, informed_on="2026-11-01", via="training"
    )
    assert (str(row.informed_on), row.informed_via) == ("2026-11-01", "training")
    assert AuditEvent.objects.filter(action="support.delivery_inform").count() == 4
    assert AuditEvent.objects.filter(action="support.delivery_claim").count() == 1


def test_a_member_that_left_the_list_is_not_counted(qualified: dict[str, Any]) -> None:
    from gaoqi.web.programmes.models import ListMembership

    w = qualified
    ListMembership.objects.filter(enterprise=w["cy"]).delete()
    member(w["cy"], "cultivation-pool")  # another list: not served here
    assert {r["district"] for r in selectors.gap_counts(w["municipal"])} == {"110108"}
