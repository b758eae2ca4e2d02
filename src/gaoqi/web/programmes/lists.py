"""Which policies are lists, and the platform's few settings per list.

The lists are every policy of kind ``list`` the engine loads (``gaoqi.engine.default_policies``): nothing here
names one, so a new list policy in ``policies/`` is a new list. ``ENDS_ON_CERTIFICATION`` names the lists that
an enterprise leaves (reason ``certified``) once it holds a valid HTE certificate (培育库: the pool exists to
bring enterprises to certification); every other list is left only when its rule is no longer met, when it
expires, or on an official's removal. Add a list id here to make certification end it."""

from __future__ import annotations

from typing import Any

#: Lists an enterprise leaves when it holds a valid HTE certificate (Enterprise.has_hte).
ENDS_ON_CERTIFICATION: frozenset[str] = frozenset({"cultivation-pool"})


def list_policies() -> tuple[Any, ...]:
    """The policies of kind ``list``, as the catalogue loads them (cached there)."""
    from gaoqi.web.policies.selectors import catalogue

    return tuple(p for p in catalogue() if p.kind == "list")


def list_ids() -> tuple[str, ...]:
    return tuple(p.id for p in list_policies())


def list_get(list_id: str) -> Any | None:
    return next((p for p in list_policies() if p.id == list_id), None)


def ends_on_certification(list_id: str) -> bool:
    return list_id in ENDS_ON_CERTIFICATION
