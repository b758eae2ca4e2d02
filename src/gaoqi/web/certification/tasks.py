"""Daily jobs (django-tasks; `gaoqi-web certification_daily` runs the same from cron): close publicity periods
that ended without objections, remind annual reports in May, remind renewals six months ahead, complete renames
whose publicity ended."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def certification_daily() -> dict[str, Any]:
    from gaoqi.web.certification.services import daily

    return daily()
