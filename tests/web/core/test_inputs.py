"""Service inputs: a date from a form or the API, refused in words with its field."""

from __future__ import annotations

import datetime as dt

import pytest

from gaoqi.web.core.errors import DomainError
from gaoqi.web.core.inputs import date_field


def test_a_date_is_read_from_a_date_or_iso_text_and_anything_else_is_refused_with_its_field() -> None:
    assert date_field(dt.date(2026, 12, 7), "日期", "on") == dt.date(2026, 12, 7)
    assert date_field(" 2026-02-28 ", "日期", "on") == dt.date(2026, 2, 28)
    for bad in ("2026-02-29", "2026/12/07", "", None):
        with pytest.raises(DomainError, match="请填写举办日期（年-月-日）") as refused:
            date_field(bad, "举办日期", "on")
        assert refused.value.fields == {"on": "日期无效"}
