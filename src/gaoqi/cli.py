"""The ``gaoqi`` command line: synth, ingest, status, uscc, resolve, profiles, bench."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="gaoqi (高企): 高新技术企业认定管理与服务 — the data engine's command line.",
    no_args_is_help=True,
    add_completion=False,
)
bench_app = typer.Typer(help="Benchmarks that print figures (see docs/benchmarks.md).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

console = Console(stderr=True)
out = Console() if sys.stdout.isatty() else Console(width=140)  # piped output: no truncated columns

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="Workspace directory (default: $GAOQI_HOME or ./var)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON summary.")]


def _home(workspace: Path | None) -> Path:
    from gaoqi.engine.workspace import default_home

    return workspace if workspace is not None else default_home()


class _Bar:
    """A rich progress bar fed by the engine's progress(stage, done, total) callbacks."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[stage]}"),
            console=console,
            disable=quiet or not console.is_terminal,
        )
        self.task = self.progress.add_task(label, total=None, stage="")

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total, stage=stage)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the department files to.")],
    enterprises: Annotated[int, typer.Option("--enterprises", "-n", help="Number of enterprises.")] = 20000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 2026,
) -> None:
    """Generate a synthetic Beijing: all eight department feeds, with planted mess recorded in _truth/."""
    from gaoqi.engine.synth import generate

    with _Bar("合成数据 synth") as bar:
        summary = generate(out_dir, enterprises=enterprises, seed=seed, progress=bar)
    table = Table("file", "feed", "rows", "encoding", "format", title=f"{enterprises:,} enterprises → {out_dir}")
    for name, feed, rows, enc, fmt in summary.files:
        table.add_row(name, feed, f"{rows:,}", enc or "", fmt)
    out.print(table)


@app.command()
def ingest(
    directory: Annotated[Path, typer.Argument(help="Directory of delivered department files.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load every department file of DIRECTORY: validate, quarantine bad rows, skip files already loaded."""
    from gaoqi.engine.ingest import ingest_directory

    if not directory.is_dir():
        console.print(f"[red]不是目录 (not a directory): {directory}")
        raise typer.Exit(2)
    with _Bar("导入 ingest", quiet=as_json) as bar:
        summary = ingest_directory(_home(workspace), directory, progress=bar)
    if as_json:
        _print_json(summary.as_dict())
    else:
        table = Table("file", "feed", "encoding", "read", "loaded", "quarantined", "note", title="导入结果 ingest")
        for f in summary.files:
            note = "已导入过，跳过 (already loaded)" if f.skipped else (f.error or "")
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
        raise typer.Exit(1)


@app.command()
def status(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """What the workspace holds: loads, rows per feed, quarantined rows, a checksum per table."""
    from gaoqi.engine.status import workspace_status
    from gaoqi.engine.workspace import connect

    con = connect(_home(workspace))
    try:
        data = workspace_status(con)
    finally:
        con.close()
    if as_json:
        _print_json(data)
        return
    table = Table("table", "rows / checksum", title=f"workspace {_home(workspace)}")
    for name, checksum in data["checksums"].items():
        table.add_row(name, checksum)
    out.print(table)
    out.print(f"{len(data['loads'])} loads; quarantined problems: {data['quarantined_problems']}")


@app.command()
def uscc(codes: Annotated[list[str], typer.Argument(help="Codes to check.")]) -> None:
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
        raise typer.Exit(1)


@app.command()
def resolve(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Entity resolution: enterprises, name history, and links from name-only records (IP holders)."""
    from gaoqi.engine.current import create_current_views
    from gaoqi.engine.resolve import resolve as run_resolve
    from gaoqi.engine.workspace import connect

    con = connect(_home(workspace))
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


@app.command()
def profiles(
    workspace: WorkspaceOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As-of (application) date, YYYY-MM-DD.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the enterprise profiles (企业画像) for an as-of date and print a summary."""
    from gaoqi.engine.current import create_current_views
    from gaoqi.engine.features import build_profiles, district_summary, profile_summary
    from gaoqi.engine.workspace import connect

    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    con = connect(_home(workspace))
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


@app.command("feeds-doc")
def feeds_doc(
    write: Annotated[Path | None, typer.Option("--write", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print (or write) docs/feeds.md, generated from the feed schemas."""
    from gaoqi.engine.feeds_doc import render

    text = render()
    if write:
        write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@bench_app.command("ingest")
def bench_ingest(
    enterprises: Annotated[int, typer.Option("--enterprises", "-n")] = 2_000_000,
    seed: Annotated[int, typer.Option()] = 7,
    data_dir: Annotated[Path | None, typer.Option(help="Reuse or create the synthetic feeds here.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Ingest, validate, resolve and build profiles for a synthetic Beijing; print rows/s per stage,
    peak memory, and name-linking precision and recall against the planted truth."""
    from gaoqi.engine.bench import run_ingest_benchmark

    _print_json(run_ingest_benchmark(enterprises=enterprises, seed=seed, data_dir=data_dir, workspace=workspace))


if __name__ == "__main__":
    app()
