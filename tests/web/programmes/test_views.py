"""The list pages, export and API on a real published snapshot: memberships made by the publishing switch,
scoping canaries (朝阳 canaries never reach a 海淀 official or an enterprise), deny by default, formula cells
neutralised, and republishing changing nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.programmes.models import ListMembership
from tests.web.conftest import AS_OF, CANARY_NAME, CHAOYANG, HAIDIAN, login
from tests.web.programmes.factories import LIST

pytestmark = pytest.mark.django_db


@pytest.fixture()
def listed(users: dict[str, Any], snapshot: Any) -> dict[str, Any]:
    """Canaries (朝阳) and the enterprise user's own enterprise (海淀) on the list, whatever the rule said."""
    from gaoqi.web.enterprises.models import Enterprise

    wanted = [
        *list(Enterprise.objects.filter(name__startswith=CANARY_NAME)),
        Enterprise.objects.get(uscc=users[roles.ENTERPRISE].uscc),
    ]
    for ent in wanted:
        if not ListMembership.objects.filter(enterprise=ent, list_id=LIST, left_on__isnull=True).exists():
            ListMembership.objects.create(
                enterprise=ent, list_id=LIST, route="recommendation", entered_on=AS_OF, entered_snapshot=snapshot,
                reason="区推荐",
            )  # fmt: skip
    return users


def test_publishing_puts_every_passing_enterprise_on_the_list_and_republishing_changes_nothing(
    snapshot: Any,
) -> None:
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    passing = set(
        PolicyResult.objects.of(snapshot).filter(policy_id=LIST, status="pass").values_list("enterprise_id", flat=True)
    )
    open_ = ListMembership.objects.filter(list_id=LIST, left_on__isnull=True)
    assert passing and set(open_.values_list("enterprise_id", flat=True)) == passing
    assert set(open_.values_list("ruleset_hash", flat=True)) == {snapshot.ruleset_hash}
    before = list(ListMembership.objects.order_by("pk").values())
    again = snapshot_run(Snapshot.objects.create(as_of=AS_OF).pk)  # the same data: no entry, no exit
    assert again.status == Snapshot.PUBLISHED
    assert list(ListMembership.objects.order_by("pk").values()) == before


def test_the_list_page_is_scoped_like_the_directory(listed: dict[str, Any]) -> None:
    url = reverse("programmes:detail", args=[LIST])
    district = login(listed[roles.DISTRICT]).get(url)
    assert district.status_code == 200
    assert CANARY_NAME not in district.content.decode()
    municipal = login(listed[roles.MUNICIPAL]).get(url + f"?district={CHAOYANG}")
    assert municipal.status_code == 200 and CANARY_NAME in municipal.content.decode()
    assert 'id="list-district-chart"' in municipal.content.decode()
    fragment = login(listed[roles.MUNICIPAL]).get(url + f"?district={CHAOYANG}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and CANARY_NAME in fragment.content.decode()
    for role in (roles.ENTERPRISE, roles.EXPERT, roles.SYSADMIN, roles.AUDITOR):
        assert login(listed[role]).get(url).status_code == 403, role
    assert (
        login(listed[roles.MUNICIPAL]).get(reverse("programmes:detail", args=["hte-certification"])).status_code == 404
    )
    index = login(listed[roles.DISTRICT]).get(reverse("programmes:index"))
    assert index.status_code == 200 and "规模以上" in index.content.decode()


def test_the_export_is_scoped_and_neutralises_formulas(listed: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    from gaoqi.web.enterprises.models import Enterprise

    own = Enterprise.objects.get(uscc=listed[roles.ENTERPRISE].uscc)
    Enterprise.objects.filter(pk=own.pk).update(name='=HYPERLINK("http://x","y")')
    url = reverse("programmes:export", args=[LIST])
    response = login(listed[roles.DISTRICT]).get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x","y")' in names
    assert not [n for n in names if str(n).startswith(CANARY_NAME)]
    assert {r[2] for r in rows[1:]} == {"海淀区"}
    assert login(listed[roles.ENTERPRISE]).get(url).status_code == 403


def test_removal_through_the_page(listed: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    own = Enterprise.objects.get(uscc=listed[roles.ENTERPRISE].uscc)
    m = ListMembership.objects.get(enterprise=own, list_id=LIST, left_on__isnull=True)
    url = reverse("programmes:remove", args=[m.pk])
    assert login(listed[roles.EVALUATOR]).post(url, {"comment": "x"}).status_code == 403
    canary = ListMembership.objects.filter(enterprise__name__startswith=CANARY_NAME).first()
    assert (
        login(listed[roles.DISTRICT]).post(reverse("programmes:remove", args=[canary.pk]), {"comment": "x"}).status_code
        == 404
    )
    response = login(listed[roles.DISTRICT]).post(url, {"comment": "企业已迁出"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.left_reason == "removed" and m.left_comment == "企业已迁出"
    # the profile shows the stay, past now
    profile = login(listed[roles.DISTRICT]).get(reverse("enterprises:detail", args=[own.uscc])).content.decode()
    assert "所在名单" in profile and "企业已迁出" in profile


def test_the_api_answers_the_callers_members_only(listed: dict[str, Any]) -> None:
    url = f"/api/lists/{LIST}/members?page_size=100"
    mine = login(listed[roles.ENTERPRISE]).get(url).json()
    assert [i["uscc"] for i in mine["items"]] == [listed[roles.ENTERPRISE].uscc]
    district = login(listed[roles.DISTRICT]).get(url + f"&district={CHAOYANG}").json()
    assert district["count"] == 0
    haidian = login(listed[roles.DISTRICT]).get(url).json()
    assert haidian["count"] >= 1 and {i["district_code"] for i in haidian["items"]} == {HAIDIAN}
    everyone = login(listed[roles.MUNICIPAL]).get(url + f"&district={CHAOYANG}").json()
    assert any(i["name"].startswith(CANARY_NAME) for i in everyone["items"])
    assert login(listed[roles.MUNICIPAL]).get("/api/lists/no-such-list/members").status_code == 404
    assert login(listed[roles.EXPERT]).get(url).status_code == 403
