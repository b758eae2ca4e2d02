"""``gaoqi-web worker``: recover the runs a crash interrupted, then run django-tasks' database worker.

A worker killed during a pipeline run leaves its snapshot RUNNING and its task result RUNNING; nothing else
would ever reclaim them. Starting the worker marks them failed first (``snapshot_recover_interrupted``) and queues them again while they have
attempts left (``GAOQI_RUN_ATTEMPTS``, ADR 0042), then
processes the queue exactly as ``db_worker`` does (same options: ``--batch``, ``--no-reload``, …).
"""

from __future__ import annotations

import os
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from gaoqi.web.intake.services import snapshot_recover_interrupted


class Command(DbWorkerCommand):
    help = "Mark runs interrupted by a crash as failed, then run the background worker (db_worker)."

    def handle(self, *args: Any, **options: Any) -> None:
        if os.environ.get("DJANGO_AUTORELOAD_ENV") != "true":  # once, not again in the autoreloader's child
            recovered = snapshot_recover_interrupted(None, retry=True)  # retried while attempts remain
            if recovered:
                self.stdout.write(
                    "运行中断，已标记为失败 (interrupted runs marked failed): "
                    + ", ".join(f"#{pk}" for pk in recovered)
                )
        super().handle(*args, **options)
