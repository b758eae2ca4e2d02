"""Who sees which rows: the one place that knows the roles' jurisdictions (deny by default).

Every app's selectors name their scoped reads ``<entity>_visible_to(user)`` and build them on ``visible_to``
(or on ``scope_q`` for a condition inside a larger query): the entity says which of its fields carries the
district, the enterprise's USCC, the incubator or an expert's assignment; the role rules live here only.

- municipal officials and third-party evaluators (``OVERSIGHT``): every row;
- a district official: the rows of the account's district (``district_code``);
- an enterprise user: its own rows (its USCC);
- an incubator operator: its incubated enterprises' rows (``incubator_code``);
- an expert: the applications of the panels the expert sits on (the entity supplies the condition);
- every other role, and an account whose jurisdiction field is empty: nothing.

An entity without one of the fields (``None``) is shown to none of that role. Administrative entities (the audit
log, the uploads) pass the roles that see all of them (``sees_all``) and no field: nobody else sees a row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from gaoqi.web import roles

_M = TypeVar("_M", bound=Model)

#: The roles that see every row of the platform's business data (enterprises, results, applications, certificates).
OVERSIGHT = frozenset({roles.MUNICIPAL, roles.EVALUATOR})


def scope_q(
    user: Any,
    *,
    sees_all: frozenset[str] = OVERSIGHT,
    district: str | None = None,
    uscc: str | None = None,
    incubator: str | None = None,
    expert: Callable[[Any], Q | None] | None = None,
) -> Q | None:
    """The rows ``user`` may see, as a condition: an empty Q for all, None for none. ``district``, ``uscc`` and
    ``incubator`` name the entity's field (a lookup path, e.g. ``enterprise__district_code``) compared with the
    account's own; ``expert`` builds an expert's condition from the account (None: none)."""
    role = getattr(user, "role", None)
    if role is None or not getattr(user, "is_active", True):
        return None
    if role in sees_all:
        return Q()
    if role == roles.DISTRICT:
        return _field(district, getattr(user, "district_code", ""))
    if role == roles.ENTERPRISE:
        return _field(uscc, getattr(user, "uscc", ""))
    if role == roles.INCUBATOR:
        return _field(incubator, getattr(user, "incubator_code", ""))
    if role == roles.EXPERT and expert is not None:
        return expert(user)
    return None


def _field(path: str | None, value: str) -> Q | None:
    return Q(**{path: value}) if path and value else None


def visible_to(
    queryset: QuerySet[_M],
    user: Any,
    *,
    sees_all: frozenset[str] = OVERSIGHT,
    district: str | None = None,
    uscc: str | None = None,
    incubator: str | None = None,
    expert: Callable[[Any], Q | None] | None = None,
) -> QuerySet[_M]:
    """``queryset`` narrowed to what ``user`` may see (``scope_q``); an empty queryset when nothing."""
    q = scope_q(user, sees_all=sees_all, district=district, uscc=uscc, incubator=incubator, expert=expert)
    return queryset.none() if q is None else queryset.filter(q)


def own_enterprise(user: Any) -> str:
    """The USCC of the user's own enterprise: an enterprise user's; "" for every other role (officials see
    enterprises, they own none)."""
    return str(getattr(user, "uscc", "") or "") if getattr(user, "role", None) == roles.ENTERPRISE else ""


def district_scope(user: Any, field: str = "district_code") -> Q | None:
    """The user's scope when it is a whole number of districts (all, or the account's district), for the figures
    precomputed per district at publication; None for a narrower scope (an enterprise, an incubator, an expert)
    or none."""
    return scope_q(user, district=field)


__all__ = ["OVERSIGHT", "district_scope", "own_enterprise", "scope_q", "visible_to"]
