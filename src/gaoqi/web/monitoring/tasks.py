"""监测预警's daily job (django-tasks; ``gaoqi-web monitoring_escalate`` runs the same from cron): warnings still
open past their handling limit escalated (督办) once, the municipal office told."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def monitoring_daily() -> dict[str, Any]:
    from gaoqi.web.monitoring.services import daily

    return daily()
