"""The platform as a department feed (ADR 0011): the certificates this platform issued, revoked and renamed, the
enterprise names its completed renames report, and (for the warning rules, ADR 0029) the applications it received
and the annual development reports filed on it, and (for the review signals, ADR 0036) the applications' agents and
R&D projects, written as files in the engine's own feed formats
(``engine/schemas/certificate.json``, ``name_change.json``) for the next pipeline run to ingest like any
department's delivery, with the source 高企认定系统 in the file's name (so every provenance that shows a file
and line shows it).

The bytes are a function of the database only (no timestamp, a fixed order): an unchanged platform gives the
same file, which the ingest skips; a change (a certificate issued, revoked or replaced, a rename completed)
gives a new delivery, whose rows win in the engine's current views (``<feed>_cur``: the latest delivery of
each key wins). The certificate key is (uscc, kind, number): a renamed enterprise's replacing certificate has
the same number, so only the live one is written and the replaced one never counts twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.utils import timezone

from gaoqi.engine import feed_spec
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.models import AnnualReport, Application, Certificate, NameChange

SOURCE = "高企认定系统"
CERTIFICATE_FILE = f"certificate_{SOURCE}.csv"
NAME_CHANGE_FILE = f"name_change_{SOURCE}.csv"
APPLICATION_FILE = f"hte_application_{SOURCE}.csv"
ANNUAL_REPORT_FILE = f"hte_annual_report_{SOURCE}.csv"
RD_PROJECT_FILE = f"hte_rd_project_{SOURCE}.csv"

#: An application's status in the hte_application feed's enumeration (a draft is never written: not submitted).
APPLICATION_STATUS_CODES = {
    wf.CORRECTION: "in_review",
    wf.DISTRICT_REVIEW: "in_review",
    wf.MUNICIPAL_REVIEW: "in_review",
    wf.EXPERT_REVIEW: "in_review",
    wf.DECISION: "in_review",
    wf.PUBLICITY: "in_review",
    wf.CERTIFIED: "certified",
    wf.FILED: "certified",
    wf.REJECTED: "rejected",
    wf.WITHDRAWN: "withdrawn",
    wf.REVOKED: "revoked",
}

#: The platform's certificate statuses in the feed's enumeration (``replaced`` is never written: its
#: replacing certificate carries the same key).
STATUS_CODES = {
    Certificate.VALID: "valid",
    Certificate.REVOKED: "revoked",
    Certificate.CANCELLED: "revoked",  # 注销: no longer a qualification, as the feed's 取消
    Certificate.EXPIRED: "expired",
}


def _codes(feed: str, field: str) -> dict[str, str]:
    """Every accepted spelling of an enumerated field (its code and its Chinese aliases) → the code."""
    spec = feed_spec(feed).field(field)
    out = {code: code for code in spec.aliases}
    out.update({alias: code for code, aliases in spec.aliases.items() for alias in aliases})
    return out


def is_platform_file(file_name: str) -> bool:
    """Whether a delivered file (a ``loads.file_name``) is one this module writes."""
    return file_name in (CERTIFICATE_FILE, NAME_CHANGE_FILE, APPLICATION_FILE, ANNUAL_REPORT_FILE, RD_PROJECT_FILE)


def certificate_rows() -> list[dict[str, Any]]:
    """One row per certificate number: the live certificate (a replaced one is superseded by its replacement)."""
    fields = _codes("certificate", "tech_field")
    rows = []
    certs = Certificate.objects.exclude(status=Certificate.REPLACED).order_by("number", "uscc", "pk")
    for c in certs:
        rows.append(
            {
                "uscc": c.uscc,
                "kind": "hte",
                "number": c.number,
                "issue_date": c.issue_date.isoformat(),
                "expiry_date": c.expiry_date.isoformat(),
                "status": STATUS_CODES.get(c.status, "revoked"),
                "tech_field": fields.get(c.tech_field, ""),
            }
        )
    return rows


def name_change_rows() -> list[dict[str, Any]]:
    """One row per completed rename, dated the day the replacing certificate was issued (for a rename completed
    before that day was recorded: the first day it could have been, the day after its publicity ended)."""
    rows = []
    done = NameChange.objects.filter(status="done").select_related("certificate").order_by("pk")
    for nc in done:
        day = nc.completed_on or (nc.publicity_end + dt.timedelta(days=1) if nc.publicity_end else None)
        if day is None or nc.old_name == nc.new_name:
            continue
        rows.append(
            {
                "uscc": nc.certificate.uscc,
                "old_name": nc.old_name,
                "new_name": nc.new_name,
                "change_date": day.isoformat(),
            }
        )
    return rows


def _latest_submitted() -> dict[tuple[str, int], Application]:
    """Per enterprise and batch year (the feed's key): the latest submitted application of that year (a rejected
    or withdrawn one followed by another: the later); drafts and statuses the feed has no code for are left out."""
    latest: dict[tuple[str, int], Application] = {}
    apps = Application.objects.exclude(status=wf.DRAFT).exclude(submitted_at=None).order_by("submitted_at", "pk")
    for app in apps.only("uscc", "year", "status", "submitted_at", "form"):
        if app.status in APPLICATION_STATUS_CODES:
            latest[(app.uscc, app.year)] = app
    return latest


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def application_rows() -> list[dict[str, Any]]:
    """One row per enterprise and batch year: its latest submitted application's submission day (Beijing time),
    status and agent (申报代理机构, blank when the enterprise named none; the review signals' shared agent)."""
    latest = _latest_submitted()
    return [
        {
            "uscc": uscc,
            "batch_year": year,
            "submitted_date": timezone.localtime(app.submitted_at).date().isoformat(),
            "status": APPLICATION_STATUS_CODES[app.status],
            "agent_name": _one_line((app.form or {}).get("agent_name")),
        }
        for (uscc, year), app in sorted(latest.items())
    ]


def rd_project_rows() -> list[dict[str, Any]]:
    """One row per R&D project (研究开发活动) of the same applications as ``application_rows``: its code (RD01) and
    text as the enterprise typed it (the name and any description after it, one line; the name alone as
    ``project_name``), in code order. A code given twice keeps its first line (the feed's key is enterprise, year
    and code); a code without text is left out (the text is required)."""
    rows: list[dict[str, Any]] = []
    for (uscc, year), app in sorted(_latest_submitted().items()):
        seen: dict[str, str] = {}
        for item in (app.form or {}).get("rd_projects") or []:
            code, text = _one_line(item.get("code")), _one_line(item.get("name"))
            if code and text and code not in seen:
                seen[code] = text
        rows.extend(
            {"uscc": uscc, "batch_year": year, "project_code": code, "project_name": _project_name(text),
             "project_text": text}
            for code, text in sorted(seen.items())
        )  # fmt: skip
    return rows


def _project_name(text: str) -> str:
    """A project line's name: before its description ("名称：简述" → 名称), else the whole line."""
    for mark in ("：", ":"):
        name, found, _ = text.partition(mark)
        if found and name.strip():
            return name.strip()
    return text


def annual_report_rows() -> list[dict[str, Any]]:
    """One row per enterprise and report year: the first report filed (a replacing certificate's report of the
    same year is the same enterprise's)."""
    first: dict[tuple[str, int], dict[str, Any]] = {}
    reports = AnnualReport.objects.order_by("submitted_at", "pk").values_list(
        "certificate__uscc", "year", "submitted_at"
    )
    for uscc, year, submitted_at in reports:
        if (uscc, year) not in first:
            first[(uscc, year)] = {
                "uscc": uscc,
                "report_year": year,
                "submitted_date": timezone.localtime(submitted_at).date().isoformat(),
            }
    return [first[k] for k in sorted(first)]


def render(feed: str, rows: list[dict[str, Any]]) -> bytes:
    """A feed file: UTF-8, the schema's Chinese headers, one row a line."""
    spec = feed_spec(feed)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([f.title for f in spec.fields])
    for row in rows:
        w.writerow([row.get(f.name, "") for f in spec.fields])
    return out.getvalue().encode("utf-8")


def feed_files() -> dict[str, bytes]:
    """The platform's delivery: file name → bytes (a feed with no row yet gives no file). Applications and annual
    reports are written, even without a row, once the platform issues certificates: it is then where they are
    filed, so no row means none was (the warning rules read FALSE, not unknown); the applications' R&D projects
    likewise (the review signals, ADR 0036)."""
    files = {}
    certs = certificate_rows()
    if certs:
        files[CERTIFICATE_FILE] = render("certificate", certs)
    if renames := name_change_rows():
        files[NAME_CHANGE_FILE] = render("name_change", renames)
    if (apps := application_rows()) or certs:
        files[APPLICATION_FILE] = render("hte_application", apps)
    if (reports := annual_report_rows()) or certs:
        files[ANNUAL_REPORT_FILE] = render("hte_annual_report", reports)
    if (projects := rd_project_rows()) or certs:
        files[RD_PROJECT_FILE] = render("hte_rd_project", projects)
    return files
