"""政策推送 pages: the enterprise's 消息中心 (inbox; a message is marked read when opened) and 消息设置 (muted
categories); the officials' 推送记录 (who was told what, when, by which channel, from which result and rule-set
hash; read rate by policy and district; filters; Excel) and the municipal office's sending jobs (progress bar by
htmx polling, stop, resume). Thin: each view reads a selector or calls a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core.errors import refusals_to
from gaoqi.web.core.labels import district
from gaoqi.web.exports import xlsx, xlsx_response
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.push import config, selectors, services, texts
from gaoqi.web.push.models import CHANNELS, KINDS


def _policy_names() -> dict[str, str]:
    from gaoqi.web.policies.selectors import policy_names

    return policy_names()


def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), 30, allow_empty_first_page=True).get_page(request.GET.get("page"))
    for m in page:
        m.text = texts.render(m)
    return render(request, "push/inbox.html", {"page": page, "query": "", "prefix": ""})


def message(request: HttpRequest, pk: int) -> HttpResponse:
    m = selectors.message_get(request.user, pk)
    if request.user.role == roles.ENTERPRISE:
        services.message_read(request.user, m)
    return render(request, "push/message.html", {"m": m, "text": texts.render(m)})


def settings_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _settings_save(request)
    return render(request, "push/settings.html", {
        "categories": selectors.categories(), "muted": selectors.muted(request.user),
        "cap": config.max_per_week(), "cap_days": config.cap_window_days(),
        "quiet_start": config.quiet_start(), "quiet_end": config.quiet_end(),
    })  # fmt: skip


@refusals_to(lambda: reverse("push:settings"))
def _settings_save(request: HttpRequest) -> HttpResponse:
    services.mute_set(request.user, [c[:16] for c in request.POST.getlist("muted")][:20], request=request)
    messages.success(request, "消息设置已保存")
    return redirect("push:settings")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter(request: HttpRequest) -> selectors.LogFilter:
    g = request.GET
    return selectors.LogFilter(
        policy=g.get("policy", "")[:64], kind=g.get("kind", "")[:16], district=g.get("district", "")[:6],
        read=g.get("read", "")[:8], channel=g.get("channel", "")[:16], date_from=_date(g.get("from", "")[:10]),
        date_to=_date(g.get("to", "")[:10]), q=g.get("q", "")[:100].strip(),
    )  # fmt: skip


def _query(request: HttpRequest) -> tuple[str, str]:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode(), (query.urlencode() + "&" if query else "")


def log(request: HttpRequest) -> HttpResponse:
    f = _filter(request)
    page = Paginator(selectors.log(request.user, f), 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    for m in page:
        m.sent_by = [(d.get_channel_display(), selectors.mask_address(d.address), d.get_status_display(), d.sent_at)
                     for d in m.deliveries.all()]  # fmt: skip
    query, prefix = _query(request)
    rates = selectors.read_rates(request.user, f)
    totals = {"n": sum(r["n"] for r in rates), "read": sum(r["read"] for r in rates)}
    totals["rate"] = totals["read"] / totals["n"] if totals["n"] else None
    return render(request, "push/log.html", {
        "page": page, "f": f, "query": query, "prefix": prefix, "rates": rates, "totals": totals,
        "policy_names": _policy_names(), "kinds": KINDS, "channels": CHANNELS,
        "districts": district_codes() if request.user.role != roles.DISTRICT else {},
    })  # fmt: skip


def export(request: HttpRequest) -> HttpResponse:
    f = _filter(request)
    names = _policy_names()
    kinds = dict(KINDS)

    def rows() -> Any:
        for m in selectors.log(request.user, f).iterator(chunk_size=2000):
            sent = "；".join(f"{d.get_channel_display()} {selectors.mask_address(d.address)} {d.get_status_display()}"
                            for d in m.deliveries.all())  # fmt: skip
            yield (m.enterprise.uscc, m.enterprise.name, district(m.enterprise.district_code),
                   names.get(m.policy_id, m.policy_id or m.title), kinds.get(m.kind, m.kind), m.policy_version,
                   m.snapshot_id or "", m.ruleset_hash, m.result_id or "", m.created_at.strftime("%Y-%m-%d %H:%M"),
                   sent or "仅站内信", m.read_at.strftime("%Y-%m-%d %H:%M") if m.read_at else "未读")  # fmt: skip

    header = ["统一社会信用代码", "企业名称", "区县", "政策", "类型", "政策版本", "快照", "规则集哈希", "评估结果编号",
              "生成时间", "外部推送", "阅读时间"]  # fmt: skip
    return xlsx_response(xlsx("推送记录", header, rows()), "push-log.xlsx")


def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "push/jobs.html", {"jobs": selectors.jobs()[:50], "current": current_snapshot()})


@require_POST
@refusals_to(lambda: reverse("push:jobs"))
def job_start(request: HttpRequest) -> HttpResponse:
    which = request.POST.get("snapshot", "")
    job = services.job_start(request.user, int(which) if which.isdigit() else None, request=request)
    return redirect("push:job", pk=job.pk)


def _job_context(pk: int) -> dict[str, Any]:
    job = selectors.job_get(pk)
    counts = selectors.job_counts(job)
    total = sum(counts.values())
    done = counts["sent"] + counts["failed"] + counts["unknown"]
    return {
        "job": job,
        "counts": counts,
        "total": total,
        "percent": int(100 * done / total) if total else (0 if job.status == "running" else 100),
    }


def job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "push/job.html", _job_context(pk))


def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "push/_job_progress.html", _job_context(pk))


@require_POST
@refusals_to(lambda pk: reverse("push:job", kwargs={"pk": pk}))
def job_stop(request: HttpRequest, pk: int) -> HttpResponse:
    services.job_stop(request.user, pk, request=request)
    return redirect("push:job", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("push:job", kwargs={"pk": pk}))
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    services.job_resume(request.user, pk, request=request)
    return redirect("push:job", pk=pk)
