"""Two officials of the handling unit act on the same request at once: one wins, the other is told."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.core.errors import Conflict
from gaoqi.web.servicedesk import services as sv
from gaoqi.web.servicedesk import workflow as wf
from tests.web.conftest import race
from tests.web.servicedesk.conftest import file_request


@pytest.mark.django_db(transaction=True)
def test_two_officials_accepting_at_once_one_wins(sd: Any) -> None:
    req = file_request(sd["ent"])
    out = race(
        lambda: sv.request_accept(sd["haidian"], req.pk, seen=wf.FILED),
        lambda: sv.request_accept(sd["haidian2"], req.pk, seen=wf.FILED),
    )
    assert sorted(kind for kind, _ in out) == ["error", "ok"]
    error = next(v for kind, v in out if kind == "error")
    assert isinstance(error, Conflict) and "已受理" in str(error)
    assert req.transitions.filter(action="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officials_answering_at_once_one_answer_is_kept(sd: Any) -> None:
    req = file_request(sd["ent"])
    sv.request_accept(sd["haidian"], req.pk)
    out = race(
        lambda: sv.request_answer(sd["haidian"], req.pk, "答复一", seen=wf.ACCEPTED),
        lambda: sv.request_answer(sd["haidian2"], req.pk, "答复二", seen=wf.ACCEPTED),
    )
    assert sorted(kind for kind, _ in out) == ["error", "ok"]
    req.refresh_from_db()
    winner = next(v for kind, v in out if kind == "ok")
    assert req.answer == winner.answer and req.status == wf.ANSWERED
    assert req.transitions.filter(action="answer").count() == 1
