"""Writes on programme lists (ADR 0016): the memberships a published snapshot decides, an official's removal,
and a district's recommendation with the municipal office's decision. ``memberships_update`` runs inside the
publishing transaction (``intake.services._publish``) and is set-based SQL over the new snapshot's policy
results and the open memberships: a few statements whatever the number of enterprises, and running it again for
the same snapshot changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock, labels
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.locks import STALE, StaleActionError, locked
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.programmes import lists
from gaoqi.web.programmes.models import (
    CERTIFIED,
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
    - a list with no result in this snapshot (no version in force any more, or no longer a list policy) ends
      every open stay (``expired``).

    Stays entered on a recommendation are not ended by the rule. Returns the counts of entries and exits."""
    if not connection.in_atomic_block:
        raise RuntimeError("memberships_update belongs inside the publishing transaction")
    snap = Snapshot.objects.values("pk", "as_of", "ruleset_hash").get(pk=snapshot.pk)
    sid, as_of, rhash = snap["pk"], snap["as_of"], snap["ruleset_hash"]
    policies = {p.id: p for p in lists.list_policies()}
    from gaoqi.web.enterprises.models import PolicyResult

    evaluated = set(
        PolicyResult.objects.filter(snapshot_id=sid, policy_id__in=list(policies))
        .values_list("policy_id", flat=True)
        .distinct()
    )
    open_lists = set(ListMembership.objects.filter(left_on__isnull=True).values_list("list_id", flat=True).distinct())
    expired = sorted(open_lists - evaluated)
    active = sorted(evaluated)
    counts = {"entered": 0, "left": 0}
    left = "left_on = %s, left_snapshot_id = %s, left_ruleset_hash = %s"
    left_params: list[Any] = [as_of, sid, rhash]
    passing = (
        f"EXISTS (SELECT 1 FROM {R} r WHERE r.snapshot_id = %s AND r.enterprise_id = {M}.enterprise_id "
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
            [False, True, *active_params, sid],
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
        # the rule no longer met: the stays the rule decided
        cur.execute(
            f"UPDATE {M} SET {left}, left_reason = %s WHERE left_on IS NULL AND route = %s AND {in_active} "
            f"AND NOT {passing}",
            [*left_params, RULE_NO_LONGER_MET, RULE, *active_params, sid],
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
            f"WHERE r.snapshot_id = %s AND r.status = 'pass' AND {r_active} "
            f"AND NOT ({r_cert} AND e.has_hte = %s) "
            f"AND NOT EXISTS (SELECT 1 FROM {M} m WHERE m.enterprise_id = r.enterprise_id "
            "AND m.list_id = r.policy_id AND (m.left_on IS NULL OR m.removal_holds = %s OR m.left_reason = %s))",
            [RULE, as_of, sid, rhash, False, *[x for row in reasons for x in row], sid, *active_params,
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
