"""Reads for 智能助手 (issue 16, ADR 0037): an enterprise's action plan (行动建议) from the engine's explanations of
its near misses, scoped like the profile page, and the answer to a question over the rules (政策问答).

The plan and the answer are built by the framework-free ``gaoqi.ai.assist``; this module only picks what it
reads: the enterprise through ``enterprises.selectors.enterprise_get`` (None outside the user's scope: the page
answers 404 and the API 404, never 403, as the profile does), the current snapshot's results of the policies
nearly met (failing on at most ``max_failed`` conditions, or unknown), and their explanations from the
snapshot's workspace (``Workspace.explain``, one workspace opened for all of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from gaoqi.ai.assist.plan import ActionPlan, build_plan, settings
from gaoqi.ai.assist.search import Answer, answer
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.enterprises.selectors import enterprise_get, results_of
from gaoqi.web.intake.selectors import current_snapshot, snapshot_workspace
from gaoqi.web.policies.selectors import catalogue


@dataclass(frozen=True)
class PlanView:
    enterprise: Enterprise
    plan: ActionPlan | None  # None: no published snapshot


def plan_for(user: Any, uscc: str) -> PlanView | None:
    """The enterprise's action plan if the user may see the enterprise (None otherwise)."""
    ent = None if "\x00" in uscc else enterprise_get(user, uscc)
    if ent is None:
        return None
    snap = current_snapshot()
    ws = snapshot_workspace(snap)
    if snap is None or ws is None:
        return PlanView(ent, None)
    limit = settings().max_failed
    near = results_of(ent).filter(Q(status="unknown") | Q(status="fail", failed_count__lte=limit))
    policies = {p.id: p for p in catalogue()}
    explained = []
    with ws:
        for result in near:
            policy = policies.get(result.policy_id)
            if policy is None:
                continue
            try:
                explained.append((policy, ws.explain(ent.uscc, policy.id, snap.as_of, tuple(policies.values()))))
            except ValueError:  # no profile row or version at the snapshot's date: nothing to plan
                continue
    return PlanView(ent, build_plan(ent.uscc, snap.as_of, explained, limit))


def question_answer(question: str, k: int = 5) -> Answer:
    """The top passages for a question (the index over the digests and the policy directory, cached)."""
    from gaoqi.engine import default_policy_dir

    return answer(question, default_policy_dir(), k)
