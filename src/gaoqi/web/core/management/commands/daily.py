"""``gaoqi-web daily``: every daily job in order, each isolated (core/daily.py); exit code 1 if any failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gaoqi.web.core.daily import JOBS, run_daily


class Command(BaseCommand):
    help = "运行全部每日任务（认定、科技型中小企业、兑现、服务台、监测预警），逐个独立运行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="今日已成功的任务也再运行一次")
        parser.add_argument("--only", action="append", choices=[name for name, _, _ in JOBS], help="只运行该任务")

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = run_daily(force=options["force"], only=options["only"])
        for o in outcomes:
            self.stdout.write(f"{o.job}: {o.status} {o.detail}")
        failed = [o.job for o in outcomes if o.status == "failed"]
        if failed:
            raise CommandError(f"daily jobs failed: {', '.join(failed)}")
