"""The load test, end to end (issue 17, ADR 0041): gunicorn as production runs it, locust's real mix against it,
the figures and the goals.

    GAOQI_HOME=… GAOQI_DATABASE=postgres GAOQI_PG_NAME=… GAOQI_LOAD_PASSWORD=… \\
        python deploy/load/run.py --accounts load-accounts.json --users 200 --spawn-rate 20 --duration 5m --out DIR

1. starts gunicorn with deploy/gunicorn.conf.py and the production settings (DEBUG off, fresh secret keys unless
   the environment has them, the proxy's HTTPS header trusted from 127.0.0.1) on a free loopback port;
   after ``collectstatic`` (the hashed static files production serves; once per GAOQI_HOME);
2. runs ``locust --headless`` with deploy/load/locustfile.py and CSV output into DIR;
3. with ``--restart-pg-at S --pg-data D``: restarts PostgreSQL (``pg_ctl -D D restart -m fast``) S seconds into
   the run — a private cluster only, never the machine's shared one;
4. stops gunicorn (SIGTERM), checks every acknowledged write (``gaoqi-web load_verify``), and prints the figures
   (requests, failures, success %, p50/p95/p99 overall and per request kind, the restart's failures and
   recovery) and whether the goals hold (≥ 99.9 % success, p95 < 500 ms, p99 < 1 s). ``DIR/summary.json``
   keeps them. Exit 0 when the run completed and no write was lost (the goals are reported, not enforced).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GOALS = {"success_pct": 99.9, "p95_ms": 500, "p99_ms": 1000}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(port: int, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GAOQI_DEBUG", "GAOQI_TASKS_IMMEDIATE")}
    env.setdefault("GAOQI_SECRET_KEY", secrets.token_urlsafe(48))
    env.setdefault("GAOQI_AUDIT_KEY", secrets.token_urlsafe(48))
    env.update(
        PYTHONPATH=str(REPO / "src"),
        GAOQI_ALLOWED_HOSTS="127.0.0.1",
        GAOQI_PROXY_SSL_HEADER="1",
        GAOQI_BIND=f"127.0.0.1:{port}",
        GAOQI_WORKERS=str(workers),
        GAOQI_GRACEFUL_TIMEOUT="10",
        GAOQI_LOG_LEVEL="WARNING",  # the application's own request lines: the access log has every request
        DJANGO_SETTINGS_MODULE="gaoqi.web.settings",
    )
    return env


def wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn was not ready within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def as_owner(data_dir: str) -> list[str]:
    """pg_ctl refuses to run as root: run it as the data directory's owner."""
    if os.getuid() != 0:
        return []
    import pwd

    return ["runuser", "-u", pwd.getpwuid(Path(data_dir).stat().st_uid).pw_name, "--"]


def read_stats(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            n, fails = int(r["Request Count"]), int(r["Failure Count"])
            rows.append({
                "name": r["Name"] if r["Name"] != "Aggregated" else "ALL",
                "method": r["Type"],
                "requests": n,
                "failures": fails,
                "success_pct": round(100 * (n - fails) / n, 3) if n else 100.0,
                "p50_ms": _ms(r["50%"]),
                "p95_ms": _ms(r["95%"]),
                "p99_ms": _ms(r["99%"]),
                "max_ms": _ms(r["Max Response Time"]),
                "rps": round(float(r["Requests/s"]), 2),
            })  # fmt: skip
    return rows


def _ms(text: str) -> float:
    return round(float(text), 1) if text not in ("", "N/A") else 0.0


def restart_timeline(failures: Path, access: Path, restart: dict[str, float]) -> dict[str, Any]:
    """What the restart cost: failed requests around it, the last one's delay after PostgreSQL was back, the
    500s the server answered (a storm would be many, long after)."""
    fails = [json.loads(line) for line in failures.read_text().splitlines()] if failures.exists() else []
    back = restart["done"]
    near = [f for f in fails if restart["start"] - 5 <= f["at"] <= back + 60]
    served_500 = []
    for line in access.read_text(errors="replace").splitlines() if access.exists() else []:
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "gunicorn.access" and entry.get("status") == 500:
                served_500.append(entry["time"])
    return {
        "restart_took_s": round(back - restart["start"], 2),
        "failed_requests_around_restart": len(near),
        "failed_requests_whole_run": len(fails),
        "last_failure_after_pg_back_s": round(max(f["at"] for f in near) - back, 2) if near else None,
        "failures_by_name": _count(near, "name"),
        "failures_by_status": _count(near, "status"),
        "http_500_whole_run": len(served_500),
    }


def _count(rows: list[dict[str, Any]], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[str(r[key])] = out.get(str(r[key]), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", required=True, help="the file gaoqi-web load_setup wrote")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--duration", default="5m", help="locust's -t (e.g. 20s, 5m)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("GAOQI_WORKERS", "5")))
    ap.add_argument("--out", required=True, help="directory for the CSV files, logs and summary.json")
    ap.add_argument("--restart-pg-at", type=float, default=None, help="seconds into the run")
    ap.add_argument("--pg-data", default="", help="the private cluster's data directory (pg_ctl -D)")
    ap.add_argument("--collectstatic", action="store_true", help="collect again (after a release's changes)")
    ap.add_argument("--pg-ctl", default="/usr/lib/postgresql/15/bin/pg_ctl")
    args = ap.parse_args(argv)
    if args.restart_pg_at is not None and not args.pg_data:
        ap.error("--restart-pg-at needs --pg-data (a private cluster: never restart a shared PostgreSQL)")

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name in ("journal.jsonl", "failures.jsonl"):
        (out / name).unlink(missing_ok=True)
    port = free_port()
    env = server_env(port, args.workers)
    access = out / "gunicorn.log"
    # the hashed static files production serves (whitenoise's manifest): a page names them, so it needs them;
    # collected (and compressed: minutes on a busy machine) once per GAOQI_HOME unless --collectstatic
    static = Path(env.get("GAOQI_STATIC_ROOT") or Path(env["GAOQI_HOME"]) / "static")
    if args.collectstatic or not (static / "staticfiles.json").exists():
        subprocess.run([str(BIN / "gaoqi-web"), "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True)
    with access.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py"), "gaoqi.web.wsgi:application"],
            env=env, cwd=out, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    restart: dict[str, float] = {}
    try:
        wait_ready(port, server, access)
        load_env = {
            **os.environ,
            "GAOQI_LOAD_ACCOUNTS": str(Path(args.accounts).resolve()),
            "GAOQI_LOAD_JOURNAL": str(out / "journal.jsonl"),
            "GAOQI_LOAD_FAILURES": str(out / "failures.jsonl"),
        }
        cmd = [
            str(BIN / "locust"), "-f", str(REPO / "deploy" / "load" / "locustfile.py"), "--headless",
            "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.duration,
            "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "locust"), "--only-summary",
            "--stop-timeout", "10", "--exit-code-on-error", "0",
        ]  # fmt: skip
        print("$", " ".join(cmd), flush=True)
        started = time.time()
        locust = subprocess.Popen(cmd, env=load_env, stdout=(out / "locust.log").open("w"), stderr=subprocess.STDOUT)
        if args.restart_pg_at is not None:

            def restart_pg() -> None:
                time.sleep(max(0.0, started + args.restart_pg_at - time.time()))
                restart["start"] = time.time()
                subprocess.run([*as_owner(args.pg_data), args.pg_ctl, "-D", args.pg_data, "restart", "-m", "fast", "-w",
                                "-l", str(Path(args.pg_data) / "server.log")], check=True, capture_output=True)  # fmt: skip
                restart["done"] = time.time()

            drill = threading.Thread(target=restart_pg, daemon=True)
            drill.start()
        locust.wait()
        if args.restart_pg_at is not None:
            drill.join(timeout=120)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    stats = read_stats(out / "locust_stats.csv")
    with (out / "locust_exceptions.csv").open(encoding="utf-8") as f:  # the locustfile's own errors
        user_errors = sum(int(r["Count"]) for r in csv.DictReader(f))
    overall = next(r for r in stats if r["name"] == "ALL")
    verify = subprocess.run(
        [str(BIN / "gaoqi-web"), "load_verify", str(out / "journal.jsonl")],
        env={**env, "GAOQI_LOAD_JOURNAL": ""}, capture_output=True, text=True,
    ) if (out / "journal.jsonl").exists() else None  # fmt: skip
    summary: dict[str, Any] = {
        "users": args.users,
        "duration": args.duration,
        "workers": args.workers,
        "overall": overall,
        "by_kind": [r for r in stats if r["name"] != "ALL"],
        "goals": GOALS,
        "goals_met": {
            "success_pct": overall["success_pct"] >= GOALS["success_pct"],
            "p95_ms": overall["p95_ms"] < GOALS["p95_ms"],
            "p99_ms": overall["p99_ms"] < GOALS["p99_ms"],
        },
        "writes": json.loads(verify.stdout.strip().splitlines()[-1]) if verify and verify.stdout.strip() else None,
        "writes_ok": verify is None or verify.returncode == 0,
        "locustfile_errors": user_errors,
    }
    if restart:
        summary["restart"] = restart_timeline(out / "failures.jsonl", access, restart)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    print(f"{'request kind':<52} {'n':>7} {'fail':>5} {'ok %':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}")
    for r in [*summary["by_kind"], overall]:
        print(f"{r['method'] + ' ' + r['name']:<52} {r['requests']:>7} {r['failures']:>5} {r['success_pct']:>8} "
              f"{r['p50_ms']:>6.0f} {r['p95_ms']:>6.0f} {r['p99_ms']:>6.0f} {r['max_ms']:>7.0f}")  # fmt: skip
    print("goals (success ≥ 99.9 %, p95 < 500 ms, p99 < 1000 ms):", summary["goals_met"])
    print("acknowledged writes:", summary["writes"], "OK" if summary["writes_ok"] else "LOST")
    if restart:
        print("PostgreSQL restart:", json.dumps(summary["restart"], ensure_ascii=False))
    if user_errors:
        print(f"the locustfile raised {user_errors} time(s): see {out / 'locust_exceptions.csv'}")
    return 0 if summary["writes_ok"] and overall["requests"] > 0 and not user_errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
