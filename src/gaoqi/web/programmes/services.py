"""Writes on programme lists (ADR 0016): the memberships a published snapshot decides, an official's removal,
and a district's recommendation with the municipal office's decision. ``memberships_update`` runs inside the
publishing transaction (``intake.services._publish``) and is set-based SQL over the new snapshot's policy
results and the open memberships: a few statements whatever the number of enterprises, and running it again for
the same snapshot changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock, labels
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.inputs import not_future, text_field
from gaoqi.web.core.locks import STALE, StaleActionError, locked
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.programmes import lists
from gaoqi.web.programmes.models import (
    ADJUSTMENT,
    CERTIFIED,
    CONVERTED,
    EXPIRED,
    PERIOD_OVER,
    RECOMMENDATION,
    REMOVED,
    RULE,
    RULE_NO_LONGER_MET,
    ListMembership,
)

M, R, E = "programmes_listmembership", "enterprises_policyresult", "enterprises_enterprise"
#: Roles that may remove an enterprise from a list (municipal: any; district: the district's enterprises).
MAY_REMOVE = frozenset({roles.MUNICIPAL, roles.DISTRICT})


def rule_reason(policy: Any, version_id: str) -> str:
    """Why the rule put an enterprise on the list: the policy, its version, the conditions it met."""
    version = next((v for v in policy.versions if v.id == version_id), None)
    met = "；".join(c.label for c in version.conditions) if version is not None else ""
    return f"符合《{policy.name}》（{version_id}版）全部条件" + (f"：{met}" if met else "")


def _in(column: str, values: list[str] | tuple[str, ...] | frozenset[str]) -> tuple[str, list[str]]:
    """``column IN (…)`` with parameters; a false condition for no values."""
    values = sorted(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def memberships_update(snapshot: Snapshot) -> dict[str, int]:
    """Bring every list's open memberships in line with ``snapshot``'s policy results, inside the caller's
    transaction (the snapshot switch). By the rule, per list:

    - an enterprise whose result is ``pass`` enters (dated the snapshot's as-of date, with the ruleset hash and
      the reason) unless it is already on the list, an official's removal still holds, it holds a valid
      HTE certificate and certification ends the list (``lists.ENDS_ON_CERTIFICATION``), or a stay of its on
      the list ended with its period over (the rule does not bring it back; a recommendation may);
    - any open stay ends when the list's period is over (``period_over``: a policy parameter, ``lists.stay_limit``);
    - an open stay entered by the rule ends when the result is no longer ``pass`` (``rule_no_longer_met``; no
      result at all counts as not met) or, for a list certification ends, when the enterprise now holds a
      valid certificate (``certified``, whatever the route);
    - an open stay of a list with a conversion (``lists.CONVERTS_TO``: 小升规) ends as ``converted`` when its rule is
      no longer met and the enterprise now passes the conversion's policy (``above-scale``), whatever the route;
    - a list with no result in this snapshot (no version in force any more, or no longer a list policy) ends
      every open stay (``expired``).

    Stays entered on a recommendation are not ended by the rule. Returns the counts of entries and exits."""
    if not connection.in_atomic_block:
        raise RuntimeError("memberships_update belongs inside the publishing transaction")
    snap = Snapshot.objects.values("pk", "as_of", "ruleset_hash").get(pk=snapshot.pk)
    sid, as_of, rhash = snap["pk"], snap["as_of"], snap["ruleset_hash"]
    policies = {p.id: p for p in lists.list_policies()}
    from gaoqi.web.enterprises.models import PolicyResult, versions_sql

    evaluated = set(
        PolicyResult.objects.of(sid, newest=True)
        .filter(policy_id__in=list(policies))
        .values_list("policy_id", flat=True)
        .distinct()
    )
    # order_by(): the model's default order would put entered_on and id into the DISTINCT (every open stay, 1.5
    # million rows at 2M enterprises, instead of one per list)
    open_lists = set(
        ListMembership.objects.filter(left_on__isnull=True).order_by().values_list("list_id", flat=True).distinct()
    )
    expired = sorted(open_lists - evaluated)
    active = sorted(evaluated)
    counts = {"entered": 0, "left": 0}
    left = "left_on = %s, left_snapshot_id = %s, left_ruleset_hash = %s"
    left_params: list[Any] = [as_of, sid, rhash]
    held, held_params = versions_sql("r", sid, newest=True)  # the snapshot's results (ADR 0042)
    passing = (
        f"EXISTS (SELECT 1 FROM {R} r WHERE {held} AND r.enterprise_id = {M}.enterprise_id "
        f"AND r.policy_id = {M}.list_id AND r.status = 'pass')"
    )
    certified = f"EXISTS (SELECT 1 FROM {E} e WHERE e.id = {M}.enterprise_id AND e.has_hte = %s)"
    with connection.cursor() as cur:
        if expired:
            where, params = _in("list_id", expired)
            cur.execute(
                f"UPDATE {M} SET {left}, left_reason = %s WHERE left_on IS NULL AND {where}",
                [*left_params, EXPIRED, *params],
            )
            counts["left"] += cur.rowcount
        if not active:
            _stats(cur, sid)
            audit_record(None, "list.update", target=f"snapshot:{sid}", detail=counts)
            return counts
        in_active, active_params = _in("list_id", active)
        in_cert, cert_params = _in("list_id", [i for i in active if lists.ends_on_certification(i)])
        # an official's removal holds until the rule is first not met
        cur.execute(
            f"UPDATE {M} SET removal_holds = %s WHERE removal_holds = %s AND {in_active} AND NOT {passing}",
            [False, True, *active_params, *held_params],
        )
        # certification ends the lists it ends, whatever the route
        cur.execute(
            f"UPDATE {M} SET {left}, left_reason = %s WHERE left_on IS NULL AND {in_cert} AND {certified}",
            [*left_params, CERTIFIED, *cert_params, True],
        )
        counts["left"] += cur.rowcount
        # the cultivation period over (lists with one), whatever the route
        for list_id in active:
            limit = lists.stay_limit(policies[list_id], as_of)
            if limit is not None:
                cur.execute(
                    f"UPDATE {M} SET {left}, left_reason = %s WHERE left_on IS NULL AND list_id = %s AND entered_on < %s",
                    [*left_params, PERIOD_OVER, list_id, limit],
                )
                counts["left"] += cur.rowcount
        # a conversion (小升规: now above the line): an exit of its own, whatever the route
        for list_id in active:
            target = lists.converts_to(list_id)
            if target is not None:
                held_c, held_c_params = versions_sql("c", sid, newest=True)
                converted = (
                    f"EXISTS (SELECT 1 FROM {R} c WHERE {held_c} AND c.enterprise_id = {M}.enterprise_id "
                    "AND c.policy_id = %s AND c.status = 'pass')"
                )
                cur.execute(
                    f"UPDATE {M} SET {left}, left_reason = %s WHERE left_on IS NULL AND list_id = %s "
                    f"AND NOT {passing} AND {converted}",
                    [*left_params, CONVERTED, list_id, *held_params, *held_c_params, target],
                )
                counts["left"] += cur.rowcount
        # the rule no longer met: the stays the rule decided
        cur.execute(
            f"UPDATE {M} SET {left}, left_reason = %s WHERE left_on IS NULL AND route = %s AND {in_active} "
            f"AND NOT {passing}",
            [*left_params, RULE_NO_LONGER_MET, RULE, *active_params, *held_params],
        )
        counts["left"] += cur.rowcount
        # entries: passing now, not on the list, no removal holding, not ended by a certificate
        reasons = [(pid, v.id, rule_reason(policies[pid], v.id)) for pid in active for v in policies[pid].versions]
        reason_sql = " UNION ALL ".join(["SELECT %s AS list_id, %s AS version, %s AS reason"] * len(reasons))
        r_active, _ = _in("r.policy_id", active)
        r_cert, _ = _in("r.policy_id", [i for i in active if lists.ends_on_certification(i)])
        # the entrants are chosen into a temporary table first: an INSERT whose NOT EXISTS reads the table it
        # writes took minutes on PostgreSQL when the planner thought the table empty (a scan per row)
        cur.execute("DROP TABLE IF EXISTS _list_entrants")
        cur.execute(
            "CREATE TEMP TABLE _list_entrants AS "
            "SELECT r.enterprise_id, r.policy_id, %s AS route, %s AS entered_on, %s AS entered_snapshot_id, "
            "r.policy_version, COALESCE(rv.reason, '') AS reason, %s AS ruleset_hash, '' AS left_reason, "
            "'' AS left_ruleset_hash, '' AS left_comment, %s AS removal_holds "
            f"FROM {R} r JOIN {E} e ON e.id = r.enterprise_id "
            f"LEFT JOIN ({reason_sql}) rv ON rv.list_id = r.policy_id AND rv.version = r.policy_version "
            f"WHERE {held} AND r.status = 'pass' AND {r_active} "
            f"AND NOT ({r_cert} AND e.has_hte = %s) "
            f"AND NOT EXISTS (SELECT 1 FROM {M} m WHERE m.enterprise_id = r.enterprise_id "
            "AND m.list_id = r.policy_id AND (m.left_on IS NULL OR m.removal_holds = %s OR m.left_reason = %s))",
            [RULE, as_of, sid, rhash, False, *[x for row in reasons for x in row], *held_params, *active_params,
             *cert_params, True, True, PERIOD_OVER],
        )  # fmt: skip
        cols = ("enterprise_id, list_id, route, entered_on, entered_snapshot_id, policy_version, reason, ruleset_hash, "
                "left_reason, left_ruleset_hash, left_comment, removal_holds")  # fmt: skip
        cur.execute(f"INSERT INTO {M} ({cols}) SELECT * FROM _list_entrants")
        counts["entered"] += cur.rowcount
        cur.execute("DROP TABLE _list_entrants")
        _stats(cur, sid)
    audit_record(None, "list.update", target=f"snapshot:{sid}", detail=counts)
    return counts


def _stats(cur: Any, sid: int) -> None:
    """The members of every list per district and technical field, as this snapshot leaves them."""
    cur.execute("DELETE FROM programmes_liststat WHERE snapshot_id = %s", [sid])
    cur.execute(
        "INSERT INTO programmes_liststat (snapshot_id, list_id, district_code, tech_field, n) "
        f"SELECT %s, m.list_id, e.district_code, e.tech_field, COUNT(*) FROM {M} m "
        f"JOIN {E} e ON e.id = m.enterprise_id WHERE m.left_on IS NULL "
        "GROUP BY m.list_id, e.district_code, e.tech_field",
        [sid],
    )


@transaction.atomic
def membership_add(actor: Any, list_id: str, uscc: str, reason: str, *, request: Any = None) -> ListMembership:
    """An official puts an enterprise on an adjustable list (``lists.ADJUSTABLE``) with a reason: a district
    official its district's enterprises, the municipal office any. The stay's route is ``adjustment``: the rule
    does not end it (a conversion, certification where it applies, or a removal does). Two officials adding the
    same enterprise at once: the enterprise's row is locked, the second is told it is already on the list.
    Audited; the municipal office sees every adjustment (``selectors.adjustments``)."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import enterprise_get
    from gaoqi.web.intake.selectors import current_snapshot

    if getattr(actor, "role", None) not in MAY_REMOVE:
        raise Forbidden("您的角色不能调整名单")
    if not lists.adjustable(list_id):
        raise NotFound("该名单不能由管理人员调整")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写纳入理由", fields={"reason": "必须填写"})
    ent = enterprise_get(actor, (uscc or "").strip().upper())
    if ent is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    locked(Enterprise, ent.pk)  # two adds of one enterprise at once: one after the other
    if ListMembership.objects.filter(enterprise=ent, list_id=list_id, left_on__isnull=True).exists():
        raise Conflict("该企业已在名单中")
    snap = current_snapshot()
    if snap is None:
        raise DomainError("尚无已发布的数据快照")
    m = ListMembership.objects.create(
        enterprise=ent, list_id=list_id, route=ADJUSTMENT, entered_on=clock.today(), entered_snapshot=snap,
        reason=reason[:2000], ruleset_hash=snap.ruleset_hash, entered_by=actor,
    )  # fmt: skip
    audit_record(actor, "list.add", target=f"membership:{m.pk}", request=request,
                 detail={"list": list_id, "uscc": ent.uscc, "reason": m.reason})  # fmt: skip
    return m


@transaction.atomic
def membership_remove(actor: Any, membership_id: int, comment: str, *, request: Any = None) -> ListMembership:
    """An official takes an enterprise off a list, with a comment (municipal: any; district: the district's).

    The membership is re-read under its row lock (ADR 0010): of two officials removing it at once, the second
    is told it has already left. The removal holds while the enterprise still meets the rule (``removal_holds``).
    Audited."""
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.programmes.selectors import memberships_visible_to

    if getattr(actor, "role", None) not in MAY_REMOVE:
        raise Forbidden("您的角色不能将企业移出名单")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("请填写移出说明", fields={"comment": "必须填写"})
    if not memberships_visible_to(actor).filter(pk=membership_id).exists():
        raise NotFound("名单记录不存在或不在您的管辖范围内")
    m = locked(ListMembership, membership_id)
    if m.left_on is not None:
        raise StaleActionError(f"该企业已于{m.left_on:%Y年%m月%d日}移出名单，{STALE}")
    snap = current_snapshot()
    if snap is None:
        raise DomainError("尚无已发布的数据快照")
    m.left_on = clock.today()
    m.left_snapshot = snap
    m.left_reason = REMOVED
    m.left_comment = comment[:2000]
    m.left_by = actor
    m.left_ruleset_hash = snap.ruleset_hash
    m.removal_holds = True
    m.save(
        update_fields=[
            "left_on", "left_snapshot", "left_reason", "left_comment", "left_by", "left_ruleset_hash", "removal_holds",
        ]
    )  # fmt: skip
    audit_record(
        actor,
        "list.remove",
        target=f"membership:{m.pk}",
        request=request,
        detail={"list": m.list_id, "uscc": m.enterprise.uscc, "comment": m.left_comment},
    )
    return m


EXPORT_LIMIT = 100_000
EXPORT_COLUMNS: tuple[str, ...] = (
    "统一社会信用代码", "企业名称", "区县", "行业门类", "技术领域", "纳入方式", "纳入日期", "纳入快照", "政策版本",
    "纳入理由", "规则集校验值",
)  # fmt: skip


def members_export(actor: Any, list_id: str, qs: Any, *, request: Any = None, filters: dict[str, Any]) -> bytes:
    """An Excel workbook of exactly the members the user may see under the current filters (every cell through
    ``exports.xlsx``: a name or reason starting with = + - @ is text, never a formula). Audited."""
    from gaoqi.web.core import labels
    from gaoqi.web.exports import xlsx

    n = 0

    def rows() -> Any:
        nonlocal n
        for m in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            e = m.enterprise
            n += 1
            yield [
                e.uscc, e.name, labels.district(e.district_code), labels.industry(e.industry_section),
                labels.label("tech_field", e.tech_field) if e.tech_field else "", m.get_route_display(),
                m.entered_on, f"#{m.entered_snapshot_id}", m.policy_version, m.reason, m.ruleset_hash,
            ]  # fmt: skip

    data = xlsx("名单", list(EXPORT_COLUMNS), rows())
    audit_record(actor, "export", target=f"list:{list_id}", request=request, detail={"rows": n, "filters": filters})
    return data


TUTORING_EXPORT_COLUMNS: tuple[str, ...] = (
    "统一社会信用代码", "企业名称", "所属区县", "辅导日期", "辅导人", "辅导意见", "记录时的差距", "后续事项（已完成/共计）",
    "企业确认", "企业意见",
)  # fmt: skip


def tutorings_export(actor: Any, qs: Any, *, request: Any = None) -> bytes:
    """An Excel workbook of the tutoring records the user may see (``qs``, already scoped), every cell through
    ``exports.xlsx`` (advice starting with = + - @ stays text). Audited."""
    from gaoqi.web.core import labels
    from gaoqi.web.exports import xlsx

    n = 0

    def rows() -> Any:
        nonlocal n
        for t in qs.prefetch_related("followups")[:EXPORT_LIMIT]:
            n += 1
            gaps = "；".join(
                f"{g['label']}：{g['gap']}" if g.get("gap") else g["label"] for g in t.gaps.get("conditions", [])
            )
            followups = list(t.followups.all())
            done = sum(1 for x in followups if x.outcome == "done")
            yield [
                t.enterprise.uscc, t.enterprise.name, labels.district(t.enterprise.district_code), t.held_on,
                _who(t.tutor), t.advice, gaps, f"{done}/{len(followups)}", t.get_status_display(), t.enterprise_comment,
            ]  # fmt: skip

    data = xlsx("一对一辅导", list(TUTORING_EXPORT_COLUMNS), rows())
    audit_record(actor, "export", target="tutorings", request=request, detail={"rows": n})
    return data


FUNNEL_COLUMNS: tuple[str, ...] = (
    "区县", "纳入年度", "纳入方式", "纳入企业数", "提出申请", "其中经本平台申请", "获得认定", "申请率", "认定率",
    "1年期转化率", "2年期转化率", "3年期转化率", "入库至认定中位天数",
)  # fmt: skip


def funnel_export(actor: Any, data: Any, *, request: Any = None, filters: dict[str, Any]) -> bytes:
    """The funnel (``funnel.funnel``: already scoped) as a workbook: one line per district × cohort × route,
    then one per route and the total; every cell through ``exports.xlsx``. A conversion whose year-end has not
    passed yet is marked. Audited."""
    from gaoqi.web.core import labels
    from gaoqi.web.exports import xlsx
    from gaoqi.web.programmes.funnel import KS
    from gaoqi.web.programmes.models import ROUTES

    routes = dict(ROUTES)

    def line(r: Any) -> list[Any]:
        conversions = [
            labels.percent(r.conversion[k]) + ("（未满期）" if r.open_k[k] and r.entrants else "") for k in KS
        ]
        median = r.median_days
        return [
            labels.district(r.district) if r.district else "全部区县",
            str(r.cohort) if r.cohort else "全部年度",
            routes.get(r.route, "全部方式"),
            r.entrants, r.applied, r.applied_here, r.certified,
            labels.percent(r.applied_rate), labels.percent(r.certified_rate), *conversions,
            None if median is None else median,
        ]  # fmt: skip

    rows = [*(line(r) for r in data.rows), *(line(r) for r in data.by_route), line(data.total)]
    out = xlsx("培育转化", list(FUNNEL_COLUMNS), rows)
    audit_record(
        actor, "export", target=f"list:{data.list_id}", request=request,
        detail={"rows": len(rows), "filters": filters, "view": "funnel"},
    )  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------------------
# recommendations (the cultivation pool's entry path A): a district recommends, the municipal office decides

REASON_MAX = 2000


def _who(user: Any) -> str:
    return str(getattr(user, "display_name", "") or getattr(user, "username", ""))


def _eligibility(enterprise: Any, list_id: str) -> str | None:
    """Why ``enterprise`` cannot be put on ``list_id`` now (certified for a list certification ends; already on
    it), or None. Read inside the caller's transaction: a recommendation and its confirmation both ask."""
    from gaoqi.web.enterprises.models import Enterprise

    if lists.ends_on_certification(list_id) and Enterprise.objects.filter(pk=enterprise.pk, has_hte=True).exists():
        return "该企业已是有效期内的高新技术企业，无需纳入培育库"
    stay = ListMembership.objects.filter(enterprise_id=enterprise.pk, list_id=list_id, left_on__isnull=True).first()
    if stay is not None:
        return f"该企业已在名单中（{stay.get_route_display()}，{stay.entered_on:%Y年%m月%d日}纳入）"
    return None


@transaction.atomic
def recommendation_create(actor: Any, uscc: str, list_id: str, reason: str) -> Any:
    """A district official recommends an enterprise of the district for a list, with a reason.

    Refused, in words: a role other than a district official's (403); a list that takes no recommendations
    (400); no reason (400); an enterprise outside the official's district (404, as the directory: existence is
    not disclosed); an enterprise already certified (for a list certification ends), already on the list, or
    already recommended and waiting (409). Concurrent recommendations of one enterprise are serialised (one
    wins, the other is told it is already recommended). Logged and audited by the workflow."""
    from gaoqi.web.core.locks import serialize
    from gaoqi.web.core.workflow import NEW, RoleRefused, create, role_of
    from gaoqi.web.enterprises.selectors import enterprise_get
    from gaoqi.web.programmes.models import Recommendation
    from gaoqi.web.programmes.workflow import RECOMMENDATION, SUBMITTED

    submit = RECOMMENDATION.find(NEW, "submit")
    assert submit is not None
    if role_of(actor) not in submit.roles:
        raise RoleRefused("只有区级管理人员可以推荐企业")
    list_id = (list_id or "").strip()
    if not lists.recommendable(list_id):
        raise DomainError("该名单不接受推荐", fields={"list_id": "不接受推荐的名单"})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写推荐理由", fields={"reason": "必须填写"})
    if len(reason) > REASON_MAX:
        raise DomainError(f"推荐理由不能超过{REASON_MAX}字", fields={"reason": f"最多{REASON_MAX}字"})
    ent = enterprise_get(actor, (uscc or "").replace("\x00", "").strip())
    if ent is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    serialize(f"recommendation:{list_id}:{ent.pk}")  # two officials recommending it at once: one at a time
    if why := _eligibility(ent, list_id):
        raise Conflict(why, code="ineligible")
    waiting = Recommendation.objects.filter(enterprise=ent, list_id=list_id, status=SUBMITTED).first()
    if waiting is not None:
        raise Conflict(
            f"该企业已于{timezone.localtime(waiting.created_at):%Y年%m月%d日}被推荐，正等待市级确认，不能重复推荐",
            code="already_recommended",
        )

    def make(status: str) -> Any:
        return Recommendation.objects.create(
            enterprise=ent, list_id=list_id, reason=reason, district_code=actor.district_code,
            recommended_by=actor, status=status,
        )  # fmt: skip

    return create(
        RECOMMENDATION, "submit", actor, make,
        audit_target=lambda r: f"recommendation:{r.pk}",
        audit_detail=lambda r: {"uscc": ent.uscc, "list": list_id, "reason": reason},
    )  # fmt: skip


#: Roles that read recommendations at all (the district its own, the municipal office all).
MAY_SEE_RECOMMENDATIONS = frozenset({roles.DISTRICT, roles.MUNICIPAL})


def _visible_recommendation(actor: Any, pk: int) -> tuple[str, str]:
    """The recommendation's enterprise (USCC) and list, if the actor may see it (403 for a role that reads none,
    404 for one outside the district or none at all)."""
    from gaoqi.web.programmes.selectors import recommendations_visible_to

    if getattr(actor, "role", None) not in MAY_SEE_RECOMMENDATIONS:
        raise Forbidden("您的角色不能处理推荐")
    row = recommendations_visible_to(actor).filter(pk=pk).values_list("enterprise__uscc", "list_id").first()
    if row is None:
        raise NotFound("推荐不存在或不在您的管辖范围内")
    return row


def _decide(actor: Any, pk: int, action: str, comment: str, seen: str | None, **kw: Any) -> Any:
    from gaoqi.web.core.workflow import transition
    from gaoqi.web.programmes.models import Recommendation
    from gaoqi.web.programmes.workflow import RECOMMENDATION

    comment = (comment or "").strip()
    if len(comment) > REASON_MAX:
        raise DomainError(f"意见不能超过{REASON_MAX}字", fields={"comment": f"最多{REASON_MAX}字"})
    uscc, list_id = _visible_recommendation(actor, pk)
    enter = kw.pop("on_enter", None)
    detail: dict[str, Any] = {"uscc": uscc, "list": list_id, "comment": comment}

    def on_enter(obj: Any, t: Any, log: Any) -> list[str]:
        obj.decided_by, obj.decided_at, obj.decision_comment = actor, timezone.now(), comment
        extra = list(enter(obj, t, log)) if enter is not None else []
        if obj.membership_id is not None:
            detail["membership"] = obj.membership_id
        return ["decided_by", "decided_at", "decision_comment", *extra]

    moved = transition(
        RECOMMENDATION, Recommendation, pk, action, actor, seen=seen or None, comment=comment, on_enter=on_enter,
        audit_target=f"recommendation:{pk}", audit_detail=detail, **kw,
    )  # fmt: skip
    return moved.obj


@transaction.atomic
def recommendation_confirm(actor: Any, pk: int, comment: str = "", *, seen: str | None = None) -> Any:
    """The municipal office confirms a waiting recommendation (comment optional): in the same transaction the
    enterprise enters the list (route ``recommendation``, dated today, the current snapshot, the reason with who
    recommended and who confirmed). The recommendation is re-read under its lock (ADR 0010): of two officials
    confirming at once, one wins and the other is told it has been decided. Refused when the enterprise has
    meanwhile been certified or put on the list (decline it then, with a comment)."""
    from gaoqi.web.intake.selectors import current_snapshot

    snap = current_snapshot()
    if snap is None:
        raise DomainError("尚无已发布的数据快照，暂不能纳入名单")

    def still_eligible(actor: Any, rec: Any) -> str | None:
        why = _eligibility(rec.enterprise, rec.list_id)
        return f"{why}，请以“不予纳入”处理并说明" if why else None

    def enter(rec: Any, t: Any, log: Any) -> list[str]:
        from django.db import IntegrityError

        why = f"{rec.reason}（{labels.district(rec.district_code)}推荐，推荐人：{_who(rec.recommended_by)}；"
        why += f"市级确认，确认人：{_who(actor)}" + (f"，意见：{rec.decision_comment}" if rec.decision_comment else "")
        try:
            with transaction.atomic():  # a stay opened meanwhile (a publication): refused, not a 500
                rec.membership = ListMembership.objects.create(
                    enterprise=rec.enterprise, list_id=rec.list_id, route=RECOMMENDATION, entered_on=clock.today(),
                    entered_snapshot=snap, reason=why + "）",
                )  # fmt: skip
        except IntegrityError:
            raise StaleActionError(f"该企业已在名单中，{STALE}") from None
        return ["membership"]

    return _decide(actor, pk, "confirm", comment, seen, guards={"still_eligible": still_eligible}, on_enter=enter)


@transaction.atomic
def recommendation_decline(actor: Any, pk: int, comment: str, *, seen: str | None = None) -> Any:
    """The municipal office declines a waiting recommendation, with a comment (the district reads why)."""
    return _decide(actor, pk, "decline", comment, seen)


@transaction.atomic
def recommendation_withdraw(actor: Any, pk: int, comment: str = "", *, seen: str | None = None) -> Any:
    """The recommending district withdraws its recommendation while it waits."""

    def own_district(actor: Any, rec: Any) -> str | None:
        return None if rec.district_code == getattr(actor, "district_code", None) else "只能撤回本区的推荐"

    return _decide(actor, pk, "withdraw", comment, seen, permit=own_district)


# ------------------------------------------------------------------------------------------------------
# the records of cultivation (issue 12): policy training sessions and one-to-one tutoring of pool members, each
# confirmed or disputed by the enterprise itself

TEXT_MAX = 4000
_text = partial(text_field, required=True, limit=TEXT_MAX)


def _org(actor: Any) -> tuple[str, str, str]:
    """The acting tutor's (organiser's) organisation: (kind, district code, incubator code). A role that records
    no cultivation, or an account without its jurisdiction, is refused (403)."""
    from gaoqi.web.programmes.models import ORG_DISTRICT, ORG_INCUBATOR, ORG_MUNICIPAL

    role = getattr(actor, "role", None)
    if role == roles.MUNICIPAL:
        return ORG_MUNICIPAL, "", ""
    if role == roles.DISTRICT and getattr(actor, "district_code", ""):
        return ORG_DISTRICT, actor.district_code, ""
    if role == roles.INCUBATOR and getattr(actor, "incubator_code", ""):
        return ORG_INCUBATOR, "", actor.incubator_code
    raise Forbidden("只有区级、市级管理人员和孵化器、服务机构可以记录培育活动")


def org_refusal(actor: Any, obj: Any) -> str | None:
    """Why ``actor`` may not change a record its organisation did not make (None: it may)."""
    kind = getattr(obj, "organiser_kind", None) or getattr(obj, "tutor_kind", "")
    if _org(actor) != (kind, obj.district_code, obj.incubator_code):
        return "只能更正本单位记录的培育活动"
    return None


def _pool_member(actor: Any, uscc: str) -> Any:
    """The enterprise ``uscc`` if the actor may see it (404 otherwise, as the directory) and it is a current member
    of the cultivation pool (400 otherwise, saying so)."""
    from gaoqi.web.enterprises.selectors import enterprise_get

    ent = enterprise_get(actor, (uscc or "").replace("\x00", "").strip())
    if ent is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    if not ListMembership.objects.filter(enterprise=ent, list_id=lists.CULTIVATION_POOL, left_on__isnull=True).exists():
        raise DomainError(
            f"{ent.name}目前不在培育库中，不能记录培育活动（请先推荐纳入培育库）", code="not_in_pool",
            fields={"uscc": "不是培育库现有企业"},
        )  # fmt: skip
    return ent


@transaction.atomic
def tutoring_create(
    actor: Any, uscc: str, held_on: Any, advice: str, followups: list[tuple[str, Any]] | None = None
) -> Any:
    """A tutor records a one-to-one tutoring session of a pool member: a district official for the district's
    enterprises, the municipal office for any, an incubator's operator for its incubated ones (the directory's
    scope). Refused: another role (403); an enterprise outside the tutor's scope (404); one not on the
    cultivation pool now (400); a date in the future, no advice (400). The gaps the engine shows for the
    enterprise (its HTE certification result in the current snapshot) are copied into the record and stay as
    they were. Follow-up actions (text, due date) may be given at once. Logged and audited by the workflow."""
    from gaoqi.web.core.workflow import NEW, RoleRefused, create, role_of
    from gaoqi.web.programmes.models import FollowUp, Tutoring
    from gaoqi.web.programmes.selectors import frozen_gaps
    from gaoqi.web.programmes.workflow import TUTORING

    t = TUTORING.find(NEW, "record")
    assert t is not None
    if role_of(actor) not in t.roles:
        raise RoleRefused("只有区级、市级管理人员和孵化器、服务机构可以记录一对一辅导")
    kind, district_code, incubator_code = _org(actor)
    not_future(held_on, "辅导日期", "held_on")
    advice = _text(advice, "辅导意见", "advice")
    items = [(_text(a, "跟进事项", "followups"), d) for a, d in (followups or []) if (a or "").strip()]
    if any(d is None for _, d in items):
        raise DomainError("请填写每个跟进事项的完成期限", fields={"followups": "缺少完成期限"})
    ent = _pool_member(actor, uscc)
    snap, gaps = frozen_gaps(ent)

    def make(status: str) -> Any:
        rec = Tutoring.objects.create(
            enterprise=ent, tutor=actor, tutor_kind=kind, district_code=district_code, incubator_code=incubator_code,
            held_on=held_on, advice=advice, gaps=gaps, gaps_snapshot=snap, status=status,
        )  # fmt: skip
        FollowUp.objects.bulk_create(FollowUp(tutoring=rec, action=a, due_on=d, recorded_by=actor) for a, d in items)
        return rec

    return create(
        TUTORING, "record", actor, make,
        audit_target=lambda r: f"tutoring:{r.pk}",
        audit_detail=lambda r: {"uscc": ent.uscc, "held_on": str(held_on), "followups": len(items),
                                "gaps": [c["id"] for c in gaps.get("conditions", [])]},
    )  # fmt: skip


def _answer(
    workflow: Any, model: Any, visible: Any, actor: Any, pk: int, action: str, comment: str, seen: str | None,
    *, guard: Any = None, on_correct: Any = None, org_of: Any = None,
) -> Any:  # fmt: skip
    """The enterprise's confirmation or dispute of a record, or its tutor's correction of a disputed one: through
    the record's workflow (locked re-read, stale refusal, role, log row, audit). The record must be visible to
    the actor (404 otherwise); the enterprise answers only for itself, a tutor corrects only its
    organisation's records."""
    from gaoqi.web.core.workflow import transition

    comment = _text(comment, "意见", "comment", required=False, limit=REASON_MAX)
    if not visible(actor).filter(pk=pk).exists():
        raise NotFound("记录不存在或不在您的管辖范围内")

    def permit(actor: Any, obj: Any) -> str | None:
        if action == "correct":
            return (org_of or org_refusal)(actor, obj)
        if getattr(actor, "role", None) != roles.ENTERPRISE or obj.enterprise.uscc != getattr(actor, "uscc", None):
            return "只有企业本身可以确认或提出异议"
        return None

    def on_enter(obj: Any, t: Any, log: Any) -> list[str]:
        if action == "correct":
            obj.answered_by, obj.answered_at = None, None
            return ["answered_by", "answered_at", *(on_correct(obj) if on_correct else [])]
        obj.answered_by, obj.answered_at, obj.enterprise_comment = actor, timezone.now(), comment
        return ["answered_by", "answered_at", "enterprise_comment"]

    moved = transition(
        workflow, model, pk, action, actor, seen=seen or None, comment=comment, permit=permit, on_enter=on_enter,
        guards={"answerable": guard or (lambda actor, obj: None)},
        audit_target=f"{workflow.name}:{pk}", audit_detail={"action": action, "comment": comment},
    )  # fmt: skip
    return moved.obj


@transaction.atomic
def tutoring_confirm(actor: Any, pk: int, comment: str = "", *, seen: str | None = None) -> Any:
    """The enterprise confirms its tutoring record (who and when are kept). Of a confirmation and a dispute sent
    at once, one wins; the other is told the record has changed."""
    from gaoqi.web.programmes.models import Tutoring
    from gaoqi.web.programmes.selectors import tutorings_visible_to
    from gaoqi.web.programmes.workflow import TUTORING

    return _answer(TUTORING, Tutoring, tutorings_visible_to, actor, pk, "confirm", comment, seen)


@transaction.atomic
def tutoring_dispute(actor: Any, pk: int, comment: str, *, seen: str | None = None) -> Any:
    """The enterprise disputes its tutoring record, saying why (the comment is required)."""
    from gaoqi.web.programmes.models import Tutoring
    from gaoqi.web.programmes.selectors import tutorings_visible_to
    from gaoqi.web.programmes.workflow import TUTORING

    return _answer(TUTORING, Tutoring, tutorings_visible_to, actor, pk, "dispute", comment, seen)


@transaction.atomic
def tutoring_correct(actor: Any, pk: int, comment: str, advice: str = "", *, seen: str | None = None) -> Any:
    """The tutor's organisation corrects a disputed record (what was corrected: the comment; the advice may be
    rewritten): it is recorded again, for the enterprise to confirm."""
    from gaoqi.web.programmes.models import Tutoring
    from gaoqi.web.programmes.selectors import tutorings_visible_to
    from gaoqi.web.programmes.workflow import TUTORING

    advice = _text(advice, "辅导意见", "advice", required=False)

    def on_correct(obj: Any) -> list[str]:
        if advice:
            obj.advice = advice
            return ["advice"]
        return []

    return _answer(TUTORING, Tutoring, tutorings_visible_to, actor, pk, "correct", comment, seen, on_correct=on_correct)


def _tutoring_of_org(actor: Any, pk: int) -> Any:
    from gaoqi.web.programmes.selectors import tutorings_visible_to

    _org(actor)
    rec = tutorings_visible_to(actor).filter(pk=pk).first()
    if rec is None:
        raise NotFound("辅导记录不存在或不在您的管辖范围内")
    if why := org_refusal(actor, rec):
        raise Forbidden(why.replace("更正", "跟进"))
    return rec


@transaction.atomic
def followup_add(actor: Any, tutoring_pk: int, action: str, due_on: Any) -> Any:
    """The tutor's organisation adds a follow-up action (text, due date) to its tutoring record. Audited."""
    from gaoqi.web.programmes.models import FollowUp

    rec = _tutoring_of_org(actor, tutoring_pk)
    action = _text(action, "跟进事项", "action")
    if due_on is None:
        raise DomainError("请填写完成期限", fields={"due_on": "必须填写"})
    item = FollowUp.objects.create(tutoring=rec, action=action, due_on=due_on, recorded_by=actor)
    audit_record(actor, "followup.add", target=f"tutoring:{rec.pk}",
                 detail={"followup": item.pk, "action": action, "due_on": str(due_on)})  # fmt: skip
    return item


#: The follow-up workflow's action that records each outcome.
_OUTCOME_ACTION = {"open": "reopen", "done": "done", "not_done": "not_done"}


@transaction.atomic
def followup_outcome(actor: Any, pk: int, outcome: str, outcome_on: Any = None, note: str = "") -> Any:
    """The tutor's organisation records a follow-up's outcome: done or not done (dated, not in the future, with an
    optional note), the other of the two as a correction, or open again — a move of the follow-up workflow
    (``workflow.FOLLOWUP``: locked re-read, the table's roles, the log and the audit entry)."""
    from gaoqi.web.core.workflow import transition
    from gaoqi.web.programmes.models import OPEN, FollowUp
    from gaoqi.web.programmes.workflow import FOLLOWUP

    row = FollowUp.objects.filter(pk=pk).values_list("tutoring_id", flat=True).first()
    if row is None:
        raise NotFound("跟进事项不存在")
    _tutoring_of_org(actor, row)
    if outcome not in _OUTCOME_ACTION:
        raise DomainError("请选择结果：已完成、未完成或进行中", fields={"outcome": "未知的结果"})
    note = _text(note, "结果说明", "outcome_note", required=False)
    if outcome != OPEN:
        not_future(outcome_on, "结果日期", "outcome_on")

    def on_enter(item: Any, t: Any, log: Any) -> list[str]:
        item.outcome_on = None if outcome == OPEN else outcome_on
        item.outcome_note = note
        return ["outcome_on", "outcome_note"]

    moved = transition(
        FOLLOWUP, FollowUp, pk, _OUTCOME_ACTION[outcome], actor, on_enter=on_enter, audit_target=f"tutoring:{row}",
        audit_detail={"followup": pk, "outcome": outcome, "outcome_on": str(outcome_on or ""), "note": note},
    )  # fmt: skip
    return moved.obj


# training sessions (政策培训)


@transaction.atomic
def training_create(actor: Any, held_on: Any, topic: str, mode: str, hours: Any, invited: list[str]) -> Any:
    """An organiser records a policy training session and invites pool members it may see (the directory's
    scope; each must be on the cultivation pool now). One attendance row per invited enterprise, to be marked
    after the session. Refused: a role that organises none (403); an invited enterprise outside the scope (404)
    or not in the pool (400); no topic, mode, hours or invitation (400). Audited once for the session."""
    from decimal import Decimal, InvalidOperation

    from gaoqi.web.core.workflow import create
    from gaoqi.web.programmes.cultivation import cultivation_config
    from gaoqi.web.programmes.models import MODES, TrainingAttendance, TrainingSession
    from gaoqi.web.programmes.workflow import ATTENDANCE

    kind, district_code, incubator_code = _org(actor)
    if held_on is None:
        raise DomainError("请填写培训日期", fields={"held_on": "必须填写"})
    topic = _text(topic, "培训主题", "topic", limit=200)
    if mode not in dict(MODES):
        raise DomainError("请选择培训方式：现场或线上", fields={"mode": "未知的方式"})
    try:
        hours = Decimal(str(hours))
    except InvalidOperation:
        raise DomainError("培训时长应为数字（小时）", fields={"hours": "不是数字"}) from None
    if not hours.is_finite() or hours <= 0 or hours > 100:
        raise DomainError("培训时长应大于0且不超过100小时", fields={"hours": "超出范围"})
    usccs = sorted({(u or "").strip() for u in invited if (u or "").strip()})
    if not usccs:
        raise DomainError("请选择受邀企业", fields={"invited": "至少一家"})
    limit = cultivation_config().max_invited
    if len(usccs) > limit:
        raise DomainError(f"每次培训最多邀请{limit}家企业", fields={"invited": f"最多{limit}家"})
    enterprises = [_pool_member(actor, u) for u in usccs]
    session = TrainingSession.objects.create(
        held_on=held_on, topic=topic, organiser_kind=kind, district_code=district_code, incubator_code=incubator_code,
        organised_by=actor, mode=mode, hours=hours.quantize(Decimal("0.1")),
    )  # fmt: skip

    def invitation(ent: Any) -> Callable[[str], Any]:
        return lambda status: TrainingAttendance.objects.create(session=session, enterprise=ent, status=status)

    for ent in enterprises:
        create(ATTENDANCE, "record", actor, invitation(ent))
    audit_record(actor, "training.create", target=f"training:{session.pk}",
                 detail={"held_on": str(held_on), "topic": topic, "invited": usccs})  # fmt: skip
    return session


def _session_of_org(actor: Any, pk: int) -> Any:
    from gaoqi.web.programmes.models import TrainingSession
    from gaoqi.web.programmes.selectors import trainings_visible_to

    _org(actor)
    if not trainings_visible_to(actor).filter(pk=pk).exists():
        raise NotFound("培训不存在或不在您的管辖范围内")
    session = locked(TrainingSession, pk)
    if why := org_refusal(actor, session):
        raise Forbidden(why.replace("更正", "修改"))
    return session


@transaction.atomic
def training_attendance_record(actor: Any, pk: int, attended: list[str]) -> Any:
    """After the session, its organiser records who attended: a subset of the invited (an enterprise not invited
    is refused, by name). Once: a correction goes through the enterprise's dispute. The session is re-read under
    its lock (two officials recording at once: the second is told it is done). Audited."""
    from gaoqi.web.programmes.models import TrainingAttendance

    session = _session_of_org(actor, pk)
    if session.held_on > clock.today():
        raise DomainError("培训尚未举行，不能登记参训情况", fields={"attended": "培训日期在将来"})
    if session.attendance_recorded_at is not None:
        raise StaleActionError(
            f"参训情况已于{timezone.localtime(session.attendance_recorded_at):%Y年%m月%d日}登记，{STALE}"
        )
    rows = TrainingAttendance.objects.filter(session=session)
    invited = dict(rows.values_list("enterprise__uscc", "pk"))
    came = {(u or "").strip() for u in attended if (u or "").strip()}
    if stray := sorted(came - set(invited)):
        raise DomainError("以下企业未受邀参加本次培训，不能登记为参训：" + "、".join(stray), code="not_invited",
                          fields={"attended": "不在受邀企业中"})  # fmt: skip
    rows.filter(enterprise__uscc__in=came).update(attended=True)
    rows.exclude(enterprise__uscc__in=came).update(attended=False)
    session.attendance_recorded_at = timezone.now()
    session.save(update_fields=["attendance_recorded_at"])
    audit_record(actor, "training.attendance", target=f"training:{session.pk}",
                 detail={"attended": sorted(came), "invited": len(invited)})  # fmt: skip
    return session


def _attendance_answerable(actor: Any, obj: Any) -> str | None:
    if obj.session.attendance_recorded_at is None:
        return "培训的参训情况尚未登记，暂不能确认"
    return None


@transaction.atomic
def attendance_confirm(actor: Any, pk: int, comment: str = "", *, seen: str | None = None) -> Any:
    """The enterprise confirms its attendance record (once the organiser has recorded who came)."""
    from gaoqi.web.programmes.models import TrainingAttendance
    from gaoqi.web.programmes.selectors import attendances_visible_to
    from gaoqi.web.programmes.workflow import ATTENDANCE

    return _answer(ATTENDANCE, TrainingAttendance, attendances_visible_to, actor, pk, "confirm", comment, seen,
                   guard=_attendance_answerable)  # fmt: skip


@transaction.atomic
def attendance_dispute(actor: Any, pk: int, comment: str, *, seen: str | None = None) -> Any:
    """The enterprise disputes its attendance record, saying why."""
    from gaoqi.web.programmes.models import TrainingAttendance
    from gaoqi.web.programmes.selectors import attendances_visible_to
    from gaoqi.web.programmes.workflow import ATTENDANCE

    return _answer(ATTENDANCE, TrainingAttendance, attendances_visible_to, actor, pk, "dispute", comment, seen,
                   guard=_attendance_answerable)  # fmt: skip


@transaction.atomic
def attendance_correct(actor: Any, pk: int, comment: str, attended: bool, *, seen: str | None = None) -> Any:
    """The organiser corrects a disputed attendance (attended or not), with what was corrected."""
    from gaoqi.web.programmes.models import TrainingAttendance
    from gaoqi.web.programmes.selectors import attendances_visible_to
    from gaoqi.web.programmes.workflow import ATTENDANCE

    def on_correct(obj: Any) -> list[str]:
        obj.attended = bool(attended)
        return ["attended"]

    def permit_session(actor: Any, obj: Any) -> str | None:
        return org_refusal(actor, obj.session)

    return _answer(ATTENDANCE, TrainingAttendance.objects.select_related("session"), attendances_visible_to, actor,
                   pk, "correct", comment, seen, on_correct=on_correct, org_of=permit_session)  # fmt: skip


@transaction.atomic
def training_material_add(actor: Any, pk: int, file_name: str, data: bytes) -> Any:
    """The organiser uploads a material (PDF only, checked by content with certification/pdfcheck.py, not by its
    name; size and count limited by cultivation.yaml), stored outside the web root. Audited."""
    from gaoqi.web.core.uploads import pdf_upload, stored_write
    from gaoqi.web.programmes.cultivation import cultivation_config
    from gaoqi.web.programmes.models import TrainingMaterial

    cfg = cultivation_config()
    session = _session_of_org(actor, pk)
    if not data:
        raise DomainError("请选择要上传的文件", fields={"file": "必须选择"})
    name, pages = pdf_upload(file_name, data, max_bytes=cfg.material_max_bytes, noun="培训资料")
    if TrainingMaterial.objects.filter(session=session).count() >= cfg.materials_per_session:
        raise DomainError(f"每次培训最多上传 {cfg.materials_per_session} 份资料")
    path, digest = stored_write("training", session.pk, data)
    item = TrainingMaterial.objects.create(session=session, file_name=name, path=path, sha256=digest,
                                           size=len(data), pages=pages, uploaded_by=actor)  # fmt: skip
    audit_record(actor, "training.material_add", target=f"training:{session.pk}",
                 detail={"material": item.pk, "sha256": digest, "size": len(data)})  # fmt: skip
    return item


def training_material_open(actor: Any, pk: int) -> tuple[Any, Any]:
    """A material and its open file, for those who see the session (its organiser's scope, the invited
    enterprises); every download is audited."""
    from gaoqi.web.core.uploads import stored_open
    from gaoqi.web.programmes.models import TrainingMaterial
    from gaoqi.web.programmes.selectors import trainings_visible_to

    item = TrainingMaterial.objects.filter(pk=pk, session__in=trainings_visible_to(actor).values("pk")).first()
    if item is None:
        raise NotFound("培训资料不存在或不在您的管辖范围内")
    handle = stored_open(item.path, "training")
    if handle is None:
        raise NotFound("培训资料文件不存在")
    audit_record(actor, "training.material_download", target=f"training:{item.session_id}",
                 detail={"material": item.pk, "sha256": item.sha256})  # fmt: skip
    return item, handle
