"""The space need's workflow: who records, offers, answers and closes; wrong roles and wrong states refused."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import DomainError, NotFound
from gaoqi.web.core.workflow import RoleRefused, StatusRefused, WorkflowError
from gaoqi.web.support import selectors, services
from gaoqi.web.support.models import SpaceOffer, SupportRecord
from gaoqi.web.support.workflow import ACCEPTED, CLOSED, DECLINED, OFFERED, OPEN, SETTLED

pytestmark = pytest.mark.django_db


def need(actor: Any, ent: Any, district: str = "110108") -> Any:
    return services.space_need_create(
        actor, uscc=ent.uscc, area="800", district_code=district, wanted_from="2027-03-01", use="rd", note="研发楼层"
    )


def offer(actor: Any, pk: int, unit: str = "110108.planning") -> Any:
    return services.space_offer_create(actor, pk, address="海淀区中关村大街1号", area="750", unit=unit, price="4.5")


def test_the_whole_way_open_offered_declined_offered_accepted_settled(world: dict[str, Any]) -> None:
    n = need(world["ent"], world["hd"])
    assert n.status == OPEN
    first = offer(world["haidian"], n.pk)
    n.refresh_from_db()
    assert n.status == OFFERED
    assert services.space_need_move(world["ent"], n.pk, "decline", "面积不足").status == DECLINED
    first.refresh_from_db()
    assert first.answer == DECLINED
    offer(world["haidian"], n.pk)
    assert services.space_need_move(world["ent"], n.pk, "accept").status == ACCEPTED
    assert SpaceOffer.objects.filter(need=n).values_list("answer", flat=True).order_by("id")[1] == ACCEPTED
    done = services.space_need_move(world["haidian"], n.pk, "settle", "已签约入驻")
    assert (done.status, done.result) == (SETTLED, "已签约入驻")
    rec = SupportRecord.objects.get(category="space")
    assert (rec.kind, rec.unit.code, rec.details["area"]) == ("space_settled", "110108.planning", "750.00")
    actions = list(AuditEvent.objects.filter(action__startswith="support.space").values_list("action", flat=True))
    assert actions == ["support.space_need_record", "support.space_offer", "support.space_decline",
                       "support.space_offer", "support.space_accept", "support.space_settle"]  # fmt: skip


def test_wrong_roles_and_wrong_states_are_refused(world: dict[str, Any]) -> None:
    n = need(world["haidian"], world["hd"])
    with pytest.raises(RoleRefused):
        offer(world["ent"], n.pk)  # an enterprise does not offer
    with pytest.raises(StatusRefused):
        services.space_need_move(world["ent"], n.pk, "accept")  # nothing offered yet
    offer(world["haidian"], n.pk)
    with pytest.raises(RoleRefused):
        services.space_need_move(world["haidian"], n.pk, "accept")  # only the enterprise answers
    with pytest.raises(StatusRefused):
        services.space_need_move(world["haidian"], n.pk, "settle", "x")  # not accepted
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.space_need_move(world["haidian"], n.pk, "close")
    assert services.space_need_move(world["haidian"], n.pk, "close", "企业已自行解决").status == CLOSED
    with pytest.raises(StatusRefused):
        services.space_need_move(world["haidian"], n.pk, "close", "再次关闭")


def test_another_enterprise_and_another_district_cannot_act(world: dict[str, Any]) -> None:
    n = need(world["ent"], world["hd"])
    with pytest.raises(NotFound):
        need(world["ent"], world["cy"])  # an enterprise records only its own
    with pytest.raises(NotFound):
        offer(world["chaoyang"], n.pk, unit="110105.planning")  # 朝阳 sees neither the enterprise nor the district
    offer(world["haidian"], n.pk)
    with pytest.raises(NotFound):
        services.space_need_move(world["ent_cy"], n.pk, "accept")
    assert selectors.space_need_get(world["chaoyang"], n.pk) is None


def test_a_need_wanting_chaoyang_is_chaoyangs_to_offer(world: dict[str, Any]) -> None:
    n = need(world["ent"], world["hd"], district="110105")
    assert selectors.space_need_get(world["chaoyang"], n.pk) is not None
    offer(world["chaoyang"], n.pk, unit="110105.planning")
    assert selectors.space_need_get(world["haidian"], n.pk) is not None  # the enterprise's district sees it too
    assert selectors.space_need_get(world["evaluator"], n.pk) is not None


def test_bad_input_refused(world: dict[str, Any]) -> None:
    base = {
        "uscc": world["hd"].uscc,
        "area": "800",
        "district_code": "110108",
        "wanted_from": "2027-03-01",
        "use": "rd",
    }
    for over, words in (({"area": "0"}, "须大于零"), ({"area": "-5"}, "不能为负数"), ({"district_code": "999999"}, "区县不存在"),
                        ({"use": "仓储"}, "研发、生产或办公"), ({"wanted_from": "明年"}, "需求时间")):  # fmt: skip
        with pytest.raises(DomainError, match=words):
            services.space_need_create(world["ent"], **{**base, **over})
    n = need(world["ent"], world["hd"])
    with pytest.raises(DomainError, match="不存在或已停用"):
        offer(world["haidian"], n.pk, unit="nosuch")
