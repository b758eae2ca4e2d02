from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.web.core.htmx import fragment_of
from gaoqi.web.intake import selectors, services
from gaoqi.web.intake.models import Snapshot

MAX_UPLOAD = 512 * 1024 * 1024


def home(request: HttpRequest) -> HttpResponse:
    snap = selectors.current_snapshot()
    loads = selectors.loads_of(snap)
    chosen = request.GET.get("load")
    quarantine = selectors.quarantine_of(snap, int(chosen)) if chosen and chosen.isdigit() else []
    ctx = {
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
        try:
            services.upload_store(request.user, f.name, f.chunks())
            messages.success(request, f"已接收 {f.name}，启动汇聚后导入")
        except ValueError as exc:
            messages.error(request, str(exc))
    return redirect("intake:home")


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
