"""Writes of 供需对接, each one transaction, audited (``matching.*``), refusals in Chinese.

- ``demand_publish`` / ``demand_move``: an official (district: located in its district) publishes a demand;
  closes or withdraws it.
- ``product_register`` / ``product_move``: an enterprise registers its own product (never for another
  enterprise); the municipal office confirms or returns it (an enterprise cannot confirm, not even its own).
- ``results_upload``: the office's spreadsheet of university and institute results (科技成果), parsed with
  python-calamine; each bad row refused with its line and reason, the good rows imported confirmed.
- ``demand_match``: one demand's ranked matches (synchronously): all confirmed items indexed, the top ``top_k``
  kept with their parts and reasons; proposals not yet acted on are replaced, pairs already contacted or further
  stay as they are. ``match_all``: every published demand at once (the background task). Both rank before
  their transaction (no write lock held while the index is built) and store set-based inside it.
- ``match_move``: contacted → signed (the contract amount, never negative) → delivered, or declined.
- ``event_create`` / ``event_signup`` / ``signup_result``: 对接会, an enterprise's sign-up (its own, once, within
  the capacity, before the day), the outcome (intention or contract with its amount).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gaoqi import matching
from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.inputs import date_field, decimal_field, text_field
from gaoqi.web.core.locks import locked, serialize
from gaoqi.web.core.sheets import sheet_rows
from gaoqi.web.core.workflow import create, transition
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.matching import config
from gaoqi.web.matching.models import (
    CONTRACT,
    DEMAND_KINDS,
    INTENTION,
    NONE,
    OPENNESS,
    PRODUCT,
    PUBLISHER_KINDS,
    RESULT,
    Demand,
    Event,
    EventSignup,
    Match,
    SupplyItem,
)
from gaoqi.web.matching.workflow import (
    CONFIRMED,
    DELIVERED,
    DEMAND,
    MATCH,
    PROPOSED,
    PUBLISHED,
    SIGNED,
)
from gaoqi.web.matching.workflow import (
    PRODUCT as PRODUCT_FLOW,
)

TEXT_MAX = 4000
AMOUNT_MAX = Decimal("100000000")  # 万元: anything above is a typing error
_text = partial(text_field, required=False, limit=TEXT_MAX)
_amount = partial(decimal_field, maximum=AMOUNT_MAX, unit="万元", thousands=True)
OFFICIALS = frozenset({roles.DISTRICT, roles.MUNICIPAL})


# ------------------------------------------------------------------------------------------------------
# input


def _choice(value: Any, choices: Sequence[Any], what: str, field: str) -> str:
    value = str(value or "").strip()
    keys = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in keys:
        raise DomainError(f"请选择{what}", fields={field: "不在可选范围内"})
    return value


def _field(value: Any) -> str:
    return _choice(value, config.field_codes(), "技术领域", "field")


def _district(value: Any, field: str = "district_code") -> str:
    value = str(value or "").strip()
    if value not in district_codes():
        raise DomainError("请选择北京市的区", fields={field: "不是北京市的区"})
    return value


def _lock(model: Any, pk: Any, noun: str) -> Any:
    """The row under its lock, or the 404 refusal (an unknown id and another jurisdiction's read alike)."""
    try:
        return locked(model, pk)
    except ObjectDoesNotExist:
        raise NotFound(f"{noun}不存在或不在您的管辖范围内") from None


def _present(model: Any, pk: Any, noun: str) -> None:
    if not model.objects.filter(pk=pk).exists():
        raise NotFound(f"{noun}不存在或不在您的管辖范围内")


# ------------------------------------------------------------------------------------------------------
# demands


@transaction.atomic
def demand_publish(
    actor: Any, *, kind: str, publisher_kind: str, publisher: str, title: str, field: str, description: str,
    district_code: str, window_start: Any, window_end: Any, budget_min: Any = None, budget_max: Any = None,
    openness: str = "public", contact: str = "", publisher_uscc: str = "",
) -> Demand:  # fmt: skip
    if getattr(actor, "role", "") not in OFFICIALS:
        raise Forbidden("只有区级、市级管理人员可以发布需求")
    district = _district(district_code)
    if actor.role == roles.DISTRICT and district != actor.district_code:
        raise Forbidden("区级管理人员只能发布本区的需求", fields={"district_code": "不是本区"})
    lo = _amount(budget_min, "预算下限", "budget_min")
    hi = _amount(budget_max, "预算上限", "budget_max")
    if lo is not None and hi is not None and hi < lo:
        raise DomainError("预算上限不能低于预算下限", fields={"budget_max": "低于下限"})
    start, end = (
        date_field(window_start, "对接开始日期", "window_start"),
        date_field(window_end, "对接截止日期", "window_end"),
    )
    if end < start:
        raise DomainError("对接截止日期不能早于开始日期", fields={"window_end": "早于开始日期"})
    values: dict[str, Any] = {
        "kind": _choice(kind, DEMAND_KINDS, "需求类型", "kind"),
        "publisher_kind": _choice(publisher_kind, PUBLISHER_KINDS, "发布方类型", "publisher_kind"),
        "publisher": _text(publisher, "发布单位", "publisher", required=True, limit=200),
        "publisher_uscc": _text(publisher_uscc, "发布单位统一社会信用代码", "publisher_uscc", limit=18).upper(),
        "title": _text(title, "需求名称", "title", required=True, limit=200),
        "field": _field(field),
        "description": _text(description, "需求描述", "description", required=True),
        "budget_min": lo, "budget_max": hi, "district_code": district, "window_start": start, "window_end": end,
        "openness": _choice(openness, OPENNESS, "开放方式", "openness"),
        "contact": _text(contact, "联系人及电话", "contact", limit=100),
    }  # fmt: skip
    values["terms"] = matching.terms(f"{values['title']}。{values['description']}")
    return create(
        DEMAND, "publish", actor, lambda status: Demand.objects.create(status=status, created_by=actor, **values),
        audit_target=lambda d: f"matching_demand:{d.pk}", audit_detail=lambda d: {"title": d.title},
    )  # fmt: skip


def _demand_permit(actor: Any, d: Demand) -> str | None:
    if actor.role == roles.DISTRICT and d.district_code != actor.district_code:
        raise NotFound("需求不存在或不在您的管辖范围内")
    return None


@transaction.atomic
def demand_move(actor: Any, pk: int, action: str, *, comment: str = "", seen: str | None = None) -> Demand:
    _present(Demand, pk, "需求")
    moved = transition(DEMAND, Demand, pk, action, actor, seen=seen, comment=_text(comment, "意见", "comment"),
                       permit=_demand_permit, audit_target=f"matching_demand:{pk}")  # fmt: skip
    return moved.obj


# ------------------------------------------------------------------------------------------------------
# supply: products and results


def _own_enterprise(actor: Any, uscc: str = "") -> Enterprise:
    own = str(getattr(actor, "uscc", "") or "")
    if getattr(actor, "role", "") != roles.ENTERPRISE or not own:
        raise Forbidden("只有企业用户可以登记本企业的新技术新产品")
    if uscc and str(uscc).strip().upper() != own:
        raise Forbidden("不能为其他企业登记产品", fields={"uscc": "不是本企业"})
    ent = Enterprise.objects.filter(uscc=own).first()
    if ent is None:
        raise NotFound("本企业尚未纳入企业库，暂不能登记产品")
    return ent


@transaction.atomic
def product_register(
    actor: Any, *, title: str, field: str, description: str, price: Any = None, san_certificate: str = "",
    san_valid_until: Any = None, uscc: str = "",
) -> SupplyItem:  # fmt: skip
    ent = _own_enterprise(actor, uscc)
    values: dict[str, Any] = {
        "kind": PRODUCT, "enterprise": ent, "title": _text(title, "产品名称", "title", required=True, limit=200),
        "field": _field(field), "description": _text(description, "产品简介", "description", required=True),
        "price": _amount(price, "参考价格", "price"), "district_code": ent.district_code,
        "san_certificate": _text(san_certificate, "证书编号", "san_certificate", limit=64),
        "san_valid_until": date_field(san_valid_until, "证书有效期", "san_valid_until") if san_valid_until else None,
    }  # fmt: skip
    if values["san_certificate"] and values["san_valid_until"] is None:
        raise DomainError("填写了新技术新产品证书编号的，请同时填写有效期", fields={"san_valid_until": "必须填写"})
    values["terms"] = matching.terms(f"{values['title']}。{values['description']}")
    return create(
        PRODUCT_FLOW, "register", actor,
        lambda status: SupplyItem.objects.create(status=status, created_by=actor, **values),
        audit_target=lambda s: f"matching_supply:{s.pk}", audit_detail=lambda s: {"title": s.title, "uscc": ent.uscc},
    )  # fmt: skip


def _supply_permit(actor: Any, s: SupplyItem) -> str | None:
    if actor.role == roles.ENTERPRISE and (s.enterprise is None or s.enterprise.uscc != actor.uscc):
        raise NotFound("产品不存在或不在您的管辖范围内")
    return None


@transaction.atomic
def product_move(actor: Any, pk: int, action: str, *, comment: str = "", seen: str | None = None) -> SupplyItem:
    _present(SupplyItem, pk, "产品")
    moved = transition(PRODUCT_FLOW, SupplyItem, pk, action, actor, seen=seen,
                       comment=_text(comment, "意见", "comment"), permit=_supply_permit,
                       audit_target=f"matching_supply:{pk}")  # fmt: skip
    return moved.obj


#: the results spreadsheet's columns (Chinese headers, as the office's template has them)
RESULT_COLUMNS = {
    "成果名称": "title", "技术领域": "field", "持有单位": "holder", "成果简介": "description",
    "所在区": "district", "参考价格（万元）": "price", "知识产权编号": "ip_numbers", "技术成熟度": "trl",
}  # fmt: skip
#: The largest results spreadsheet taken (the page refuses larger ones before reading them).
RESULTS_MAX_BYTES = 20 * 1024 * 1024
REQUIRED_COLUMNS = ("成果名称", "技术领域", "持有单位", "成果简介", "所在区")


@dataclass(frozen=True)
class UploadOutcome:
    imported: int
    refused: list[tuple[int, str]]  # (line, reason)


def _districts_by_name() -> dict[str, str]:
    from gaoqi.web.core.labels import district

    return {district(c): c for c in district_codes()} | {c: c for c in district_codes()}


def _maker(actor: Any, values: dict[str, Any]) -> Any:
    def make(status: str) -> SupplyItem:
        return SupplyItem.objects.create(status=status, created_by=actor, **values)

    return make


@transaction.atomic
def results_upload(actor: Any, data: bytes) -> UploadOutcome:
    """Import 科技成果 from the office's spreadsheet: each good row confirmed at once, each bad row refused with
    its line number and reason; a file without the required columns is refused whole."""
    if getattr(actor, "role", "") != roles.MUNICIPAL:
        raise Forbidden("只有市级管理人员可以导入科技成果")
    if not data:
        raise DomainError("请选择要上传的文件", fields={"file": "必须上传"})
    rows = sheet_rows(data, max_bytes=RESULTS_MAX_BYTES, xls_and_csv=True)
    if not rows:
        raise DomainError("文件为空", fields={"file": "没有数据"})
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DomainError(f"缺少必需的列：{'、'.join(missing)}", fields={"file": "缺少列"})
    at = {RESULT_COLUMNS[h]: i for i, h in enumerate(header) if h in RESULT_COLUMNS}
    names = _districts_by_name()
    field_of = config.field_spellings()
    refused: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    existing = set(SupplyItem.objects.filter(kind=RESULT).values_list("holder", "title"))
    made = 0
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        get = {k: (row[i].replace("\x00", "").strip() if i < len(row) else "") for k, i in at.items()}
        try:
            title = _text(get.get("title"), "成果名称", "title", required=True, limit=200)
            holder = _text(get.get("holder"), "持有单位", "holder", required=True, limit=200)
            description = _text(get.get("description"), "成果简介", "description", required=True)
            fld = field_of.get(get.get("field", ""))
            if fld is None:
                raise DomainError(f"技术领域“{get.get('field', '')}”不是八个高新技术领域之一")
            district = names.get(get.get("district", ""))
            if district is None:
                raise DomainError(f"所在区“{get.get('district', '')}”不是北京市的区")
            price = _amount(get.get("price"), "参考价格", "price")
            trl_text = get.get("trl", "")
            trl = None
            if trl_text:
                if not trl_text.isdigit() or not 1 <= int(trl_text) <= 9:
                    raise DomainError(f"技术成熟度“{trl_text}”须为 1 至 9 的整数")
                trl = int(trl_text)
            if (holder, title) in seen or (holder, title) in existing:
                raise DomainError(f"“{holder}”的成果“{title}”已导入过，不重复导入")
        except DomainError as exc:
            refused.append((line, exc.message))
            continue
        seen.add((holder, title))
        values = {"kind": RESULT, "holder": holder, "title": title, "field": fld, "description": description,
                  "district_code": district, "price": price, "trl": trl,
                  "ip_numbers": get.get("ip_numbers", "")[:200],
                  "terms": matching.terms(f"{title}。{description}")}  # fmt: skip
        create(PRODUCT_FLOW, "import", actor, _maker(actor, values))
        made += 1
    audit_record(actor, "matching.results_upload", target="matching_supply",
                 detail={"imported": made, "refused": len(refused)})  # fmt: skip
    return UploadOutcome(made, refused)


# ------------------------------------------------------------------------------------------------------
# matching


def _supplies() -> tuple[list[SupplyItem], list[matching.Supply]]:
    items = list(SupplyItem.objects.filter(status=CONFIRMED).select_related("enterprise").order_by("id"))
    delivered = dict(
        Match.objects.filter(status__in=(SIGNED, DELIVERED), supply__enterprise__isnull=False)
        .values_list("supply__enterprise_id").annotate(n=Count("id")).values_list("supply__enterprise_id", "n")
    )  # fmt: skip
    return items, [
        matching.Supply(
            key=str(s.pk), field=s.field, terms=list(s.terms), district=s.district_code,
            price=None if s.price is None else float(s.price),
            credit_clean=None,  # no credit data reaches the platform yet: the credit part gives 0 (see weights.yaml)
            past_deliveries=int(delivered.get(s.enterprise_id, 0)) if s.enterprise_id else 0,
        )
        for s in items
    ]  # fmt: skip


def _as_demand(d: Demand) -> matching.Demand:
    return matching.Demand(key=str(d.pk), field=d.field, terms=list(d.terms), district=d.district_code,
                           budget_max=None if d.budget_max is None else float(d.budget_max))  # fmt: skip


#: A demand and its ranked items, best first: (item, score parts, reasons).
Ranking = tuple[Demand, list[tuple[SupplyItem, matching.Parts, list[dict[str, Any]]]]]


def _ranked(demands: Sequence[Demand], items: list[SupplyItem], supplies: list[matching.Supply]) -> list[Ranking]:
    """Each demand's top ``top_k`` items with their score parts and reasons, best first: the heavy part (index and
    ranking), done before any transaction so that no write lock is held while it runs."""
    cfg = config.settings()
    ranked = matching.Index(supplies).rank([_as_demand(d) for d in demands], k=cfg.top_k, w=cfg.weights)
    out: list[Ranking] = []
    for d, idx, cos in zip(demands, ranked.items, ranked.cosines, strict=True):
        dm = _as_demand(d)
        found: list[tuple[SupplyItem, matching.Parts, list[dict[str, Any]]]] = []
        for j, c in zip(idx, cos, strict=True):
            p = matching.parts(dm, supplies[int(j)], float(c), cfg.weights)
            found.append((items[int(j)], p, matching.reasons(dm, supplies[int(j)], p)))
        out.append((d, found))
    return out


def _store(ranked: list[Ranking]) -> int:
    """Replace the demands' untouched proposals with the new ranking, set-based, inside the caller's transaction
    (under ``matching.match_all``'s lock): the proposals deleted first, then the pairs an official has taken up
    (contacted, signed, …) read — they stay and are not proposed again —, items no longer confirmed skipped."""
    ids = [d.pk for d, _ in ranked]
    Match.objects.filter(demand_id__in=ids, status=PROPOSED).delete()
    kept = set(Match.objects.filter(demand_id__in=ids).values_list("demand_id", "supply_id"))
    chosen = {s.pk for _, found in ranked for s, _, _ in found}
    confirmed = set(SupplyItem.objects.filter(pk__in=chosen, status=CONFIRMED).values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    for d, found in ranked:
        rank = 0
        for s, p, reasons in found:
            if (d.pk, s.pk) in kept or s.pk not in confirmed:
                continue
            rank += 1
            rows.append(Match(
                demand=d, supply=s, rank=rank, score=Decimal(str(round(p.total, 2))), status=PROPOSED,
                parts={"field": p.field, "keywords": round(p.keywords, 2), "location": p.location,
                       "budget": p.budget, "credit": p.credit},
                reasons=reasons, proposed_at=now,
            ))  # fmt: skip
    Match.objects.bulk_create(rows, batch_size=2000)
    Demand.objects.filter(pk__in=ids).update(matched_at=now)
    return len(rows)


def demand_match(actor: Any, pk: int) -> int:
    """Rank the confirmed supply for one published demand now; returns the number of proposals stored. The
    ranking runs outside the transaction; the store re-reads the demand under its lock."""
    if getattr(actor, "role", "") not in OFFICIALS:
        raise Forbidden("只有区级、市级管理人员可以运行匹配")
    d = Demand.objects.filter(pk=pk).first()
    if d is None:
        raise NotFound("需求不存在或不在您的管辖范围内")
    _demand_permit(actor, d)
    if d.status != PUBLISHED:
        raise Conflict("只有已发布的需求可以匹配")
    items, supplies = _supplies()
    ranked = _ranked([d], items, supplies) if supplies else []
    with transaction.atomic():
        serialize("matching.match_all")  # one store at a time: never the same pair proposed twice
        d = _lock(Demand, pk, "需求")
        if d.status != PUBLISHED:
            raise Conflict("只有已发布的需求可以匹配")
        made = _store([(d, found) for _, found in ranked]) if ranked else 0
        audit_record(actor, "matching.run", target=f"matching_demand:{d.pk}", detail={"proposed": made})
    return made


def match_all(actor: Any = None) -> int:
    """Every published demand against all confirmed supply (the background task, or the office's button). The
    ranking runs outside the transaction; demands withdrawn or closed meanwhile are left out of the store."""
    if actor is not None and getattr(actor, "role", "") != roles.MUNICIPAL:
        raise Forbidden("只有市级管理人员可以运行全部匹配")
    demands = list(Demand.objects.filter(status=PUBLISHED).order_by("id"))
    items, supplies = _supplies()
    ranked = _ranked(demands, items, supplies) if supplies and demands else []
    with transaction.atomic():
        serialize("matching.match_all")
        still = set(
            Demand.objects.filter(pk__in=[d.pk for d, _ in ranked], status=PUBLISHED).values_list("pk", flat=True)
        )
        made = _store([(d, found) for d, found in ranked if d.pk in still]) if still else 0
        audit_record(actor, "matching.run", target="matching_demand",
                     detail={"demands": len(demands), "proposed": made})  # fmt: skip
    return made


def _match_permit(actor: Any, m: Match) -> str | None:
    if actor.role == roles.DISTRICT and actor.district_code not in (m.demand.district_code, m.supply.district_code):
        raise NotFound("匹配不存在或不在您的管辖范围内")
    return None


@transaction.atomic
def match_move(actor: Any, pk: int, action: str, *, comment: str = "", amount: Any = None,
               seen: str | None = None) -> Match:  # fmt: skip
    value = _amount(amount, "合同金额", "amount", required=action == "sign")
    if action != "sign" and value is not None:
        raise DomainError("只有登记签约时填写合同金额", fields={"amount": "不适用"})

    def enter(m: Match, t: Any, log: Any) -> list[str]:
        if t.action == "sign":
            m.contract_amount = value
            return ["contract_amount"]
        return []

    _present(Match, pk, "匹配")
    moved = transition(MATCH, Match, pk, action, actor, seen=seen,
                       comment=_text(comment, "说明", "comment"), permit=_match_permit, on_enter=enter,
                       audit_target=f"matching_match:{pk}",
                       audit_detail={"action": action, "amount": str(value) if value is not None else ""})  # fmt: skip
    return moved.obj


# ------------------------------------------------------------------------------------------------------
# events (对接会)


@transaction.atomic
def event_create(actor: Any, *, title: str, on: Any, place: str, district_code: str, field: str = "",
                 capacity: Any = None, demand_ids: Sequence[int] = ()) -> Event:  # fmt: skip
    if getattr(actor, "role", "") not in OFFICIALS:
        raise Forbidden("只有区级、市级管理人员可以举办对接会")
    district = _district(district_code)
    if actor.role == roles.DISTRICT and district != actor.district_code:
        raise Forbidden("区级管理人员只能举办本区的对接会", fields={"district_code": "不是本区"})
    cap = None
    if str(capacity or "").strip():
        if not str(capacity).strip().isdigit() or int(str(capacity).strip()) < 1:
            raise DomainError("名额须为正整数", fields={"capacity": "须为正整数"})
        cap = int(str(capacity).strip())
    day = date_field(on, "举办日期", "on")
    if day < clock.today():
        raise DomainError("举办日期不能早于今天", fields={"on": "早于今天"})
    ev = Event.objects.create(
        title=_text(title, "对接会名称", "title", required=True, limit=200), on=day,
        place=_text(place, "地点", "place", required=True, limit=200), district_code=district,
        field=_field(field) if field else "", capacity=cap, created_by=actor,
    )  # fmt: skip
    if demand_ids:
        from gaoqi.web.matching.selectors import demands_visible_to

        ds = list(demands_visible_to(actor).filter(pk__in=list(demand_ids), status=PUBLISHED))
        if len(ds) != len(set(demand_ids)):
            raise NotFound("所选需求不存在或不在您的管辖范围内")
        ev.demands.set(ds)
    audit_record(actor, "matching.event_create", target=f"matching_event:{ev.pk}", detail={"title": ev.title})
    return ev


@transaction.atomic
def event_signup(actor: Any, event_pk: int) -> EventSignup:
    ent = _own_enterprise(actor)
    ev = _lock(Event, event_pk, "对接会")  # the capacity is counted under the event's lock
    if ev.on < clock.today():
        raise Conflict("对接会已举办，不能再报名")
    if EventSignup.objects.filter(event=ev, enterprise=ent).exists():
        raise Conflict("本企业已报名该对接会")
    if ev.capacity is not None and EventSignup.objects.filter(event=ev).count() >= ev.capacity:
        raise Conflict(f"名额已满（{ev.capacity}家）")
    s = EventSignup.objects.create(event=ev, enterprise=ent, signed_up_by=actor)
    audit_record(actor, "matching.event_signup", target=f"matching_event:{ev.pk}", detail={"uscc": ent.uscc})
    return s


@transaction.atomic
def signup_result(actor: Any, signup_pk: int, *, result: str, amount: Any = None, note: str = "") -> EventSignup:
    if getattr(actor, "role", "") not in OFFICIALS:
        raise Forbidden("只有区级、市级管理人员可以登记对接结果")
    s = _lock(EventSignup, signup_pk, "报名记录")
    if actor.role == roles.DISTRICT and s.event.district_code != actor.district_code:
        raise NotFound("报名记录不存在或不在您的管辖范围内")
    kind = _choice(result, [NONE, INTENTION, CONTRACT], "对接结果", "result")
    value = _amount(amount, "合同金额", "amount", required=kind == CONTRACT)
    if kind != CONTRACT and value is not None:
        raise DomainError("只有签订合同的才填写合同金额", fields={"amount": "不适用"})
    EventSignup.objects.filter(pk=s.pk).update(result=kind, amount=value,
                                               result_note=_text(note, "结果说明", "note"))  # fmt: skip
    audit_record(actor, "matching.event_result", target=f"matching_event:{s.event_id}",
                 detail={"uscc": s.enterprise.uscc, "result": kind, "amount": str(value or "")})  # fmt: skip
    s.refresh_from_db()
    return s


__all__ = [
    "UploadOutcome",
    "demand_match",
    "demand_move",
    "demand_publish",
    "event_create",
    "event_signup",
    "match_all",
    "match_move",
    "product_move",
    "product_register",
    "results_upload",
    "signup_result",
]
