"""The reviewer's conclusion: status × role as a table (the application's district official and the municipal office
conclude an open signal; another district, an evaluator and the enterprise do not see it; the panel's expert sees
it and may not conclude; a concluded or cleared signal takes no conclusion), the note required, the log and the
audit, and two reviewers concluding at once (one wins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.core.errors import Conflict, DomainError, NotFound
from gaoqi.web.core.workflow import RoleRefused
from gaoqi.web.reviewsignals import services
from gaoqi.web.reviewsignals.models import ReviewSignal
from tests.web.conftest import race
from tests.web.reviewsignals.conftest import derive, published, sig

OK, HIDDEN, ROLE, STALE = "ok", NotFound, RoleRefused, Conflict

#: (status of the signal, who acts, outcome): the signal is on the 海淀 application with the expert's panel
TABLE = [
    ("open", "haidian", OK),
    ("open", "municipal", OK),
    ("open", "chaoyang", HIDDEN),  # another district: not even told it exists
    ("open", "evaluator", HIDDEN),
    ("open", "ent", HIDDEN),  # the enterprise never sees a signal
    ("open", "other_expert", HIDDEN),  # an expert not on the panel
    ("open", "expert", ROLE),  # the panel's expert reads it, never concludes
    ("concluded", "haidian", STALE),
    ("concluded", "municipal", STALE),
    ("concluded", "expert", STALE),
    ("cleared", "haidian", STALE),
    ("cleared", "municipal", STALE),
    ("cleared", "chaoyang", HIDDEN),
]


def _signal(rs: dict[str, Any], status: str) -> ReviewSignal:
    s1 = published()
    derive(s1, sig(rs["hd2"]))
    s = ReviewSignal.objects.get()
    if status == "concluded":
        services.signal_conclude(rs["municipal2"], s.pk, conclusion="confirmed", note="核实属实")
    elif status == "cleared":
        derive(published(dt.date(2026, 10, 31)))
    s.refresh_from_db()
    assert s.status == status
    return s


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "who", "outcome"), TABLE)
def test_who_concludes_what(rs: dict[str, Any], status: str, who: str, outcome: Any) -> None:
    s = _signal(rs, status)
    before = s.transitions.count()
    if outcome == OK:
        done = services.signal_conclude(rs[who], s.pk, conclusion="unfounded", note="经核实为数据口径差异", seen=status)
        assert (done.status, done.conclusion, done.conclusion_note, done.concluded_by) == (
            "concluded", "unfounded", "经核实为数据口径差异", rs[who],
        )  # fmt: skip
        assert s.transitions.count() == before + 1
        last = s.transitions.order_by("pk").last()
        assert (last.action, last.source, last.target, last.actor, last.comment) == (
            "conclude", "open", "concluded", rs[who], "不成立：经核实为数据口径差异",
        )  # fmt: skip
        return
    with pytest.raises(outcome):
        services.signal_conclude(rs[who], s.pk, conclusion="unfounded", note="经核实为数据口径差异")
    fresh = ReviewSignal.objects.get(pk=s.pk)
    assert (fresh.status, fresh.transitions.count()) == (status, before)


@pytest.mark.django_db
def test_a_conclusion_needs_a_known_word_and_a_note(rs: dict[str, Any]) -> None:
    s = _signal(rs, "open")
    with pytest.raises(DomainError, match="核实结论"):
        services.signal_conclude(rs["haidian"], s.pk, conclusion="guilty", note="x")
    with pytest.raises(DomainError, match="需要填写意见"):
        services.signal_conclude(rs["haidian"], s.pk, conclusion="confirmed", note="  ")
    with pytest.raises(DomainError, match="5000"):
        services.signal_conclude(rs["haidian"], s.pk, conclusion="confirmed", note="长" * 5001)
    assert ReviewSignal.objects.get().status == "open"


@pytest.mark.django_db
def test_a_conclusion_is_audited(rs: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    s = _signal(rs, "open")
    services.signal_conclude(rs["haidian"], s.pk, conclusion="explained", note="企业已书面说明")
    event = AuditEvent.objects.filter(action="review_signal.conclude").get()
    assert (event.target, event.detail["conclusion"], event.username) == (
        f"review_signal:{s.pk}",
        "explained",
        "rs_haidian",
    )


@pytest.mark.django_db
def test_a_stale_page_is_refused(rs: dict[str, Any]) -> None:
    s = _signal(rs, "concluded")
    with pytest.raises(Conflict, match="已由“待核实”变为“已核实”"):
        services.signal_conclude(rs["haidian"], s.pk, conclusion="confirmed", note="x", seen="open")


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_concluding_at_once_one_wins(rs: dict[str, Any]) -> None:
    s = _signal(rs, "open")
    out = race(
        lambda: services.signal_conclude(rs["haidian"], s.pk, conclusion="confirmed", note="属实一", seen="open"),
        lambda: services.signal_conclude(rs["haidian2"], s.pk, conclusion="unfounded", note="不成立二", seen="open"),
    )
    assert sorted(kind for kind, _ in out) == ["error", "ok"]
    error = next(v for kind, v in out if kind == "error")
    assert isinstance(error, Conflict)
    fresh = ReviewSignal.objects.get()
    winner = next(v for kind, v in out if kind == "ok")
    assert (fresh.status, fresh.conclusion, fresh.concluded_by_id) == ("concluded", winner.conclusion,
                                                                        winner.concluded_by_id)  # fmt: skip
    assert fresh.transitions.filter(action="conclude").count() == 1
