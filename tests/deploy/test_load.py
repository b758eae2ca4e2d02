"""The load test at small scale (issue 17, ADR 0041): locust's real mix (deploy/load/locustfile.py) through the
runner (deploy/load/run.py) against real gunicorn with the production settings, on a small published demo in a
private PostgreSQL cluster (its own initdb, on a free port: it is restarted, so never the machine's shared one).

- the mix: 20 users for 20 s; requests of every kind of user, not one failure, every acknowledged write stored;
- the restart drill: PostgreSQL restarted (``pg_ctl restart -m fast``) 10 s into a run; no 500 at all (a request
  cut off is answered 503), the last failure within a few seconds of PostgreSQL being back, every write the
  users saw succeed still in the database afterwards.

Skipped without locust (``pip install '.[load]'``) or PostgreSQL 15's server binaries."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
USER_KINDS = ("enterprise:", "district:", "expert:", "municipal:")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (BIN / "locust").exists(), reason="locust is not installed (pip install '.[load]')"),
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL 15's server binaries are not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    """initdb and pg_ctl refuse to run as root: as the postgres account then."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root without a postgres account to run the private cluster")
    return ["runuser", "-u", "postgres", "--"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, Any]]:
    """A private PostgreSQL cluster: initdb in a temporary directory, started on a free loopback port."""
    root = Path(tempfile.mkdtemp(prefix="gaoqi-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port, sudo = root / "data", _free_port(), _as_postgres()
    subprocess.run([*sudo, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                   check=True, capture_output=True)  # fmt: skip
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n")
    ctl = [*sudo, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log")]
    subprocess.run([*ctl, "-w", "start"], check=True, capture_output=True)
    try:
        yield {"data": data, "port": port}
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def platform(cluster: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small synthetic population ingested and published into the cluster's database, and the static files
    collected (production settings throughout: DEBUG off, real keys, Argon2)."""
    import psycopg

    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.synth import generate

    root = tmp_path_factory.mktemp("load")
    home, feeds = root / "home", root / "feeds"
    generate(feeds, enterprises=300, seed=7)
    ingest_directory(home, feeds)
    with psycopg.connect(f"host=127.0.0.1 port={cluster['port']} user=postgres dbname=postgres",
                         autocommit=True) as conn:  # fmt: skip
        conn.execute("CREATE DATABASE gaoqi_load")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOQI_", "DJANGO_"))}
    env.update(
        PYTHONPATH=str(REPO / "src"),
        GAOQI_HOME=str(home),
        GAOQI_SECRET_KEY=secrets.token_urlsafe(48),
        GAOQI_AUDIT_KEY=secrets.token_urlsafe(48),
        GAOQI_ALLOWED_HOSTS="127.0.0.1",
        GAOQI_DATABASE="postgres",
        GAOQI_PG_PORT=str(cluster["port"]),
        GAOQI_PG_NAME="gaoqi_load",
        GAOQI_LOAD_PASSWORD=secrets.token_urlsafe(16),
        GAOQI_LOAD_THINK="1,3",  # shorter pauses than people take: a 20 s run sees every kind of request
        DJANGO_SETTINGS_MODULE="gaoqi.web.settings",
    )
    web = [sys.executable, "-m", "gaoqi.web.manage"]
    steps = [subprocess.Popen([*web, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for args in (["migrate", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"])]  # fmt: skip
    for step in steps:
        out, _ = step.communicate(timeout=300)
        assert step.returncode == 0, out
    done = subprocess.run([*web, "publish", "--as-of", "2026-06-30"], env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {"env": env, "accounts": root / "accounts.json", "root": root}


def _run(platform: dict[str, Any], out: Path, *extra: str) -> dict[str, Any]:
    # a fresh accounts file per run: each expert's list leaves out what an earlier run scored
    setup = subprocess.run(
        [sys.executable, "-m", "gaoqi.web.manage", "load_setup", "--enterprises", "12", "--officials", "4",
         "--municipal", "2", "--experts", "6", "--expert-applications", "30", "--out", str(platform["accounts"])],
        env=platform["env"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    run = subprocess.run(
        [sys.executable, str(REPO / "deploy" / "load" / "run.py"), "--accounts", str(platform["accounts"]),
         "--users", "20", "--spawn-rate", "10", "--workers", "2", "--out", str(out), *extra],
        env=platform["env"], capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    summary = json.loads((out / "summary.json").read_text()) if (out / "summary.json").exists() else None
    assert run.returncode == 0 and summary is not None, run.stdout[-3000:] + run.stderr[-3000:]
    return summary


def test_the_real_mix_runs_against_gunicorn_without_a_failure(platform: dict[str, Any]) -> None:
    s = _run(platform, platform["root"] / "mix", "--duration", "20s")
    names = [r["name"] for r in s["by_kind"]]
    for kind in USER_KINDS:  # every kind of user made requests
        assert any(n.startswith(kind) for n in names), (kind, names)
    assert {"login", "municipal: policy simulation", "enterprise: save application form (POST)"} <= set(names)
    overall = s["overall"]
    assert overall["requests"] > 40 and overall["failures"] == 0, s
    assert s["writes"]["acknowledged_forms"] > 0 and s["writes"]["missing"] == [] and s["writes_ok"]
    assert s["locustfile_errors"] == 0


def test_a_postgresql_restart_mid_load_costs_seconds_no_500_and_no_write(
    platform: dict[str, Any], cluster: dict[str, Any]
) -> None:
    s = _run(platform, platform["root"] / "restart", "--duration", "25s", "--restart-pg-at", "10",
             "--pg-data", str(cluster["data"]))  # fmt: skip
    r = s["restart"]
    assert r["http_500_whole_run"] == 0, r  # a request cut off is a 503 (try again), never a 500
    assert r["failed_requests_whole_run"] == r["failed_requests_around_restart"]  # only the restart failed any
    assert r["failed_requests_around_restart"] <= 20, r  # the requests in flight at the restart, not a storm
    assert r["last_failure_after_pg_back_s"] is None or r["last_failure_after_pg_back_s"] < 5, r
    assert s["writes_ok"] and s["writes"]["missing"] == [], s["writes"]
    assert s["writes"]["acknowledged_forms"] > 0
    assert s["overall"]["requests"] > 40
