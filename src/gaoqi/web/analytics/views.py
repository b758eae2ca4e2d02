"""企业画像分析: the filter form (GET, so the URL is shareable), the count, distributions and trend, the export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.engine import describe_parameter
from gaoqi.web.analytics import selectors, services
from gaoqi.web.analytics.forms import CohortFilterForm
from gaoqi.web.exports import xlsx_response


def _form(request: HttpRequest) -> CohortFilterForm:
    return CohortFilterForm(
        request.GET or None, tags=selectors.tag_set(), districts=selectors.scope_districts(request.user)
    )


def cohort(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    view = selectors.cohort_for(request.user, form.filter())
    ctx = {
        "form": form,
        "view": view,
        "described": form.described(),
        "distributions": selectors.distributions(view),
        "chart": selectors.chart(view),
        "query": request.GET.urlencode(),
        "catalogue": view.tags,
        "unconfirmed": [(p.label, describe_parameter(p)) for p in view.tags.parameters.values() if p.unconfirmed],
    }
    return render(request, "analytics/cohort.html", ctx)


def cohort_export(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    view = selectors.cohort_for(request.user, form.filter())
    body = services.cohort_export(request.user, view, described=form.described(), request=request)
    return xlsx_response(body, "cohort.xlsx")
