"""Writes of targeted support, each one transaction, audited (``support.*``), refusals in Chinese.

- ``record_create``: a support record by a district / municipal official or an incubator's operator, for an
  enterprise the writer sees (404 otherwise), a kind of ``kinds.yaml``, an active responsible unit (``unit_get``),
  the kind's required details, an amount never negative.
- ``quota_set`` / ``tier_set`` / ``allocation_create``: a district's talent quota, its tiers' caps and the
  allocations. Every allocation locks the quota's row (``core.locks.locked``) and sums on the fresh row: two
  officials giving out the last unit at once, one wins, the other is refused (``Conflict``: 名额已用完：剩余 0).
- ``space_need_create`` / ``space_offer_create`` / ``space_need_move``: the space need's workflow.
- ``delivery_inform`` / ``delivery_claim``: 已告知 / 已享受 of a policy (issue 14's push calls ``delivery_inform``
  with ``via="platform"``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.inputs import date_field, decimal_field, not_future, text_field
from gaoqi.web.core.locks import locked
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.support import config
from gaoqi.web.support.models import (
    ACCEPTED,
    DECLINED,
    INFORMED_VIA,
    QUOTA_TYPES,
    USES,
    WRP,
    Allocation,
    PolicyDelivery,
    Quota,
    QuotaTier,
    SpaceNeed,
    SpaceOffer,
    SupportRecord,
)
from gaoqi.web.support.selectors import allocated, quota_get, space_need_get
from gaoqi.web.support.workflow import SPACE_NEED
from gaoqi.web.units.models import DISTRICT, Unit
from gaoqi.web.units.selectors import unit_for, unit_get

WRITERS = frozenset({roles.DISTRICT, roles.MUNICIPAL, roles.INCUBATOR})
QUOTA_SETTERS = frozenset({roles.DISTRICT, roles.MUNICIPAL})
TEXT_MAX = 2000
AMOUNT_MAX = Decimal("100000000")  # 1万亿元 in 万元: anything above is a typing error
_text = partial(text_field, required=False, limit=TEXT_MAX)


def _enterprise(actor: Any, uscc: str) -> Any:
    ent = enterprise_get(actor, str(uscc or "").replace("\x00", "").strip().upper())
    if ent is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    return ent


def _unit_for_enterprise(code: str, ent: Any) -> Unit:
    """An active unit (``unit_get`` refuses an unknown one); a district unit must be the enterprise's district's."""
    unit = unit_get(str(code or "").strip())
    if unit.level == DISTRICT and unit.district_code != ent.district_code:
        raise DomainError(
            f"责任单位“{unit.name}”不属于企业所在区，请选择企业所在区或市级单位", fields={"unit": "不属于企业所在区"}
        )
    return unit


# ------------------------------------------------------------------------------------------------------
# support records


@transaction.atomic
def record_create(
    actor: Any, *, uscc: str, category: str, kind: str, on: Any, unit: str, details: dict[str, Any] | None = None,
    amount: Any = None, note: str = "",
) -> SupportRecord:  # fmt: skip
    """A support record. Refused: a role that does not write support (403), an enterprise outside the writer's
    scope (404), an unknown category or kind, or one the platform writes itself (talent quotas, space), an
    unknown or retired unit or another district's, a missing required detail, a negative amount (400)."""
    if getattr(actor, "role", None) not in WRITERS:
        raise Forbidden("只有区级、市级管理人员和孵化器、服务机构可以记录定向支持")
    k = config.kind(category, kind)
    if k is None:
        raise DomainError("支持类别或事项不存在", fields={"kind": "不存在的事项"})
    if not k.manual:
        raise DomainError(
            f"“{k.label}”由系统根据指标配给或空间需求自动记录，不能手工填写", fields={"kind": "不能手工填写"}
        )
    ent = _enterprise(actor, uscc)
    day = date_field(on, "日期", "on")
    not_future(day, "日期", "on")
    u = _unit_for_enterprise(unit, ent)
    given = details or {}
    clean: dict[str, Any] = {}
    for f in k.fields:
        value = _text(given.get(f.key), f.label, f.key, required=f.required, limit=200)
        if value and f.choices and value not in f.choices:
            raise DomainError(f"{f.label}须为：{'、'.join(f.choices)}", fields={f.key: "不在可选范围内"})
        if value and f.number:
            n = decimal_field(value, f.label, f.key, maximum=Decimal(str(f.max)) if f.max is not None else None)
            value = str(n)
        if value:
            clean[f.key] = value
    money = decimal_field(amount, k.amount or "金额", "amount", maximum=AMOUNT_MAX) if k.amount else None
    rec = SupportRecord.objects.create(
        enterprise=ent, category=category, kind=kind, on=day, unit=u, details=clean, amount=money,
        note=_text(note, "备注", "note"), recorded_by=actor,
    )  # fmt: skip
    audit_record(
        actor, "support.record", target=f"support:{rec.pk}",
        detail={"uscc": ent.uscc, "category": category, "kind": kind, "unit": u.code,
                "amount": None if money is None else str(money)},
    )  # fmt: skip
    return rec


# ------------------------------------------------------------------------------------------------------
# talent quotas (梯度配给)


def _quota_district(actor: Any, district_code: str) -> str:
    role = getattr(actor, "role", None)
    if role not in QUOTA_SETTERS:
        raise Forbidden("只有区级、市级管理人员可以设置人才指标")
    code = str(district_code or "").strip()
    if code not in district_codes():
        raise DomainError("区县不存在", fields={"district_code": "不存在的区县"})
    if role == roles.DISTRICT and code != getattr(actor, "district_code", ""):
        raise NotFound("只能设置本区的人才指标")
    return code


@transaction.atomic
def quota_set(actor: Any, *, district_code: str, year: int, quota_type: str, total: Any) -> Quota:
    """Set a district's quota of a year and type (created with the default tiers of quotas.yaml). Reducing it
    below what is already allocated is refused (409); the quota row is locked while the sum is read."""
    code = _quota_district(actor, district_code)
    if quota_type not in dict(QUOTA_TYPES):
        raise DomainError("指标类型不存在", fields={"quota_type": "不存在的指标类型"})
    if not 2000 <= int(year) <= 2100:
        raise DomainError("年度无效", fields={"year": "年度无效"})
    n = decimal_field(total, "指标总数", "total", required=True, maximum=Decimal(1_000_000))
    assert n is not None
    if n != n.to_integral_value():
        raise DomainError("指标总数须为整数", fields={"total": "须为整数"})
    quota, created = Quota.objects.get_or_create(
        district_code=code, year=int(year), quota_type=quota_type, defaults={"total": int(n), "set_by": actor}
    )
    before = None
    if created:
        QuotaTier.objects.bulk_create(QuotaTier(quota=quota, tier=t, cap=c) for t, c in config.default_tiers().items())
    else:
        quota = locked(Quota, quota.pk)
        used = allocated(quota)
        if n < used:
            raise Conflict(
                f"指标总数不能低于已配给数：已配给 {used}，拟设为 {int(n)}", fields={"total": "低于已配给数"}
            )
        before = quota.total
        quota.total, quota.set_by, quota.updated_at = int(n), actor, timezone.now()
        quota.save(update_fields=["total", "set_by", "updated_at"])
    audit_record(
        actor, "support.quota_set", target=f"quota:{quota.pk}",
        detail={"district": code, "year": int(year), "type": quota_type, "from": before, "to": int(n)},
    )  # fmt: skip
    return quota


@transaction.atomic
def tier_set(actor: Any, quota_id: int, tier: str, cap: Any) -> QuotaTier:
    """Set a tier's cap per enterprise (the district's choice). A cap below what an enterprise of that tier
    already holds is refused (409)."""
    if quota_get(actor, quota_id) is None:
        raise NotFound("指标不存在或不在您的管辖范围内")
    quota = locked(Quota, quota_id)
    _quota_district(actor, quota.district_code)
    if tier not in config.default_tiers():
        raise DomainError("梯度不存在", fields={"tier": "不存在的梯度"})
    n = decimal_field(cap, "每家企业上限", "cap", required=True, maximum=Decimal(1_000_000))
    assert n is not None
    if n != n.to_integral_value():
        raise DomainError("每家企业上限须为整数", fields={"cap": "须为整数"})
    held = (
        Allocation.objects.filter(quota=quota, tier=tier).values("enterprise").annotate(n=Sum("count")).order_by("-n")
    ).first()
    if held and held["n"] > n:
        raise Conflict(f"上限不能低于该梯度企业已获配给数：已有企业获配 {held['n']}", fields={"cap": "低于已配给数"})
    row, _ = QuotaTier.objects.update_or_create(quota=quota, tier=tier, defaults={"cap": int(n)})
    audit_record(actor, "support.tier_set", target=f"quota:{quota.pk}", detail={"tier": tier, "cap": int(n)})
    return row


@transaction.atomic
def allocation_create(actor: Any, quota_id: int, *, uscc: str, tier: str, count: Any) -> Allocation:
    """Give ``count`` units of a quota to an enterprise of the quota's district in ``tier``. Under the quota row's
    lock, on fresh sums: never above the quota's total (409 名额已用完 / 名额不足), never above the tier's cap
    for the enterprise (409), one tier per enterprise and quota; count ≥ 1 (400). Also the enterprise's talent
    support record (unit: the district's 人社 / 住建 office)."""
    if getattr(actor, "role", None) not in QUOTA_SETTERS:
        raise Forbidden("只有区级、市级管理人员可以配给人才指标")
    if quota_get(actor, quota_id) is None:
        raise NotFound("指标不存在或不在您的管辖范围内")
    n = decimal_field(count, "配给数量", "count", required=True, positive=True, maximum=Decimal(1_000_000))
    assert n is not None
    if n != n.to_integral_value():
        raise DomainError("配给数量须为整数", fields={"count": "须为整数"})
    want = int(n)
    ent = _enterprise(actor, uscc)
    quota = locked(Quota, quota_id)  # every allocation of this quota waits here: the sums below are fresh
    if ent.district_code != quota.district_code:
        raise DomainError("只能向本区企业配给本区指标", fields={"uscc": "不是本区企业"})
    cap_row = QuotaTier.objects.filter(quota=quota, tier=tier).first()
    if cap_row is None:
        raise DomainError("梯度不存在", fields={"tier": "不存在的梯度"})
    remaining = quota.total - allocated(quota)
    if want > remaining:
        if remaining <= 0:
            raise Conflict("名额已用完：剩余 0", fields={"count": "名额已用完"})
        raise Conflict(f"名额不足：剩余 {remaining}，本次配给 {want}", fields={"count": "超过剩余名额"})
    mine = Allocation.objects.filter(quota=quota, enterprise=ent)
    other_tier = mine.exclude(tier=tier).values_list("tier", flat=True).first()
    if other_tier:
        raise Conflict(
            f"该企业本年度此类指标已按{other_tier}梯度配给，不能改按{tier}梯度", fields={"tier": "梯度不一致"}
        )
    held = int(mine.aggregate(n=Sum("count"))["n"] or 0)
    if held + want > cap_row.cap:
        raise Conflict(
            f"超过{tier}梯度每家企业上限 {cap_row.cap}：该企业已获配 {held}，本次 {want}",
            fields={"count": "超过梯度上限"},
        )
    alloc = Allocation.objects.create(quota=quota, enterprise=ent, tier=tier, count=want, allocated_by=actor)
    unit = unit_for("hr" if quota.quota_type == WRP else "housing", level=DISTRICT, district_code=quota.district_code)
    if unit is None:
        raise DomainError("本区人才指标的责任单位不存在（请先加载责任单位名录）")
    SupportRecord.objects.create(
        enterprise=ent, category="talent", kind=quota.quota_type, on=clock.today(), unit=unit,
        details={"year": str(quota.year), "tier": tier, "count": str(want)}, recorded_by=actor, allocation=alloc,
    )  # fmt: skip
    audit_record(
        actor, "support.allocate", target=f"quota:{quota.pk}",
        detail={"uscc": ent.uscc, "tier": tier, "count": want, "remaining": remaining - want},
    )  # fmt: skip
    return alloc


# ------------------------------------------------------------------------------------------------------
# space needs (空间需求)


@transaction.atomic
def space_need_create(
    actor: Any, *, uscc: str, area: Any, district_code: str, wanted_from: Any, use: str, note: str = ""
) -> SpaceNeed:
    """An enterprise's space need, recorded by the enterprise itself or an official for an enterprise it sees."""
    from gaoqi.web.core.workflow import NEW, RoleRefused, create, role_of

    t = SPACE_NEED.find(NEW, "record")
    assert t is not None
    if role_of(actor) not in t.roles:
        raise RoleRefused("只有企业本身或区级、市级管理人员可以登记空间需求")
    if actor.role == roles.ENTERPRISE and str(uscc or "").strip().upper() != actor.uscc:
        raise NotFound("企业只能登记本企业的空间需求")
    ent = _enterprise(actor, uscc)
    m2 = decimal_field(area, "面积", "area", required=True, positive=True, maximum=Decimal(10_000_000))
    if district_code not in district_codes():
        raise DomainError("意向区县不存在", fields={"district_code": "不存在的区县"})
    if use not in dict(USES):
        raise DomainError("用途须为研发、生产或办公", fields={"use": "不在可选范围内"})
    day = date_field(wanted_from, "需求时间", "wanted_from")

    def make(status: str) -> SpaceNeed:
        return SpaceNeed.objects.create(
            enterprise=ent, area=m2, district_code=district_code, wanted_from=day, use=use,
            note=_text(note, "说明", "note"), status=status, recorded_by=actor,
        )  # fmt: skip

    return create(
        SPACE_NEED, "record", actor, make, audit_target=lambda n: f"space_need:{n.pk}",
        audit_detail=lambda n: {"uscc": ent.uscc, "area": str(m2), "district": district_code, "use": use},
    )  # fmt: skip


def _need_visible(actor: Any, pk: int) -> None:
    if space_need_get(actor, pk) is None:
        raise NotFound("空间需求不存在或不在您的管辖范围内")


def _own_enterprise(actor: Any, obj: Any) -> str | None:
    if getattr(actor, "role", None) == roles.ENTERPRISE and obj.enterprise.uscc != getattr(actor, "uscc", ""):
        return "只有企业本身可以答复"
    return None


@transaction.atomic
def space_offer_create(
    actor: Any, pk: int, *, address: str, area: Any, unit: str, price: Any = None, seen: str | None = None
) -> SpaceOffer:
    """An official offers space against an open (or declined) need: the need moves to offered."""
    from gaoqi.web.core.workflow import transition

    _need_visible(actor, pk)
    addr = _text(address, "地址", "address", required=True, limit=200)
    m2 = decimal_field(area, "面积", "area", required=True, positive=True, maximum=Decimal(10_000_000))
    rent = decimal_field(price, "租金", "price", maximum=Decimal(100_000))
    u = unit_get(str(unit or "").strip())
    holder: dict[str, Any] = {}

    def on_enter(obj: Any, t: Any, log: Any) -> list[str]:
        holder["offer"] = SpaceOffer.objects.create(need=obj, address=addr, area=m2, price=rent, unit=u,
                                                    offered_by=actor)  # fmt: skip
        return []

    transition(
        SPACE_NEED, SpaceNeed, pk, "offer", actor, seen=seen, on_enter=on_enter, audit_target=f"space_need:{pk}",
        audit_detail={"address": addr, "area": str(m2), "unit": u.code},
    )  # fmt: skip
    return holder["offer"]


@transaction.atomic
def space_need_move(actor: Any, pk: int, action: str, comment: str = "", seen: str | None = None) -> SpaceNeed:
    """accept / decline (the enterprise itself: the latest offer), settle / close (officials, with the outcome)."""
    from gaoqi.web.core.workflow import transition

    if action not in {"accept", "decline", "settle", "close"}:
        raise DomainError("操作不存在")
    _need_visible(actor, pk)
    comment = _text(comment, "说明", "comment")

    def on_enter(obj: Any, t: Any, log: Any) -> list[str]:
        if action in ("accept", "decline"):
            offer = obj.offers.order_by("-at", "-id").first()
            if offer is not None:
                SpaceOffer.objects.filter(pk=offer.pk).update(answer=ACCEPTED if action == "accept" else DECLINED)
            return []
        obj.result = comment
        if action == "settle":  # from 企业已接受, entered only by accepting an offer: the accepted offer is there
            offer = obj.offers.filter(answer=ACCEPTED).order_by("-at").get()
            SupportRecord.objects.create(
                enterprise=obj.enterprise, category="space", kind="space_settled", on=clock.today(), unit=offer.unit,
                details={"address": offer.address, "area": str(offer.area)}, note=comment, recorded_by=actor,
            )  # fmt: skip
        return ["result"]

    moved = transition(
        SPACE_NEED, SpaceNeed, pk, action, actor, seen=seen, comment=comment, permit=_own_enterprise,
        on_enter=on_enter, audit_target=f"space_need:{pk}",
    )  # fmt: skip
    return moved.obj


# ------------------------------------------------------------------------------------------------------
# 应知尽知、应享尽享: policy delivery

INFORMERS = frozenset({roles.DISTRICT, roles.MUNICIPAL, roles.INCUBATOR})
CLAIM_RECORDERS = frozenset({roles.DISTRICT, roles.MUNICIPAL})


def _policy(policy_id: str) -> str:
    from gaoqi.web.support.selectors import benefit_policy_ids

    if policy_id not in benefit_policy_ids():
        raise DomainError("政策不存在", fields={"policy_id": "不存在的政策"})
    return policy_id


@transaction.atomic
def delivery_inform(actor: Any, *, uscc: str, policy_id: str, informed_on: Any, via: str) -> PolicyDelivery:
    """Record that the enterprise was told of the policy (已告知). ``actor`` None with ``via="platform"``: the
    platform's own push (issue 14). A later informing keeps the first date (the row is locked while read)."""
    if actor is not None and getattr(actor, "role", None) not in INFORMERS:
        raise Forbidden("只有区级、市级管理人员和孵化器、服务机构可以记录政策告知")
    if actor is None and via != "platform":
        raise DomainError("系统推送的告知方式须为平台")
    if via not in dict(INFORMED_VIA):
        raise DomainError("告知方式须为走访、培训、电话或平台", fields={"via": "不在可选范围内"})
    ent = _enterprise(actor, uscc) if actor is not None else _any_enterprise(uscc)
    pid = _policy(policy_id)
    day = date_field(informed_on, "告知日期", "informed_on")
    not_future(day, "告知日期", "informed_on")
    row, _ = PolicyDelivery.objects.get_or_create(enterprise_uscc=ent.uscc, policy_id=pid)
    row = locked(PolicyDelivery, row.pk)
    if row.informed_on is None or day < row.informed_on:
        row.informed_on, row.informed_via, row.informed_by = day, via, actor
        row.save(update_fields=["informed_on", "informed_via", "informed_by"])
    audit_record(actor, "support.delivery_inform", target=f"uscc:{ent.uscc}",
                 detail={"policy": pid, "on": str(day), "via": via})  # fmt: skip
    return row


def _any_enterprise(uscc: str) -> Any:
    from gaoqi.web.enterprises.models import Enterprise

    ent = Enterprise.objects.filter(uscc=str(uscc or "").strip().upper()).first()
    if ent is None:
        raise NotFound("企业不存在")
    return ent


@transaction.atomic
def delivery_claim(actor: Any, *, uscc: str, policy_id: str, claimed_on: Any, note: str = "") -> PolicyDelivery:
    """Record that the enterprise has received the policy's benefit (已享受), with a note (e.g. the amount)."""
    if getattr(actor, "role", None) not in CLAIM_RECORDERS:
        raise Forbidden("只有区级、市级管理人员可以记录政策享受情况")
    ent = _enterprise(actor, uscc)
    pid = _policy(policy_id)
    day = date_field(claimed_on, "享受日期", "claimed_on")
    not_future(day, "享受日期", "claimed_on")
    row, _ = PolicyDelivery.objects.get_or_create(enterprise_uscc=ent.uscc, policy_id=pid)
    row = locked(PolicyDelivery, row.pk)
    row.claimed_on, row.claim_note, row.claimed_by = day, _text(note, "说明", "note"), actor
    row.save(update_fields=["claimed_on", "claim_note", "claimed_by"])
    audit_record(actor, "support.delivery_claim", target=f"uscc:{ent.uscc}", detail={"policy": pid, "on": str(day)})
    return row
