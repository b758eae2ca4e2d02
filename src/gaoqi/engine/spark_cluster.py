"""A Spark standalone cluster on this machine — one master, N workers — for the engine's scale-out path (ADR 0040).

``start_cluster`` launches the master and the workers as separate JVMs with pyspark's own ``spark-class`` (the pip
package ships the Spark distribution but not ``sbin/start-master.sh``), bound to one host, each in its own process
group, with their logs, work and scratch directories under one root (``$GAOQI_HOME/spark`` from the CLI). It
returns once the master's JSON (``http://host:webui/json/``) lists every worker ALIVE, and records the process ids
and URLs in ``root/cluster.json``, so that ``stop_cluster`` (from any process) ends exactly those JVMs and the
executors they started, and ``cluster_status`` reports them.

The engine uses such a cluster through ``spark.spark_session(master=…)`` and a *shared* directory: the driver
writes the tables the SQL reads there, the executors read them and write the results there (``evaluate_spark``'s
``work_dir``). On one machine every path is shared; in a real deployment it is a mount every worker sees (NFS).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "cluster.json"

# The daemons' own log lines go to root/logs/*.log; INFO is what an operator reads there (registrations, lost
# workers, executors launched and exited).
_DAEMON_LOG4J2 = """\
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_OUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
"""


class ClusterError(RuntimeError):
    """The cluster did not start, or is not what its state file says."""


@dataclass(frozen=True)
class ClusterSpec:
    """What to start: ports (0 = a free one, chosen now), the workers' cores and memory (what each offers to
    executors; the daemons themselves take ``daemon_memory``)."""

    root: Path
    host: str = "127.0.0.1"
    master_port: int = 7077
    webui_port: int = 8080
    workers: int = 2
    worker_cores: int = 1
    worker_memory: str = "3g"
    daemon_memory: str = "512m"
    worker_webui_ports: tuple[int, ...] = ()  # default: webui_port + 1, + 2, …


@dataclass(frozen=True)
class Cluster:
    """A started cluster, as recorded in ``root/cluster.json``."""

    root: Path
    master_url: str
    webui_url: str
    pids: dict[str, int] = field(default_factory=dict)  # "master", "worker-1", … → JVM pid (= its process group)
    worker_webui_urls: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["root"] = str(self.root)
        data["worker_webui_urls"] = list(self.worker_webui_urls)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cluster:
        return cls(
            root=Path(data["root"]),
            master_url=str(data["master_url"]),
            webui_url=str(data["webui_url"]),
            pids={str(k): int(v) for k, v in data["pids"].items()},
            worker_webui_urls=tuple(str(u) for u in data.get("worker_webui_urls", ())),
        )


# Popen objects of the daemons this process started: kept so that they are reaped (no zombie, no ResourceWarning)
_children: dict[int, subprocess.Popen[bytes]] = {}


def spark_home() -> Path:
    """The Spark distribution: ``$SPARK_HOME``, else the one inside the pyspark package."""
    env = os.environ.get("SPARK_HOME")
    if env:
        return Path(env)
    try:
        import pyspark
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ClusterError("a Spark cluster needs pyspark: install the extra with `pip install '.[spark]'`") from e
    return Path(pyspark.__file__).resolve().parent


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now (for tests and side-by-side clusters)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
    return port


def master_json(webui_url: str, timeout: float = 5.0) -> dict[str, Any]:
    """The master's state: workers (id, state, cores, memory), alive workers, applications, status."""
    with urllib.request.urlopen(f"{webui_url}/json/", timeout=timeout) as response:
        data: dict[str, Any] = json.load(response)
    return data


def _alive(pid: int) -> bool:
    """Is ``pid`` a running process (a zombie counts as ended)?"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _is_spark_daemon(pid: int) -> bool:
    """Is ``pid`` a Spark master or worker JVM (not a process that took a recycled id)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return b"org.apache.spark.deploy." in cmdline


def _reap(pid: int) -> None:
    child = _children.pop(pid, None)
    if child is not None:
        child.wait()


def read_state(root: Path) -> Cluster | None:
    """The cluster recorded under ``root``, or None."""
    path = root / STATE_FILE
    if not path.exists():
        return None
    return Cluster.from_json(json.loads(path.read_text(encoding="utf-8")))


def _launch(root: Path, name: str, args: list[str], env: Mapping[str, str]) -> int:
    """Start ``spark-class ARGS`` (it execs the JVM: the pid is the JVM's) in its own session, logging to
    root/logs/NAME.log; return the pid."""
    log = (root / "logs" / f"{name}.log").open("ab")
    try:
        child = subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=root,
            start_new_session=True,  # own process group: stop ends the JVM and the executors it forked
        )
    finally:
        log.close()
    _children[child.pid] = child
    return child.pid


def _wait_for(webui_url: str, workers: int, deadline: float, pids: Mapping[str, int]) -> dict[str, Any]:
    """Poll the master's JSON until ``workers`` workers are ALIVE; raise if a daemon exits or time runs out."""
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        dead = [name for name, pid in pids.items() if not _alive(pid)]
        if dead:
            raise ClusterError(f"{', '.join(dead)} exited during start-up")
        try:
            last = master_json(webui_url, timeout=2.0)
        except (urllib.error.URLError, OSError, ValueError):
            last = {}
        alive = [w for w in last.get("workers", []) if w.get("state") == "ALIVE"]
        if last.get("status") == "ALIVE" and len(alive) >= workers:
            return last
        time.sleep(0.5)
    raise ClusterError(f"{workers} workers not registered in time (master says {last.get('aliveworkers', '?')})")


def start_cluster(spec: ClusterSpec, timeout: float = 120.0) -> Cluster:
    """Start the master and ``spec.workers`` workers; return once every worker is registered.

    Refuses when ``spec.root`` already records a running cluster. On any failure, what was started is stopped
    again and ``ClusterError`` names the log to read.
    """
    root = spec.root.resolve()
    running = read_state(root)
    if running is not None and any(_alive(p) and _is_spark_daemon(p) for p in running.pids.values()):
        raise ClusterError(f"a cluster is already running from {root} ({running.master_url}): stop it first")
    for sub in ("logs", "conf", "work", "local"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    master_port = spec.master_port or free_port(spec.host)
    webui_port = spec.webui_port or free_port(spec.host)
    worker_ports = list(spec.worker_webui_ports) or [
        (webui_port + i if spec.webui_port else free_port(spec.host)) for i in range(1, spec.workers + 1)
    ]
    if len(worker_ports) != spec.workers:
        raise ValueError(f"{spec.workers} workers need {spec.workers} web UI ports, not {len(worker_ports)}")
    log4j = root / "conf" / "log4j2.properties"
    log4j.write_text(_DAEMON_LOG4J2, encoding="utf-8")
    props = root / "conf" / "spark-defaults.conf"
    # no REST submission server: it would take port 6066 for every cluster and the engine does not submit through it
    props.write_text(
        "spark.master.rest.enabled false\n"
        "spark.ui.reverseProxy false\n"
        # executors' work dirs of finished applications are removed after a day
        "spark.worker.cleanup.enabled true\n"
        "spark.worker.cleanup.appDataTtl 86400\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "SPARK_LOCAL_IP": spec.host,
        "SPARK_DAEMON_MEMORY": spec.daemon_memory,
        "SPARK_DAEMON_JAVA_OPTS": f"-Dlog4j2.configurationFile={log4j.as_uri()} -Duser.timezone=UTC",
        "SPARK_LOG_DIR": str(root / "logs"),
        "SPARK_HOME": str(spark_home()),
        "PYSPARK_PYTHON": sys.executable,
    }
    master_url = f"spark://{spec.host}:{master_port}"
    webui_url = f"http://{spec.host}:{webui_port}"
    pids: dict[str, int] = {}
    try:
        pids["master"] = _launch(
            root,
            "master",
            [
                "org.apache.spark.deploy.master.Master",
                *("--host", spec.host, "--port", str(master_port), "--webui-port", str(webui_port)),
                *("--properties-file", str(props)),
            ],
            env,
        )
        deadline = time.monotonic() + timeout
        _wait_for(webui_url, 0, deadline, pids)
        for i, ui_port in enumerate(worker_ports, start=1):
            name = f"worker-{i}"
            work, local = root / "work" / name, root / "local" / name
            work.mkdir(exist_ok=True)
            local.mkdir(exist_ok=True)
            pids[name] = _launch(
                root,
                name,
                [
                    "org.apache.spark.deploy.worker.Worker",
                    *("--host", spec.host, "--cores", str(spec.worker_cores), "--memory", spec.worker_memory),
                    *("--work-dir", str(work), "--webui-port", str(ui_port), "--properties-file", str(props)),
                    master_url,
                ],
                {**env, "SPARK_LOCAL_DIRS": str(local)},  # executors' shuffle and spill files
            )
        _wait_for(webui_url, spec.workers, deadline, pids)
    except BaseException as e:
        _stop_pids(pids)
        if isinstance(e, ClusterError):
            raise ClusterError(f"{e}; see the logs in {root / 'logs'}") from e
        raise
    cluster = Cluster(
        root=root,
        master_url=master_url,
        webui_url=webui_url,
        pids=pids,
        worker_webui_urls=tuple(f"http://{spec.host}:{p}" for p in worker_ports),
    )
    (root / STATE_FILE).write_text(json.dumps(cluster.to_json(), indent=2) + "\n", encoding="utf-8")
    return cluster


def _stop_pids(pids: Mapping[str, int], timeout: float = 30.0) -> list[str]:
    """SIGTERM each daemon's process group (workers first: they end their executors), wait, SIGKILL what is left;
    return the names that were running."""
    order = sorted(pids, key=lambda n: n == "master")
    stopped: list[str] = []
    for name in order:
        pid = pids[name]
        if not (_alive(pid) and _is_spark_daemon(pid)):
            _reap(pid)
            continue
        stopped.append(name)
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for name in stopped:
        pid = pids[name]
        while _alive(pid) and time.monotonic() < deadline:
            if pid in _children and _children[pid].poll() is not None:
                break
            time.sleep(0.2)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
        _reap(pid)
    # executors that outlived their worker's shutdown share its process group
    for name in stopped:
        _signal_group(pids[name], signal.SIGKILL)
    return stopped


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    """Signal a daemon's process group (the daemon and the executors it forked); gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_cluster(root: Path, timeout: float = 30.0) -> list[str]:
    """Stop the cluster recorded under ``root`` (its JVMs and their executors); return the daemons that were
    running. The state file is removed; nothing is done when there is none."""
    root = root.resolve()
    cluster = read_state(root)
    if cluster is None:
        return []
    stopped = _stop_pids(cluster.pids, timeout)
    (root / STATE_FILE).unlink(missing_ok=True)
    return stopped


def cluster_status(root: Path) -> dict[str, Any]:
    """The recorded cluster, which of its daemons run, and what the master says (workers, cores, applications)."""
    root = root.resolve()
    cluster = read_state(root)
    if cluster is None:
        return {"root": str(root), "running": False}
    daemons = {name: _alive(pid) and _is_spark_daemon(pid) for name, pid in cluster.pids.items()}
    data: dict[str, Any] = {**cluster.to_json(), "daemons": daemons, "running": all(daemons.values())}
    try:
        state = master_json(cluster.webui_url)
    except (urllib.error.URLError, OSError, ValueError) as e:
        data["master"] = {"error": str(e)}
    else:
        data["master"] = {
            "status": state.get("status"),
            "aliveworkers": state.get("aliveworkers"),
            "cores": state.get("cores"),
            "coresused": state.get("coresused"),
            "memory_mb": state.get("memory"),
            "workers": [
                {k: w.get(k) for k in ("id", "host", "port", "state", "cores", "memory")}
                for w in state.get("workers", [])
            ],
            "activeapps": [a.get("id") for a in state.get("activeapps", [])],
            "completedapps": len(state.get("completedapps", [])),
        }
    return data


def tasks_by_executor(event_log: Path) -> dict[str, int]:
    """Tasks that ended successfully, per executor id, read from a Spark event log (one JSON event a line):
    the evidence of where an application's work ran."""
    counts: Counter[str] = Counter()
    with event_log.open(encoding="utf-8") as lines:
        for line in lines:
            if '"SparkListenerTaskEnd"' not in line:
                continue
            event = json.loads(line)
            if event.get("Task End Reason", {}).get("Reason") == "Success":
                counts[str(event["Task Info"]["Executor ID"])] += 1
    return dict(sorted(counts.items()))
