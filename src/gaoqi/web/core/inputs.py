"""Service inputs read the same way everywhere: a value a form or the API sent, refused in words with the field
it came from (a ``DomainError`` the page shows next to that field)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from gaoqi.web.core.errors import DomainError


def date_field(value: Any, what: str, field: str) -> dt.date:
    """``value`` as a date (a date, or ISO text such as 2026-12-07); otherwise refused: 请填写{what}（年-月-日）."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(f"请填写{what}（年-月-日）", fields={field: "日期无效"}) from None


def not_future(day: dt.date | None, what: str, field: str) -> None:
    """Refuse a missing day or one after today: {what}不能晚于今天（2026年12月07日）."""
    from gaoqi.web.core import clock

    if day is None:
        raise DomainError(f"请填写{what}", fields={field: "必须填写"})
    if day > clock.today():
        raise DomainError(f"{what}不能晚于今天（{clock.today():%Y年%m月%d日}）", fields={field: "不能是将来的日期"})


def text_field(value: Any, what: str, field: str, *, required: bool, limit: int) -> str:
    """``value`` as stripped text without NULs; refused when required and empty, or longer than ``limit``."""
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise DomainError(f"请填写{what}", fields={field: "必须填写"})
    if len(text) > limit:
        raise DomainError(f"{what}不能超过{limit}字", fields={field: f"最多{limit}字"})
    return text


def decimal_field(
    value: Any,
    what: str,
    field: str,
    *,
    required: bool = False,
    positive: bool = False,
    maximum: Decimal | None = None,
    unit: str = "",
    thousands: bool = False,
) -> Decimal | None:
    """``value`` as a non-negative number to two places (None when empty and not required); refused in words
    when not a finite number, negative, zero where ``positive``, or above ``maximum`` (said with its ``unit``).
    ``thousands``: "1,200" is read as 1200 (spreadsheet cells)."""
    if value is None or str(value).strip() == "":
        if required:
            raise DomainError(f"请填写{what}", fields={field: "必须填写"})
        return None
    text = str(value).strip()
    try:
        d = Decimal(text.replace(",", "") if thousands else text)
    except (InvalidOperation, ValueError):
        raise DomainError(f"{what}须为数字", fields={field: "须为数字"}) from None
    if not d.is_finite():
        raise DomainError(f"{what}须为数字", fields={field: "须为数字"})
    if d < 0:
        raise DomainError(f"{what}不能为负数", fields={field: "不能为负数"})
    if positive and d == 0:
        raise DomainError(f"{what}须大于零", fields={field: "须大于零"})
    if maximum is not None and d > maximum:
        raise DomainError(f"{what}不能超过{maximum}{unit}", fields={field: f"不能超过{maximum}{unit}"})
    return d.quantize(Decimal("0.01"))


__all__ = ["date_field", "decimal_field", "not_future", "text_field"]
