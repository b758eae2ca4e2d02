"""Expert review: the panel drawn at random (seed recorded), each expert's independent scores, the group score."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import fields as field_ai
from gaoqi.web.certification import panels
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Expert, Panel, Score
from gaoqi.web.certification.services._common import POLICY_ID, _snapshot_explain
from gaoqi.web.core import clock
from gaoqi.web.core.locks import StaleActionError, locked
from gaoqi.web.core.workflow import WorkflowError


def _pool() -> list[panels.Expert]:
    out = []
    for e in Expert.objects.all():
        out.append(
            panels.Expert(
                id=str(e.pk),
                name=e.user.get_username(),
                kind=e.kind,
                fields=frozenset(e.fields),
                employer_uscc=e.employer_uscc or None,
                past_employers=tuple((u, dt.date.fromisoformat(d)) for u, d in e.past_employers),
                avoid_usccs=frozenset(e.avoid_usccs),
                active=e.active,
            )
        )
    return out


def _rules() -> panels.PanelRules:
    p = process_config().panel
    return panels.PanelRules(
        size=int(p["size"]), min_technical_share=float(p["min_technical_share"]),
        min_financial=int(p["min_financial"]), conflict_years=int(p["conflict_years"]),
    )  # fmt: skip


@transaction.atomic
def panel_draw(
    actor: User, app: Application, seed: int | None = None, pool: list[panels.Expert] | None = None
) -> Panel:
    """Draw the panel at random (seed recorded, so the draw can be redone and checked)."""
    app = locked(Application, app.pk)
    if app.status != wf.MUNICIPAL_REVIEW:
        raise WorkflowError("只能在市级受理阶段抽取专家")
    if Panel.objects.filter(application=app).exists():
        raise WorkflowError("已抽取专家组")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**62)
    # a flagged application (申报领域与佐证材料不一致): technical seats reserved for the predicted field (ADR 0034)
    reserve = field_ai.reserve_for(app.field_check or {}, app.tech_field)
    try:
        drawn = panels.draw_panel(
            app.uscc, app.tech_field, pool if pool is not None else _pool(), _rules(), seed, clock.today(),
            reserve=reserve,
        )  # fmt: skip
    except panels.PanelError as exc:
        raise WorkflowError(f"无法组成专家组：{exc}") from exc
    routing = (
        {
            "field": drawn.reserved_field,
            "seats": drawn.reserved_seats,
            "expert_ids": [int(x) for x in drawn.reserved_ids],
        }
        if drawn.reserved_field
        else {}
    )
    panel = Panel.objects.create(
        application=app, seed=seed, expert_ids=[int(x) for x in drawn.expert_ids], leader_id=int(drawn.leader_id),
        excluded={str(k): str(v) for k, v in drawn.excluded.items()}, drawn_by=actor, routing=routing,
    )  # fmt: skip
    audit_record(
        actor, "panel.draw", target=f"application:{app.pk}",
        detail={"seed": seed, "experts": list(drawn.expert_ids), **({"routing": routing} if routing else {})},
    )  # fmt: skip
    return panel


def panel_members(panel: Panel) -> dict[str, Any]:
    """The panel as the municipal office reviews it: members (leader first), the seed, and who was excluded why."""
    reasons = {"current_employer": "现任职单位", "former_employer": "3年内曾任职单位", "declared_avoidance": "申报回避",
               "inactive": "暂停抽取"}  # fmt: skip
    experts = {e.pk: e for e in Expert.objects.filter(pk__in=panel.expert_ids).select_related("user")}
    order = sorted(panel.expert_ids, key=lambda pk: (pk != panel.leader_id, pk))
    excluded_ids = [int(k) for k in panel.excluded]
    excluded = {e.pk: e for e in Expert.objects.filter(pk__in=excluded_ids).select_related("user")}

    def name(e: Expert) -> str:
        return str(e.user.display_name or e.user.username)

    return {
        "seed": panel.seed,
        "members": [{"name": name(experts[pk]), "kind": experts[pk].get_kind_display(), "leader": pk == panel.leader_id,
                     "scored": panel.scores.filter(expert_id=pk).exists()} for pk in order if pk in experts],
        "excluded": [{"name": name(excluded[int(k)]) if int(k) in excluded else f"#{k}", "reason": reasons.get(v, v)}
                     for k, v in sorted(panel.excluded.items())],
        "routing": _routing(panel, experts, name),
    }  # fmt: skip


def _routing(panel: Panel, experts: dict[int, Expert], name: Any) -> dict[str, Any] | None:
    """What the panel says of expert routing: the predicted field, the seats reserved, who took them."""
    r = panel.routing or {}
    if not r.get("field"):
        return None
    taken = [name(experts[pk]) for pk in r.get("expert_ids", []) if pk in experts]
    return {"field": r["field"], "seats": r.get("seats", 0), "names": taken}


def score_ranges(app: Application) -> dict[str, tuple[int, int, str]]:
    """Each innovation item an expert scores: (low, high, label); data-decided items keep their band's range."""
    scored = (app.self_check or {}).get("scores") or []
    if not scored:
        data = _snapshot_explain(app.uscc, app.as_of) or {}
        scored = data.get("scores", [])
    return {
        s["id"]: (int(s["min"]), int(s["max"]), s["label"])
        for s in scored
        if s["assessed_by"] in ("data", "expert") and s["min"] is not None
    }


def score_total(items: dict[str, int]) -> int:
    """The innovation total by the policy's own combination rules (IP capped at 30, …), evaluated by the engine."""
    from gaoqi.engine import score_total as engine_score_total
    from gaoqi.web.policies.selectors import policy_get

    policy = policy_get(POLICY_ID)
    assert policy is not None
    return engine_score_total(policy, policy.version_at(clock.today()) or policy.versions[-1], items)


@transaction.atomic
def score_submit(actor: User, app: Application, items: dict[str, int]) -> Score:
    """One expert's independent scores: every item within its band (data) or range (expert), whole numbers.
    The experts of one panel serialise on the application's lock, so the last score always moves it on."""
    app = locked(Application, app.pk)
    expert = Expert.objects.filter(user=actor).first()
    panel = Panel.objects.filter(application=app).first()
    if expert is None or panel is None or expert.pk not in panel.expert_ids:
        raise WorkflowError("您不是该申请的评审专家")
    if app.status != wf.EXPERT_REVIEW:
        raise StaleActionError(f"该申请已不在专家评审阶段（{wf.STATUS_LABELS[app.status]}）")
    if panel.scores.filter(expert=expert).exists():
        raise StaleActionError("您已提交过本申请的评分，评分提交后不能修改")
    ranges = score_ranges(app)
    errors = []
    for sid, (lo, hi, label) in ranges.items():
        if sid not in items:
            errors.append(f"{label}：未评分")
        elif not isinstance(items[sid], int) or isinstance(items[sid], bool):
            errors.append(f"{label}：须为整数分")
        elif not lo <= items[sid] <= hi:
            errors.append(f"{label}：{items[sid]} 分不在 {lo}–{hi} 分之间")
    if extra := set(items) - set(ranges):
        errors.append("未知评分项：" + "、".join(sorted(extra)))
    if errors:
        raise WorkflowError("；".join(errors))
    clean = dict(items)  # every item checked above: a known id, a whole number within its range
    score = Score.objects.create(panel=panel, expert=expert, items=clean, total=score_total(clean))
    audit_record(actor, "score.submit", target=f"application:{app.pk}", detail={"total": score.total})
    if panel.scores.count() == len(panel.expert_ids):
        from gaoqi.web.certification.services.applications import application_transition

        application_transition(None, app, "scores_complete")
    return score


def panel_result(app: Application) -> dict[str, Any] | None:
    """The leader's group score: the average of the experts' totals (whole points, as the form has them)."""
    panel = Panel.objects.filter(application=app).first()
    if panel is None or panel.scores.count() < len(panel.expert_ids):
        return None
    totals = list(panel.scores.values_list("total", flat=True))
    from decimal import ROUND_HALF_UP, Decimal

    average = int((Decimal(sum(totals)) / len(totals)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    pass_above = int(process_config().panel["pass_above"])
    return {"totals": totals, "average": average, "pass_above": pass_above, "passed": average > pass_above}
