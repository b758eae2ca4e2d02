"""Policy simulation takes what an official types: a number that is no number is refused with a message."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import login


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999999", "sNaN", "abc", ""])
def test_no_number_is_refused_with_a_message(users: dict[str, Any], value: str) -> None:
    r = login(users["municipal"]).get("/policies/simulate/", {"policy": "dongcheng-hte-reward", "param": "reward",
                                                               "value": value})  # fmt: skip
    assert r.status_code == 200
    assert r.context["result"] is None and "reward" in r.context["error"] and "数" in r.context["error"]


@pytest.mark.django_db
def test_a_finite_value_simulates(users: dict[str, Any]) -> None:
    r = login(users["municipal"]).get(
        "/policies/simulate/", {"policy": "dongcheng-hte-reward", "param": "reward", "value": "20"}
    )
    assert r.status_code == 200 and r.context["error"] == "" and r.context["result"] is not None
