"""Service inputs read the same way everywhere: a value a form or the API sent, refused in words with the field
it came from (a ``DomainError`` the page shows next to that field)."""

from __future__ import annotations

import datetime as dt
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


__all__ = ["date_field"]
