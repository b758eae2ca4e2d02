"""The sending job's statuses: running → stopping (asked, between batches) → stopped → running (resumed) → done;
``failed`` when the job itself broke (its deliveries keep their own statuses)."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, Transition, Workflow, register

RUNNING, STOPPING, STOPPED, DONE, FAILED = "running", "stopping", "stopped", "done", "failed"
SENDERS = frozenset({roles.MUNICIPAL})

JOB = register(
    Workflow(
        name="push_job",
        noun="推送任务",
        statuses={RUNNING: "发送中", STOPPING: "正在停止", STOPPED: "已停止", DONE: "已完成", FAILED: "失败"},
        transitions=(
            Transition("start", NEW, RUNNING, SENDERS, "开始发送"),
            Transition("stop", RUNNING, STOPPING, SENDERS, "停止"),
            Transition("halt", STOPPING, STOPPED, frozenset({SYSTEM}), "已停止", audit=""),
            Transition("resume", STOPPED, RUNNING, SENDERS, "继续发送"),
            Transition("finish", RUNNING, DONE, frozenset({SYSTEM}), "发送完成", audit=""),
            Transition("finish_stopping", STOPPING, DONE, frozenset({SYSTEM}), "发送完成", audit=""),
            Transition("fail", RUNNING, FAILED, frozenset({SYSTEM}), "失败"),
            Transition("resume_failed", FAILED, RUNNING, SENDERS, "继续发送", audit="push_job.resume"),
        ),
    )
)
