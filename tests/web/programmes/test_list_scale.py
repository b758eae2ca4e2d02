"""What keeps the list pages fast at 2M enterprises, at its boundaries: the members in the enterprises' key order
(a total order, the same on every page), counts that stop at a cap (a snapshot's changes, the page's members, the
API's members: ``count_capped``), the first changes only, and the lists' index read from the counts published
with the snapshot (``ListStat``), scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.programmes import selectors
from tests.web import factories as f
from tests.web.conftest import login

pytestmark = pytest.mark.django_db

LIST = "above-scale"
H, C = "110108", "110105"


@pytest.fixture()
def listed() -> dict[str, Any]:
    """Four 海淀 and one 朝阳 enterprise entered at the current snapshot; the counts published with it."""
    from django.db import connection, transaction

    from gaoqi.web.programmes.models import ListMembership
    from gaoqi.web.programmes.services import _stats

    ents = [f.enterprise(name=f"海淀企业{i}", district_code=H) for i in range(4)]
    ents.append(f.enterprise(name="朝阳企业", district_code=C))
    snap = ents[0].snapshot
    for e in ents:
        ListMembership.objects.create(
            enterprise=e, list_id=LIST, route="rule", entered_on=dt.date(2026, 6, 30), entered_snapshot=snap
        )
    with transaction.atomic(), connection.cursor() as cur:
        _stats(cur, snap.pk)
    return {"enterprises": ents, "snapshot": snap}


def test_members_come_in_the_enterprises_key_order_the_latest_first(listed: dict[str, Any]) -> None:
    got = [m.enterprise_id for m in selectors.members(f.user(roles.MUNICIPAL), LIST)]
    assert got == sorted((e.pk for e in listed["enterprises"]), reverse=True)


def test_changes_are_counted_up_to_the_cap_and_the_first_shown(
    listed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "CHANGES_CAP", 4)
    monkeypatch.setattr(selectors, "CHANGES_SHOWN", 2)
    everyone = selectors.changes(f.user(roles.MUNICIPAL), LIST)
    assert (everyone["entered_count"], everyone["entered_capped"], len(everyone["entered_shown"])) == (4, True, 2)
    assert everyone["entered"].count() == 5 and everyone["left_count"] == 0 and not everyone["left_capped"]
    haidian = selectors.changes(f.user(roles.DISTRICT, district_code=H), LIST)
    assert (haidian["entered_count"], haidian["entered_capped"]) == (4, False)  # exactly the cap: not "more"
    assert {m.enterprise.district_code for m in haidian["entered_shown"]} == {H}
    page = login(f.user(roles.MUNICIPAL)).get(reverse("programmes:detail", args=[LIST])).content.decode()
    assert "新纳入（4+）" in page and "仅列出前 2 家" in page


def test_the_page_counts_members_up_to_its_cap_and_says_the_published_size(
    listed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.programmes import views

    monkeypatch.setattr(views.ListPaginator, "MEMBERS_CAP", 3)
    paginator = views.ListPaginator(selectors.members(f.user(roles.MUNICIPAL), LIST), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 2)  # "3+": two pages of two
    assert views.ListPaginator(selectors.members(f.user(roles.DISTRICT, district_code=C), LIST), 2).capped is False
    page = login(f.user(roles.MUNICIPAL)).get(reverse("programmes:detail", args=[LIST])).content.decode()
    assert "名单企业 5 家（最新快照发布时）" in page
    haidian = login(f.user(roles.DISTRICT, district_code=H)).get(reverse("programmes:detail", args=[LIST]))
    assert "4+ 条" not in haidian.content.decode() and "名单企业 4 家" in haidian.content.decode()


def test_the_api_counts_members_up_to_its_cap(listed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "MEMBERS_COUNT_CAP", 4)
    everyone = login(f.user(roles.MUNICIPAL)).get(f"/api/lists/{LIST}/members?page_size=2").json()
    assert (everyone["count"], everyone["count_capped"], len(everyone["items"])) == (5, True, 2)
    haidian = login(f.user(roles.DISTRICT, district_code=H)).get(f"/api/lists/{LIST}/members").json()
    assert (haidian["count"], haidian["count_capped"]) == (4, False)


def test_the_index_reads_the_published_counts_scoped(listed: dict[str, Any]) -> None:
    from gaoqi.web.programmes.services import membership_remove

    def members(user: Any) -> int:
        return int(next(x["members"] for x in selectors.list_summaries(user) if x["id"] == LIST))

    municipal, haidian = f.user(roles.MUNICIPAL), f.user(roles.DISTRICT, district_code=H)
    assert (members(municipal), members(haidian), members(f.user(roles.EVALUATOR))) == (5, 4, 5)
    stay = selectors.members(haidian, LIST).first()
    assert stay is not None
    membership_remove(haidian, stay.pk, "迁出本市")
    assert members(haidian) == 4  # as published: the removal counts at the next snapshot
    own = f.user(roles.ENTERPRISE, uscc=listed["enterprises"][1].uscc)
    assert members(own) == (0 if stay.enterprise_id == listed["enterprises"][1].pk else 1)  # counted now


def test_a_kept_count_follows_the_stays(listed: dict[str, Any]) -> None:
    """Counts are kept until the stays change: an official's removal and a new entry are counted at once."""
    from gaoqi.web.programmes.models import ListMembership
    from gaoqi.web.programmes.services import membership_remove

    haidian = f.user(roles.DISTRICT, district_code=H)
    assert selectors.count_upto(selectors.members(haidian, LIST), 100) == 4
    membership_remove(haidian, selectors.members(haidian, LIST).first().pk, "迁出本市")
    assert selectors.count_upto(selectors.members(haidian, LIST), 100) == 3
    ListMembership.objects.create(
        enterprise=f.enterprise(name="新海淀企业", district_code=H), list_id=LIST, route="recommendation",
        entered_on=dt.date(2026, 7, 1), entered_snapshot=listed["snapshot"],
    )  # fmt: skip
    assert selectors.count_upto(selectors.members(haidian, LIST), 100) == 4
    assert selectors.count_upto(selectors.members(haidian, LIST), 2) == 3  # the cap is part of the key
