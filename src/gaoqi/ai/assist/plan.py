"""行动建议: an enterprise's near misses turned into steps, from templates only (``data/plan.yaml``).

``policy_plan(policy, explanation, as_of)`` reads the engine's explanation of one policy for one enterprise
(``Workspace.explain``'s dictionary, or the typed ``Explanation``: both read as mappings) and gives a
``PolicyPlan`` when the policy is not met and at most ``max_failed`` of its conditions fail (``plan.yaml``,
DEFAULT 2), else None. Each failing condition becomes a ``gap`` step: what (label and article as the policy
file cites them), how much (current value, required value and the difference: the engine's typed observed and
required values, and the engine's typed difference (``difference``, ``difference_unit``: what its gap sentence states,
in the unit it states: 个百分点, 万元, 件…); the lever, e.g. 约需增加研究开发费用 120万元, likewise), by when (the end of the fiscal year for a
condition on yearly figures, the next known application deadline of the policy otherwise, else said unknown)
and the policy it unlocks (name and benefit label). Each condition the data leave unknown becomes a ``data``
step (补充数据) per missing feature, naming the feature and its feed's department; never a gap.

``build_plan`` orders the policies nearest first (fewest failing conditions, then the smallest relative gap)
and, within a policy, the gaps smallest first and the data steps after them: a user reads "what is closest to
done" first, and a data step is done by a department, not by the enterprise's own work.

Nothing here computes a figure the user reads: the relative gap (|required − observed| / |required|) is used
for the order only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

from gaoqi.ai.assist.text import data_bytes

if TYPE_CHECKING:
    from gaoqi.engine import Policy

GAP, DATA = "gap", "data"

# the engine's gap sentence: "<name> <observed>，<need> <required>，差 3.2 个百分点；约需增加研究开发费用 120万元"
_LEVER = re.compile(r"；(约需.+)$")


@dataclass(frozen=True)
class PlanSettings:
    max_failed: int
    max_failed_unconfirmed: bool
    fiscal_feeds: frozenset[str]
    deadlines: dict[str, tuple[tuple[date, ...], str]]
    ops: dict[str, str]
    templates: dict[str, str]


@cache
def settings() -> PlanSettings:
    """``data/plan.yaml``, read once."""
    import yaml

    raw = yaml.safe_load(data_bytes("plan.yaml").decode("utf-8"))
    mf = raw["settings"]["max_failed"]
    deadlines = {
        pid: (tuple(sorted(d for d in spec["dates"])), str(spec["source"]))
        for pid, spec in (raw.get("application_deadlines") or {}).items()
    }
    return PlanSettings(
        max_failed=int(mf["value"]),
        max_failed_unconfirmed=bool(mf.get("unconfirmed", False)),
        fiscal_feeds=frozenset(raw["settings"]["fiscal_feeds"]),
        deadlines=deadlines,
        ops={str(k): str(v) for k, v in raw["ops"].items()},
        templates={str(k): str(v) for k, v in raw["templates"].items()},
    )


@dataclass(frozen=True)
class MissingData:
    """A feature the evaluation lacked: its name and label, the feed that delivers it and its department."""

    feature: str
    label: str
    feed: str | None
    department: str | None


@dataclass(frozen=True)
class Step:
    """One thing to do. ``gap``: ``observed``/``required`` are the engine's typed values, ``difference`` (a
    Decimal) and ``difference_unit`` what the engine's gap sentence ``gap`` states; ``lever`` the engine's typed
    lever (``lever_text`` its words). ``data``: ``missing`` names the data. ``due`` None: no date known
    (``due_text`` says so). ``sentence``: the step in words, from the templates."""

    kind: str
    policy_id: str
    policy_name: str
    condition_id: str
    label: str
    article: str
    sentence: str
    due: date | None
    due_text: str
    observed: Any = None
    required: Any = None
    op: str | None = None
    value_type: str | None = None
    observed_text: str | None = None
    required_text: str | None = None
    difference: Decimal | None = None
    difference_unit: str | None = None
    gap: str | None = None
    lever: Any = None
    lever_text: str | None = None
    missing: tuple[MissingData, ...] = ()
    #: for the order only: |required − observed| / |required| (1 when not numeric)
    rank: float = 1.0


@dataclass(frozen=True)
class PolicyPlan:
    policy_id: str
    policy_name: str
    policy_version: str
    status: str
    failed: int
    benefit: str | None
    benefit_amount: Decimal | None
    steps: tuple[Step, ...]
    unlocks: str

    @property
    def gaps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == GAP)

    @property
    def data_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == DATA)


@dataclass(frozen=True)
class ActionPlan:
    uscc: str
    as_of: date
    policies: tuple[PolicyPlan, ...]
    max_failed: int

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for p in self.policies for s in p.steps)


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _rank(observed: Any, required: Any) -> float:
    obs, req = _number(observed), _number(required)
    if obs is None or req is None:
        return 1.0
    diff = abs(req - obs)
    return float(diff if req == 0 else diff / abs(req))


def _due(policy_id: str, features: Iterable[str], as_of: date) -> tuple[date | None, str]:
    from gaoqi.engine import FEATURE_BY_NAME, describe_value

    cfg = settings()
    feeds = {feed for f in features if f in FEATURE_BY_NAME for feed in FEATURE_BY_NAME[f].feeds}
    if feeds & cfg.fiscal_feeds:
        due = date(as_of.year, 12, 31)
        return due, cfg.templates["due_fiscal"].format(due=describe_value(due), fiscal_year=as_of.year)
    dates, source = cfg.deadlines.get(policy_id, ((), ""))
    upcoming = [d for d in dates if as_of <= d and d.year == as_of.year]  # other years' rounds: unknown
    if upcoming:
        return upcoming[0], cfg.templates["due_deadline"].format(due=describe_value(upcoming[0]), source=source)
    return None, cfg.templates["due_unknown"]


def _display(value: Any, value_type: str | None, feature: str | None, unit: str | None) -> str:
    """The engine's display of a value (``describe_value``) in the feature's unit, else the gap sentence's."""
    from gaoqi.engine import FEATURE_BY_NAME, describe_value

    f = FEATURE_BY_NAME.get(feature or "")
    if f is not None and f.unit:
        unit = f.unit
    elif value_type in ("ratio", "money"):
        unit = None
    return describe_value(value, value_type, unit, feature)


def _shown(amount: Any, unit: str | None) -> str:
    """The difference as the gap sentence shows it: 0.7 个百分点, 35万元, 2 件."""
    text = format(Decimal(amount), "f")
    if not unit:
        return text
    return text + (unit if unit in ("万元", "%") else " " + unit)


def _gap_step(policy: Policy, cond: Any, item: Mapping[str, Any], as_of: date) -> Step:
    cfg = settings()
    t = cfg.templates
    label, article = str(item["label"]), str(item["article"])
    vtype = cond.observed_type if cond is not None else None
    feature = cond.observed_feature if cond is not None else None
    gap = item.get("gap")
    amount, unit, word = item.get("difference"), item.get("difference_unit"), item.get("difference_word")
    found = amount is not None and word is not None
    lever = _LEVER.search(gap) if gap else None
    observed, required, op = item.get("observed"), item.get("required"), item.get("op")
    obs_text, req_text = _display(observed, vtype, feature, unit), _display(required, vtype, feature, unit)
    if found and op in cfg.ops:
        sentence = t["gap"].format(
            label=label,
            article=article,
            observed=obs_text,
            op=cfg.ops[op],
            required=req_text,
            short=word,
            difference=_shown(amount, unit),
        )
    elif gap:
        sentence = t["gap_text_only"].format(label=label, article=article, gap=gap)
    else:
        sentence = t["no_gap_text"].format(label=label, article=article)
    if lever:
        sentence += t["gap_lever"].format(lever=lever.group(1))
    due, due_text = _due(policy.id, cond.features if cond is not None else (), as_of)
    return Step(
        kind=GAP,
        policy_id=policy.id,
        policy_name=policy.name,
        condition_id=str(item["id"]),
        label=label,
        article=article,
        sentence=sentence,
        due=due,
        due_text=due_text,
        observed=observed,
        required=required,
        op=op,
        value_type=vtype,
        observed_text=obs_text,
        required_text=req_text,
        difference=Decimal(amount) if amount is not None and found else None,
        difference_unit=unit if found else None,
        gap=gap,
        lever=item.get("lever"),
        lever_text=lever.group(1) if lever else None,
        rank=_rank(observed, required),
    )


def _missing(cond: Any, item: Mapping[str, Any]) -> tuple[MissingData, ...]:
    from gaoqi.engine import FEATURE_BY_NAME, feed_spec

    values = item.get("values") or {}
    names = [f for f in (cond.features if cond is not None else values) if values.get(f) is None]
    out = []
    for name in names:
        f = FEATURE_BY_NAME.get(name)
        feed = f.feeds[0] if f is not None and f.feeds else None
        spec = feed_spec(feed) if feed else None
        out.append(
            MissingData(name, f.label if f else name, spec.title if spec else None, spec.department if spec else None)
        )
    return tuple(out)


def _data_steps(policy: Policy, cond: Any, item: Mapping[str, Any], as_of: date) -> list[Step]:
    t = settings().templates
    label, article = str(item["label"]), str(item["article"])
    due, due_text = _due(policy.id, cond.features if cond is not None else (), as_of)
    out = []
    for m in _missing(cond, item):
        if m.department:
            sentence = t["data"].format(
                label=label, article=article, feature=m.label, feed=m.feed, department=m.department
            )
        else:
            sentence = t["data_no_department"].format(label=label, article=article, feature=m.label)
        out.append(
            Step(
                kind=DATA,
                policy_id=policy.id,
                policy_name=policy.name,
                condition_id=str(item["id"]),
                label=label,
                article=article,
                sentence=sentence,
                due=due,
                due_text=due_text,
                missing=(m,),
            )
        )
    return out


def policy_plan(
    policy: Policy, explanation: Mapping[str, Any], as_of: date, max_failed: int | None = None
) -> PolicyPlan | None:
    """The plan for one policy (see the module docstring); None when met or too far (or nothing to do)."""
    limit = settings().max_failed if max_failed is None else max_failed
    if explanation["status"] == "pass":
        return None
    version = next((v for v in policy.versions if v.id == explanation["policy_version"]), None)
    conds = {c.id: c for c in version.conditions} if version else {}
    items = list(explanation["conditions"])
    failing = [c for c in items if c["outcome"] == "fail"]
    if len(failing) > limit:
        return None
    gaps = sorted((_gap_step(policy, conds.get(c["id"]), c, as_of) for c in failing), key=lambda s: s.rank)
    data = [s for c in items if c["outcome"] == "unknown" for s in _data_steps(policy, conds.get(c["id"]), c, as_of)]
    if not gaps and not data:
        return None
    benefit = version.benefit.label if version and version.benefit else None
    t = settings().templates
    unlocks = (
        t["unlocks_benefit"].format(policy=policy.name, benefit=benefit)
        if benefit
        else t["unlocks"].format(policy=policy.name)
    )
    amount = explanation.get("benefit_amount")
    return PolicyPlan(
        policy_id=policy.id,
        policy_name=policy.name,
        policy_version=str(explanation["policy_version"]),
        status=str(explanation["status"]),
        failed=len(failing),
        benefit=benefit,
        benefit_amount=_number(amount),
        steps=(*gaps, *data),
        unlocks=unlocks,
    )


def build_plan(
    uscc: str,
    as_of: date,
    explained: Iterable[tuple[Policy, Mapping[str, Any]]],
    max_failed: int | None = None,
) -> ActionPlan:
    """The enterprise's plan over (policy, the engine's explanation) pairs: near policies first."""
    plans = [p for policy, ex in explained if (p := policy_plan(policy, ex, as_of, max_failed)) is not None]
    plans.sort(key=lambda p: (p.failed, max((s.rank for s in p.gaps), default=0.0), len(p.data_steps), p.policy_id))
    return ActionPlan(uscc, as_of, tuple(plans), settings().max_failed if max_failed is None else max_failed)
