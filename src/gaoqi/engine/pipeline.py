"""The pipeline's order, in one place: ingest → resolve → profiles → evaluate.

``require(con, step)`` checks, before a step runs, that what it reads is there, and raises ``StepOrderError``
naming the step to run first (in Chinese, with English in parentheses, as the engine's messages do), instead of
letting DuckDB fail on a missing table. ``next_step(con)`` says which step a workspace waits for (``status``).

What each step needs:

- ``resolve``: a load of the registration feed (the enterprises are the registered USCCs);
- ``profiles``: a resolution built from exactly the loads the workspace holds now (``resolve_meta``);
- ``evaluate``, ``explain``, ``simulate``: the same (they build the profile for their as-of date themselves);
- ``explain`` of one enterprise: that USCC among the resolved enterprises.
"""

from __future__ import annotations

from typing import Literal

import duckdb

from gaoqi.engine.current import loads_fingerprint
from gaoqi.engine.validate import lit

STEPS: tuple[str, ...] = ("ingest", "resolve", "profiles", "evaluate")
Step = Literal["resolve", "profiles", "evaluate", "explain", "simulate"]

#: The command that runs each step, as a person types it.
COMMANDS: dict[str, str] = {
    "ingest": "gaoqi ingest DIR",
    "resolve": "gaoqi resolve",
    "profiles": "gaoqi profiles --as-of DATE",
    "evaluate": "gaoqi evaluate --as-of DATE",
}


class StepOrderError(Exception):
    """A step run before the one it depends on; ``missing`` is the step to run first."""

    def __init__(self, missing: str, message: str) -> None:
        super().__init__(message)
        self.missing = missing
        self.message = message


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the workspace holds table ``name``."""
    n = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0]
    return bool(n)


def _loads(con: duckdb.DuckDBPyConnection, feed: str | None = None) -> int:
    if not has_table(con, "loads"):
        return 0
    if feed is None:
        return int(con.execute("SELECT count(*) FROM loads").fetchall()[0][0])
    return int(con.execute("SELECT count(*) FROM loads WHERE feed = ?", [feed]).fetchall()[0][0])


def _resolved_from_current_loads(con: duckdb.DuckDBPyConnection) -> bool | None:
    """None: never resolved; False: resolved, but files were loaded since; True: up to date."""
    if not (has_table(con, "resolve_meta") and has_table(con, "enterprise")):
        return None
    row = con.execute("SELECT max(inputs) FROM resolve_meta").fetchall()[0][0]
    if row is None:
        return None
    return str(row).split("|", 1)[0] == loads_fingerprint(con)


def _missing(con: duckdb.DuckDBPyConnection, step: str) -> StepOrderError | None:
    """What ``step`` lacks, as the error to raise, or None when it may run."""
    if _loads(con) == 0:
        return StepOrderError(
            "ingest",
            f"工作区还没有导入任何数据：请先运行 {COMMANDS['ingest']} 导入部门数据文件"
            f" (nothing ingested yet: run `{COMMANDS['ingest']}` first)",
        )
    if _loads(con, "registration") == 0:
        return StepOrderError(
            "ingest",
            f"尚未导入工商登记数据（registration），无法确定企业：请先运行 {COMMANDS['ingest']} 导入工商登记文件"
            f" (no registration file ingested: run `{COMMANDS['ingest']}` with the registration feed first)",
        )
    if step == "resolve":
        return None
    resolved = _resolved_from_current_loads(con)
    if resolved is None:
        return StepOrderError(
            "resolve",
            f"数据已导入，但尚未进行实体解析：请先运行 {COMMANDS['resolve']}"
            f" (ingested but not resolved: run `{COMMANDS['resolve']}` first)",
        )
    if not resolved:
        return StepOrderError(
            "resolve",
            f"上次实体解析之后又导入了新文件：请先重新运行 {COMMANDS['resolve']}"
            f" (files were ingested after the last resolution: run `{COMMANDS['resolve']}` again first)",
        )
    return None


def require(con: duckdb.DuckDBPyConnection, step: Step) -> None:
    """Raise ``StepOrderError`` unless ``step`` may run on this workspace now."""
    if step not in ("resolve", "profiles", "evaluate", "explain", "simulate"):
        raise ValueError(f"unknown step {step!r}")
    error = _missing(con, step)
    if error is not None:
        raise error


def require_enterprise(con: duckdb.DuckDBPyConnection, uscc: str) -> None:
    """After ``require(con, "explain")``: the USCC is one of the resolved enterprises."""
    # the key as a literal: DuckDB looks a literal up in the index (enterprise_uscc); a parameter it scans for
    found = con.execute(f"SELECT count(*) FROM enterprise WHERE uscc = {lit(uscc)}").fetchall()[0][0]
    if not found:
        raise StepOrderError(
            "ingest",
            f"工作区中没有统一社会信用代码为 {uscc} 的企业：请核对代码，或先导入该企业的工商登记并运行 "
            f"{COMMANDS['resolve']} (no enterprise {uscc} in the workspace: check the code, or ingest its "
            f"registration and run `{COMMANDS['resolve']}`)",
        )


def next_step(con: duckdb.DuckDBPyConnection) -> StepOrderError | None:
    """The step this workspace waits for before profiles and evaluation can run (None: ready)."""
    return _missing(con, "profiles")
