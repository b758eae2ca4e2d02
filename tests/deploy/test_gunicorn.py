"""The production shape, exercised (ADR 0038): gunicorn with two workers and deploy/gunicorn.conf.py, DEBUG off,
production keys, whitenoise serving what ``collectstatic`` gathered, JSON log lines; stopped with SIGTERM.

SQLite in a temporary GAOQI_HOME, then PostgreSQL (database ``gaoqi_deploy``, recreated); an ephemeral loopback
port; the served part bounded (≤ 60 s)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOQI_", "DJANGO_"))}
    env.update(
        PYTHONPATH=str(REPO / "src"),
        GAOQI_HOME=str(home),
        GAOQI_SECRET_KEY=secrets.token_urlsafe(48),
        GAOQI_AUDIT_KEY=secrets.token_urlsafe(48),
        GAOQI_ALLOWED_HOSTS="127.0.0.1",
        GAOQI_PROXY_SSL_HEADER="1",
        GAOQI_BIND=f"127.0.0.1:{port}",
        GAOQI_WORKERS="2",
        GAOQI_GRACEFUL_TIMEOUT="10",
        DJANGO_SETTINGS_MODULE="gaoqi.web.settings",
    )
    return env


def _manage(env: dict[str, str], *commands: tuple[str, ...]) -> None:
    """The commands side by side (migrate and collectstatic are independent: half the wait on 2 cores)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "gaoqi.web.manage", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for args in commands
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"X-Forwarded-Proto": "https", **headers})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def _fresh_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this environment")
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_gunicorn_serves_the_platform_with_static_files_probes_and_json_logs(tmp_path: Path, database: str) -> None:
    port = _free_port()
    (tmp_path / "home").mkdir()
    env = _env(tmp_path / "home", port)
    if database == "postgres":  # the production database, in its own test database (PostgreSQL at 127.0.0.1)
        _fresh_postgres_database("gaoqi_deploy")
        env.update(GAOQI_DATABASE="postgres", GAOQI_PG_NAME="gaoqi_deploy")
    _manage(env, ("migrate", "--verbosity", "0"), ("collectstatic", "--noinput", "--verbosity", "0"))
    manifest = json.loads((tmp_path / "home" / "static" / "staticfiles.json").read_text())["paths"]
    htmx = manifest["vendor/htmx/htmx.min.js"]
    assert htmx != "vendor/htmx/htmx.min.js"  # a hashed name: cached for a year, a new release gets a new name

    started = time.monotonic()  # the preparation (migrate + collectstatic) takes 30-45 s on the shared 2 cores
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", str(REPO / "deploy" / "gunicorn.conf.py"), "gaoqi.web.wsgi:application"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(port, "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.2)

        health = _get(port, "/healthz")
        assert json.loads(health.body) == {"status": "ok"}  # type: ignore[attr-defined]
        # a probe over plain HTTP (no proxy header) is answered, not redirected to HTTPS
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()

        ready = _get(port, "/readyz", **{"X-Request-ID": "probe-1"})
        body = json.loads(ready.body)  # type: ignore[attr-defined]
        assert ready.status == 200, body
        assert body["status"] == "ready"
        assert {name: check["ok"] for name, check in body["checks"].items()} == {
            "database": True,
            "migrations": True,
            "snapshot": True,
        }
        assert ready.getheader("X-Request-ID") == "probe-1"

        asset = _get(port, f"/static/{htmx}", **{"Accept-Encoding": "gzip"})
        assert asset.status == 200
        assert "max-age=315360000" in (asset.getheader("Cache-Control") or "")
        assert asset.getheader("Content-Encoding") == "gzip"
        plain = _get(port, f"/static/{htmx}")
        assert plain.status == 200 and len(plain.body) > len(asset.body)  # type: ignore[attr-defined]

        login = _get(port, "/accounts/login/", **{"X-Request-ID": "login-1"})
        assert login.status == 200
        assert "登录" in login.body.decode()  # type: ignore[attr-defined]
        assert login.getheader("Strict-Transport-Security")  # served as HTTPS behind the proxy

        # without the proxy's header a page is redirected to HTTPS
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/accounts/login/")
        assert conn.getresponse().status == 301
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        log.close()
    assert code == 0
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access"]
    assert any(line["path"] == "/accounts/login/" and line["status"] == 200 for line in access), lines
    assert any(line["path"] == "/readyz" and line["request_id"] == "probe-1" for line in access)
    app = [line for line in lines if line.get("logger") == "gaoqi.request"]
    assert any(
        line["path"] == "/accounts/login/" and line["request_id"] == "login-1" and line["status"] == 200 for line in app
    ), lines
    assert time.monotonic() - started < 60  # start, probes, pages, graceful stop
