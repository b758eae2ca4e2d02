"""The application workflow's guards, by the names its transition table gives (certification/workflow.py):
each says why the move is refused on the fresh row, or None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.certification import workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Panel
from gaoqi.web.certification.services.expert_panels import panel_result
from gaoqi.web.certification.services.self_check import application_self_check
from gaoqi.web.core import clock


def _self_check_passes(actor: User, app: Application) -> str | None:
    result = application_self_check(actor, app)
    return None if not result["blocking"] else "自评未通过：" + "；".join(result["blocking"])


def _pilot_eligible(actor: User, app: Application) -> str | None:
    """报备即批准: the pilot is open, the field is in its scope, the 告知承诺书 is signed, and the self-check's
    pilot route (policies/hte-filing-pilot.yaml with the certification's other conditions) blocks nothing."""
    cfg = process_config().pilot
    if not cfg.get("enabled"):
        return "报备即批准试点未开放"
    if app.tech_field not in cfg.get("fields", []):
        return f"技术领域“{app.tech_field}”不在报备即批准试点范围内"
    if "commitment" not in app.declarations:
        return "需要签署告知承诺书"
    pilot = application_self_check(actor, app).get("pilot")
    if pilot is None:
        return f"评估基准日 {app.as_of} 不在报备即批准试点政策的有效期内，或尚无试点范围的评估结果"
    # the pilot's blocking already holds every data condition not passed (failed or unknown, the certification's
    # credit condition among them) with the pilot's outcome on its own ids: nothing else to check
    return "不符合报备即批准试点条件：" + "；".join(pilot["blocking"]) if pilot["blocking"] else None


def _in_jurisdiction(actor: User, app: Application) -> str | None:
    return None if actor.role != roles.DISTRICT or actor.district_code == app.district_code else "不在您的管辖范围内"


def _panel_drawn(actor: User, app: Application) -> str | None:
    return None if Panel.objects.filter(application=app).exists() else "请先抽取专家组"


def _all_scored(actor: Any, app: Application) -> str | None:
    panel = Panel.objects.filter(application=app).first()
    if panel is None:
        return "没有专家组"
    missing = len(panel.expert_ids) - panel.scores.count()
    return None if missing == 0 else f"还有 {missing} 位专家未评分"


def _panel_passes(actor: User, app: Application) -> str | None:
    result = panel_result(app)
    if result is None:
        return "尚无专家组评分"
    return None if result["passed"] else f"创新能力评价 {result['average']} 分，未高于 {result['pass_above']} 分"


def _publicity_over(actor: Any, app: Application) -> str | None:
    end, _ = workdays.deadline_provisional(app.stage_started_at, process_config().time_limits["publicity"])
    if clock.today() <= end:
        return f"公示期至 {end}"
    if app.objections.filter(status=wf.OBJ_PENDING).exists():
        return "有未处理的异议"
    return None


GUARDS: dict[str, Callable[[Any, Application], str | None]] = {
    "self_check_passes": _self_check_passes,
    "pilot_eligible": _pilot_eligible,
    "in_jurisdiction": _in_jurisdiction,
    "panel_drawn": _panel_drawn,
    "all_scored": _all_scored,
    "panel_passes": _panel_passes,
    "publicity_over": _publicity_over,
}
