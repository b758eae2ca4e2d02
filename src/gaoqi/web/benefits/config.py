"""The app's parameters (``process.yaml``, DEFAULT: 默认值，待确认)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def process() -> dict[str, Any]:
    text = resources.files("gaoqi.web.benefits").joinpath("process.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def window_workdays() -> int:
    return int(process()["window_workdays"])


def upload_max_bytes() -> int:
    return int(process()["upload_max_bytes"])


def upload_max_rows() -> int:
    return int(process()["upload_max_rows"])


def unconfirmed() -> bool:
    return str(process().get("status", "")).upper() != "CONFIRMED"
