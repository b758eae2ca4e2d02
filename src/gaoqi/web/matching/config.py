"""The matching parameters (``weights.yaml``): the score's weights (programmes.md §10.2, DEFAULT: 默认值，待确认)
and how many proposals each demand keeps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from gaoqi import matching


@dataclass(frozen=True)
class Settings:
    weights: matching.Weights
    top_k: int
    confirmed: bool  # False while the weights are the reference's DEFAULT


@cache
def settings() -> Settings:
    raw = yaml.safe_load(resources.files("gaoqi.web.matching").joinpath("weights.yaml").read_text(encoding="utf-8"))
    w = raw["weights"]
    weights = matching.Weights(field=float(w["field"]), keywords=float(w["keywords"]), location=float(w["location"]),
                               budget=float(w["budget"]), credit=float(w["credit"]))  # fmt: skip
    return Settings(weights, int(raw.get("top_k", 20)), str(raw.get("status", "")).upper() == "CONFIRMED")


def field_label(code: str) -> str:
    from gaoqi.web.core.labels import label

    return label("tech_field", code)
