"""The process parameters (process.yaml) as typed values."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class ProcessConfig:
    time_limits: dict[str, int]
    time_limit_labels: dict[str, str]
    due_soon_workdays: int
    panel: dict[str, Any]
    certificate: dict[str, Any]
    annual_report_due: tuple[int, int]
    missing_years_cancel: int
    renewal_reminder_months: int
    pilot: dict[str, Any]
    objections: dict[str, Any]
    fields: dict[str, Any]  # the field classifier's parameters (mismatch_confidence, reserved_seats)


@lru_cache(maxsize=1)
def process_config() -> ProcessConfig:
    raw = yaml.safe_load(resources.files("gaoqi.web.certification").joinpath("process.yaml").read_text("utf-8"))
    month, day = (int(x) for x in str(raw["annual_report"]["due_month_day"]).split("-"))
    return ProcessConfig(
        time_limits={k: int(v["days"]) for k, v in raw["time_limits"].items()},
        time_limit_labels={k: str(v["label"]) for k, v in raw["time_limits"].items()},
        due_soon_workdays=int(raw["monitoring"]["due_soon_workdays"]),
        panel=dict(raw["panel"]),
        certificate=dict(raw["certificate"]),
        annual_report_due=(month, day),
        missing_years_cancel=int(raw["annual_report"]["missing_years_cancel"]),
        renewal_reminder_months=int(raw["renewal_reminder_months"]),
        pilot=dict(raw["pilot"]),
        objections=dict(raw["objections"]),
        fields=dict(raw["fields"]),
    )
