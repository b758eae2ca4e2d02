"""Writes of the service packages (服务包): a package per enterprise and year for the 规升强 list, its items and
their moves (``workflow.ITEM`` through ``core.workflow``), the enterprise's rating, the municipal office's bulk
creation and the Excel export. Every write is one transaction, audited; refusals are in Chinese.

Who does what (ADR 0021):

- a package is made by the municipal office (any member) or the enterprise's district (its own); it names a
  municipal official and an official of the enterprise's district as stewards (服务管家);
- an item is assigned by an official who manages the package (the municipal office, or the package's district)
  to a municipal unit or a unit of the package's district, naming the responsible official: a member of that
  unit (UnitMember), or an official of the unit's level — any municipal official for a municipal unit, an
  official of the unit's district for a district unit;
- the unit's side (the same rule: ``units.acts_for``) accepts, returns and completes it; the assigner or either
  steward reassigns a returned item or cancels an open one;
- the enterprise itself rates a completed item once per round and may reopen it once after an unsatisfied rating.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification.workdays import add_workdays_provisional
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.locks import locked, serialize
from gaoqi.web.core.workflow import create, transition
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.programmes.lists import FISCAL_KEY_LIST
from gaoqi.web.programmes.models import ListMembership
from gaoqi.web.servicepacks.config import config
from gaoqi.web.servicepacks.models import ServiceItem, ServiceItemRating, ServicePackage
from gaoqi.web.servicepacks.workflow import DONE, ITEM, RATING_LABELS, UNSATISFIED
from gaoqi.web.units.models import DISTRICT, Unit
from gaoqi.web.units.selectors import acts_for, unit_get

#: The 规升强 list (its members get a package).
STRONG_LIST = FISCAL_KEY_LIST


# ------------------------------------------------------------------------------------------------------
# who may


def may_manage(user: Any, package: ServicePackage) -> bool:
    """Whether ``user`` manages the package (assigns items): the municipal office, or the package's district."""
    role = getattr(user, "role", None)
    if role == roles.MUNICIPAL:
        return True
    return role == roles.DISTRICT and bool(user.district_code) and user.district_code == package.district_code


def may_redirect(user: Any, item: ServiceItem) -> bool:
    """Whether ``user`` reassigns or cancels the item: its assigner or either steward of its package."""
    pkg = item.package
    return getattr(user, "pk", None) in {item.assigned_by_id, pkg.municipal_steward_id, pkg.district_steward_id}


def on_list(enterprise: Enterprise) -> bool:
    """Whether the enterprise is on the 规升强 list now (an open stay)."""
    return ListMembership.objects.filter(enterprise=enterprise, list_id=STRONG_LIST, left_on__isnull=True).exists()


def _name(user: Any) -> str:
    return str(user.display_name or user.username)


# ------------------------------------------------------------------------------------------------------
# packages


def _check_stewards(enterprise: Enterprise, municipal: Any, district: Any) -> None:
    if municipal is None or municipal.role != roles.MUNICIPAL or not municipal.is_active:
        raise DomainError("市级服务管家须为在用的市级管理人员账号。", fields={"municipal_steward": "须为市级管理人员"})
    if district is None or district.role != roles.DISTRICT or not district.is_active:
        raise DomainError("区级服务管家须为在用的区级管理人员账号。", fields={"district_steward": "须为区级管理人员"})
    if district.district_code != enterprise.district_code:
        raise DomainError(
            f"区级服务管家须为企业所在区（{_district(enterprise.district_code)}）的管理人员，"
            f"{_name(district)}属于{_district(district.district_code)}。",
            fields={"district_steward": "不是企业所在区的管理人员"},
        )


def _district(code: str) -> str:
    from gaoqi.web.core.labels import district

    return district(code)


def _check_year(year: int) -> None:
    this = clock.today().year
    if year not in (this, this + 1):
        raise DomainError(f"服务包年度只能为{this}年或{this + 1}年。", fields={"year": "年度超出范围"})


@transaction.atomic
def package_create(
    actor: Any, *, uscc: str, year: int, municipal_steward: Any, district_steward: Any
) -> ServicePackage:
    """One enterprise's package for ``year``: refused for an enterprise outside the actor's jurisdiction (404),
    not on the 规升强 list now, already holding one for the year, or with stewards of the wrong kind or district."""
    if getattr(actor, "role", None) not in {roles.MUNICIPAL, roles.DISTRICT}:
        raise Forbidden("只有市级或区级管理人员可以建立服务包。")
    enterprise = enterprise_get(actor, uscc)
    if enterprise is None:
        raise NotFound("企业不存在或不在您的管辖范围内。")
    _check_year(year)
    if not on_list(enterprise):
        raise DomainError(
            f"{enterprise.name}当前不在规升强名单中，不能建立服务包。", fields={"uscc": "不在规升强名单中"}
        )
    _check_stewards(enterprise, municipal_steward, district_steward)
    serialize(_year_lock(year))  # the bulk action takes the same lock: neither creates what the other is making
    if ServicePackage.objects.filter(enterprise=enterprise, year=year).exists():
        raise Conflict(f"{enterprise.name}已有{year}年度服务包，每家企业每年一个。")
    try:
        with transaction.atomic():
            pkg = ServicePackage.objects.create(
                enterprise=enterprise, year=year, district_code=enterprise.district_code,
                municipal_steward=municipal_steward, district_steward=district_steward, created_by=actor,
            )  # fmt: skip
    except IntegrityError as exc:  # another transaction made it meanwhile (the constraint)
        raise Conflict(f"{enterprise.name}已有{year}年度服务包，每家企业每年一个。") from exc
    audit_record(actor, "servicepacks.package_create", target=f"service_package:{pkg.pk}",
                 detail={"uscc": enterprise.uscc, "year": year, "municipal_steward": municipal_steward.username,
                         "district_steward": district_steward.username})  # fmt: skip
    return pkg


def _year_lock(year: int) -> str:
    """One lock per year for every creation of that year's packages, single or bulk (on PostgreSQL each name is
    its own advisory lock: a single creation under a per-enterprise name slipped between the bulk's read and its
    insert, and the unique constraint then failed the whole bulk)."""
    return f"servicepacks.packages:{year}"


def default_district_steward(district_code: str) -> Any | None:
    """The district steward the bulk creation names for a district: a member of the district's 科学技术和信息化局
    (kind ``sci``) if one is set, else the district's first active official (by account id); None if none."""
    from gaoqi.web.accounts.models import User

    officials = User.objects.filter(role=roles.DISTRICT, district_code=district_code, is_active=True)
    member = officials.filter(unit_memberships__unit__kind="sci", unit_memberships__unit__district_code=district_code)
    return member.order_by("pk").first() or officials.order_by("pk").first()


@transaction.atomic
def packages_create_all(actor: Any, *, year: int, municipal_steward: Any) -> dict[str, int]:
    """The municipal office's bulk action: a package for ``year`` for every current 规升强 member without one,
    in one transaction; the district steward of each is ``default_district_steward``. Counts: created, members
    that already had one, members skipped because their district has no active official."""
    if getattr(actor, "role", None) != roles.MUNICIPAL:
        raise Forbidden("只有市级管理人员可以批量建立服务包。")
    _check_year(year)
    if municipal_steward is None or municipal_steward.role != roles.MUNICIPAL or not municipal_steward.is_active:
        raise DomainError("市级服务管家须为在用的市级管理人员账号。", fields={"municipal_steward": "须为市级管理人员"})
    serialize(_year_lock(year))
    members = ListMembership.objects.filter(list_id=STRONG_LIST, left_on__isnull=True)
    have = ServicePackage.objects.filter(year=year).values("enterprise_id")
    already = members.filter(enterprise_id__in=have).count()
    todo = list(members.exclude(enterprise_id__in=have).values_list("enterprise_id", "enterprise__district_code"))
    stewards: dict[str, Any] = {}
    rows, skipped = [], 0
    for ent_id, district_code in todo:
        if district_code not in stewards:
            stewards[district_code] = default_district_steward(district_code)
        steward = stewards[district_code]
        if steward is None:
            skipped += 1
            continue
        rows.append(ServicePackage(enterprise_id=ent_id, year=year, district_code=district_code,
                                   municipal_steward=municipal_steward, district_steward=steward, created_by=actor))  # fmt: skip
    ServicePackage.objects.bulk_create(rows, batch_size=2000)
    counts = {"created": len(rows), "already": already, "skipped_no_steward": skipped}
    audit_record(actor, "servicepacks.package_create_all", target=f"year:{year}", detail=counts)
    return counts


# ------------------------------------------------------------------------------------------------------
# items


def due_dates(day: dt.date, limit_workdays: int) -> tuple[dt.date, bool]:
    """The last day of ``limit_workdays`` working days counted from the day after ``day`` (the first day of a
    period is not counted), and whether it is provisional (past the last published calendar year)."""
    return add_workdays_provisional(day, limit_workdays)


def _unit_and_handler(package: ServicePackage, unit_code: str, handler: Any) -> Unit:
    unit = unit_get(unit_code)  # unknown or retired: "责任单位…不存在或已停用"
    if unit.level == DISTRICT and unit.district_code != package.district_code:
        raise DomainError(
            f"{unit.name}不是企业所在区的单位：服务事项只能交办给市级单位或{_district(package.district_code)}的单位。",
            fields={"unit": "不是企业所在区的单位"},
        )
    if handler is None or not acts_for(handler, unit):
        raise DomainError(f"责任人须为{unit.name}的经办人或同级管理人员。", fields={"handler": "不能代表该责任单位"})
    return unit


@transaction.atomic
def item_assign(
    actor: Any,
    package_pk: int,
    *,
    need: str,
    category: str,
    unit_code: str,
    handler: Any,
    complex_item: bool = False,
) -> ServiceItem:
    """An item of the package, assigned to a unit and its responsible official, due after the category's (or
    the complex class's) working days."""
    pkg = package_get_for_write(actor, package_pk)
    if not may_manage(actor, pkg):
        raise Forbidden("只有市级管理人员或企业所在区的管理人员可以交办服务事项。")
    need = (need or "").strip()
    if not need:
        raise DomainError("请填写服务需求。", fields={"need": "必填"})
    cfg = config()
    if category not in cfg.categories:
        raise DomainError("请选择服务事项类别。", fields={"category": "未知类别"})
    unit = _unit_and_handler(pkg, unit_code, handler)
    today = clock.today()
    limit = cfg.limit_for(category, complex_item)
    due, provisional = due_dates(today, limit.workdays)
    accept_due, _ = due_dates(today, cfg.accept_workdays)
    item = create(
        ITEM, "assign", actor,
        lambda status: ServiceItem.objects.create(
            package=pkg, need=need, category=category, complex_item=complex_item, unit=unit, handler=handler,
            status=status, assigned_by=actor, assigned_on=today, limit_workdays=limit.workdays, due_on=due,
            due_provisional=provisional, accept_due_on=accept_due,
        ),
        audit_target=lambda i: f"service_item:{i.pk}",
        audit_detail=lambda i: {"package": pkg.pk, "unit": unit.code, "handler": handler.username,
                                "category": category, "due_on": i.due_on.isoformat()},
    )  # fmt: skip
    return item


def package_get_for_write(actor: Any, pk: int) -> ServicePackage:
    from gaoqi.web.servicepacks.selectors import packages_visible_to

    pkg = packages_visible_to(actor).filter(pk=pk).first()
    if pkg is None:
        raise NotFound("服务包不存在或不在您的管辖范围内。")
    return pkg


def _item_for(actor: Any, pk: int) -> Any:
    """The items' queryset to lock ``pk`` in, once the actor may see it (404 otherwise)."""
    from gaoqi.web.servicepacks.selectors import items_visible_to

    if not items_visible_to(actor).filter(pk=pk).exists():
        raise NotFound("服务事项不存在或不在您的管辖范围内。")
    # no select_related: on PostgreSQL FOR UPDATE would also lock the joined unit and enterprise rows
    return ServiceItem.objects.all()


def _handles(actor: Any, obj: ServiceItem) -> str | None:
    return None if acts_for(actor, obj.unit) else f"只有{obj.unit.name}的经办人可以办理该事项。"


def _redirects(actor: Any, obj: ServiceItem) -> str | None:
    return None if may_redirect(actor, obj) else "只有交办人或该服务包的服务管家可以重新交办或撤销该事项。"


def _own(actor: Any, obj: ServiceItem) -> str | None:
    own = getattr(actor, "role", None) == roles.ENTERPRISE and actor.uscc == obj.package.enterprise.uscc
    return None if own else "只有企业本身可以评价或要求重新办理。"


def _reopenable(actor: Any, obj: ServiceItem) -> str | None:
    if obj.rating != UNSATISFIED:
        return "只有评价为“不满意”的事项可以要求重新办理。"
    if obj.round > 1:
        return "该事项已重新办理过一次，不能再次要求重新办理。"
    return None


#: action → who may make it (the caller's permission, checked on the fresh row)
_PERMITS = {"accept": _handles, "return": _handles, "complete": _handles, "reassign": _redirects,
            "cancel": _redirects, "reopen": _own}  # fmt: skip


@transaction.atomic
def item_act(
    actor: Any,
    pk: int,
    action: str,
    comment: str = "",
    *,
    seen: str | None = None,
    unit_code: str = "",
    handler: Any = None,
) -> ServiceItem:
    """One move of an item: accept, return (reason), complete (result), reassign (optionally to another unit and
    official: a new due date from today), cancel (reason), reopen (the enterprise, after an unsatisfied rating;
    a new due date, round 2). Of two officials acting at once, one wins; the other is refused as stale."""
    if action not in _PERMITS:
        raise DomainError("未知的操作。", fields={"action": "未知操作"})
    qs = _item_for(actor, pk)
    comment = (comment or "").strip()
    today = clock.today()

    def on_enter(obj: ServiceItem, t: Any, log: Any) -> list[str]:
        if t.action == "complete":
            obj.result, obj.done_on = comment, today
            return ["result", "done_on"]
        if t.action == "reassign":
            if unit_code or handler is not None:
                obj.unit = _unit_and_handler(obj.package, unit_code or obj.unit.code, handler or obj.handler)
                obj.handler = handler or obj.handler
            obj.assigned_by, obj.assigned_on = actor, today
            obj.due_on, obj.due_provisional = due_dates(today, obj.limit_workdays)
            obj.accept_due_on, _ = due_dates(today, config().accept_workdays)
            return ["unit", "handler", "assigned_by", "assigned_on", "due_on", "due_provisional", "accept_due_on"]
        if t.action == "reopen":
            obj.round, obj.rating, obj.done_on, obj.result = obj.round + 1, "", None, ""
            obj.due_on, obj.due_provisional = due_dates(today, obj.limit_workdays)
            return ["round", "rating", "done_on", "result", "due_on", "due_provisional"]
        return []

    moved = transition(
        ITEM, qs, pk, action, actor, seen=seen, comment=comment, permit=_PERMITS[action],
        guards={"reopenable": _reopenable}, on_enter=on_enter, audit_target=f"service_item:{pk}",
    )  # fmt: skip
    return moved.obj


@transaction.atomic
def item_rate(actor: Any, pk: int, rating: str, comment: str = "") -> ServiceItem:
    """The enterprise's rating of its completed item (满意 / 基本满意 / 不满意 and a comment), once per round."""
    if rating not in RATING_LABELS:
        raise DomainError("请选择评价：满意、基本满意或不满意。", fields={"rating": "未知评价"})
    qs = _item_for(actor, pk)
    item = locked(qs, pk)
    if reason := _own(actor, item):
        raise Forbidden(reason)
    if item.status != DONE:
        raise Conflict("只有已办结的事项可以评价。")
    if item.rating or ServiceItemRating.objects.filter(item=item, round=item.round).exists():
        raise Conflict("该事项本轮办理已评价过，不能重复评价。")
    ServiceItemRating.objects.create(item=item, round=item.round, rating=rating, comment=(comment or "").strip(),
                                     rated_by=actor, rated_at=timezone.now())  # fmt: skip
    item.rating = rating
    item.save(update_fields=["rating"])
    audit_record(actor, "servicepacks.item_rate", target=f"service_item:{pk}",
                 detail={"rating": rating, "round": item.round})  # fmt: skip
    return item


EXPORT_LIMIT = 100_000
EXPORT_COLUMNS: tuple[str, ...] = (
    "统一社会信用代码", "企业名称", "所属区县", "年度", "服务需求", "类别", "责任单位", "责任人", "状态", "交办日期",
    "办结期限", "是否超期", "办结日期", "办理结果", "企业评价",
)  # fmt: skip


def items_export(actor: Any, qs: Any, *, request: Any = None) -> bytes:
    """The items ``qs`` (already scoped and filtered) as an Excel workbook (every cell through exports.xlsx),
    up to ``EXPORT_LIMIT`` rows. Audited."""
    from gaoqi.web.exports import xlsx
    from gaoqi.web.servicepacks.selectors import is_overdue
    from gaoqi.web.servicepacks.workflow import STATUS_LABELS

    cats, today, n = config().categories, clock.today(), 0

    def rows() -> Any:
        nonlocal n
        for i in qs[:EXPORT_LIMIT]:
            n += 1
            ent = i.package.enterprise
            yield [
                ent.uscc, ent.name, _district(i.package.district_code), i.package.year, i.need,
                cats.get(i.category, i.category), i.unit.name, _name(i.handler), STATUS_LABELS[i.status],
                i.assigned_on, i.due_on, "是" if is_overdue(i, today) else "否", i.done_on, i.result,
                RATING_LABELS.get(i.rating, ""),
            ]  # fmt: skip

    data = xlsx("服务事项", list(EXPORT_COLUMNS), rows())
    audit_record(actor, "export", target="service_items", request=request, detail={"rows": n})
    return data
