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


def test_text_is_stripped_and_bounded() -> None:
    from gaoqi.web.core.inputs import text_field

    assert text_field(" 甲\x00乙 ", "名称", "name", required=True, limit=2) == "甲乙"
    assert text_field(None, "备注", "note", required=False, limit=2) == ""
    with pytest.raises(DomainError, match="请填写名称"):
        text_field("  ", "名称", "name", required=True, limit=2)
    with pytest.raises(DomainError, match="名称不能超过2字") as long:
        text_field("甲乙丙", "名称", "name", required=True, limit=2)
    assert long.value.fields == {"name": "最多2字"}


def test_a_number_is_non_negative_two_places_and_bounded_at_its_maximum() -> None:
    from decimal import Decimal

    from gaoqi.web.core.inputs import decimal_field

    assert decimal_field("", "金额", "amount") is None
    assert decimal_field("0", "金额", "amount") == Decimal("0.00")
    assert decimal_field("100", "金额", "amount", maximum=Decimal(100), unit="万元") == Decimal("100.00")
    with pytest.raises(DomainError, match="金额不能超过100万元"):
        decimal_field("100.01", "金额", "amount", maximum=Decimal(100), unit="万元")
    for bad, words in (("-0.01", "不能为负数"), ("abc", "须为数字"), ("NaN", "须为数字"), ("1,200", "须为数字")):
        with pytest.raises(DomainError, match=words):
            decimal_field(bad, "金额", "amount")
    assert decimal_field("1,200", "金额", "amount", thousands=True) == Decimal("1200.00")
    with pytest.raises(DomainError, match="须大于零"):
        decimal_field("0", "数量", "count", positive=True)
    with pytest.raises(DomainError, match="请填写数量"):
        decimal_field(None, "数量", "count", required=True)
