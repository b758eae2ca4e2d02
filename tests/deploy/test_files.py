"""deploy/: the environment example names every variable the code reads; the units run commands that exist;
gunicorn's configuration reads its settings from the environment."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in [*(REPO / "src").rglob("*.py"), DEPLOY / "gunicorn.conf.py"]:
        names |= set(re.findall(r"""(?:environ\.get|environ\[|getenv)\(?\s*["'](GAOQI_[A-Z0-9_]+)""", path.read_text()))
    return names


def test_env_example_lists_every_variable_the_code_reads() -> None:
    listed = set(re.findall(r"^#?(GAOQI_[A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), re.M))
    read = _variables_read_by_the_code()
    assert {"GAOQI_SECRET_KEY", "GAOQI_PG_CONN_MAX_AGE", "GAOQI_WORKERS", "GAOQI_LOG_FORMAT"} <= read
    # the tests' switch and the laptop demo's are named in a comment, not as settings
    assert read - listed - {"GAOQI_TASKS_IMMEDIATE"} == set()


def test_the_units_run_existing_commands() -> None:
    from django.core.management import get_commands

    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").iterdir()}
    assert set(units) == {"gaoqi-web.service", "gaoqi-worker.service", "gaoqi-daily.service", "gaoqi-daily.timer"}
    commands = get_commands()
    for name in ("gaoqi-worker.service", "gaoqi-daily.service"):
        command = re.search(r"^ExecStart=\S+/gaoqi-web (\w+)", units[name], re.M)
        assert command and command.group(1) in commands, name
    assert "gunicorn -c /opt/gaoqi/deploy/gunicorn.conf.py gaoqi.web.wsgi:application" in units["gaoqi-web.service"]
    assert "OnCalendar=" in units["gaoqi-daily.timer"] and "Persistent=true" in units["gaoqi-daily.timer"]
    for text in units.values():
        if "[Service]" in text:
            assert "EnvironmentFile=/etc/gaoqi/gaoqi.env" in text and "User=gaoqi" in text


def test_gunicorn_reads_its_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["workers"] >= 3 and conf["bind"] == "127.0.0.1:8000" and conf["max_requests_jitter"] > 0
    monkeypatch.setenv("GAOQI_WORKERS", "2")
    monkeypatch.setenv("GAOQI_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GAOQI_GRACEFUL_TIMEOUT", "7")
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (conf["workers"], conf["bind"], conf["graceful_timeout"]) == (2, "0.0.0.0:9000", 7)
