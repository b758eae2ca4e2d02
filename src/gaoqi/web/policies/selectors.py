"""Reads on the policy catalogue (policies/*.yaml through the engine) and on policy results, scoped."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Count, QuerySet, Sum

from gaoqi.engine import FEATURE_BY_NAME, Policy, default_policy_dir, describe_value, load_policies
from gaoqi.web.core.labels import feature_label
from gaoqi.web.core.scoping import district_scope
from gaoqi.web.enterprises.models import PolicyResult
from gaoqi.web.enterprises.selectors import enterprise_scope
from gaoqi.web.intake.selectors import current_snapshot

__all__ = ["current_snapshot"]  # re-exported for the views


@lru_cache(maxsize=2)
def _catalogue(directory: str, stamp: tuple[tuple[str, int, int], ...], subject: str) -> tuple[Policy, ...]:
    return tuple(load_policies(directory, subject))


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """The directory's policy files as (name, size, mtime): a policy published by 政策沙盘 (drafting) is read
    again at once, in every process."""
    out = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def catalogue(subject: str = "enterprise") -> tuple[Policy, ...]:
    """The policies of ``subject`` (enterprises; ``incubator``: the incubators' evaluation), loaded once per
    state of the directory."""
    directory = default_policy_dir()
    return _catalogue(str(directory), _stamp(directory), subject)


def policy_get(policy_id: str) -> Policy | None:
    return next((p for p in catalogue() if p.id == policy_id), None)


def policy_names() -> dict[str, str]:
    return {p.id: p.name for p in catalogue()}


def results_visible_to(user: Any, policy_id: str | None = None) -> QuerySet[PolicyResult]:
    """Policy results of the current snapshot for the enterprises the user may see."""
    # a join condition, not ``enterprise IN (subquery)``: at 2M enterprises the subquery cost seconds
    scope = enterprise_scope(user, "enterprise__")
    if scope is None:
        return PolicyResult.objects.none()
    qs = PolicyResult.objects.of(current_snapshot()).filter(scope)
    if policy_id:
        qs = qs.filter(policy_id=policy_id)
    return qs


def status_counts(user: Any, policy_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Per policy: enterprises passing, failing, unknown, near misses (one failing condition) and amounts."""
    from gaoqi.web.enterprises.models import PolicyStat

    out: dict[str, dict[str, Any]] = {}
    districts = district_scope(user)
    if districts is not None:  # all or one district: precomputed at publication
        stats = PolicyStat.objects.filter(districts, snapshot=current_snapshot())
        if policy_id:
            stats = stats.filter(policy_id=policy_id)
        for st in stats:
            d = out.setdefault(st.policy_id, {"pass": 0, "fail": 0, "unknown": 0, "near": 0, "amount": 0})
            d[st.status] += st.n
            d["near"] += st.n if st.near else 0
            if st.status == "pass" and st.amount is not None:
                d["amount"] += st.amount
        return out
    qs = results_visible_to(user, policy_id)
    rows = qs.values("policy_id", "status", "failed_count").annotate(n=Count("id"), amount=Sum("benefit_amount"))
    for row in rows:
        d = out.setdefault(row["policy_id"], {"pass": 0, "fail": 0, "unknown": 0, "near": 0, "amount": 0})
        d[row["status"]] += row["n"]
        if row["status"] == "fail" and row["failed_count"] == 1:
            d["near"] += row["n"]
        if row["status"] == "pass" and row["amount"] is not None:
            d["amount"] += row["amount"]
    return out


def near_misses(user: Any, policy_id: str) -> QuerySet[PolicyResult]:
    """Failing on exactly one data condition: the enterprises a push could help most."""
    return results_visible_to(user, policy_id).filter(status="fail", failed_count=1)


def policy_enterprises(user: Any, policy_id: str, which: str) -> QuerySet[PolicyResult]:
    """One policy's results the user may see, by enterprise name: the near misses (``near``) or one status."""
    qs = near_misses(user, policy_id) if which == "near" else results_visible_to(user, policy_id).filter(status=which)
    return qs.select_related("enterprise").order_by("enterprise__name", "pk")


def condition_labels(policy_id: str, version_id: str) -> dict[str, str]:
    """Condition id → its Chinese label, for one policy version (ids are shown to no one)."""
    policy = policy_get(policy_id)
    version = next((v for v in policy.versions if v.id == version_id), None) if policy else None
    return {c.id: c.label for c in version.conditions} if version else {}


def labelled(result: Any) -> Any:
    """Attach readable names to a PolicyResult for templates: policy name, failed and pending conditions."""
    labels = condition_labels(result.policy_id, result.policy_version)
    result.policy_name = policy_names().get(result.policy_id, result.policy_id)
    result.failed_labels = [labels.get(c, c) for c in result.failed_conditions]
    result.pending = [labels.get(u[8:], u[8:]) for u in result.unknown_features if u.startswith("pending:")]
    result.missing = [feature_label(u) for u in result.unknown_features if not u.startswith("pending:")]
    return result


_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "!=": "≠", "<>": "≠", "IN": "属于", "NOT IN": "不属于"}


def readable_explanation(data: dict[str, Any]) -> dict[str, Any]:
    """The engine's explanation with what a page shows instead of codes: the policy's name, each condition's
    observed and required values with their unit, the comparison as a symbol, and each source feature's name."""
    policy = policy_get(data["policy_id"])
    version = next((v for v in policy.versions if v.id == data["policy_version"]), None) if policy else None
    conds = {c.id: c for c in version.conditions} if version else {}
    data = {**data, "policy_name": policy.name if policy else data["policy_id"]}
    items = []
    for item in data["conditions"]:
        cond = conds.get(item["id"])
        vtype = cond.observed_type if cond else None
        feat = FEATURE_BY_NAME.get(cond.observed_feature or "") if cond else None
        unit = "分" if cond is not None and cond.scores else feat.unit if feat else None
        name = feat.name if feat else None
        items.append({
            **item,
            "observed_text": describe_value(item.get("observed"), vtype, unit, name),
            "required_text": describe_value(item.get("required"), vtype, unit, name),
            "op_text": _OPS.get(str(item.get("op") or "").upper(), item.get("op") or ""),
            "sources": [
                (feature_label(f), rows)
                for f, rows in (item.get("provenance") or {}).items()
            ],
        })  # fmt: skip
    data["conditions"] = items
    return data


def flip_label(key: str) -> str:
    """A simulation's status change ("unknown→fail") in words (待定→不符合)."""
    from gaoqi.web.core.labels import label

    before, _, after = key.partition("→")
    return f"{label('status', before)}→{label('status', after)}"


def needs_review(policy: Policy) -> bool:
    """True when a version has conditions that data cannot decide (企业声明, 专家评审): data alone never says
    符合 for it, so its enterprises meeting every data condition are counted as 待定 (awaiting review)."""
    return any(c.kind != "data" for v in policy.versions for c in v.conditions)


def policy_display(policy: Policy) -> list[dict[str, Any]]:
    """Each version of a policy as its page shows it: parameters by name and value, conditions with their
    kind and their data test in words (the YAML's ids, expressions and developer notes stay in the files)."""
    from gaoqi.engine import describe_condition, describe_parameter

    return [
        {
            "id": v.id,
            "valid_from": v.valid_from,
            "valid_to": v.valid_to,
            "parameters": [
                {"label": prm.label, "value": describe_parameter(prm), "unconfirmed": prm.unconfirmed}
                for prm in v.parameters.values()
            ],
            "conditions": [
                {"label": c.label, "article": c.article, "kind": c.kind, "test": describe_condition(c, v)}
                for c in v.conditions
            ],
            "benefit": v.benefit.label if v.benefit is not None else None,
        }
        for v in policy.versions
    ]
