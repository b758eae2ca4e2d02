"""Pagination that stays fast at 2,000,000 rows: the total is counted only up to a cap (COUNT over a LIMIT),
and pages beyond it are not offered (a user narrows the search instead of paging 400 pages deep)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

CAP = 10_000


def count_capped(qs: Any, cap: int) -> int:
    """How many rows ``qs`` has, counted up to ``cap`` + 1 (COUNT over a LIMIT: more than ``cap`` reads "cap+")."""
    return int(qs.order_by()[: cap + 1].count())


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return count_capped(self.object_list, CAP)

    @property
    def capped(self) -> bool:
        return self.count > CAP


def api_page(
    qs: Any, page: int, size: int, item: Callable[[Any], Any], *, count: Callable[[Any], int] | None = None
) -> dict[str, Any]:
    """One page of ``qs`` as the JSON API answers a list: ``count`` (all of ``qs``; ``count(qs)`` when given, e.g. a
    count kept until the data changes), ``page``, ``page_size`` and the page's ``items``, each through ``item``."""
    start = (page - 1) * size
    total = count(qs) if count is not None else qs.count()
    return {"count": total, "page": page, "page_size": size, "items": [item(x) for x in qs[start : start + size]]}


@dataclass(frozen=True)
class KeyPage:
    rows: list[Any]
    next_after: str  # "" on the last page


def key_page(qs: Any, after: str, size: int = 50) -> KeyPage:
    """One page of ``qs`` newest first, after the key ``after`` (a row id; "" for the first): the next page starts
    below the last row's id, so page 1,000 costs what page 1 does (no OFFSET, no COUNT)."""
    if after.isdigit():
        qs = qs.filter(id__lt=int(after))
    rows = list(qs.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeyPage(rows, str(rows[-1].pk) if more and rows else "")
