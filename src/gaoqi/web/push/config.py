"""The app's parameters read once from ``push.yaml`` (every value there is a DEFAULT: 默认值，待确认)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def settings() -> dict[str, Any]:
    text = resources.files("gaoqi.web.push").joinpath("push.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def max_per_week() -> int:
    return int(settings()["max_per_week"])


def cap_window_days() -> int:
    return int(settings()["cap_window_days"])


def _time(key: str) -> dt.time:
    hours, minutes = str(settings()[key]).split(":")
    return dt.time(int(hours), int(minutes))


def quiet_start() -> dt.time:
    return _time("quiet_start")


def quiet_end() -> dt.time:
    return _time("quiet_end")


def contact() -> str:
    return str(settings()["contact"])


def batch_size() -> int:
    return int(settings()["batch_size"])


def category_of_kind() -> dict[str, str]:
    """policy kind → push category (DEFAULT mapping)."""
    return {str(k): str(v) for k, v in settings()["categories"].items()}


def default_category() -> str:
    return str(settings()["default_category"])


def mutable_categories() -> tuple[str, ...]:
    return tuple(settings()["mutable"])


def mandatory_categories() -> tuple[str, ...]:
    return tuple(settings()["mandatory"])
