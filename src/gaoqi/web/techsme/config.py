"""The tech-SME process parameters (process.yaml) as typed values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class ProcessConfig:
    policy_id: str
    time_limits: dict[str, int]
    time_limit_labels: dict[str, str]
    update_due: tuple[int, int]  # (month, day): the yearly update's last day (Art. 12)
    update_opens: tuple[int, int]
    number_prefix: str
    serial_digits: int

    def update_deadline(self, year: int) -> dt.date:
        """The last day (inclusive) of the yearly update of ``year``."""
        return dt.date(year, *self.update_due)

    def update_opening(self, year: int) -> dt.date:
        return dt.date(year, *self.update_opens)


def _month_day(text: object) -> tuple[int, int]:
    month, day = (int(x) for x in str(text).split("-"))
    return month, day


@lru_cache(maxsize=1)
def process_config() -> ProcessConfig:
    raw = yaml.safe_load(resources.files("gaoqi.web.techsme").joinpath("process.yaml").read_text("utf-8"))
    return ProcessConfig(
        policy_id=str(raw["policy_id"]),
        time_limits={k: int(v["days"]) for k, v in raw["time_limits"].items()},
        time_limit_labels={k: str(v["label"]) for k, v in raw["time_limits"].items()},
        update_due=_month_day(raw["annual_update"]["due_month_day"]),
        update_opens=_month_day(raw["annual_update"]["opens_month_day"]),
        number_prefix=str(raw["registration_number"]["prefix"]),
        serial_digits=int(raw["registration_number"]["serial_digits"]),
    )
