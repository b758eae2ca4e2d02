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


@cache
def field_codes() -> tuple[str, ...]:
    """The eight top-level fields of 《国家重点支持的高新技术领域》 by the codes the engine's schemas use (the
    certificate feed's ``tech_field``), each with its word in the catalogue (``tech_field``)."""
    from gaoqi.engine import feed_spec

    return tuple(feed_spec("certificate").field("tech_field").aliases)


@cache
def field_spellings() -> dict[str, str]:
    """Every accepted spelling of a field (its code and its Chinese names) → the code (an upload's column)."""
    from gaoqi.engine import feed_spec

    aliases = feed_spec("certificate").field("tech_field").aliases
    return {code: code for code in aliases} | {a: code for code, names in aliases.items() for a in names}


def field_label(code: str) -> str:
    from gaoqi.web.core.labels import label

    return label("tech_field", code)
