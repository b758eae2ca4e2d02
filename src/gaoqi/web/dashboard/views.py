from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core.labels import label
from gaoqi.web.dashboard.selectors import dashboard_figures
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.policies.selectors import catalogue, needs_review, policy_names


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    from gaoqi.web.certification.selectors import queue_for
    from gaoqi.web.certification.workflow import STATUS_LABELS

    tasks = queue_for(user)
    ctx: dict[str, object] = {"snapshot": current_snapshot(), "tasks": tasks[:10], "task_count": tasks.count(),
                              "status_labels": STATUS_LABELS}  # fmt: skip
    if user.role in roles.ENTERPRISE_VIEWERS:
        figures = dashboard_figures(user)
        names = district_codes()
        chart = {
            "districts": [names.get(d["district_code"], d["district_code"]) for d in figures["by_district"]],
            "enterprises": [d["n"] for d in figures["by_district"]],
            "hte": [d["hte"] for d in figures["by_district"]],
            "fields": [{"name": label("tech_field", f["tech_field"]), "value": f["n"]} for f in figures["by_field"]],
        }
        review = {p.id for p in catalogue() if needs_review(p)}
        ctx.update(figures=figures, chart=chart, policy_names=policy_names(), review=review)
    if user.role in (roles.SYSADMIN, roles.SECADMIN):  # the operator's figures (ADR 0038)
        from gaoqi.web.core.operations import operator_figures

        ctx["ops"] = operator_figures()
    return render(request, "dashboard/home.html", ctx)
