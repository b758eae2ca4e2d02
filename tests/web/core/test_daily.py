"""``gaoqi-web daily`` (core/daily.py): every daily job in order, each isolated, once a day, recorded."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from gaoqi.web.core.daily import JOBS, last_runs
from gaoqi.web.core.models import DailyJobRun

pytestmark = pytest.mark.django_db
NAMES = [name for name, _, _ in JOBS]


def test_every_daily_job_runs_once_a_day_and_is_recorded(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("daily")
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines()] == NAMES
    assert NAMES == ["certification", "techsme", "benefits", "servicedesk", "monitoring", "results"]
    runs = DailyJobRun.objects.order_by("id")
    assert [(r.job, r.ok, r.error) for r in runs] == [(n, True, "") for n in NAMES]
    assert all(r.finished_at is not None for r in runs)
    # the same day again: nothing runs twice
    call_command("daily")
    assert all(line.endswith("skipped already done today") for line in capsys.readouterr().out.splitlines())
    assert DailyJobRun.objects.count() == len(NAMES)
    call_command("daily", "--force", "--only", "benefits")
    assert DailyJobRun.objects.filter(job="benefits").count() == 2
    assert {name: run.ok for name, run in last_runs().items() if run} == dict.fromkeys(NAMES, True)


def test_one_failing_job_does_not_stop_the_others_and_fails_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise RuntimeError("the techsme registry is unreachable")

    monkeypatch.setattr("gaoqi.web.techsme.services.daily", boom)
    with pytest.raises(CommandError, match="daily jobs failed: techsme"):
        call_command("daily")
    runs = {r.job: r for r in DailyJobRun.objects.all()}
    assert set(runs) == set(NAMES)  # the jobs after the failing one ran
    assert [n for n in NAMES if runs[n].ok] == ["certification", "benefits", "servicedesk", "monitoring", "results"]
    assert "RuntimeError: the techsme registry is unreachable" in runs["techsme"].error
    # the next run that day retries only the one that failed
    monkeypatch.undo()
    call_command("daily")
    assert DailyJobRun.objects.filter(job="techsme", ok=True).count() == 1
    assert DailyJobRun.objects.count() == len(NAMES) + 1
