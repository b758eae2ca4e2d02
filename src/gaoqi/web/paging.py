"""Pagination that stays fast at 2,000,000 rows: the total is counted only up to a cap (COUNT over a LIMIT),
and pages beyond it are not offered (a user narrows the search instead of paging 400 pages deep)."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return int(self.object_list[: CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > CAP
