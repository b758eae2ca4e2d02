"""signals_derive: the engine's signals attached to the applications in review (enterprise and batch year), set
-based and idempotent — new ones opened, still-present ones seen again (a changed text logged), vanished open ones
cleared with a log line, cleared ones reopened, concluded ones keeping their conclusion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web.reviewsignals import services
from gaoqi.web.reviewsignals.models import ReviewSignal
from tests.web.reviewsignals.conftest import derive, published, sig


def _log(s: ReviewSignal) -> list[tuple[str, str, str, str]]:
    return [(x.action, x.source, x.target, x.comment) for x in s.transitions.order_by("pk")]


@pytest.mark.django_db
def test_signals_attach_to_applications_in_review_only(rs: dict[str, Any]) -> None:
    s1 = published()
    other_year = {**sig(rs["hd"]), "batch_year": 2025}
    counts = derive(s1, sig(rs["hd"]), sig(rs["cy"], "ip_transfer_recent"), sig(rs["draft"]), other_year)
    assert (counts["raised"], counts["attached"], counts["opened"]) == (4, 2, 2)
    got = {(s.application_id, s.kind, s.status, s.district_code) for s in ReviewSignal.objects.all()}
    assert got == {(rs["hd"].pk, "st_staff_above_insured", "open", "110108"),
                   (rs["cy"].pk, "ip_transfer_recent", "open", "110105")}  # fmt: skip
    s = ReviewSignal.objects.get(application=rs["hd"])
    assert (s.first_seen_snapshot_id, s.last_seen_snapshot_id, s.first_seen_on) == (s1.pk, s1.pk, dt.date(2026, 9, 30))
    assert s.evidence[0] == {"label": "科技人员数", "value": 42, "feed": "hte_annual_report",
                             "file": "hte_annual_report_2025.csv", "line": 17}  # fmt: skip
    assert _log(s) == [("raise", "", "open", f"快照 {s1.pk} 发现该风险")]


@pytest.mark.django_db
def test_the_same_snapshot_again_changes_nothing(rs: dict[str, Any]) -> None:
    s1 = published()
    derive(s1, sig(rs["hd"]), sig(rs["cy"]))
    before = list(ReviewSignal.objects.order_by("pk").values())
    counts = derive(s1, sig(rs["hd"]), sig(rs["cy"]))
    assert (counts["opened"], counts["updated"], counts["cleared"], counts["reopened"]) == (0, 0, 0, 0)
    assert list(ReviewSignal.objects.order_by("pk").values()) == before
    assert sum(len(_log(s)) for s in ReviewSignal.objects.all()) == 2


@pytest.mark.django_db
def test_update_clear_and_reopen_across_snapshots(rs: dict[str, Any]) -> None:
    s1 = published()
    derive(s1, sig(rs["hd"]), sig(rs["cy"]))
    s2 = published(dt.date(2026, 10, 31))
    counts = derive(s2, sig(rs["hd"], value=50, summary="科技人员 50 人，超过参保人数 30 人"))
    assert (counts["updated"], counts["cleared"], counts["still"]) == (1, 1, 0)
    hd = ReviewSignal.objects.get(application=rs["hd"])
    cy = ReviewSignal.objects.get(application=rs["cy"])
    assert (hd.status, hd.evidence[0]["value"], hd.summary, hd.last_seen_snapshot_id, hd.first_seen_snapshot_id) == (
        "open", 50, "科技人员 50 人，超过参保人数 30 人", s2.pk, s1.pk,
    )  # fmt: skip
    assert _log(hd)[-1] == ("update", "open", "open", f"提示内容按快照 {s2.pk} 更新")
    assert (cy.status, cy.cleared_snapshot_id, cy.last_seen_snapshot_id) == ("cleared", s2.pk, s1.pk)
    assert _log(cy)[-1] == ("clear", "open", "cleared", f"风险提示已消除（快照 {s2.pk}）")
    s3 = published(dt.date(2026, 11, 30))
    counts = derive(s3, sig(rs["hd"], value=50, summary="科技人员 50 人，超过参保人数 30 人"), sig(rs["cy"]))
    assert (counts["reopened"], counts["still"], counts["opened"]) == (1, 1, 0)
    cy.refresh_from_db()
    assert (cy.status, cy.cleared_snapshot_id, cy.last_seen_snapshot_id) == ("open", None, s3.pk)
    assert _log(cy)[-1] == ("reopen", "cleared", "open", f"快照 {s3.pk} 再次出现该风险提示")
    assert ReviewSignal.objects.count() == 2  # one row per application and kind, ever


@pytest.mark.django_db
def test_a_concluded_signal_keeps_its_conclusion(rs: dict[str, Any]) -> None:
    s1 = published()
    derive(s1, sig(rs["hd"]))
    s = ReviewSignal.objects.get()
    services.signal_conclude(rs["haidian"], s.pk, conclusion="explained", note="企业说明：外包人员已补缴社保")
    s2 = published(dt.date(2026, 10, 31))
    derive(s2, sig(rs["hd"], value=60))  # seen again with new figures: the conclusion stands, the evidence too
    s.refresh_from_db()
    assert (s.status, s.conclusion, s.last_seen_snapshot_id, s.evidence[0]["value"]) == (
        "concluded", "explained", s2.pk, 42,
    )  # fmt: skip
    s3 = published(dt.date(2026, 11, 30))
    derive(s3)  # no longer raised: a concluded signal is not cleared
    s.refresh_from_db()
    assert (s.status, s.conclusion, s.cleared_snapshot_id) == ("concluded", "explained", None)


@pytest.mark.django_db
def test_kinds_not_evaluated_are_left_as_they_are(rs: dict[str, Any]) -> None:
    s1 = published()
    derive(s1, sig(rs["hd"]), sig(rs["hd"], "rd_near_duplicate"))
    s2 = published(dt.date(2026, 10, 31))
    derive(s2, kinds={"rd_near_duplicate"})  # only the R&D comparison ran: the staff signal is not judged
    got = dict(ReviewSignal.objects.values_list("kind", "status"))
    assert got == {"st_staff_above_insured": "open", "rd_near_duplicate": "cleared"}


@pytest.mark.django_db
def test_a_signal_of_an_application_no_longer_in_review_is_left_as_it_was(rs: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Application

    s1 = published()
    derive(s1, sig(rs["hd"]))
    Application.objects.filter(pk=rs["hd"].pk).update(status="rejected")
    s2 = published(dt.date(2026, 10, 31))
    derive(s2)
    assert ReviewSignal.objects.get().status == "open"  # the record of its review, not cleared


@pytest.mark.django_db
def test_derive_is_audited(rs: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    s1 = published()
    with transaction.atomic():
        services.signals_derive(s1, [sig(rs["hd"])])
    event = AuditEvent.objects.filter(action="reviewsignals.derive").get()
    assert event.target == f"snapshot:{s1.pk}" and event.detail["opened"] == 1


@pytest.mark.django_db
def test_the_district_hears_of_new_signals_once(rs: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Notification

    s1 = published()
    derive(s1, sig(rs["hd"]), sig(rs["hd2"]), sig(rs["cy"]))
    assert Notification.objects.filter(user=rs["haidian"]).count() == 1
    assert Notification.objects.filter(user=rs["chaoyang"]).count() == 1
    assert not Notification.objects.filter(user=rs["ent"]).exists()  # the enterprise is never told


@pytest.mark.django_db
def test_one_kind_raised_twice_for_an_application_is_kept_whole(rs: dict[str, Any]) -> None:
    """The engine raises shared_contact once per thing shared (address, phone, agent): the application's one
    row of that kind keeps both summaries, both evidences and the related applicants of both."""
    s1 = published()
    address = sig(rs["hd"], "shared_contact", summary="与 5 家申报企业共用地址", related=("A",), value="海淀路1号")
    phone = sig(rs["hd"], "shared_contact", summary="与 6 家申报企业共用电话", related=("B", "A"), value="13800000000")
    counts = derive(s1, address, phone)
    assert (counts["raised"], counts["attached"], counts["opened"]) == (2, 1, 1)
    s = ReviewSignal.objects.get(application=rs["hd"], kind="shared_contact")
    assert s.summary == "与 5 家申报企业共用地址；与 6 家申报企业共用电话"
    assert [e["value"] for e in s.evidence] == ["海淀路1号", 30, "13800000000"]
    assert s.related_usccs == ["A", "B"]
    again = derive(s1, address, phone)
    assert (again["opened"], again["updated"]) == (0, 0)
