"""The recommendation pages and API: deny by default per role, the queue for the municipal office (confirm,
decline) and for a district (its own, withdraw), htmx row fragments, the recommend form with its hints, the
recommend entries on the profile and the HTE near-miss list, and the API's scoping and error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.programmes.models import ListMembership, Recommendation
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN, login
from tests.web.programmes.factories import POOL, recommendation

pytestmark = pytest.mark.django_db
QUEUE = reverse("programmes:recommendations", args=[POOL])
HX = {"HX-Request": "true"}


@pytest.fixture()
def state(db: Any) -> dict[str, Any]:
    """A waiting recommendation in 海淀 and one in 朝阳 (its enterprise's name a canary), one account per role."""
    people = {role: f.user(role, f"v_{role}") for role in roles.ROLES}
    people["district_chaoyang"] = f.user(roles.DISTRICT, "v_district_cy", district_code=CHAOYANG)
    haidian = recommendation(
        enterprise=f.enterprise(name="北京海淀推荐科技有限公司"), recommended_by=people[roles.DISTRICT]
    )
    chaoyang = recommendation(
        enterprise=f.enterprise(name="朝阳金丝雀推荐有限公司", district_code=CHAOYANG),
        recommended_by=people["district_chaoyang"],
    )
    free = f.enterprise(name="北京待推荐科技有限公司")
    return {"people": people, "haidian": haidian, "chaoyang": chaoyang, "free": free}


def _urls(state: dict[str, Any]) -> dict[str, tuple[str, str, set[str]]]:
    pk = state["haidian"].pk
    return {
        "queue": ("get", QUEUE, {roles.DISTRICT, roles.MUNICIPAL}),
        "nav": ("get", reverse("programmes:recommendation_queue"), {roles.DISTRICT, roles.MUNICIPAL}),
        "recommend": ("get", reverse("programmes:recommend", args=[POOL, state["free"].uscc]), {roles.DISTRICT}),
        "confirm": ("post", reverse("programmes:recommendation_confirm", args=[pk]), {roles.MUNICIPAL}),
        "decline": ("post", reverse("programmes:recommendation_decline", args=[pk]), {roles.MUNICIPAL}),
        "withdraw": ("post", reverse("programmes:recommendation_withdraw", args=[pk]), {roles.DISTRICT}),
        "api_list": ("get", f"/api/lists/{POOL}/recommendations", {roles.DISTRICT, roles.MUNICIPAL}),
    }


def test_deny_by_default_for_each_role(state: dict[str, Any]) -> None:
    for name, (method, url, allowed) in _urls(state).items():
        anonymous = getattr(Client(), method)(url)
        assert anonymous.status_code == (401 if url.startswith("/api/") else 302), name
        for role in roles.ROLES:
            client = login(state["people"][role])
            if role in allowed:
                continue  # the allowed roles' answers are the tests below
            response = getattr(client, method)(url)
            assert response.status_code == 403, (name, role, response.status_code)
    assert Recommendation.objects.get(pk=state["haidian"].pk).status == "submitted"  # nothing was decided


def test_the_navigation_leads_the_officials_who_decide_to_the_pools_queue(state: dict[str, Any]) -> None:
    for role in (roles.DISTRICT, roles.MUNICIPAL):
        client = login(state["people"][role])
        assert 'href="/programmes/recommendations/"' in client.get(reverse("dashboard:home")).content.decode()
        response = client.get(reverse("programmes:recommendation_queue"))
        assert (response.status_code, response["Location"]) == (302, QUEUE), role
    page = login(state["people"][roles.ENTERPRISE]).get(reverse("dashboard:home")).content.decode()
    assert "/programmes/recommendations/" not in page


def test_the_municipal_queue_shows_every_district_with_hints_and_decisions(state: dict[str, Any]) -> None:
    page = login(state["people"][roles.MUNICIPAL]).get(QUEUE).content.decode()
    assert "北京海淀推荐科技有限公司" in page and "朝阳金丝雀推荐有限公司" in page
    assert "确认纳入" in page and "不予纳入的理由（必填）" in page and "撤回推荐" not in page
    assert "参考条件" in page and "拥有Ⅰ类或Ⅱ类知识产权" in page and "注册成立满6个月" in page


def test_a_district_queue_shows_its_own_only_and_offers_withdrawal(state: dict[str, Any]) -> None:
    response = login(state["people"][roles.DISTRICT]).get(QUEUE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "北京海淀推荐科技有限公司" in page and "朝阳金丝雀推荐有限公司" not in page
    assert "撤回推荐" in page and 'name="seen"' in page and "确认纳入</button>" not in page
    fragment = login(state["people"][roles.DISTRICT]).get(QUEUE + "?status=all", headers=HX).content.decode()
    assert "<html" not in fragment and "北京海淀推荐科技有限公司" in fragment and "朝阳金丝雀" not in fragment
    assert (
        login(state["people"][roles.MUNICIPAL])
        .get(reverse("programmes:recommendations", args=["above-scale"]))
        .status_code
        == 404
    )


def test_confirm_by_htmx_answers_the_row_and_a_second_try_is_stale(state: dict[str, Any]) -> None:
    rec = state["haidian"]
    url = reverse("programmes:recommendation_confirm", args=[rec.pk])
    client = login(state["people"][roles.MUNICIPAL])
    response = client.post(url, {"comment": "同意纳入", "seen": "submitted"}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and f'id="rec-{rec.pk}"' in body
    assert "已确认纳入" in body and "同意纳入" in body
    m = ListMembership.objects.get(enterprise=rec.enterprise, list_id=POOL)
    assert m.route == "recommendation"
    again = client.post(url, {"comment": "", "seen": "submitted"}, headers=HX)
    assert again.status_code == 409 and f'id="rec-{rec.pk}"' in again.content.decode()
    assert "推荐已由“待市级确认”变为“已确认纳入”" in again.content.decode()
    assert ListMembership.objects.filter(enterprise=rec.enterprise).count() == 1
    # another district's official cannot even see it
    other = login(state["people"]["district_chaoyang"])
    withdraw = reverse("programmes:recommendation_withdraw", args=[rec.pk])
    assert other.post(withdraw, headers=HX).status_code == 404


def test_decline_without_a_comment_goes_back_to_the_queue_with_the_message(state: dict[str, Any]) -> None:
    rec = state["chaoyang"]
    client = login(state["people"][roles.MUNICIPAL])
    url = reverse("programmes:recommendation_decline", args=[rec.pk])
    response = client.post(url, {"comment": " "}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "“不予纳入”需要填写意见" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "submitted"
    response = client.post(url, {"comment": "研发投入不足"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert (rec.status, rec.decision_comment) == ("declined", "研发投入不足")


def test_the_district_withdraws_through_the_page(state: dict[str, Any]) -> None:
    rec = state["haidian"]
    response = login(state["people"][roles.DISTRICT]).post(
        reverse("programmes:recommendation_withdraw", args=[rec.pk]), {"seen": "submitted"}, headers=HX
    )
    assert response.status_code == 200 and "已撤回" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "withdrawn"


def test_the_recommend_form_shows_hints_and_creates_the_recommendation(state: dict[str, Any]) -> None:
    district = login(state["people"][roles.DISTRICT])
    free = state["free"]
    url = reverse("programmes:recommend", args=[POOL, free.uscc])
    page = district.get(url).content.decode()
    assert "参考条件" in page and "不作为推荐的前提" in page and 'name="reason"' in page
    refused = district.post(url, {"reason": ""})
    assert refused.status_code == 400 and "请填写推荐理由" in refused.content.decode()
    done = district.post(url, {"reason": "新增发明专利两件"})
    assert done.status_code == 302 and done["Location"] == QUEUE
    rec = Recommendation.objects.get(enterprise=free)
    assert (rec.status, rec.reason, rec.district_code) == ("submitted", "新增发明专利两件", HAIDIAN)
    twice = district.post(url, {"reason": "再推荐一次"})
    assert twice.status_code == 409 and "不能重复推荐" in twice.content.decode()
    assert "该企业已被推荐，正等待市级确认" in district.get(url).content.decode()
    canary = state["chaoyang"].enterprise
    assert district.get(reverse("programmes:recommend", args=[POOL, canary.uscc])).status_code == 404
    assert district.post(reverse("programmes:recommend", args=[POOL, canary.uscc]), {"reason": "x"}).status_code == 404
    assert district.get(reverse("programmes:recommend", args=["above-scale", free.uscc])).status_code == 404


# the API


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_creates_lists_and_decides_in_the_one_error_shape(state: dict[str, Any]) -> None:
    district, muni = login(state["people"][roles.DISTRICT]), login(state["people"][roles.MUNICIPAL])
    created = _post(district, "/api/recommendations", {"uscc": state["free"].uscc, "reason": "研发投入增长快"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["list_id"], body["district_code"], body["membership_entered_on"]) == (
        "submitted", POOL, HAIDIAN, None,
    )  # fmt: skip
    # scoped lists
    mine = district.get(f"/api/lists/{POOL}/recommendations").json()
    assert {i["district_code"] for i in mine["items"]} == {HAIDIAN} and mine["count"] == 2
    everyone = muni.get(f"/api/lists/{POOL}/recommendations?status=submitted").json()
    assert everyone["count"] == 3 and any(i["name"].startswith("朝阳金丝雀") for i in everyone["items"])
    assert muni.get("/api/lists/above-scale/recommendations").status_code == 404
    assert muni.get(f"/api/lists/{POOL}/recommendations?status=bogus").status_code == 400
    # refusals in the one shape
    twice = _post(district, "/api/recommendations", {"uscc": state["free"].uscc, "reason": "再次"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_recommended"
    outside = _post(district, "/api/recommendations", {"uscc": state["chaoyang"].enterprise.uscc, "reason": "x"})
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    blank = _post(district, "/api/recommendations", {"uscc": state["free"].uscc, "reason": " "})
    assert blank.status_code == 400  # the schema says a reason is not blank
    assert blank.json()["error"] == {
        "code": "invalid",
        "message": "请求参数无效：reason",
        "fields": {"reason": "必须填写"},
    }
    other_list = _post(district, "/api/recommendations", {"uscc": state["free"].uscc, "list_id": "above-scale",
                                                          "reason": "理由"})  # fmt: skip
    assert other_list.status_code == 400 and set(other_list.json()["error"]["fields"]) == {"list_id"}
    pk = body["id"]
    no_comment = _post(muni, f"/api/recommendations/{pk}/decline", {"comment": " "})
    assert no_comment.status_code == 400 and no_comment.json()["error"]["fields"] == {"comment": "必须填写"}
    confirmed = _post(muni, f"/api/recommendations/{pk}/confirm", {"comment": "同意"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["membership_entered_on"] is not None
    stale = _post(muni, f"/api/recommendations/{pk}/confirm", {})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    # roles: the access table first
    assert _post(muni, "/api/recommendations", {"uscc": state["free"].uscc, "reason": "x"}).status_code == 403
    assert _post(district, f"/api/recommendations/{pk}/confirm", {}).status_code == 403
    assert login(state["people"][roles.EVALUATOR]).get(f"/api/lists/{POOL}/recommendations").status_code == 403
    # the other district's withdrawal of 海淀's: not found
    other = login(state["people"]["district_chaoyang"])
    assert _post(other, f"/api/recommendations/{state['haidian'].pk}/withdraw", {}).status_code == 404
    assert _post(district, f"/api/recommendations/{state['haidian'].pk}/withdraw", {}).json()["status"] == "withdrawn"


def test_the_api_names_the_lists_that_take_recommendations() -> None:
    from typing import get_args

    from gaoqi.web import api
    from gaoqi.web.programmes import lists

    assert set(get_args(api.RecommendableList)) == lists.RECOMMENDABLE


def test_an_api_write_with_a_session_needs_the_csrf_token(state: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(state["people"][roles.MUNICIPAL])
    response = _post(client, f"/api/recommendations/{state['haidian'].pk}/confirm", {})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert Recommendation.objects.get(pk=state["haidian"].pk).status == "submitted"


# the entries on the profile and the near-miss list (a real snapshot)


def test_the_profile_and_the_near_miss_list_offer_a_recommendation_to_districts(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    ent = Enterprise.objects.filter(district_code=HAIDIAN, has_hte=False).order_by("uscc").first()
    assert ent is not None
    ListMembership.objects.filter(enterprise=ent).delete()
    action = reverse("programmes:recommend", args=[POOL, ent.uscc])
    profile = login(users[roles.DISTRICT]).get(reverse("enterprises:detail", args=[ent.uscc])).content.decode()
    assert f'action="{action}"' in profile and "推荐纳入" in profile
    municipal = login(users[roles.MUNICIPAL]).get(reverse("enterprises:detail", args=[ent.uscc])).content.decode()
    assert action not in municipal
    near = PolicyResult.objects.filter(
        snapshot__is_current=True, policy_id="hte-certification", status="fail", failed_count=1,
        enterprise__district_code=HAIDIAN, enterprise__has_hte=False,
    ).select_related("enterprise")  # fmt: skip
    url = reverse("policies:enterprises", args=["hte-certification"]) + "?status=near"
    listing = login(users[roles.DISTRICT]).get(url).content.decode()
    if near.exists():
        assert "推荐入培育库" in listing
    assert "推荐入培育库" not in login(users[roles.MUNICIPAL]).get(url).content.decode()
