"""The ``gaoqi`` command line: synth, ingest, status, uscc, resolve, profiles, evaluate, explain, simulate, bench,
cluster.

Built on the standard library's argparse, and every command imports what it uses when it runs: the engine's
modules, and rich only where a table, progress bar or colour is printed. ``gaoqi explain --json`` starts
without typer, click, pydantic or rich (tests/test_lean_imports.py keeps it so): their imports cost more than
the explanation itself. ``main(argv)`` returns the exit code: 0, 1 for a failure or refusal, 2 for a usage
error (and for the refusals that name a wrong argument, e.g. an unknown policy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from rich.console import Console

HELP = "gaoqi (高企): 高新技术企业认定管理与服务 — the data engine's command line."


class _Exit(Exception):
    """Leave the command with an exit code (caught by ``main``)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _LazyConsole:
    """A rich Console made on first use, so that rich is imported only by a command that prints with it."""

    def __init__(self, *, stderr: bool) -> None:
        self.stderr = stderr
        self._console: Console | None = None

    def get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            if self.stderr:
                self._console = Console(stderr=True)
            else:  # piped output: no truncated columns
                self._console = Console() if sys.stdout.isatty() else Console(width=140)
        return self._console

    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.get().print(*objects, **kwargs)

    def reset(self) -> None:
        self._console = None


console = _LazyConsole(stderr=True)
out = _LazyConsole(stderr=False)


def _home(workspace: Path | None) -> Path:
    from gaoqi.engine.workspace import default_home

    return workspace if workspace is not None else default_home()


class _Bar:
    """A rich progress bar fed by the engine's progress(stage, done, total) callbacks."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        err = console.get()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[stage]}"),
            console=err,
            disable=quiet or not err.is_terminal,
        )
        self.task = self.progress.add_task(label, total=None, stage="")

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total, stage=stage)


def _fail(message: str, code: int = 1) -> NoReturn:
    """A refusal the user can act on: the message in red (no markup, no traceback), then the exit code."""
    console.print(message, style="red", markup=False, soft_wrap=True)
    raise _Exit(code)


def _require(con: Any, step: Any, uscc: str | None = None) -> None:
    """Stop (exit 1, no traceback) when a step runs before the one it depends on, naming the step to run."""
    from gaoqi.engine.pipeline import StepOrderError, require, require_enterprise

    try:
        require(con, step)
        if uscc is not None:
            require_enterprise(con, uscc)
    except StepOrderError as exc:
        con.close()
        _fail(exc.message)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def synth(out_dir: Path, enterprises: int, seed: int, applications: bool = False) -> None:
    """Generate a synthetic Beijing: all ten department feeds, with planted mess recorded in _truth/."""
    from rich.table import Table

    from gaoqi.synth import SynthConfig, generate

    config = SynthConfig(applications=applications)
    with _Bar("合成数据 synth") as bar:
        summary = generate(out_dir, enterprises=enterprises, seed=seed, progress=bar, config=config)
    table = Table("file", "feed", "rows", "encoding", "format", title=f"{enterprises:,} enterprises → {out_dir}")
    for name, feed, rows, enc, fmt in summary.files:
        table.add_row(name, feed, f"{rows:,}", enc or "", fmt)
    out.print(table)


def ingest(directory: Path, workspace: Path | None, as_json: bool) -> None:
    """Load every department file of DIRECTORY: validate, quarantine bad rows, skip files already loaded."""
    from rich.table import Table

    from gaoqi.engine.ingest import DiskFullError, ingest_directory

    if not directory.is_dir():
        console.print(f"[red]不是目录 (not a directory): {directory}")
        raise _Exit(2)
    try:
        with _Bar("导入 ingest", quiet=as_json) as bar:
            summary = ingest_directory(_home(workspace), directory, progress=bar)
    except DiskFullError as exc:
        console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise _Exit(1) from exc
    if as_json:
        _print_json(summary.as_dict())
    else:
        table = Table("file", "feed", "encoding", "read", "loaded", "quarantined", "note", title="导入结果 ingest")
        for f in summary.files:
            note = (
                f"已拒收过，跳过 (refused before: {f.reason_code})"
                if f.refused and f.skipped
                else "已导入过，跳过 (already loaded)"
                if f.skipped
                else (f.error or "")
            )
            reasons = ", ".join(f"{k}={v}" for k, v in f.quarantined_by_reason.items())
            table.add_row(
                f.file,
                f.feed or "?",
                f.encoding or f.file_format or "",
                f"{f.rows_read:,}",
                f"{f.rows_loaded:,}",
                f"{f.rows_quarantined:,} {reasons}",
                note,
            )
        out.print(table)
        out.print(
            f"{summary.rows_read:,} rows read, {summary.rows_loaded:,} loaded, "
            f"{summary.rows_quarantined:,} quarantined in {summary.seconds:.1f}s; "
            f"quarantine reports in {_home(workspace) / 'quarantine'}"
        )
    if summary.errors:
        raise _Exit(1)


def status(workspace: Path | None, as_json: bool) -> None:
    """What the workspace holds: loads, rows per feed, quarantined rows, refused files, a checksum per table."""
    from gaoqi.engine.pipeline import next_step
    from gaoqi.engine.status import workspace_status
    from gaoqi.engine.workspace import connect

    con = connect(_home(workspace))
    try:
        data = workspace_status(con)
        waiting = next_step(con)
    finally:
        con.close()
    data["next_step"] = None if waiting is None else {"step": waiting.missing, "message": waiting.message}
    if as_json:
        _print_json(data)
    else:
        _status_table(workspace, data)
    if waiting is not None:  # not ready for profiles and evaluation: say what to run, exit 1
        console.print(waiting.message, style="red", markup=False, soft_wrap=True)
        raise _Exit(1)


def _status_table(workspace: Path | None, data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table("table", "rows / checksum", title=f"workspace {_home(workspace)}")
    for name, checksum in data["checksums"].items():
        table.add_row(name, checksum)
    out.print(table)
    out.print(f"{len(data['loads'])} loads; quarantined problems: {data['quarantined_problems']}")
    if data["refused_files"]:
        refused = Table("file", "feed", "reason", "refused at", title="未导入的文件 refused files (not retried)")
        for r in data["refused_files"]:
            refused.add_row(r["file"], r["feed"] or "?", r["reason"], r["refused_at"])
        out.print(refused)


def uscc(codes: list[str]) -> None:
    """Validate unified social credit codes (GB 32100-2015) and say why a bad one is bad."""
    from gaoqi.engine.uscc import validate

    bad = 0
    for code in codes:
        r = validate(code)
        if r.ok:
            out.print(f"[green]✓[/] {code}  {r.message}")
        else:
            bad += 1
            out.print(f"[red]✗[/] {code}  {r.reason_code}: {r.message}")
    if bad:
        raise _Exit(1)


def resolve(workspace: Path | None, as_json: bool) -> None:
    """Entity resolution: enterprises, name history, and links from name-only records (IP holders)."""
    from gaoqi.engine.current import create_current_views
    from gaoqi.engine.resolve import resolve as run_resolve
    from gaoqi.engine.workspace import connect

    con = connect(_home(workspace))
    _require(con, "resolve")
    try:
        create_current_views(con)
        with _Bar("实体解析 resolve", quiet=as_json) as bar:
            summary = run_resolve(con, progress=bar)
    finally:
        con.close()
    data = summary.as_dict()
    if as_json:
        _print_json(data)
        return
    links = data["links"]
    out.print(
        f"实体解析 resolve: {data['enterprises']:,} enterprises, {data['name_history']:,} names in their history; "
        f"{data['ip_records']:,} IP records: {links['uscc']:,} linked by USCC, {links['exact_name']:,} by exact "
        f"name at the record's date, {links['splink']:,} by Splink; {data['unlinked']:,} unlinked (holders that are "
        f"not Beijing enterprises); {data['review_records']:,} records wait in the review queue (link_review)."
    )


def profiles(workspace: Path | None, as_of: str | None, as_json: bool) -> None:
    """Build the enterprise profiles (企业画像) for an as-of date and print a summary."""
    from gaoqi.engine.current import create_current_views
    from gaoqi.engine.features import build_profiles, district_summary, profile_summary
    from gaoqi.engine.workspace import connect

    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    con = connect(_home(workspace))
    _require(con, "profiles")
    try:
        create_current_views(con)
        build_profiles(con, day)
        data = profile_summary(con)
        data["districts"] = district_summary(con)
    finally:
        con.close()
    if as_json:
        _print_json(data)
        return
    from rich.table import Table

    window = data["fy_window"]
    table = Table(
        "区",
        "企业数",
        "高企",
        "科技型中小",
        "有研发占比",
        "研发占比中位数",
        "有Ⅰ类知识产权",
        "近一年重大事故",
        title=f"企业画像 profiles as of {data['as_of']} (近三年 FY{window[0]}–FY{window[1]})" if window else "profiles",
    )
    for d in data["districts"]:
        ratio = d["median_rd_ratio"]
        table.add_row(
            d["district"],
            f"{d['enterprises']:,}",
            f"{d['hte_certified']:,}",
            f"{d['tech_sme']:,}",
            f"{d['with_rd_ratio']:,}",
            f"{float(ratio):.2%}" if ratio is not None else "—",
            f"{d['with_class1_ip']:,}",
            f"{d['with_accident_365d']:,}",
        )
    out.print(table)
    out.print(
        f"{data['enterprises']:,} enterprises profiled; {data['with_hte_certificate']:,} hold a current HTE "
        f"certificate. Missing source data stays empty (NULL), never 0: see --json for per-feature coverage."
    )


def _policy_dir(directory: Path | None) -> Path:
    from gaoqi.engine.rules import default_policy_dir

    return directory if directory is not None else default_policy_dir()


def _load_policies_or_exit(directory: Path | None) -> list[Any]:
    from gaoqi.engine.rules import PolicyLoadError, load_policies

    try:
        return load_policies(_policy_dir(directory))
    except PolicyLoadError as exc:
        for e in exc.errors:
            console.print(f"[red]{e}")
        raise _Exit(1) from exc


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _policy_or_exit(directory: Path | None, policy_id: str) -> Any:
    for p in _load_policies_or_exit(directory):
        if p.id == policy_id:
            return p
    _fail(
        f"没有此政策 {policy_id}：运行 gaoqi policies list 查看政策目录 (no policy {policy_id!r}: see `gaoqi policies list`)",
        2,
    )


def policies_check(directory: Path | None) -> None:
    """Check every policy file: known features and parameters, types, articles, version intervals."""
    from gaoqi.engine.rules import check_policies

    errors = check_policies(_policy_dir(directory))
    for e in errors:
        out.print(f"[red]{e}")
    if errors:
        raise _Exit(1)
    out.print(f"[green]✓[/] {_policy_dir(directory)}: no errors")


def policies_list(directory: Path | None) -> None:
    """The catalogue: each policy with its versions."""
    from rich.table import Table

    table = Table("id", "名称", "发文", "kind", "versions", title="政策库 policies")
    for p in _load_policies_or_exit(directory):
        versions = "; ".join(f"{v.id}: {v.valid_from}–{v.valid_to or ''}" for v in p.versions)
        table.add_row(p.id, p.name, p.document_number, p.kind, versions)
    out.print(table)


def policies_show(policy_id: str, directory: Path | None) -> None:
    """One policy: every version's parameters and conditions with their articles."""
    from rich.table import Table

    p = _policy_or_exit(directory, policy_id)
    out.print(f"[bold]{p.name}[/] ({p.id}) — {p.authority}, {p.document_number}")
    for v in p.versions:
        out.print(f"\n[bold]version {v.id}[/]: {v.valid_from} – {v.valid_to or '(open)'}")
        params = Table("parameter", "value", "label")
        for name, prm in v.parameters.items():
            flag = " [yellow](unconfirmed)[/]" if prm.unconfirmed else ""
            params.add_row(name, str(prm.value) + flag, prm.label)
        out.print(params)
        if v.scores:
            scores = Table("score", "评分项", "by", "bands / expression", "max")
            for sc in v.scores:
                bands = " ".join(f"{b.grade}:{b.lo}" + (f"–{b.hi}" if b.hi != b.lo else "") for b in sc.bands)
                expr = str(sc.expr) if sc.expr is not None else bands
                scores.add_row(sc.id, sc.label, sc.assessed_by, expr, _cell(sc.max_points))
            out.print(scores)
        conds = Table("id", "条件", "条款 article", "kind", "expression")
        for c in v.conditions:
            expr = c.expr or ""
            if c.screened:
                expr = f"screen: {expr}"
            if c.waiver is not None:
                expr += f"\nwaived if {c.waiver.when}"
            conds.add_row(c.id, c.label, c.article, c.kind, expr)
        out.print(conds)
        if v.benefit is not None:
            out.print(f"benefit: {v.benefit.label} = {v.benefit.amount} (万元)")


def evaluate(
    as_of: str,
    policy: list[str] | None,
    workspace: Path | None,
    out_file: Path | None,
    directory: Path | None,
    engine: str,
    spark_master: str | None = None,
    spark_shared: Path | None = None,
    spark_cores: int = 2,
) -> None:
    """Every enterprise × policy: pass, fail or unknown, the failing conditions and the binding gap."""
    from rich.table import Table

    from gaoqi.engine.features import ensure_profiles
    from gaoqi.engine.rules import evaluate as run_evaluate
    from gaoqi.engine.validate import lit
    from gaoqi.engine.workspace import connect

    if engine not in ("duckdb", "spark"):
        console.print(f"[red]--engine must be duckdb or spark, not {engine!r}")
        raise _Exit(2)
    if engine == "spark":
        from gaoqi.engine.spark import SparkUnavailableError, require_pyspark

        try:
            require_pyspark()
        except SparkUnavailableError as exc:
            console.print(f"[red]{exc}")
            raise _Exit(2) from exc
        spark_master = spark_master or os.environ.get("GAOQI_SPARK_MASTER") or None
        if spark_shared is None and os.environ.get("GAOQI_SPARK_SHARED"):
            spark_shared = Path(os.environ["GAOQI_SPARK_SHARED"])
        if spark_master is not None and spark_shared is None:
            _fail("a Spark cluster needs --spark-shared DIR (or GAOQI_SPARK_SHARED): a directory every worker sees", 2)
    elif spark_master is not None or spark_shared is not None:  # the flags only: the variables may be set for others
        _fail("--spark-master and --spark-shared go with --engine spark", 2)
    day = dt.date.fromisoformat(as_of)
    policies = _load_policies_or_exit(directory)
    for pid in policy or []:
        _policy_or_exit(directory, pid)
    con = connect(_home(workspace))
    _require(con, "evaluate")
    try:
        ensure_profiles(con, day)
        if engine == "spark" and spark_master is not None and spark_shared is not None:
            _evaluate_on_cluster(con, day, policies, policy, spark_master, spark_shared, spark_cores)
        elif engine == "spark":
            from gaoqi.engine.spark import evaluate_spark, store_results

            store_results(con, evaluate_spark(con, day, policies, policy), day, policies, policy)
        else:
            run_evaluate(con, day, policies, policy)
        if out_file is not None:
            # Parquet, for programs, keeps the values typed; a CSV, for people, adds the gap sentence
            fmt = "parquet" if out_file.suffix == ".parquet" else "csv"
            source = "results" if fmt == "parquet" else "results_with_gap"
            con.execute(f"COPY {source} TO {lit(str(out_file))} (FORMAT {fmt}{', HEADER' if fmt == 'csv' else ''})")
        rows = con.execute(
            "SELECT policy_id, policy_version, status, count(*) FROM results GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        binding = con.execute(
            "SELECT policy_id, binding_condition, count(*) FROM results WHERE status = 'fail' "
            "GROUP BY ALL ORDER BY 1, 3 DESC"
        ).fetchall()
    finally:
        con.close()
    table = Table("policy", "version", "status", "enterprises", title=f"政策评估 evaluation as of {day}")
    for pid, ver, status_, n in rows:
        table.add_row(pid, ver, status_, f"{n:,}")
    out.print(table)
    if binding:
        bt = Table("policy", "最接近通过的未满足条件 binding condition", "enterprises", title="why not")
        for pid, cond, n in binding:
            bt.add_row(pid, str(cond), f"{n:,}")
        out.print(bt)
    if out_file is not None:
        out.print(f"results written to {out_file}")


def _evaluate_on_cluster(
    con: Any, day: dt.date, policies: Any, policy: list[str] | None, master: str, shared: Path, cores: int
) -> None:
    """``evaluate --engine spark`` on a standalone cluster: tables and results pass through ``shared``; prints
    where the time went and how many tasks each executor ran (from the application's event log)."""
    import time

    from gaoqi.engine.spark import evaluate_spark, spark_session, store_results
    from gaoqi.engine.spark_cluster import tasks_by_executor

    shared = shared.resolve()
    shared.mkdir(parents=True, exist_ok=True)
    events = shared / "spark-events"
    started = time.perf_counter()
    session = spark_session(app="gaoqi-evaluate", threads=cores, master=master, event_log_dir=events)
    app_id = session.sparkContext.applicationId
    timings: dict[str, float] = {"session": time.perf_counter() - started}
    try:
        table = evaluate_spark(con, day, policies, policy, session, work_dir=shared, timings=timings)
    finally:
        session.stop()  # the event log is complete once the application ends
    started = time.perf_counter()
    store_results(con, table, day, policies, policy)
    timings["store"] = time.perf_counter() - started
    tasks = tasks_by_executor(events / app_id)
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    console.print(f"Spark cluster {master}, application {app_id}: {parts}", soft_wrap=True)
    console.print("tasks by executor: " + (", ".join(f"{k}: {n}" for k, n in tasks.items()) or "none"), soft_wrap=True)


def cluster_start(
    directory: Path | None,
    port: int,
    webui_port: int,
    workers: int,
    cores: int,
    memory: str,
    as_json: bool,
) -> None:
    """Start a Spark standalone cluster on this machine: one master and WORKERS workers on 127.0.0.1; returns once
    every worker is registered (ADR 0040)."""
    from gaoqi.engine.spark_cluster import ClusterError, ClusterSpec, start_cluster

    root = _cluster_dir(directory)
    try:
        cluster = start_cluster(
            ClusterSpec(
                root=root,
                master_port=port,
                webui_port=webui_port,
                workers=workers,
                worker_cores=cores,
                worker_memory=memory,
            )
        )
    except ClusterError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(cluster.to_json())
        return
    out.print(f"master {cluster.master_url} (web UI {cluster.webui_url}), {workers} workers × {cores} core, {memory}")
    out.print(f"logs in {root / 'logs'}; run the engine with --engine spark --spark-master {cluster.master_url}")


def cluster_stop(directory: Path | None) -> None:
    """Stop the cluster started from DIR: its master, workers and their executors."""
    from gaoqi.engine.spark_cluster import stop_cluster

    stopped = stop_cluster(_cluster_dir(directory))
    out.print("stopped: " + ", ".join(stopped) if stopped else "no cluster was running")


def cluster_status(directory: Path | None, as_json: bool) -> None:
    """The cluster started from DIR: which daemons run, and the master's view (workers, cores, applications);
    exit 1 unless it runs with every worker registered."""
    from gaoqi.engine.spark_cluster import cluster_status as status_of

    data = status_of(_cluster_dir(directory))
    master = data.get("master", {})
    healthy = bool(data["running"]) and master.get("aliveworkers") == len(data["pids"]) - 1
    if as_json:
        _print_json(data)
    elif not data["running"] and "pids" not in data:
        out.print(f"no cluster recorded in {data['root']}")
    else:
        out.print(f"master {data['master_url']} (web UI {data['webui_url']}): {master.get('status', master)}")
        for name, alive in data["daemons"].items():
            out.print(f"  {name} pid {data['pids'][name]}: {'running' if alive else 'not running'}")
        if "workers" in master:
            out.print(f"  {master['aliveworkers']} workers alive, {master['coresused']}/{master['cores']} cores used")
    if not healthy:
        raise _Exit(1)


def _cluster_dir(directory: Path | None) -> Path:
    from gaoqi.engine.workspace import default_home

    return directory if directory is not None else default_home() / "spark"


def explain(uscc: str, policy: str, as_of: str, workspace: Path | None, as_json: bool, directory: Path | None) -> None:
    """Every condition for one enterprise: observed value, threshold, article, outcome, gap and sources."""
    from gaoqi.engine.features import ensure_profiles
    from gaoqi.engine.rules.sqlcache import explain_cached as run_explain
    from gaoqi.engine.workspace import connect

    day = dt.date.fromisoformat(as_of)
    chosen = _policy_or_exit(directory, policy)
    if chosen.version_at(day) is None:
        _fail(f"政策 {policy} 在 {day} 没有有效版本 (policy {policy} has no version in force at {day})", 2)
    con = connect(_home(workspace))
    _require(con, "explain", uscc=uscc)
    try:
        ensure_profiles(con, day)
        data = run_explain(con, uscc, policy, day, [chosen])
    finally:
        con.close()
    if as_json:
        sys.stdout.write(data.to_json() + "\n")  # the stable form, "schema": "gaoqi-explain/1"
        return
    from rich.table import Table

    out.print(f"[bold]{uscc}[/] × {policy} v{data.policy_version} as of {day}: [bold]{data.status}[/]")
    table = Table("条件", "条款 article", "outcome", "observed", "required", "gap")
    for c in data.conditions:
        table.add_row(
            c.label,
            c.article,
            c.outcome,
            _cell(c.observed),
            _cell(c.required),
            _cell(c.gap) if not c.waived else f"waived: {c.waived}",
        )
    out.print(table)
    if data.scores:
        scores = Table("评分项 score", "评定 by", "grade", "min–max", "满分 max", title="评分 scores (intervals)")
        for sc in data.scores:
            span = "?" if sc.min is None else f"{sc.min}" if sc.min == sc.max else f"{sc.min}–{sc.max}"
            scores.add_row(sc.label, sc.assessed_by, _cell(sc.grade), span, _cell(sc.max_points))
        out.print(scores)
    if data.benefit_amount is not None:
        out.print(f"{data.benefit_label}: {_wan(data.benefit_amount)} 万元")


def simulate(
    policy: str,
    set_: list[str],
    as_of: str,
    by: str,
    workspace: Path | None,
    as_json: bool,
    directory: Path | None,
) -> None:
    """What if a threshold changed? How many enterprises move between pass, fail and unknown, by group."""
    from gaoqi.engine.features import ensure_profiles
    from gaoqi.engine.rules import simulate as run_simulate
    from gaoqi.engine.validate import district_codes
    from gaoqi.engine.workspace import connect

    overrides = {}
    for item in set_:
        name, sep, value = item.partition("=")
        if not sep:
            console.print(f"[red]--set takes PARAM=VALUE, not {item!r}")
            raise _Exit(2)
        overrides[name.strip()] = value.strip()
    day = dt.date.fromisoformat(as_of)
    chosen = _policy_or_exit(directory, policy)
    con = connect(_home(workspace))
    _require(con, "simulate")
    try:
        ensure_profiles(con, day)
        try:
            data = run_simulate(con, day, chosen, overrides, by)
        except ValueError as exc:
            console.print(f"[red]{exc}")
            raise _Exit(2) from exc
    finally:
        con.close()
    if as_json:
        _print_json(data)
        return
    from rich.table import Table

    changes = ", ".join(f"{k}: {v['from']} → {v['to']}" for k, v in data["changes"].items())
    keys = sorted(data["flips"])
    names = district_codes()
    cost = data["cost"]
    money = ["财政支出变化 cost change (万元)"] if cost is not None else []
    table = Table(by, *keys, *money, title=f"政策模拟 {policy} v{data['policy_version']} as of {day}: {changes}")
    for grp, counts in sorted(data["groups"].items()):
        label = names.get(grp, grp) if by == "district" else grp
        extra = [_wan(data["group_cost"][grp]["change"], sign=True)] if cost is not None else []
        table.add_row(label, *(f"{counts.get(k, 0):,}" for k in keys), *extra)
    total_extra = ["[bold]" + _wan(cost["change"], sign=True)] if cost is not None else []
    table.add_row("[bold]合计 total", *(f"[bold]{data['flips'][k]:,}" for k in keys), *total_extra)
    out.print(table)
    if cost is not None:
        out.print(
            f"财政支出 fiscal cost (pass): {_wan(cost['cost_before'])} → {_wan(cost['cost_after'])} 万元; "
            f"if every unknown passed, a further {_wan(cost['potential_before'])} → "
            f"{_wan(cost['potential_after'])} 万元"
        )
    if not keys:
        out.print("No enterprise changes status.")


def _wan(amount: Any, *, sign: bool = False) -> str:
    """An amount in 万元 with thousands separators and no trailing zeros."""
    text = f"{amount:{'+' if sign else ''},.4f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def feeds_doc(write: Path | None) -> None:
    """Print (or write) docs/feeds.md, generated from the feed schemas."""
    from gaoqi.engine.feeds_doc import render

    text = render()
    if write:
        write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def bench_ingest(enterprises: int, seed: int, data_dir: Path | None, workspace: Path | None) -> None:
    """Ingest, validate, resolve and build profiles for a synthetic Beijing; print rows/s per stage,
    peak memory, and name-linking precision and recall against the planted truth."""
    from gaoqi.synth.bench import run_synthetic_ingest_benchmark

    _print_json(
        run_synthetic_ingest_benchmark(enterprises=enterprises, seed=seed, data_dir=data_dir, workspace=workspace)
    )


def bench_rules(
    workspace: Path | None,
    as_of: str,
    rounds: int,
    explain_n: int,
    commands: int,
    baseline_src: Path | None,
    new_src: Path | None,
    out_dir: Path | None,
    as_json: bool,
) -> None:
    """The rules core on a workspace with profiles (e.g. the one `bench ingest` left): evaluate, explain,
    simulate, `gaoqi explain` and compiling, each beside a hand-written DuckDB floor and the ratio (and beside
    the old code with --baseline-src), in interleaved rounds, minimum times."""
    from gaoqi.engine.bench import run_rules_benchmark

    home = _home(workspace)
    with console.get().status("bench rules") as status_line:
        data = run_rules_benchmark(
            workspace=home,
            as_of=as_of,
            rounds=rounds,
            explain_n=explain_n,
            commands_per_round=commands,
            baseline_src=baseline_src,
            new_src=new_src,
            out_dir=out_dir,
            progress=lambda text: status_line.update(f"bench rules: {text}"),
        )
    if as_json:
        _print_json(data)
        return
    from rich.table import Table

    impls = ["new", *(["old"] if baseline_src is not None else []), "floor"]
    ratios = ["new/floor", *(["old/floor", "new/old"] if baseline_src is not None else [])]
    table = Table(
        "figure", *impls, *ratios, "goal", "met",
        title=f"bench rules: {data['enterprises']:,} enterprises as of {as_of}, {data['rounds']} rounds (minimum)",
    )  # fmt: skip
    for row in data["figures"]:
        cells = [_bench_time(row["figure"], row.get(i)) for i in impls]
        cells += [f"{row[r]:.2f}×" if row.get(r) is not None else "—" for r in ratios]
        met = "" if row.get("met") is None else "yes" if row["met"] else "NO"
        table.add_row(_BENCH_LABELS.get(row["figure"], row["figure"]), *cells, row.get("goal") or "", met)
    out.print(table)
    for impl, how in data["compile_how"].items():
        out.print(f"compile ({impl}): {how}")
    for impl, src in data["sources"].items():
        out.print(f"{impl} code: {src}; profile rebuilt: {data['profile_rebuilt'][impl]}")
    out.print(f"simulate {data['simulate_flips']} (agree: {data['simulate_flips_agree']})")
    out.print(f"checks: {data['checks']}")
    la = data["load_average"]
    out.print(
        f"load average before {la['before']}, after {la['after']} ({data['cpus']} cpus); files in {data['out_dir']}"
    )


def bench_warnings(
    enterprises: int,
    seed: int,
    data_dir: Path | None,
    workspace: Path | None,
    as_of: str,
    previous_as_of: str,
    rounds: int,
) -> None:
    """Every warning rule (policies/warning-*.yaml, ADR 0029) over a synthetic Beijing: the feeds generated and
    a workspace ingested and resolved once (reused), the previous snapshot's profile, then the warning features
    and rules timed (minimum of the rounds) and every raised warning read with its evidence; prints JSON."""
    import datetime as dt

    from gaoqi.synth.bench import run_synthetic_warnings_benchmark

    with console.get().status("bench warnings") as status_line:
        data = run_synthetic_warnings_benchmark(
            enterprises=enterprises,
            seed=seed,
            as_of=dt.date.fromisoformat(as_of),
            previous_as_of=dt.date.fromisoformat(previous_as_of),
            data_dir=data_dir,
            workspace=workspace,
            rounds=rounds,
            progress=lambda text: status_line.update(f"bench warnings: {text}"),
        )
    _print_json(data)


def bench_signals(enterprises: int, seed: int, data_dir: Path | None, workspace: Path | None, as_json: bool) -> None:
    """The review signals (ADR 0035) over the synthetic applications world: generated, ingested and resolved,
    every signal evaluated and scored against the planted truth (precision, recall, seconds per signal)."""
    from rich.table import Table

    from gaoqi.synth.signals_bench import run_signals_benchmark

    with console.get().status("bench signals") as status_line:
        data = run_signals_benchmark(
            enterprises=enterprises,
            seed=seed,
            data_dir=data_dir,
            workspace=workspace,
            progress=lambda text: status_line.update(f"bench signals: {text}"),
        )
    if as_json:
        _print_json(data)
        return
    table = Table(
        "signal", "planted", "raised", "true pos.", "precision", "recall", "negatives raised", "seconds",
        title=f"bench signals: {data['enterprises']:,} enterprises, {data['applicants']:,} applicants, as of {data['as_of']}",
    )  # fmt: skip
    for r in data["by_kind"]:
        table.add_row(
            r["kind"], str(r["planted"]), str(r["raised"]), str(r["true_positives"]),
            "—" if r["precision"] is None else f"{r['precision']:.3f}",
            "—" if r["recall"] is None else f"{r['recall']:.3f}",
            f"{r['negatives_raised']}/{r['negatives_planted']}", f"{r['seconds']:.2f}",
        )  # fmt: skip
    out.print(table)
    out.print(
        f"signals {data['signals']:,} in {data['signals_seconds']} s; ingest+resolve {data['ingest_resolve_seconds']} s; "
        f"synth {data.get('synth_seconds', '(reused)')} s; feeds in {data['data_dir']}"
    )


_HELDOUT = Path(__file__).resolve().parents[2] / "tests" / "ai" / "data" / "fields_heldout.csv"


def fields_classify(workspace: Path | None, out_file: Path, models: Path | None) -> None:
    """Classify every enterprise of a resolved workspace into a technical field and sub-field (business scope
    and the titles of the IP it holds) and write the predictions to a Parquet file (ADR 0034)."""
    import time

    import pyarrow.parquet as pq

    from gaoqi.ai.fields import PREDICTION_SCHEMA, classify_record_batches
    from gaoqi.ai.fields.corpus import field_classifier
    from gaoqi.engine import Workspace

    ws = Workspace.open(_home(workspace), read_only=True)
    if not ws.path.exists():
        _fail(f"no workspace at {ws.path.parent}: run `gaoqi ingest` and `gaoqi resolve` first")
    with ws, console.get().status("fields classify") as status_line:
        try:
            reader = ws.field_texts()
        except ValueError as exc:
            _fail(str(exc))
        clf = field_classifier(models, progress=lambda text: status_line.update(f"fields: {text}"))
        started = time.perf_counter()
        rows = 0
        with pq.ParquetWriter(out_file, PREDICTION_SCHEMA) as writer:
            for batch in classify_record_batches(clf, reader):
                writer.write_batch(batch)
                rows += batch.num_rows
                status_line.update(f"fields: {rows:,} enterprises")
    out.print(f"{rows:,} enterprises classified in {time.perf_counter() - started:.1f} s → {out_file} ({clf.version})")


def fields_train(models: Path | None) -> None:
    """Train the field classifier on the project's corpus, or load it if the cache already holds this corpus's
    model: run once at installation so that no user's first request waits for the training (ADR 0034)."""
    import time

    from gaoqi.ai.fields.corpus import field_classifier

    started = time.perf_counter()
    with console.get().status("fields train") as status_line:
        clf = field_classifier(models, progress=lambda text: status_line.update(f"fields: {text}"))
    out.print(f"field classifier {clf.version} ready in {time.perf_counter() - started:.1f} s")


def fields_suggest(texts: list[str], models: Path | None) -> None:
    """The field and sub-field suggested for one enterprise's texts (business scope, products, IP titles, R&D
    project names), with the confidence, the deciding words and the next alternatives; prints JSON."""
    from gaoqi.ai.fields.corpus import field_classifier

    _print_json(field_classifier(models).classify(texts).as_dict())


def bench_fields(
    enterprises: int,
    seed: int,
    data_dir: Path | None,
    workspace: Path | None,
    models: Path | None,
    out_file: Path | None,
) -> None:
    """Technical-field classification of a whole synthetic Beijing: the feeds generated and a workspace ingested
    and resolved once (reused), then every enterprise classified in batches, timed; prints JSON."""
    from gaoqi.synth.bench import run_synthetic_fields_benchmark

    with console.get().status("bench fields") as status_line:
        data = run_synthetic_fields_benchmark(
            enterprises=enterprises,
            seed=seed,
            data_dir=data_dir,
            workspace=workspace,
            models=models,
            out=out_file,
            progress=lambda text: status_line.update(f"bench fields: {text}"),
        )
    _print_json(data)


def bench_fields_quality(heldout: Path, synthetic: int, models: Path | None, as_json: bool) -> None:
    """The field classifier's quality: accuracy and macro-F1 by field, sub-field accuracy and the 8×8 confusion
    matrix on a synthetic held-out set (another seed) and on the hand-written held-out set (ADR 0034)."""
    from dataclasses import asdict

    from gaoqi.ai.fields import format_report
    from gaoqi.synth.bench import run_fields_quality

    with console.get().status("bench fields-quality") as status_line:
        data = run_fields_quality(
            heldout=heldout,
            synthetic_per_sub_field=synthetic,
            models=models,
            progress=lambda text: status_line.update(f"bench fields-quality: {text}"),
        )
    if as_json:
        _print_json(
            {
                "model_version": data["model_version"],
                "train_or_load_seconds": data["train_or_load_seconds"],
                "synthetic": asdict(data["synthetic"]),
                "handwritten": asdict(data["handwritten"]),
                "handwritten_boundary": asdict(data["handwritten_boundary"]) if data["handwritten_boundary"] else None,
            }
        )
        return
    out.print(f"model {data['model_version']} (trained or loaded in {data['train_or_load_seconds']} s)", markup=False)
    out.print(format_report("synthetic held-out set (seed 61, generator texts)", data["synthetic"]), markup=False)
    out.print(format_report(f"hand-written held-out set ({heldout.name})", data["handwritten"]), markup=False)
    boundary = data["handwritten_boundary"]
    if boundary is not None:
        out.print(
            f"  of which the boundary cases (kind=boundary, {boundary.n}): field accuracy "
            f"{boundary.field_accuracy:.3f}, sub-field accuracy {boundary.sub_field_accuracy:.3f}",
            markup=False,
        )
    docs = data["handwritten_documents"]
    for i, true, pred in data["handwritten"].errors:
        out.print(f"  wrong: {true} → {pred}: {' '.join(docs[i].split())[:60]}", markup=False, soft_wrap=True)


def _bench_time(figure: str, seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if figure.startswith(("explain", "compile")) else f"{seconds:.3f} s"


_BENCH_LABELS = {
    "evaluate_hte_parquet": "evaluate HTE → Parquet (in process)",
    "evaluate_hte_command": "gaoqi evaluate --policy hte --out (command)",
    "evaluate_hte": "evaluate HTE → results table",
    "evaluate_all_parquet": "evaluate all policies → Parquet (in process)",
    "evaluate_all_command": "gaoqi evaluate --out, all policies (command)",
    "explain_median": "explain HTE, warm (median)",
    "explain_p95": "explain HTE, warm (p95)",
    "simulate": "simulate HTE rd_ratio_tier1=0.04",
    "explain_command": "gaoqi explain (command, min)",
    "compile_all": "compile every shipped policy (warm)",
    "compile_all_cold": "compile every shipped policy (first in process)",
}


def bench_cohort(
    snapshot: Path | None,
    enterprises: int,
    seed_enterprises: int,
    seed: int,
    rounds: int,
    trend_files: int,
    keep: Path | None,
    build_tags: bool,
) -> None:
    """The 企业画像 cohort queries (tags, counts, distributions, trend) timed on a snapshot file: the one given,
    or a real small synthetic population replicated to ``--enterprises`` rows (see gaoqi/synth/cohort_bench.py)."""
    from gaoqi.synth.cohort_bench import run_cohort_benchmark

    _print_json(
        run_cohort_benchmark(
            snapshot=snapshot,
            enterprises=enterprises,
            seed_enterprises=seed_enterprises,
            seed=seed,
            rounds=rounds,
            trend_files=trend_files,
            keep=keep,
            build_tags=build_tags,
        )
    )


def bench_compare(old: Path, new: Path, ignore: list[str] | None, as_json: bool) -> None:
    """Two result files cell by cell, joined on (uscc, policy_id): differing cells per column (binding_gap by
    its numbers), rows on one side only; exit 1 unless 0 cells differ."""
    from rich.table import Table

    from gaoqi.engine.bench import compare_results

    for path in (old, new):
        if not path.is_file():
            _fail(f"no such file: {path}", 2)
    data = compare_results(old, new, ignore=ignore or ())
    if as_json:
        _print_json(data)
    else:
        table = Table("column", "differing cells", title=f"{old} vs {new}: {data['rows_joined']:,} rows joined")
        for col, n in data["columns"].items():
            mark = " (only in old)" if col in data["columns_only_old"] else ""
            mark = " (only in new)" if col in data["columns_only_new"] else mark
            table.add_row(col + mark, f"{n:,}")
        table.add_row("rows only in old", f"{data['rows_only_old']:,}")
        table.add_row("rows only in new", f"{data['rows_only_new']:,}")
        table.add_row("duplicate keys (old / new)", f"{data['duplicate_keys_old']:,} / {data['duplicate_keys_new']:,}")
        table.add_row("[bold]total differing cells", f"[bold]{data['differing_cells']:,}")
        out.print(table)
        for col, items in data["examples"].items():
            for item in items:
                out.print(f"{col} {item['key']}: {item['old']!r} → {item['new']!r}", markup=False)
        if data["ignored"]:
            out.print(f"not compared: {', '.join(data['ignored'])}")
        out.print(f"differing cells: {data['differing_cells']}")
    if data["differing_cells"]:
        raise _Exit(1)


# ------------------------------------------------------------------------------------------------------
# The parser: one per command, each command's options beside its help text


class _Help(argparse.HelpFormatter):
    """argparse's help with "Usage:" and each option's default, as the command line printed them before."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            text += " [default: %(default)s]"
        return text


def _summary(func: Callable[..., Any]) -> str:
    """The first paragraph of a command's docstring, on one line: its line in the list of commands."""
    return " ".join((func.__doc__ or "").strip().split("\n\n")[0].split())


def _add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, func: Callable[..., Any]
) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=_summary(func), description=func.__doc__, formatter_class=_Help, allow_abbrev=False)
    p.set_defaults(func=func)
    return p


def _group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    p = sub.add_parser(name, help=text, description=text, formatter_class=_Help, allow_abbrev=False)
    p.set_defaults(func=None, group=p)  # no sub-command: its help (exit 2)
    return p.add_subparsers(title="commands", metavar="COMMAND")


def _workspace(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace", "-w", type=Path, metavar="DIR", help="Workspace directory (default: $GAOQI_HOME or ./var)."
    )


def _cluster_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dir",
        dest="directory",
        type=Path,
        metavar="DIR",
        help="The cluster's state, logs and work directories (default: $GAOQI_HOME/spark or ./var/spark).",
    )


def _models(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--models",
        type=Path,
        metavar="DIR",
        help="Model cache directory (default: $GAOQI_HOME/models or ./var/models).",
    )


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", dest="as_json", action="store_true", help="Print a machine-readable JSON summary.")


def _policies(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--policies",
        dest="directory",
        type=Path,
        metavar="DIR",
        help="Policy directory (default: $GAOQI_POLICIES or ./policies).",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``gaoqi`` parser: a sub-command per command, ``policies …`` and ``bench …`` groups."""
    parser = argparse.ArgumentParser(prog="gaoqi", description=HELP, formatter_class=_Help, allow_abbrev=False)
    parser.set_defaults(func=None, group=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = _add(sub, "synth", synth)
    p.add_argument(
        "--out",
        dest="out_dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="Directory to write the department files to.",
    )
    p.add_argument("--enterprises", "-n", type=int, default=20000, help="Number of enterprises.")
    p.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same bytes.")
    p.add_argument(
        "--applications",
        action="store_true",
        help="Also this year's HTE applications with their R&D projects and the planted review-signal patterns "
        "(_truth/signals.csv; ADR 0035). Off, the files are byte for byte the default world's.",
    )

    p = _add(sub, "ingest", ingest)
    p.add_argument("directory", type=Path, metavar="DIRECTORY", help="Directory of delivered department files.")
    _workspace(p)
    _json(p)

    p = _add(sub, "status", status)
    _workspace(p)
    _json(p)

    p = _add(sub, "uscc", uscc)
    p.add_argument("codes", nargs="+", metavar="CODES", help="Codes to check.")

    p = _add(sub, "resolve", resolve)
    _workspace(p)
    _json(p)

    p = _add(sub, "profiles", profiles)
    _workspace(p)
    p.add_argument("--as-of", help="As-of (application) date, YYYY-MM-DD.")
    _json(p)

    p = _add(sub, "evaluate", evaluate)
    p.add_argument("--as-of", required=True, help="Application date, YYYY-MM-DD.")
    p.add_argument("--policy", action="append", help="Policy id (repeatable; default all).")
    _workspace(p)
    p.add_argument(
        "--out",
        dest="out_file",
        type=Path,
        metavar="FILE",
        help="Write results to FILE.parquet (the binding condition's values typed) or FILE.csv (with the gap "
        "sentence too).",
    )
    _policies(p)
    p.add_argument(
        "--engine",
        default="duckdb",
        help="duckdb, or spark: computed on Apache Spark (local mode, or a cluster with --spark-master; needs the "
        "spark extra) and stored in the workspace's results like duckdb's.",
    )
    p.add_argument(
        "--spark-master",
        metavar="URL",
        help="With --engine spark: run on this standalone cluster (spark://host:port; `gaoqi cluster start`) "
        "instead of local mode (default: $GAOQI_SPARK_MASTER).",
    )
    p.add_argument(
        "--spark-shared",
        type=Path,
        metavar="DIR",
        help="With --spark-master: a directory every worker sees at the same path (NFS on a real cluster); the "
        "tables and the results pass through it (default: $GAOQI_SPARK_SHARED).",
    )
    p.add_argument(
        "--spark-cores",
        type=int,
        default=2,
        metavar="N",
        help="With --spark-master: the executors (one core each) the evaluation takes from the cluster; it starts "
        "once all have registered.",
    )

    p = _add(sub, "explain", explain)
    p.add_argument("uscc", metavar="USCC", help="The enterprise's unified social credit code.")
    p.add_argument("--policy", required=True, help="Policy id.")
    p.add_argument("--as-of", required=True, help="Application date, YYYY-MM-DD.")
    _workspace(p)
    _json(p)
    _policies(p)

    p = _add(sub, "simulate", simulate)
    p.add_argument("--policy", required=True, help="Policy id.")
    p.add_argument(
        "--set", dest="set_", action="append", required=True, metavar="PARAM=VALUE", help="PARAM=VALUE (repeatable)."
    )
    p.add_argument("--as-of", default="2026-06-30", help="Application date, YYYY-MM-DD.")
    p.add_argument("--by", default="district", help="district or field")
    _workspace(p)
    _json(p)
    _policies(p)

    p = _add(sub, "feeds-doc", feeds_doc)
    p.add_argument("--write", type=Path, metavar="FILE", help="Write to this file instead of stdout.")

    fields = _group(sub, "fields", "Technical-field classification (国家重点支持的高新技术领域; ADR 0034).")
    p = _add(fields, "classify", fields_classify)
    _workspace(p)
    p.add_argument("--out", dest="out_file", type=Path, required=True, metavar="FILE", help="Parquet file to write.")
    _models(p)
    p = _add(fields, "train", fields_train)
    _models(p)
    p = _add(fields, "suggest", fields_suggest)
    p.add_argument("texts", nargs="+", metavar="TEXT", help="The enterprise's texts (scope, products, IP titles…).")
    _models(p)

    bench = _group(sub, "bench", "Benchmarks that print figures (see docs/benchmarks.md).")
    p = _add(bench, "ingest", bench_ingest)
    p.add_argument("--enterprises", "-n", type=int, default=2_000_000, help="Number of enterprises.")
    p.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic feeds.")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="Reuse or create the synthetic feeds here.")
    _workspace(p)

    p = _add(bench, "rules", bench_rules)
    _workspace(p)
    p.add_argument("--as-of", default="2026-06-30", help="Application date, YYYY-MM-DD.")
    p.add_argument("--rounds", type=int, default=3, help="Interleaved rounds; each figure keeps its minimum.")
    p.add_argument("--explain-n", type=int, default=20, help="Enterprises whose explain is timed.")
    p.add_argument("--commands", type=int, default=2, help="`gaoqi explain` commands timed per round.")
    p.add_argument(
        "--baseline-src",
        type=Path,
        metavar="DIR",
        help="The old code's src/ directory (a worktree of the baseline commit), timed alongside.",
    )
    p.add_argument(
        "--new-src",
        type=Path,
        metavar="DIR",
        help="The new code's src/ directory (default: the code running this command).",
    )
    p.add_argument("--out-dir", type=Path, metavar="DIR", help="Keep the result files here (default: a temp dir).")
    _json(p)

    p = _add(bench, "cohort", bench_cohort)
    p.add_argument("--snapshot", type=Path, metavar="FILE", help="Time this snapshot file instead of building one.")
    p.add_argument("--enterprises", "-n", type=int, default=2_000_000, help="Rows of the built snapshot.")
    p.add_argument("--seed-enterprises", type=int, default=2000, help="Real synthetic population replicated.")
    p.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic population.")
    p.add_argument("--rounds", type=int, default=5, help="Runs per figure (median and max printed).")
    p.add_argument("--trend-files", type=int, default=6, help="Snapshot files in the trend figure.")
    p.add_argument("--keep", type=Path, metavar="FILE", help="Where to write the built snapshot (kept).")
    p.add_argument(
        "--build-tags",
        action="store_true",
        help="Store the tags in --snapshot first (timed; writes into the file: give a copy).",
    )
    p = _add(bench, "warnings", bench_warnings)
    p.add_argument("--enterprises", "-n", type=int, default=2_000_000, help="Number of enterprises.")
    p.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic feeds.")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="Reuse or create the synthetic feeds here.")
    _workspace(p)
    p.add_argument("--as-of", default="2026-06-30", help="The snapshot's date, YYYY-MM-DD.")
    p.add_argument("--previous-as-of", default="2025-06-30", help="The previous snapshot's date, YYYY-MM-DD.")
    p.add_argument("--rounds", type=int, default=3, help="Rounds; the minimum is kept.")

    p = _add(bench, "signals", bench_signals)
    p.add_argument("--enterprises", "-n", type=int, default=20_000, help="Number of enterprises.")
    p.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic feeds.")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="Reuse or create the synthetic feeds here.")
    _workspace(p)
    _json(p)

    p = _add(bench, "fields", bench_fields)
    p.add_argument("--enterprises", "-n", type=int, default=2_000_000, help="Number of enterprises.")
    p.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic feeds.")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="Reuse or create the synthetic feeds here.")
    _workspace(p)
    _models(p)
    p.add_argument("--out", dest="out_file", type=Path, metavar="FILE", help="Also write the predictions (Parquet).")

    p = _add(bench, "fields-quality", bench_fields_quality)
    p.add_argument("--heldout", type=Path, default=_HELDOUT, metavar="CSV", help="The hand-written held-out set.")
    p.add_argument("--synthetic", type=int, default=40, help="Synthetic held-out texts per sub-field.")
    _models(p)
    _json(p)

    p = _add(bench, "compare", bench_compare)
    p.add_argument(
        "old", type=Path, metavar="OLD", help="Results before (Parquet, e.g. `gaoqi evaluate --out old.parquet`)."
    )
    p.add_argument("new", type=Path, metavar="NEW", help="Results after (Parquet).")
    p.add_argument("--ignore", action="append", help="A column not to compare (repeatable), e.g. engine_version.")
    _json(p)

    cluster = _group(sub, "cluster", "A Spark standalone cluster on this machine for --engine spark (ADR 0040).")
    p = _add(cluster, "start", cluster_start)
    _cluster_dir_arg(p)
    p.add_argument("--port", type=int, default=7077, help="The master's port (0: a free one).")
    p.add_argument(
        "--webui-port", type=int, default=8080, help="The master's web UI (workers': the next ports; 0: free ones)."
    )
    p.add_argument("--workers", type=int, default=2, help="Number of workers.")
    p.add_argument("--cores", type=int, default=1, help="Cores each worker offers.")
    p.add_argument("--memory", default="3g", help="Memory each worker offers to executors (e.g. 3g).")
    _json(p)
    p = _add(cluster, "stop", cluster_stop)
    _cluster_dir_arg(p)
    p = _add(cluster, "status", cluster_status)
    _cluster_dir_arg(p)
    _json(p)

    policies = _group(sub, "policies", "The policy catalogue (policies/*.yaml): check, list, show.")
    p = _add(policies, "check", policies_check)
    _policies(p)
    p = _add(policies, "list", policies_list)
    _policies(p)
    p = _add(policies, "show", policies_show)
    p.add_argument("policy_id", metavar="POLICY_ID")
    _policies(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); the exit code (0, 1, or 2 for a usage
    error). Without a command, a group's help (exit 2)."""
    parser = build_parser()
    try:
        args = vars(parser.parse_args(sys.argv[1:] if argv is None else list(argv)))
    except SystemExit as exc:  # --help (0) or a usage error (2), printed by argparse
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    func, group = args.pop("func"), args.pop("group")
    if func is None:
        group.print_help()
        return 2
    console.reset()  # made again for this run's streams (tests capture them per call)
    out.reset()
    try:
        func(**args)
    except _Exit as exc:
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("Aborted!\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
