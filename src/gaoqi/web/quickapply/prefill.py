"""What a 快申快享 application knows before the enterprise types anything, and its self-check (自评).

- ``applies_by_application(policy)``: whether a policy is delivered by application (快申快享) rather than
  automatically (免申即享). It reads the ``delivery`` (``automatic`` | ``application``, default application) of
  the policy's version in force; a list policy is never applied for.
- ``prefill(ent, policy, version)``: every feature the policy version reads (``version_features``), its value in
  the current snapshot's profile and its source (feed, file, line, from the engine's explanation): locked.
- ``self_check(app)``: the policy version over those values by the rules interpreter (``evaluate_one``): each
  condition passes, fails or is unknown and why; an attested condition needs the enterprise's attestation; an
  expert one is for the office. A failing or unknown data condition, or a missing attestation or required PDF,
  blocks submission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gaoqi.engine import FEATURE_BY_NAME, Policy, PolicyVersion, describe_condition, describe_value, evaluate_one
from gaoqi.engine import version_features as engine_version_features
from gaoqi.web.core.labels import feature_label
from gaoqi.web.quickapply.config import config

APPLICATION, AUTOMATIC = "application", "automatic"
#: How many source rows are shown per value (the rest as 等).
MAX_SOURCES = 5


def delivery_of(policy: Policy, on: dt.date | None = None) -> str:
    """The policy's delivery on ``on`` (today): the ``delivery`` of its version in force then (the engine's
    ``PolicyVersion.delivery``; the latest version when none is in force), and ``list`` → automatic (a list is
    kept by the platform, nobody applies)."""
    if policy.kind == "list":
        return AUTOMATIC
    from gaoqi.web.core import clock

    day = on or clock.today()
    version = policy.version_at(day) or max(policy.versions, key=lambda v: v.valid_from, default=None)
    return str(version.delivery) if version is not None else APPLICATION


def applies_by_application(policy: Policy) -> bool:
    """True for a 快申快享 policy of enterprises: delivered by application (see ``delivery_of``)."""
    return getattr(policy, "subject", "enterprise") == "enterprise" and delivery_of(policy) == APPLICATION


def own_procedure(policy_id: str) -> str | None:
    """The URL name of the policy's own procedure (高企认定, 科小评价), or None: such a policy is applied for there."""
    return config().own_procedure.get(policy_id)


def policy_get(policy_id: str) -> Policy | None:
    from gaoqi.web.policies.selectors import policy_get as catalogue_get

    return catalogue_get(policy_id)


def applicable(policy_id: str) -> tuple[Policy | None, str | None]:
    """The policy, and why an enterprise cannot apply for it here (None: it can)."""
    policy = policy_get(policy_id)
    if policy is None:
        return None, "政策不存在"
    if own_procedure(policy_id):
        return policy, f"“{policy.name}”按其专门程序办理，请在对应栏目中申请"
    if not applies_by_application(policy):
        return policy, f"“{policy.name}”为免申即享或名单类政策，无需申请"
    return policy, None


def responsible_district(policy: Policy, version: PolicyVersion) -> str:
    """The district whose officials decide (a district's policy: its ``district`` field, or the version's
    ``district`` parameter, e.g. 东城区's rewards → 110101), or "" for the municipal office."""
    code = getattr(policy, "district", None)
    if not code:
        param = version.parameters.get("district")
        code = param.value if param is not None else None
    code = str(code or "")
    return code if len(code) == 6 and code.isdigit() else ""


def version_features(version: PolicyVersion) -> list[str]:
    """The profile features the version reads (its keys ``uscc`` and ``as_of`` left out), in name order."""
    return sorted(engine_version_features(version) - {"uscc", "as_of"})


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return str(value)  # Decimal: exact


def _source(row: dict[str, Any]) -> str:
    from gaoqi.web.core.labels import label

    if row.get("file_name"):
        year = f"（{row['fiscal_year']}年度）" if row.get("fiscal_year") else ""
        return f"{label('feed', row.get('feed'))} · {row['file_name']} 第{row.get('line')}行{year}"
    ident = row.get("ip_number") or row.get("document_number") or row.get("certificate_number") or ""
    return f"登记记录 {ident}".strip()


def prefill(ent: Any, policy: Policy, version: PolicyVersion) -> dict[str, Any]:
    """The shared data the application starts from: per feature the version reads, its value in the current
    snapshot's profile and where it comes from. All of it is locked (the government holds it)."""
    from gaoqi.web.enterprises.selectors import explain_for, profile_details

    details = profile_details(ent)
    profile = details.get("profile", {})
    as_of = profile.get("as_of")
    explained = explain_for(ent.uscc, policy.id) or {}
    sources: dict[str, list[str]] = {}
    for c in explained.get("conditions", []):
        for name, rows in (c.get("provenance") or {}).items():
            for row in rows:
                text = _source(row)
                if text and text not in sources.setdefault(name, []):
                    sources[name].append(text)
    fallback = details.get("sources", {}).get("registration", "")
    values: dict[str, dict[str, Any]] = {}
    for name in version_features(version):
        value = profile.get(name)
        found = sources.get(name, [])
        source = "；".join(found[:MAX_SOURCES]) + ("等" if len(found) > MAX_SOURCES else "")
        if value is not None and not source:
            source = f"企业画像（{as_of:%Y年%-m月%-d日}）" if isinstance(as_of, dt.date) else "企业画像"
            if name in ("district_code", "industry_code", "industry_section", "industry_division") and fallback:
                source = fallback
        feature = FEATURE_BY_NAME.get(name)
        values[name] = {
            "value": _json(value),
            "type": feature.type if feature is not None else "text",
            "unit": (feature.unit or "") if feature is not None else "",
            "source": source if value is not None else "",
        }
    return {"as_of": _json(as_of), "values": values}


def typed(value: Any, kind: str) -> Any:
    """A prefilled JSON value as the interpreter takes it (numbers exact, dates as dates)."""
    if value is None or isinstance(value, bool):
        return value
    if kind in ("money", "ratio", "count", "integer"):
        return Decimal(str(value))
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    return value


def row_of(prefilled: dict[str, Any]) -> dict[str, Any]:
    return {n: typed(v.get("value"), v.get("type", "text")) for n, v in prefilled.get("values", {}).items()}


def shown_value(entry: dict[str, Any], name: str) -> str:
    """A prefilled value in words (money in 万元, ratios as percentages, codes by name, 是/否)."""
    if name == "industry_section" and entry.get("value"):
        from gaoqi.web.core.labels import industry

        return industry(entry["value"])
    return describe_value(typed(entry.get("value"), entry.get("type", "text")), entry.get("type"),
                          entry.get("unit") or None, name)  # fmt: skip


def version_of(policy: Policy, version_id: str) -> PolicyVersion | None:
    return next((v for v in policy.versions if v.id == version_id), None)


def required_attachments(policy_id: str) -> frozenset[str]:
    return config().attachments_required.get(policy_id, frozenset())


def attested_conditions(version: PolicyVersion) -> list[Any]:
    return [c for c in version.conditions if c.kind == "attested"]


def self_check(app: Any) -> dict[str, Any]:
    """The application against its policy version: every condition's outcome and reason, and what blocks
    submission (a data condition failing or unknown, an attestation or a required PDF missing)."""
    policy = policy_get(app.policy_id)
    version = version_of(policy, app.policy_version) if policy is not None else None
    if version is None:
        return {"passed": False, "status": "unknown", "conditions": [],
                "blocking": ["政策版本已不在政策库中，请撤回后重新申请"], "checked_at": timezone.now().isoformat()}  # fmt: skip
    values = app.prefill.get("values", {})
    result = evaluate_one(version, row_of(app.prefill))
    attached = set(app.attachments.values_list("condition_id", flat=True)) if app.pk else set()
    required = required_attachments(app.policy_id)
    conditions, blocking = [], []
    for c in version.conditions:
        read = [{"label": feature_label(n), "value": shown_value(values[n], n) if n in values else "—",
                 "source": values.get(n, {}).get("source", "")} for n in c.features]  # fmt: skip
        item: dict[str, Any] = {"id": c.id, "label": c.label, "article": c.article, "kind": c.kind,
                                "test": describe_condition(c, version) or "", "values": read, "why": ""}  # fmt: skip
        decided = result["conditions"].get(c.id)
        if c.kind == "attested":
            if decided is False:
                item["outcome"], item["why"] = "fail", "共享数据显示不满足该条件"
                blocking.append(f"{c.label}：共享数据显示不满足（{item['test']}）")
            elif c.id in app.declarations:
                item["outcome"] = "declared"
            else:
                item["outcome"], item["why"] = "needs_declaration", "需要企业作出承诺"
                blocking.append(f"{c.label}：需要企业作出承诺（{c.article}）")
            if c.id in required and c.id not in attached:
                blocking.append(f"{c.label}：请上传证明材料（PDF）")
        elif c.kind == "expert":
            item["outcome"], item["why"] = "pending", "由主管部门审核时评审"
        else:
            outcome = {True: "pass", False: "fail", None: "unknown"}[decided]
            item["outcome"] = outcome
            shown = "、".join(f"{v['label']}为{v['value']}" for v in read)
            if outcome == "fail":
                item["why"] = f"要求：{item['test'] or c.label}；贵企业：{shown or '—'}"
                blocking.append(f"{c.label}：不满足（{item['why']}）")
            elif outcome == "unknown":
                missing = [v["label"] for v in read if v["value"] == "—"]
                item["why"] = "共享数据中缺少：" + ("、".join(missing) or "相关数据")
                blocking.append(f"{c.label}：{item['why']}，请联系数据提供部门补充后再申请")
        conditions.append(item)
    return {
        "passed": not blocking,
        "status": result["status"],
        "conditions": conditions,
        "blocking": blocking,
        "policy_version": version.id,
        "benefit": version.benefit.label if version.benefit is not None else "",
        "checked_at": timezone.now().isoformat(),
    }
