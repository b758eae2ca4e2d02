"""审查风险提示's reads, scoped (``core.scoping``): the municipal office every signal, a district official its
district's (the application's district, denormalised), an expert those of the applications on its panels (read
only), every other role none — evaluators and enterprises included: a signal is a reviewer's working note, not
a finding, and the enterprise is not tipped off by it. The list pages by key (newest first, ``after`` an id).

The related applicants (ADR 0036): named to whoever may see them (the municipal office all, a district official
those of its district), otherwise only counted, and an evidence value or summary naming one (its USCC or name) has
it replaced by 〔其他申报企业，已隐去〕 — an expert never learns who else applied, a district official never learns
another district's applicants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.core.labels import feed_name
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.paging import KeyPage
from gaoqi.web.paging import key_page as paging_key_page
from gaoqi.web.reviewsignals import workflow as wf
from gaoqi.web.reviewsignals.models import ReviewSignal

#: The roles that see every signal (evaluators do not: a signal is the review's working note).
SEES_ALL = frozenset({roles.MUNICIPAL})
#: The roles of the list, its export and the API (experts read signals on their applications' pages only).
LIST_ROLES = frozenset({roles.MUNICIPAL, roles.DISTRICT})
WITHHELD = "〔其他申报企业，已隐去〕"
DISCLAIMER = "供参考，不作为认定结论"


def _expert_q(user: Any) -> Q | None:
    from gaoqi.web.certification.selectors import _assigned

    q = _assigned(user)
    return None if q is None else Q(application__in=_apps(q))


def _apps(q: Q) -> Any:
    from gaoqi.web.certification.models import Application

    return Application.objects.filter(q).values("pk")


def signals_visible_to(user: Any) -> QuerySet[ReviewSignal]:
    return visible_to(ReviewSignal.objects.all(), user, sees_all=SEES_ALL, district="district_code", expert=_expert_q)


def signal_get(user: Any, pk: int) -> ReviewSignal | None:
    return signals_visible_to(user).select_related("application", "concluded_by").filter(pk=pk).first()


def may_conclude(user: Any, s: ReviewSignal) -> bool:
    """The municipal office, or a district official of the application's district (the workflow's ``in_charge``
    guard and the page's form)."""
    role = getattr(user, "role", None)
    return role == roles.MUNICIPAL or (role == roles.DISTRICT and user.district_code == s.district_code)


@lru_cache(maxsize=1)
def engine_kinds() -> dict[str, str]:
    """The engine's kinds and their words (``REVIEW_SIGNAL_KINDS``), in its report order."""
    from gaoqi.engine import REVIEW_SIGNAL_KINDS

    return {str(k): str(v) for k, v in REVIEW_SIGNAL_KINDS.items()}


def kind_label(kind: str) -> str:
    """A kind's words: the engine's (its one list, beside the signals' parameters: not a second copy here)."""
    return engine_kinds().get(kind, kind)


def kinds() -> dict[str, str]:
    return {k: kind_label(k) for k in engine_kinds()}


def related_info(usccs: Iterable[str]) -> dict[str, tuple[str, str]]:
    """USCC → (name, district) of the related applicants: the enterprise index, else their application."""
    from gaoqi.web.certification.models import Application
    from gaoqi.web.enterprises.models import Enterprise

    wanted = sorted(set(usccs))
    if not wanted:
        return {}
    info = {
        u: (name, district)
        for u, name, district in Application.objects.filter(uscc__in=wanted)
        .order_by("pk")
        .values_list("uscc", "enterprise_name", "district_code")
    }
    info.update(
        {
            u: (n, d)
            for u, n, d in Enterprise.objects.filter(uscc__in=wanted).values_list("uscc", "name", "district_code")
        }
    )
    return info


def related_names(usccs: Iterable[str]) -> dict[str, str]:
    """USCC → name for the related applicants."""
    return {u: name for u, (name, _) in related_info(usccs).items()}


def may_see_related(user: Any, district: str) -> bool:
    """Whether ``user`` may know a related applicant of ``district`` by name: the municipal office any, a district
    official those of its own district (another district's enterprises are not its to see), an expert none."""
    role = getattr(user, "role", None)
    return role == roles.MUNICIPAL or (role == roles.DISTRICT and bool(district) and user.district_code == district)


# ------------------------------------------------------------------------------------------------------
# the list


@dataclass(frozen=True)
class SignalFilter:
    status: str = "open"  # "open", "all", or one status
    kind: str = ""
    district: str = ""
    year: int | None = None


def signal_list(user: Any, f: SignalFilter) -> QuerySet[ReviewSignal]:
    qs = signals_visible_to(user)
    if getattr(user, "role", None) not in LIST_ROLES:
        return qs.none()  # experts read signals on their applications' pages only
    if f.status in wf.STATUS_LABELS:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.year:
        qs = qs.filter(batch_year=f.year)
    return qs.order_by("-id")


def key_page(qs: QuerySet[ReviewSignal], after: str, size: int = 50) -> KeyPage:
    """One page of the list (``paging.key_page``) with what its rows show read in the same query."""
    return paging_key_page(qs.select_related("application", "concluded_by"), after, size)


# ------------------------------------------------------------------------------------------------------
# what a reader sees of one signal


def _where(e: dict[str, Any]) -> str:
    parts = [x for x in (feed_name(e["feed"]) if e.get("feed") else "", e.get("file") or "") if x]
    text = " · ".join(parts)
    if e.get("line") is not None:
        text += f" 第{e['line']}行"
    return text


def shown(user: Any, signals: Iterable[ReviewSignal]) -> list[dict[str, Any]]:
    """The signals as ``user`` reads them: kind's word, summary, evidence (value, feed · file · line), the related
    applicants the user may know (``may_see_related``: named) and how many others there are (counted; their names
    and codes withheld from the summary and the evidence), the status and the conclusion."""
    signals = list(signals)
    info = related_info({u for s in signals for u in s.related_usccs or []})
    out = []
    for s in signals:
        related = list(s.related_usccs or [])
        named = [(u, info.get(u, ("", ""))[0]) for u in related if may_see_related(user, info.get(u, ("", ""))[1])]
        known = {u for u, _ in named}
        secret = {x for u in related if u not in known for x in (u, info.get(u, ("", ""))[0]) if x}

        def withheld(value: Any, secret: set[str] = secret) -> Any:
            if value is None or not secret:
                return value
            text = str(value)
            for x in sorted(secret, key=len, reverse=True):  # a name before a shorter one inside it
                text = text.replace(x, WITHHELD)
            return text if text != str(value) else value

        out.append({
            "signal": s,
            "kind": kind_label(s.kind),
            "summary": withheld(s.summary),
            "evidence": [{**e, "value": withheld(e.get("value")), "where": _where(e)} for e in s.evidence or []],
            "related_count": len(related),
            "related": named,
            "related_withheld": len(related) - len(named),
            "status": wf.STATUS_LABELS[s.status],
            "conclusion": wf.CONCLUSIONS.get(s.conclusion, ""),
            "may_conclude": s.status == wf.OPEN and may_conclude(user, s),
        })  # fmt: skip
    return out


def application_panel(user: Any, application: Any) -> dict[str, Any]:
    """The application page's 审查风险提示 section for ``user`` (none for roles that do not see signals)."""
    qs = signals_visible_to(user).filter(application=application).select_related("concluded_by").order_by("kind")
    return {"signals": shown(user, qs), "conclusions": wf.CONCLUSIONS, "disclaimer": DISCLAIMER}
