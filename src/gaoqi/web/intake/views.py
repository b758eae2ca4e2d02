from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gaoqi.web.core import clock
from gaoqi.web.core.errors import refusals_to, valid_data
from gaoqi.web.core.htmx import fragment_of
from gaoqi.web.intake import selectors, services
from gaoqi.web.intake.forms import LoadChoiceForm, PublishForm, UploadForm
from gaoqi.web.intake.models import Snapshot

#: A refused form goes back to 数据汇聚 with its message.
to_home = refusals_to(lambda **_: reverse("intake:home"))


def home(request: HttpRequest) -> HttpResponse:
    snap = selectors.current_snapshot()
    loads = selectors.loads_of(snap)
    chosen = LoadChoiceForm(request.GET)
    load = chosen.cleaned_data["load"] if chosen.is_valid() else None
    quarantine = selectors.quarantine_of(snap, load) if load is not None else []
    page = Paginator(selectors.uploads_visible_to(request.user), 20).get_page(request.GET.get("page"))
    ctx = {
        "uploads": selectors.upload_verdicts(page.object_list, snap),
        "page": page,
        "snapshots": selectors.snapshots_visible_to(request.user)[:20],
        "current": snap,
        "loads": loads,
        "refused": selectors.refused_of(snap),
        "quarantine": quarantine,
        "chosen": load,
        "default_as_of": (snap.as_of if snap else clock.today()).isoformat(),
    }
    return render(request, "intake/home.html", ctx)


@require_POST
@to_home
def upload(request: HttpRequest) -> HttpResponse:
    f = valid_data(UploadForm(request.POST, request.FILES))["file"]
    upload = services.upload_store(request.user, f.name or "", f.chunks())
    verdict = selectors.upload_verdicts([upload])[0][1]
    say = {"pending": messages.success, "same": messages.warning}.get(verdict.kind, messages.error)
    say(request, f"{upload.file_name}：{verdict.text}")
    return redirect("intake:home")


def quarantine_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The engine's quarantine report of an uploaded file's load in the current snapshot, as an attachment."""
    upload = selectors.upload_get(request.user, pk)
    if upload is None:
        raise Http404("文件不存在")
    load = selectors.upload_load(upload)
    if load is None or not load["rows_quarantined"]:
        raise Http404("该文件没有隔离报告")
    try:
        name, data = services.quarantine_report(request.user, load, request=request)
    except FileNotFoundError:
        raise Http404("隔离报告文件不存在（数据工作区已重建），请查看页面上的隔离行") from None
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    add_never_cache_headers(response)  # the rows are what a department delivered: no copy in a cache
    return response


@require_POST
@to_home
def publish(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    as_of = valid_data(PublishForm(request.POST))["as_of"]
    snap = services.snapshot_request(request.user, as_of=as_of, source_dir=str(settings.UPLOAD_DIR))
    messages.success(request, f"已排队：快照 #{snap.pk}")
    return redirect("intake:home")


@fragment_of(lambda pk: reverse("intake:home"))
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    snap = selectors.snapshot_get(request.user, pk)
    if snap is None:
        raise Http404("快照不存在")
    interrupted = selectors.snapshot_interrupted(snap)
    response = render(request, "intake/_progress.html", {"s": snap, "interrupted": interrupted})
    if interrupted or snap.status in (Snapshot.PUBLISHED, Snapshot.FAILED):
        response.status_code = 286  # htmx: stop polling
    return response
