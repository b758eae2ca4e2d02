"""Which policies are lists, and the platform's few settings per list.

The lists are every policy of kind ``list`` the engine loads (``gaoqi.engine.default_policies``): nothing here
names one, so a new list policy in ``policies/`` is a new list. ``ENDS_ON_CERTIFICATION`` names the lists that
an enterprise leaves (reason ``certified``) once it holds a valid HTE certificate (培育库: the pool exists to
bring enterprises to certification); every other list is left only when its rule is no longer met, when it
expires, or on an official's removal. Add a list id here to make certification end it.

``RECOMMENDABLE`` names the lists a district official may recommend an enterprise into, for the municipal office
to confirm or decline (entry path A of the cultivation pool: shared/reference/programmes.md §2, row 1.2); the
automatic route is the list's rule. Add a list id here to open a list to recommendations."""

from __future__ import annotations

import datetime as dt
from typing import Any

#: Lists an enterprise leaves when it holds a valid HTE certificate (Enterprise.has_hte).
ENDS_ON_CERTIFICATION: frozenset[str] = frozenset({"cultivation-pool"})
#: Lists whose exit is a conversion when the enterprise now passes another policy: 小升规 members that reach their
#: sector's 规模以上 line leave as converted (规下→规上, the figure the measures exist for), not as no longer meeting
#: the rule. list id → the policy whose pass is the conversion.
CONVERTS_TO: dict[str, str] = {"small-to-above-scale": "above-scale"}
#: Lists a district official may recommend an enterprise into (confirmed or declined by the municipal office).
RECOMMENDABLE: frozenset[str] = frozenset({"cultivation-pool"})
#: The list a recommendation goes to when none is named (the API's default).
DEFAULT_RECOMMENDABLE = "cultivation-pool"


def list_policies() -> tuple[Any, ...]:
    """The policies of kind ``list``, as the catalogue loads them (cached there)."""
    from gaoqi.web.policies.selectors import catalogue

    return tuple(p for p in catalogue() if p.kind == "list")


def list_ids() -> tuple[str, ...]:
    return tuple(p.id for p in list_policies())


def list_get(list_id: str) -> Any | None:
    return next((p for p in list_policies() if p.id == list_id), None)


#: The 规升强 list: every member is a 财源建设重点企业 (key fiscal-revenue enterprise) while it is on it (SEED
#: §三(三)一, "全部纳入", CONFIRMED draft); the stay's dates are the flag's (programmes.md §4.2, source AUTO_GSQ).
FISCAL_KEY_LIST = "above-scale-to-strong"


#: The key-enterprise lists of issue 13 (小升规, 规升强) with their short names: their members get targeted
#: support (定向支持) and 应知尽知、应享尽享.
KEY_ENTERPRISE_LISTS: dict[str, str] = {"small-to-above-scale": "小升规", FISCAL_KEY_LIST: "规升强"}

#: Lists officials adjust directly, with a reason (the key-enterprise lists — a district its district's
#: enterprises, the municipal office any); every adjustment is on the municipal office's record of adjustments.
ADJUSTABLE: frozenset[str] = frozenset(KEY_ENTERPRISE_LISTS)


def adjustable(list_id: str) -> bool:
    return list_id in ADJUSTABLE and list_get(list_id) is not None


def converts_to(list_id: str) -> str | None:
    """The policy whose pass turns an exit from ``list_id`` into a conversion (None: the list has none)."""
    return CONVERTS_TO.get(list_id)


def ends_on_certification(list_id: str) -> bool:
    return list_id in ENDS_ON_CERTIFICATION


def recommendable(list_id: str) -> bool:
    """Whether recommendations are open for ``list_id`` (named in ``RECOMMENDABLE`` and a list policy today)."""
    return list_id in RECOMMENDABLE and list_get(list_id) is not None


#: The parameter of a list policy giving how many years a stay lasts, counted from the year of entry.
STAY_PARAMETER = "max_stay_years"


def stay_limit(policy: Any, as_of: dt.date) -> dt.date | None:
    """Stays entered before this date are over at ``as_of`` (None: the list sets no period): with N years
    counted from the year of entry, a stay entered in year Y lasts through year Y + N − 1."""
    version = policy.version_at(as_of)
    parameter = None if version is None else version.parameters.get(STAY_PARAMETER)
    if parameter is None:
        return None
    return dt.date(as_of.year - int(parameter.value) + 1, 1, 1)


#: The cultivation pool (培育库): the list whose members are tutored and trained (the records of cultivation).
CULTIVATION_POOL = "cultivation-pool"
