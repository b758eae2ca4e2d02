"""Reads on programme lists, always scoped to the user like the directory (a district official sees the
district's enterprises, an enterprise user its own, an incubator operator its incubated ones, municipal officials
and evaluators all): every page, export and API answer goes through ``memberships_visible_to``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from gaoqi.web import roles
from gaoqi.web.core.labels import district, label
from gaoqi.web.core.scoping import district_scope, visible_to
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.enterprises.selectors import enterprise_scope
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.paging import count_capped
from gaoqi.web.programmes import lists
from gaoqi.web.programmes.models import ListMembership, ListStat, Recommendation
from gaoqi.web.programmes.workflow import SUBMITTED


def memberships_visible_to(user: Any) -> QuerySet[ListMembership]:
    """Every membership (open or closed) of the enterprises the user may see."""
    scope = enterprise_scope(user, "enterprise__")
    if scope is None:
        return ListMembership.objects.none()
    return ListMembership.objects.filter(scope).select_related("enterprise", "entered_snapshot", "left_snapshot")


def count_upto(qs: QuerySet[Any], cap: int | None) -> int:
    """How many rows ``qs`` has, counted up to ``cap`` + 1 (None: all of them), kept (Django's cache) until the stays change: the key
    is the query itself (its scope and filters) and ``funnel.data_signature()`` (the current snapshot, the latest
    stay, officials' removals, …). A district's count at 2M enterprises reads the district's 125,000 enterprises
    (about 100 ms); a list page makes three."""
    import hashlib

    from django.core.cache import cache

    from gaoqi.web.programmes.funnel import data_signature

    if qs.query.is_empty():  # a scope that sees nothing (``none()``): no query to name
        return 0
    raw = repr((str(qs.order_by().query), cap, data_signature())).encode()
    key = "programmes.count." + hashlib.sha256(raw).hexdigest()
    n = cache.get(key)
    if n is None:
        n = qs.order_by().count() if cap is None else count_capped(qs, cap)
        cache.set(key, n, 600)
    return int(n)


@dataclass(frozen=True)
class MemberFilter:
    district: str = ""
    section: str = ""  # industry section (门类)
    tech_field: str = ""
    route: str = ""
    entered_since: date | None = None


def members(user: Any, list_id: str, f: MemberFilter | None = None) -> QuerySet[ListMembership]:
    """The enterprises on the list now (open memberships), filtered, by the enterprise's key (the latest first)."""
    f = f or MemberFilter()
    qs = memberships_visible_to(user).filter(list_id=list_id, left_on__isnull=True)
    if f.district:
        qs = qs.filter(enterprise__district_code=f.district)
    if f.section:
        qs = qs.filter(enterprise__industry_section=f.section)
    if f.tech_field:
        qs = qs.filter(enterprise__tech_field=f.tech_field)
    if f.route:
        qs = qs.filter(route=f.route)
    if f.entered_since:
        qs = qs.filter(entered_on__gte=f.entered_since)
    # By the enterprise's key, the latest indexed first: a total order (one open stay per enterprise and list)
    # that the indexes serve whatever the filter — the open stays' (enterprise, list) index, merged with the
    # enterprises' key for a district, or the enterprises first for a narrow filter — with no sort. A sort by
    # entry date and name sorted every member (1.2 million of above-scale at 2M enterprises).
    return qs.order_by("-enterprise_id")


def adjustments(user: Any, list_id: str | None = None) -> QuerySet[ListMembership]:
    """Officials' adjustments of the lists (scoped): stays entered by an adjustment and stays an official
    removed, the latest first — the municipal office sees every one, a district its district's."""
    from gaoqi.web.programmes.models import ADJUSTMENT, REMOVED

    qs = memberships_visible_to(user).filter(Q(route=ADJUSTMENT) | Q(left_reason=REMOVED))
    if list_id:
        qs = qs.filter(list_id=list_id)
    return qs.select_related("enterprise", "entered_by", "left_by").order_by("-pk")


def fiscal_key_on(user: Any, day: date) -> QuerySet[ListMembership]:
    """The 财源建设重点企业 on ``day`` (scoped): the 规升强 stays that cover it (entered on or before, not left by
    then), in the enterprises' key order."""
    qs = memberships_visible_to(user).filter(list_id=lists.FISCAL_KEY_LIST, entered_on__lte=day)
    return qs.filter(Q(left_on__isnull=True) | Q(left_on__gt=day)).order_by("-enterprise_id")


def previous_snapshot(snapshot: Snapshot | None) -> Snapshot | None:
    if snapshot is None:
        return None
    return Snapshot.objects.filter(status=Snapshot.PUBLISHED, pk__lt=snapshot.pk).order_by("-pk").first()


#: How many entries and exits the list page shows, and up to how many it counts (beyond: "1000+"; the members'
#: filter by entry date and the export tell the rest). Counting a district's share of 600,000 entries (2M
#: enterprises) took 0.5 s; the first thousand are found in milliseconds.
CHANGES_SHOWN = 50
CHANGES_CAP = 1000


def changes(user: Any, list_id: str, snapshot: Snapshot | None = None) -> dict[str, Any]:
    """Entries and exits since the previous snapshot: the stays the current snapshot opened and closed (and
    officials' removals since it was published). ``entered`` / ``left``: every one (querysets);
    ``entered_shown`` / ``left_shown``: the first ``CHANGES_SHOWN`` in the order they were recorded (the order of
    the (list, snapshot) indexes: no sort of a snapshot's changes); ``entered_count`` / ``left_count``: how many,
    counted up to ``CHANGES_CAP`` (``*_capped``: more)."""
    snap = snapshot or current_snapshot()
    qs = memberships_visible_to(user).filter(list_id=list_id)
    out: dict[str, Any] = {"snapshot": snap, "previous": previous_snapshot(snap), "shown": CHANGES_SHOWN}
    if snap is None:
        entered, left = qs.none(), qs.none()
    else:
        entered = qs.filter(entered_snapshot=snap).order_by("list_id", "entered_snapshot_id")
        left = qs.filter(left_snapshot=snap).order_by("list_id", "left_snapshot_id")
    for key, rows in (("entered", entered), ("left", left)):
        n = count_upto(rows, CHANGES_CAP)
        out.update({key: rows, f"{key}_shown": list(rows[:CHANGES_SHOWN]), f"{key}_count": min(n, CHANGES_CAP),
                    f"{key}_capped": n > CHANGES_CAP})  # fmt: skip
    return out


def counts_over_time(user: Any, list_id: str) -> dict[str, Any] | None:
    """Members per snapshot by district and by technical field, as each snapshot left them (``ListStat``,
    computed at publication): for the user's whole districts only (None for a narrower scope: an enterprise
    or an incubator reads no district totals)."""
    scope = district_scope(user)
    if scope is None:
        return None
    rows = (
        ListStat.objects.filter(scope, list_id=list_id, snapshot__status=Snapshot.PUBLISHED)
        .values("snapshot_id", "snapshot__as_of", "district_code", "tech_field")
        .annotate(total=Sum("n"))
        .order_by("snapshot_id")
    )
    snaps: dict[int, str] = {}
    by_district: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_field: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        sid = row["snapshot_id"]
        snaps[sid] = f"#{sid} {row['snapshot__as_of']:%Y-%m-%d}"
        by_district[district(row["district_code"]) or "未知区县"][sid] += row["total"]
        by_field[label("tech_field", row["tech_field"]) if row["tech_field"] else "未划分"][sid] += row["total"]
    order = sorted(snaps)

    def series(groups: dict[str, dict[int, int]]) -> list[dict[str, Any]]:
        return [{"name": k, "data": [v.get(s, 0) for s in order]} for k, v in sorted(groups.items())]

    return {
        "snapshots": [snaps[s] for s in order],
        "by_district": series(by_district),
        "by_field": series(by_field),
    }


def enterprise_lists(enterprise: Enterprise) -> list[ListMembership]:
    """An enterprise's stays on every list, past and present (the caller has checked it may see the
    enterprise: ``enterprises.selectors.enterprise_get``)."""
    return list(
        ListMembership.objects.filter(enterprise=enterprise)
        .select_related("entered_snapshot", "left_snapshot")
        .order_by("list_id", "-entered_on", "-pk")
    )


def list_summaries(user: Any) -> list[dict[str, Any]]:
    """Every list with its members the user may see: for whole districts (municipal officials, evaluators, a
    district official) as the current snapshot published them (``ListStat``: a removal since then counts at the
    next snapshot), for a narrower scope (an incubator, an enterprise) counted now."""
    scope = district_scope(user)
    snap = current_snapshot()
    if scope is not None:
        rows = ListStat.objects.filter(scope, snapshot=snap) if snap is not None else ListStat.objects.none()
        counts = dict(rows.order_by().values_list("list_id").annotate(n=Sum("n")))
    else:
        counts = dict(
            memberships_visible_to(user)
            .filter(left_on__isnull=True)
            .order_by()
            .values_list("list_id")
            .annotate(n=Count("pk"))
        )
    return [
        {"id": p.id, "name": p.name, "authority": p.authority, "members": counts.get(p.id, 0)}
        for p in lists.list_policies()
    ]


#: The API counts a list's members up to this many (beyond: this + 1, and ``count_capped``): an exact count of a
#: district's share of 1.2 million members took longer than the page of members itself.
MEMBERS_COUNT_CAP = 10_000


def member_search(
    user: Any, list_id: str, f: MemberFilter, page: int, size: int
) -> tuple[int, bool, list[ListMembership]]:
    """One page of ``members`` with their count, counted up to ``MEMBERS_COUNT_CAP`` (the flag: more)."""
    qs = members(user, list_id, f)
    n = count_upto(qs, MEMBERS_COUNT_CAP)
    return n, n > MEMBERS_COUNT_CAP, list(qs[(page - 1) * size : page * size])


# ------------------------------------------------------------------------------------------------------
# recommendations (the cultivation pool's entry path A)

#: The roles that read recommendations: the municipal office all, a district official the district's.
RECOMMENDATION_READERS = frozenset({roles.MUNICIPAL, roles.DISTRICT})


def recommendations_visible_to(user: Any) -> QuerySet[Recommendation]:
    """The recommendations the user may see: the municipal office every one, a district official those of the
    district (the recommending district's), every other role none."""
    qs = Recommendation.objects.select_related("enterprise", "recommended_by", "decided_by", "membership")
    return visible_to(qs, user, sees_all=frozenset({roles.MUNICIPAL}), district="district_code")


def recommendation_queue(user: Any, list_id: str, status: str = "") -> QuerySet[Recommendation]:
    """One list's recommendations the user may see (``status``: one status; "" every one), the waiting first,
    then the latest."""
    qs = recommendations_visible_to(user).filter(list_id=list_id)
    if status:
        qs = qs.filter(status=status)
    waiting_first = Case(When(status=SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.order_by(waiting_first, "-created_at", "-pk")


def recommendation_get(user: Any, pk: int) -> Recommendation | None:
    return recommendations_visible_to(user).filter(pk=pk).first()


#: The HTE certification policy whose result the soft criteria are read from.
HTE_POLICY = "hte-certification"
#: The soft criteria shown to a district when it recommends (shared/reference/programmes.md §2.2, DEFAULT: shown,
#: never enforced): (label, the HTE certification conditions that test it, by policy version).
SOFT_CRITERIA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("拥有Ⅰ类或Ⅱ类知识产权", ("core_ip",)),
    ("科技人员占比不低于10%", ("st_staff_share", "staff")),
    ("近三年研发费用占销售收入比例符合要求", ("rd_ratio",)),
)
MIN_MONTHS_REGISTERED = 6
MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"


@dataclass(frozen=True)
class Hint:
    """One soft criterion for one enterprise: its words, whether it is met (met / not_met / unknown) and why."""

    label: str
    state: str
    note: str


def _months_before(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return date(y, m + 1, min(day.day, last[m]))


def _hints(ent: Enterprise, result: PolicyResult | None, today: date) -> list[Hint]:
    out = []
    for words, conditions in SOFT_CRITERIA:
        if result is None:
            out.append(Hint(words, UNKNOWN, "当前快照中没有该企业的高企认定评估结果"))
        elif set(conditions) & set(result.failed_conditions or []):
            out.append(Hint(words, NOT_MET, "高企认定评估：不符合"))
        elif result.status == "pass" or not result.unknown_features:
            out.append(Hint(words, MET, "高企认定评估：符合"))
        else:
            out.append(Hint(words, UNKNOWN, "高企认定评估：未见不符合，但部分数据缺失"))
    months = f"注册成立满{MIN_MONTHS_REGISTERED}个月"
    if ent.established_date is None:
        out.append(Hint(months, UNKNOWN, "成立日期不详"))
    elif ent.established_date <= _months_before(today, MIN_MONTHS_REGISTERED):
        out.append(Hint(months, MET, f"{ent.established_date:%Y年%m月%d日}成立"))
    else:
        out.append(Hint(months, NOT_MET, f"{ent.established_date:%Y年%m月%d日}成立"))
    # a plus, not a requirement (programmes.md §2.2): the registration comes back from the tech-SME evaluation's
    # feed (techsme/feed.py) as the profile's has_tech_sme
    plus = "已入库科技型中小企业（加分项）"
    out.append(Hint(plus, MET, "有效的入库登记") if ent.has_tech_sme else Hint(plus, NOT_MET, "未入库或登记已失效"))
    return out


def soft_criteria(enterprises: list[Enterprise]) -> dict[int, list[Hint]]:
    """The soft criteria of a recommendation for each enterprise (by id), from its HTE certification result in
    the current snapshot and its registration date: hints for the district and the municipal office, not
    conditions (a recommendation is never refused for them). One query for all the enterprises."""
    from gaoqi.web.core import clock

    snap = current_snapshot()
    ids = [e.pk for e in enterprises]
    results: dict[int, PolicyResult] = {}
    if snap is not None and ids:
        for r in PolicyResult.objects.of(snap).filter(policy_id=HTE_POLICY, enterprise_id__in=ids):
            results[r.enterprise_id] = r
    today = clock.today()
    return {e.pk: _hints(e, results.get(e.pk), today) for e in enterprises}


@dataclass(frozen=True)
class RecommendOption:
    """A list the user may recommend an enterprise into, and why not now (None: the form is offered)."""

    list_id: str
    name: str
    refusal: str | None


def recommend_options(user: Any, enterprise: Enterprise) -> list[RecommendOption]:
    """The lists a district official may recommend ``enterprise`` into (the caller has checked the official may
    see it), each with what would refuse it now (certified, already on the list, already waiting); none for any
    other role. What the service refuses, said before the official writes a reason."""
    if getattr(user, "role", None) != roles.DISTRICT:
        return []
    out = []
    for list_id in sorted(lists.RECOMMENDABLE):
        policy = lists.list_get(list_id)
        if policy is None:
            continue
        refusal = None
        if lists.ends_on_certification(list_id) and enterprise.has_hte:
            refusal = "该企业已是有效期内的高新技术企业，无需纳入培育库"
        elif ListMembership.objects.filter(enterprise=enterprise, list_id=list_id, left_on__isnull=True).exists():
            refusal = "该企业已在名单中"
        elif Recommendation.objects.filter(enterprise=enterprise, list_id=list_id, status=SUBMITTED).exists():
            refusal = "该企业已被推荐，正等待市级确认"
        out.append(RecommendOption(list_id, policy.name, refusal))
    return out


def recommend_from(user: Any, policy_id: str) -> str | None:
    """The list a district official may recommend an enterprise into from a policy's enterprise list (the HTE
    certification's near misses: candidates for the cultivation pool), or None."""
    if getattr(user, "role", None) != roles.DISTRICT or policy_id != HTE_POLICY:
        return None
    return lists.DEFAULT_RECOMMENDABLE if lists.recommendable(lists.DEFAULT_RECOMMENDABLE) else None


__all__ = [
    "Hint",
    "MemberFilter",
    "changes",
    "counts_over_time",
    "current_snapshot",
    "enterprise_lists",
    "members",
    "recommend_from",
    "recommend_options",
    "recommendation_get",
    "recommendation_queue",
    "recommendations_visible_to",
    "soft_criteria",
]


# ------------------------------------------------------------------------------------------------------
# the records of cultivation (issue 12)

#: The roles that read cultivation records: the tutors (district, municipal, incubator) and the enterprise itself.
CULTIVATION_READERS = frozenset({roles.DISTRICT, roles.MUNICIPAL, roles.INCUBATOR, roles.ENTERPRISE})
_MUNI = frozenset({roles.MUNICIPAL})


def tutorings_visible_to(user: Any) -> QuerySet[Any]:
    """Tutoring records scoped like the directory (the enterprise's district, USCC, incubator): the municipal
    office all, a district official its district's enterprises', an incubator its incubated ones', an enterprise
    its own; every other role none."""
    from gaoqi.web.programmes.models import Tutoring

    qs = Tutoring.objects.select_related("enterprise", "tutor", "answered_by", "gaps_snapshot")
    return visible_to(qs, user, sees_all=_MUNI, district="enterprise__district_code", uscc="enterprise__uscc",
                      incubator="enterprise__incubator_code")  # fmt: skip


def tutoring_get(user: Any, pk: int) -> Any | None:
    return tutorings_visible_to(user).filter(pk=pk).first()


def trainings_visible_to(user: Any) -> QuerySet[Any]:
    """Training sessions: the municipal office all, a district official its district's, an incubator its own, an
    enterprise those it was invited to; every other role none."""
    from gaoqi.web.programmes.models import TrainingAttendance, TrainingSession

    if getattr(user, "role", None) == roles.ENTERPRISE:
        mine = visible_to(TrainingAttendance.objects.all(), user, uscc="enterprise__uscc").values("session_id")
        return TrainingSession.objects.filter(pk__in=mine).select_related("organised_by")
    qs = TrainingSession.objects.select_related("organised_by")
    return visible_to(qs, user, sees_all=_MUNI, district="district_code", incubator="incubator_code")


def training_get(user: Any, pk: int) -> Any | None:
    return trainings_visible_to(user).filter(pk=pk).first()


def attendances_visible_to(user: Any) -> QuerySet[Any]:
    """Attendance rows: those of the sessions the user sees; an enterprise its own row only (never the other
    invited enterprises')."""
    from gaoqi.web.programmes.models import TrainingAttendance

    qs = TrainingAttendance.objects.select_related("enterprise", "session", "answered_by")
    if getattr(user, "role", None) == roles.ENTERPRISE:
        return visible_to(qs, user, uscc="enterprise__uscc")
    return qs.filter(session__in=trainings_visible_to(user).values("pk"))


def frozen_gaps(enterprise: Enterprise) -> tuple[Snapshot | None, dict[str, Any]]:
    """The gaps the engine shows for ``enterprise`` now: its HTE certification result in the current snapshot
    (``PolicyResult``), each failed condition with its words and gap sentence (the engine's explanation through
    ``gaoqi.engine`` Workspace, read from the snapshot file; the result's binding gap where the file is not
    there). A plain dict, to be stored as it is (a later snapshot does not change it)."""
    from gaoqi.web.enterprises.selectors import explain_for
    from gaoqi.web.policies.selectors import condition_labels

    snap = current_snapshot()
    if snap is None:
        return None, {"note": "尚无已发布的数据快照", "conditions": []}
    base: dict[str, Any] = {"snapshot": snap.pk, "as_of": snap.as_of.isoformat(), "policy": HTE_POLICY}
    result = PolicyResult.objects.of(snap).filter(enterprise=enterprise, policy_id=HTE_POLICY).first()
    if result is None:
        return snap, {**base, "note": "当前快照中没有该企业的高企认定评估结果", "conditions": []}
    failed = list(result.failed_conditions or [])
    explained: dict[str, Any] = {}
    if failed:
        data = explain_for(enterprise.uscc, HTE_POLICY)
        explained = {c["id"]: c for c in (data or {}).get("conditions", [])}
    words = condition_labels(HTE_POLICY, result.policy_version)
    conditions = []
    for cid in failed:
        c = explained.get(cid, {})
        gap = c.get("gap") or (result.binding_gap if cid == result.binding_condition else "") or ""
        conditions.append({"id": cid, "label": str(c.get("label") or words.get(cid, cid)), "gap": str(gap)})
    return snap, {**base, "policy_version": result.policy_version, "status": result.status, "conditions": conditions}


def tutoring_summary(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    """For the profile page: how many tutoring sessions of the enterprise the user may see, and the last one."""
    qs = tutorings_visible_to(user).filter(enterprise=enterprise).order_by("-held_on", "-pk")
    return {"count": qs.count(), "last": qs.first(), "may_see": getattr(user, "role", None) in CULTIVATION_READERS}


@dataclass(frozen=True)
class Coverage:
    year: int
    members: int
    trained: int
    tutored: int
    both: int
    training_target: float
    tutoring_target: float
    targets_default: bool

    @property
    def trained_share(self) -> float | None:
        return self.trained / self.members if self.members else None

    @property
    def tutored_share(self) -> float | None:
        return self.tutored / self.members if self.members else None

    @property
    def both_share(self) -> float | None:
        return self.both / self.members if self.members else None


def coverage(user: Any, year: int | None = None) -> Coverage:
    """Of the cultivation pool's members the user may see (open stays), how many attended at least one training
    this year and had at least one one-to-one tutoring this year; with the targets (cultivation.yaml, defaults)."""
    from gaoqi.web.core import clock
    from gaoqi.web.programmes.cultivation import cultivation_config
    from gaoqi.web.programmes.models import TrainingAttendance, Tutoring

    year = year or clock.today().year
    pool = memberships_visible_to(user).filter(list_id=lists.CULTIVATION_POOL, left_on__isnull=True)
    ids = pool.values("enterprise_id")
    trained = TrainingAttendance.objects.filter(attended=True, session__held_on__year=year, enterprise_id__in=ids)
    tutored = Tutoring.objects.filter(held_on__year=year, enterprise_id__in=ids)
    cfg = cultivation_config()
    trained_ids, tutored_ids = trained.values("enterprise_id"), tutored.values("enterprise_id")
    return Coverage(
        year=year, members=pool.count(),
        trained=pool.filter(enterprise_id__in=trained_ids).count(),
        tutored=pool.filter(enterprise_id__in=tutored_ids).count(),
        both=pool.filter(enterprise_id__in=trained_ids).filter(enterprise_id__in=tutored_ids).count(),
        training_target=cfg.training_share.value, tutoring_target=cfg.tutoring_share.value,
        targets_default=cfg.training_share.default or cfg.tutoring_share.default,
    )  # fmt: skip


def pool_members_for(user: Any, limit: int) -> list[Enterprise]:
    """The cultivation pool's current members the user may see (the invitation form's choices), by name."""
    qs = members(user, lists.CULTIVATION_POOL).order_by("enterprise__name", "pk")
    return [m.enterprise for m in qs[:limit]]


def record_log(obj: Any, workflow: Any) -> list[dict[str, Any]]:
    """A record's moves (recorded, confirmed, disputed, corrected): when, who, the move's words, the comment (the
    caller has checked it may see the record)."""
    from gaoqi.web.core.workflow import history

    words = {t.action: t.label for t in workflow.transitions}
    rows = history(obj)
    return [
        {"at": r.at, "who": (r.actor.display_name or r.actor.username) if r.actor else "系统",
         "move": words.get(r.action, r.action), "comment": r.comment}
        for r in rows
    ]  # fmt: skip


__all__ += [
    "Coverage",
    "attendances_visible_to",
    "coverage",
    "frozen_gaps",
    "pool_members_for",
    "record_log",
    "trainings_visible_to",
    "tutoring_get",
    "tutoring_summary",
    "tutorings_visible_to",
]
