"""The spot checks' writes (atomic, audited, the acting user first): the inspector pool, the yearly draw and its
verification, a case's moves (``workflow.CASE``) and the officials' Excel export."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.locks import locked, serialize
from gaoqi.web.core.workflow import Transition, WorkflowError, transition
from gaoqi.web.spotchecks import hooks, rules, sampling, selectors
from gaoqi.web.spotchecks.models import Case, CaseInspector, Draw, DrawFrozen, Inspector
from gaoqi.web.spotchecks.workflow import CASE, FAILED, PASSED

#: the lock every draw takes (one draw per year: two officials drawing at once → one wins)
DRAW_LOCK = "spotchecks.draw"


def _manager(actor: Any) -> None:
    if getattr(actor, "role", None) not in selectors.MANAGERS or not getattr(actor, "is_active", False):
        raise Forbidden("只有市级管理部门可以执行此操作")


# ------------------------------------------------------------------------------------------------------
# the inspector pool


def _inspector_fields(name: str, unit: str, district_code: str, username: str) -> dict[str, Any]:
    from gaoqi.web.accounts.models import User

    name, unit, district_code, username = name.strip(), unit.strip(), district_code.strip(), username.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写姓名"
    if not unit:
        errors["unit"] = "请填写所在单位"
    if district_code and district_code not in district_codes():
        errors["district_code"] = "区县代码不存在"
    user = None
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or user.role not in (roles.DISTRICT, roles.MUNICIPAL):
            errors["username"] = "关联账号须为在用的区级或市级管理人员账号"
        elif user.role == roles.DISTRICT and district_code != user.district_code:
            errors["district_code"] = "区级管理人员的检查人员记录须填写其所属区县"
    if errors:
        raise DomainError("；".join(errors.values()), fields=errors)
    return {"name": name, "unit": unit, "district_code": district_code, "user": user}


@transaction.atomic
def inspector_create(actor: Any, *, name: str, unit: str, district_code: str = "", username: str = "") -> Inspector:
    _manager(actor)
    data = _inspector_fields(name, unit, district_code, username)
    if data["user"] is not None and Inspector.objects.filter(user=data["user"]).exists():
        raise Conflict("该账号已关联其他检查人员", fields={"username": "该账号已关联其他检查人员"})
    try:
        with transaction.atomic():
            ins = Inspector.objects.create(**data)
    except IntegrityError as exc:
        raise Conflict("该账号已关联其他检查人员") from exc
    audit_record(actor, "spotchecks.inspector_create", target=f"inspector:{ins.pk}",
                 detail={"unit": ins.unit, "district": ins.district_code, "user": username.strip()})  # fmt: skip
    return ins


@transaction.atomic
def inspector_update(
    actor: Any, pk: int, *, name: str, unit: str, district_code: str = "", username: str = "", active: bool = True
) -> Inspector:
    """Change an inspector's record; ``active=False`` takes the inspector out of future draws (its cases keep it)."""
    _manager(actor)
    try:
        ins = locked(Inspector, pk)
    except Inspector.DoesNotExist as exc:
        raise NotFound("检查人员不存在") from exc
    data = _inspector_fields(name, unit, district_code, username)
    if data["user"] is not None and Inspector.objects.filter(user=data["user"]).exclude(pk=pk).exists():
        raise Conflict("该账号已关联其他检查人员", fields={"username": "该账号已关联其他检查人员"})
    for k, v in data.items():
        setattr(ins, k, v)
    ins.active = bool(active)
    ins.save()
    audit_record(actor, "spotchecks.inspector_update", target=f"inspector:{ins.pk}",
                 detail={"unit": ins.unit, "district": ins.district_code, "active": ins.active})  # fmt: skip
    return ins


# ------------------------------------------------------------------------------------------------------
# the yearly draw


def new_seed() -> str:
    """128 bits from the operating system's generator (SystemRandom), as decimal digits: recorded and published."""
    return str(random.SystemRandom().getrandbits(128))


@transaction.atomic
def draw_run(actor: Any, year: int | None = None, *, seed: str | None = None) -> Draw:
    """The year's draw over the current published snapshot (``seed``: tests only; a draw takes SystemRandom's).
    One per year: under the draw lock, a second draw of the year is refused (Conflict)."""
    from gaoqi.web.intake.selectors import current_snapshot

    _manager(actor)
    today = clock.today()
    year = year or today.year
    if not 2000 <= year <= today.year + 1:
        raise DomainError("抽查年度无效")
    serialize(DRAW_LOCK)
    if Draw.objects.filter(year=year).exists():
        raise Conflict(f"{year}年度已完成抽取，每年只抽取一次")
    snapshot = current_snapshot()
    if snapshot is None:
        raise Conflict("尚无已发布的数据快照，无法确定抽查对象")
    try:
        version = rules.in_force(today)
    except rules.RulesError as exc:
        raise Conflict("当前没有生效的抽查规则版本") from exc
    population = selectors.frozen_population(snapshot, year)
    if not population:
        raise Conflict("当前快照中没有有效高新技术企业，无法抽取")
    pool = selectors.inspector_pool()
    params = version.params()
    if len(pool) < params.inspectors_per_case:
        raise Conflict(f"检查人员名录中在册人员不足{params.inspectors_per_case}人，无法抽取")
    seed = seed or new_seed()
    sel = sampling.select(seed, population, pool, params)
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                year=year, seed=seed, rules_version=version.version, rules_hash=version.hash, snapshot=snapshot,
                as_of=snapshot.as_of, population=len(population),
                population_hash=sampling.population_hash(m.uscc for m in population),
                frozen_hash=sampling.frozen_hash(population, pool), drawn=len(sel.cases),
                strata=[{"key": s.key, "district": s.district, "cert_year": s.cert_year, "size": s.size,
                         "drawn": s.drawn} for s in sel.strata],
                groups={k: list(v) for k, v in sel.groups.items()}, understaffed=len(sel.understaffed),
                drawn_by=actor,
            )  # fmt: skip
    except IntegrityError as exc:  # another draw of the year committed first (a database without the lock)
        raise Conflict(f"{year}年度已完成抽取，每年只抽取一次") from exc
    DrawFrozen.objects.create(draw=draw, members=[m.row() for m in population], inspectors=[i.row() for i in pool])
    _store_cases(draw, sel)
    audit_record(actor, "spotchecks.draw", target=f"spotcheck_draw:{draw.pk}",
                 detail={"year": year, "seed": seed, "rules": version.version, "snapshot": snapshot.pk,
                         "population": len(population), "population_hash": draw.population_hash,
                         "drawn": len(sel.cases)})  # fmt: skip
    _notify_drawn(draw)
    return draw


def _store_cases(draw: Draw, sel: sampling.Selection) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    usccs = [c.uscc for c in sel.cases]
    ents = {e.uscc: e for e in Enterprise.objects.of(draw.snapshot).filter(uscc__in=usccs).only("id", "uscc", "name")}
    Case.objects.bulk_create(
        [
            Case(draw=draw, enterprise=ents.get(c.uscc), uscc=c.uscc, enterprise_name=getattr(ents.get(c.uscc), "name", ""),
                 district_code=c.district, stratum=c.stratum, reasons=list(c.reasons), order=i + 1)
            for i, c in enumerate(sel.cases)
        ],
        batch_size=1000,
    )  # fmt: skip
    ids = dict(Case.objects.filter(draw=draw).values_list("uscc", "id"))
    CaseInspector.objects.bulk_create(
        [CaseInspector(case_id=ids[c.uscc], inspector_id=iid, position=p + 1)
         for c in sel.cases for p, iid in enumerate(c.inspectors)],
        batch_size=2000,
    )  # fmt: skip


def _notify_drawn(draw: Draw) -> None:
    """Each district's officials: how many of its enterprises were drawn; each drawn enterprise's accounts: that it
    was drawn; each inspector with an account: its cases."""
    from gaoqi.web.accounts.models import User
    from gaoqi.web.certification.services import notify
    from gaoqi.web.core.labels import district as district_name

    by_district: dict[str, int] = {}
    for d in Case.objects.filter(draw=draw).values_list("district_code", flat=True):
        by_district[d] = by_district.get(d, 0) + 1
    for d, n in sorted(by_district.items()):
        notify(User.objects.filter(role=roles.DISTRICT, district_code=d, is_active=True),
               f"{draw.year}年度高企“双随机”抽查：{district_name(d)}抽中{n}户企业", "/spot-checks/cases/")  # fmt: skip
    case_of = dict(Case.objects.filter(draw=draw).values_list("uscc", "id"))
    accounts = User.objects.filter(role=roles.ENTERPRISE, uscc__in=list(case_of), is_active=True)
    for uid, uscc in accounts.values_list("id", "uscc"):  # one query for the accounts, then one notice each
        notify(User.objects.filter(pk=uid), f"贵企业被抽中{draw.year}年度高新技术企业“双随机”抽查，请配合检查",
               f"/spot-checks/cases/{case_of[uscc]}/")  # fmt: skip
    per_user: dict[int, int] = {}
    for uid in CaseInspector.objects.filter(case__draw=draw, inspector__user__isnull=False).values_list(
        "inspector__user_id", flat=True
    ):
        per_user[uid] = per_user.get(uid, 0) + 1
    for uid, n in per_user.items():
        notify(User.objects.filter(pk=uid, is_active=True),
               f"您被随机选派参加{draw.year}年度高企“双随机”抽查，共{n}户", "/spot-checks/cases/?mine=1")  # fmt: skip


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    recomputed: int = 0


@transaction.atomic
def draw_verify(actor: Any, pk: int) -> Verification:
    """Recompute the draw from its seed, its frozen population and pool and its rules version, and compare: the
    population's hash, the frozen inputs' hash, the selection, each case's reasons and inspectors. Audited."""
    if getattr(actor, "role", None) not in (roles.MUNICIPAL, roles.EVALUATOR):
        raise Forbidden("只有市级管理部门和第三方评估机构可以复核抽取结果")
    draw = Draw.objects.filter(pk=pk).select_related("frozen").first()
    if draw is None:
        raise NotFound("抽查批次不存在")
    members = [sampling.Member.from_row(r) for r in draw.frozen.members]
    pool = [sampling.Inspector.from_row(r) for r in draw.frozen.inspectors]
    problems: list[str] = []
    if sampling.population_hash(m.uscc for m in members) != draw.population_hash:
        problems.append("冻结的抽查对象名单与记录的名单哈希不一致")
    if sampling.frozen_hash(members, pool) != draw.frozen_hash:
        problems.append("冻结的输入与记录的哈希不一致")
    try:
        version = rules.by_id(draw.rules_version)
    except rules.RulesError:
        version = None
        problems.append("抽取时使用的规则版本已不存在")
    recomputed = 0
    if version is not None:
        if version.hash != draw.rules_hash:
            problems.append("规则版本的内容已被改动（规则哈希不一致）")
        sel = sampling.select(draw.seed, members, pool, version.params())
        recomputed = len(sel.cases)
        expected = {c.uscc: (list(c.reasons), list(c.inspectors)) for c in sel.cases}
        stored: dict[str, tuple[list[str], list[int]]] = {}
        for case in Case.objects.filter(draw=draw).prefetch_related("assignments"):
            stored[case.uscc] = (list(case.reasons), [a.inspector_id for a in case.assignments.all()])
        if set(expected) != set(stored):
            problems.append(f"重新计算的抽中企业与记录不一致（重算{len(expected)}户，记录{len(stored)}户）")
        else:
            differ = sum(1 for u in expected if expected[u] != stored[u])
            if differ:
                problems.append(f"{differ}户的抽取原因或检查人员与重新计算的结果不一致")
    result = Verification(not problems, problems, recomputed)
    audit_record(actor, "spotchecks.verify", target=f"spotcheck_draw:{draw.pk}",
                 detail={"ok": result.ok, "problems": problems})  # fmt: skip
    return result


# ------------------------------------------------------------------------------------------------------
# a case's moves


def case_move(actor: Any, pk: int, action: str, *, comment: str = "", seen: str | None = None) -> Case:
    """``start`` / ``pass`` / ``fail`` (reasons required) by an assigned inspector's account or the municipal
    office; a failed check opens the revocation path (hooks.revocation_refer) in the same transaction."""
    if action not in CASE.actions():
        raise WorkflowError("未知的操作")
    with transaction.atomic():
        if not selectors.cases_visible_to(actor).filter(pk=pk).exists():
            raise NotFound("抽查事项不存在或不在您的管辖范围内")

        def permit(user: Any, case: Case) -> str | None:
            return None if selectors.may_record(user, case) else "只有被选派的检查人员或市级管理部门可以登记检查结果"

        def on_enter(case: Case, t: Transition, log: Any) -> list[str]:
            if t.target in (PASSED, FAILED):
                case.result_reasons = comment.strip()
                case.checked_by = actor
                case.checked_at = timezone.now()
                return ["result_reasons", "checked_by", "checked_at"]
            return []

        moved = transition(CASE, Case, pk, action, actor, seen=seen, comment=comment.strip(), permit=permit,
                           on_enter=on_enter, audit_target=f"spotcheck_case:{pk}")  # fmt: skip
        case = moved.obj
        if case.status == FAILED:
            ref = hooks.revocation_refer(actor, case)
            if ref is not None:
                case.referral_id = ref
                case.save(update_fields=["referral_id"])
        _notify_result(case, moved.transition)
    return case


@transaction.atomic
def case_refer(actor: Any, pk: int) -> Case:
    """The municipal office opens the revocation path for a failed case whose inspector could not (a district
    inspector outside the enterprise's district): once (a case already referred is refused)."""
    _manager(actor)
    if not selectors.cases_visible_to(actor).filter(pk=pk).exists():
        raise NotFound("抽查事项不存在或不在您的管辖范围内")
    case = locked(Case, pk)
    if case.status != FAILED:
        raise Conflict("只有检查不合格的抽查事项可以移送撤销程序")
    if case.referral_id is not None:
        raise Conflict("该抽查事项已移送撤销程序，不能重复移送")
    ref = hooks.revocation_refer(actor, case)
    if ref is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    case.referral_id = ref
    case.save(update_fields=["referral_id"])
    audit_record(actor, "spotchecks.case_refer", target=f"spotcheck_case:{case.pk}", detail={"referral": ref})
    return case


def _notify_result(case: Case, t: Transition) -> None:
    from gaoqi.web.accounts.models import User
    from gaoqi.web.certification.services import notify

    if t.target not in (PASSED, FAILED):
        return
    text = f"{case.enterprise_name}：{case.draw.year}年度“双随机”抽查{t.label}"
    link = f"/spot-checks/cases/{case.pk}/"
    notify(User.objects.filter(role=roles.ENTERPRISE, uscc=case.uscc, is_active=True), text, link)
    notify(User.objects.filter(role=roles.DISTRICT, district_code=case.district_code, is_active=True), text, link)
    if t.target == FAILED and case.referral_id is None:  # (a referral tells the municipal office itself)
        notify(User.objects.filter(role=roles.MUNICIPAL, is_active=True), text + "，请移送撤销程序", link)


# ------------------------------------------------------------------------------------------------------
# export

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = ("抽查年度", "序号", "统一社会信用代码", "企业名称", "所属区县", "分层", "抽取原因", "检查人员",
                  "状态", "检查意见", "登记时间", "撤销移送编号")  # fmt: skip
REASON_LABELS = {sampling.RANDOM: "随机抽取", sampling.CRITICAL: "有严重预警", sampling.HIGH: "有高级预警",
                 sampling.PILOT: "上年度报备即批准"}  # fmt: skip


def cases_export(actor: Any, rows: Any) -> bytes:
    """The cases ``rows`` (already scoped and filtered) as an Excel workbook; audited."""
    from gaoqi.web.core.labels import cn_date
    from gaoqi.web.core.labels import district as district_name
    from gaoqi.web.exports import xlsx
    from gaoqi.web.spotchecks.workflow import STATUS_LABELS

    n = 0

    def lines() -> Any:
        nonlocal n
        for c in rows[:EXPORT_LIMIT]:
            n += 1
            yield [c.draw.year, c.order, c.uscc, c.enterprise_name, district_name(c.district_code), c.stratum,
                   "、".join(REASON_LABELS.get(r, r) for r in c.reasons),
                   "、".join(a.inspector.name for a in c.assignments.all()), STATUS_LABELS.get(c.status, c.status),
                   c.result_reasons, cn_date(c.checked_at) if c.checked_at else "", c.referral_id or ""]  # fmt: skip

    data = xlsx("双随机抽查", EXPORT_COLUMNS, lines())
    audit_record(actor, "spotchecks.export", target="spotcheck_cases", detail={"rows": n})
    return data
