from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gaoqi.web.core.htmx import fragment_of
from gaoqi.web.intake import selectors, services
from gaoqi.web.intake.models import Snapshot, Upload

MAX_UPLOAD = 512 * 1024 * 1024


def home(request: HttpRequest) -> HttpResponse:
    snap = selectors.current_snapshot()
    loads = selectors.loads_of(snap)
    chosen = request.GET.get("load")
    quarantine = selectors.quarantine_of(snap, int(chosen)) if chosen and chosen.isdigit() else []
    page = Paginator(Upload.objects.select_related("uploaded_by"), 20).get_page(request.GET.get("page"))
    ctx = {
        "uploads": selectors.upload_verdicts(page.object_list, snap),
        "page": page,
        "snapshots": Snapshot.objects.all()[:20],
        "current": snap,
        "loads": loads,
        "refused": selectors.refused_of(snap),
        "quarantine": quarantine,
        "chosen": chosen,
        "default_as_of": (snap.as_of if snap else dt.date.today()).isoformat(),
    }
    return render(request, "intake/home.html", ctx)


@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择文件")
    elif f.size > MAX_UPLOAD:
        messages.error(request, "文件过大")
    else:
        upload = services.upload_store(request.user, f.name or "", f.chunks())
        verdict = selectors.upload_verdicts([upload])[0][1]
        say = {"pending": messages.success, "same": messages.warning}.get(verdict.kind, messages.error)
        say(request, f"{upload.file_name}：{verdict.text}")
    return redirect("intake:home")


def quarantine_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The engine's quarantine report of an uploaded file's load in the current snapshot, as an attachment."""
    load = selectors.upload_load(get_object_or_404(Upload, pk=pk))
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
def publish(request: HttpRequest) -> HttpResponse:
    try:
        as_of = dt.date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        messages.error(request, "评估基准日格式应为 YYYY-MM-DD")
        return redirect("intake:home")
    from django.conf import settings

    snap = services.snapshot_request(request.user, as_of=as_of, source_dir=str(settings.UPLOAD_DIR))
    messages.success(request, f"已排队：快照 #{snap.pk}")
    return redirect("intake:home")


@fragment_of(lambda pk: reverse("intake:home"))
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    snap = get_object_or_404(Snapshot, pk=pk)
    interrupted = selectors.snapshot_interrupted(snap)
    response = render(request, "intake/_progress.html", {"s": snap, "interrupted": interrupted})
    if interrupted or snap.status in (Snapshot.PUBLISHED, Snapshot.FAILED):
        response.status_code = 286  # htmx: stop polling
    return response
