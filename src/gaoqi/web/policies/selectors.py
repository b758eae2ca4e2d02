"""Reads on the policy catalogue (policies/*.yaml through the engine) and on policy results, scoped."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.models import Count, QuerySet, Sum

from gaoqi.engine.features import FEATURE_BY_NAME
from gaoqi.engine.policies import Policy, load_policies
from gaoqi.engine.rules import default_policy_dir
from gaoqi.web.enterprises.models import PolicyResult
from gaoqi.web.enterprises.selectors import jurisdiction
from gaoqi.web.intake.selectors import current_snapshot

__all__ = ["current_snapshot"]  # re-exported for the views


@lru_cache(maxsize=1)
def _catalogue(directory: str) -> tuple[Policy, ...]:
    return tuple(load_policies(directory))


def catalogue() -> tuple[Policy, ...]:
    return _catalogue(str(default_policy_dir()))


def policy_get(policy_id: str) -> Policy | None:
    return next((p for p in catalogue() if p.id == policy_id), None)


def policy_names() -> dict[str, str]:
    return {p.id: p.name for p in catalogue()}


def results_visible(user: Any, policy_id: str | None = None) -> QuerySet[PolicyResult]:
    """Policy results of the current snapshot for the enterprises the user may see."""
    # a join condition, not ``enterprise IN (subquery)``: at 2M enterprises the subquery cost seconds
    scope = jurisdiction(user, "enterprise__")
    if scope is None:
        return PolicyResult.objects.none()
    qs = PolicyResult.objects.filter(scope, snapshot=current_snapshot())
    if policy_id:
        qs = qs.filter(policy_id=policy_id)
    return qs


def status_counts(user: Any, policy_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Per policy: enterprises passing, failing, unknown, near misses (one failing condition) and amounts."""
    from gaoqi.web import roles
    from gaoqi.web.enterprises.models import PolicyStat

    out: dict[str, dict[str, Any]] = {}
    role = getattr(user, "role", None)
    if role in (roles.MUNICIPAL, roles.EVALUATOR, roles.DISTRICT):  # precomputed at publication
        stats = PolicyStat.objects.filter(snapshot=current_snapshot())
        if role == roles.DISTRICT:
            stats = stats.filter(district_code=user.district_code)
        if policy_id:
            stats = stats.filter(policy_id=policy_id)
        for st in stats:
            d = out.setdefault(st.policy_id, {"pass": 0, "fail": 0, "unknown": 0, "near": 0, "amount": 0})
            d[st.status] += st.n
            d["near"] += st.n if st.near else 0
            if st.status == "pass" and st.amount is not None:
                d["amount"] += st.amount
        return out
    qs = results_visible(user, policy_id)
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
    return results_visible(user, policy_id).filter(status="fail", failed_count=1)


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
    result.missing = [
        FEATURE_BY_NAME[u].label if u in FEATURE_BY_NAME else u
        for u in result.unknown_features
        if not u.startswith("pending:")
    ]
    return result
