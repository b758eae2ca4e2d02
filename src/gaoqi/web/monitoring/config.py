"""监测预警's parameters as typed values: ``process.yaml`` (handling limits by severity, age bands) and
``platform_rules.yaml`` (the platform's own warning rules). All DEFAULTs (默认值，待确认)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from gaoqi.web.monitoring.workflow import SEVERITIES


def _read(name: str) -> Any:
    return yaml.safe_load(resources.files("gaoqi.web.monitoring").joinpath(name).read_text("utf-8"))


@dataclass(frozen=True)
class Process:
    handling_workdays: dict[str, int]
    age_bands: tuple[int, ...]
    unconfirmed: bool


@lru_cache(maxsize=1)
def process() -> Process:
    raw = _read("process.yaml")
    limits = {str(k): int(v) for k, v in raw["handling_workdays"].items()}
    if set(limits) != set(SEVERITIES) or min(limits.values()) < 1:
        raise ValueError("monitoring/process.yaml: handling_workdays must give every severity at least one day")
    bands = tuple(int(b) for b in raw["age_bands"])
    if list(bands) != sorted(set(bands)):
        raise ValueError("monitoring/process.yaml: age_bands must increase")
    return Process(limits, bands, raw.get("status") == "DEFAULT")


def due_for(opened: dt.date, severity: str) -> tuple[dt.date, bool]:
    """The handling limit of a warning of ``severity`` opened on ``opened`` (working days, provisional past the
    published calendar)."""
    from gaoqi.web.certification.workdays import add_workdays_provisional

    return add_workdays_provisional(opened, process().handling_workdays[severity])


@dataclass(frozen=True)
class PlatformRule:
    id: str
    name: str
    version: str
    severity: str
    routes: tuple[str, ...]
    reason: str
    articles: tuple[str, ...]
    unconfirmed: bool


@lru_cache(maxsize=1)
def platform_rules() -> dict[str, PlatformRule]:
    raw = _read("platform_rules.yaml")
    rules = {}
    for rid, r in raw["rules"].items():
        if r["severity"] not in SEVERITIES:
            raise ValueError(f"monitoring/platform_rules.yaml: {rid}: unknown severity {r['severity']}")
        rules[str(rid)] = PlatformRule(
            str(rid), str(r["name"]), str(r["version"]), str(r["severity"]), tuple(r.get("routes") or ()),
            str(r.get("reason", "")), tuple(str(a) for a in r.get("articles") or ()), raw.get("status") == "DEFAULT",
        )  # fmt: skip
    return rules
