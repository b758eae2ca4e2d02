"""The spot checks' rules (``rules.yaml``): dated versions of named parameters, each with its value, whether it is
unconfirmed (a DEFAULT: 默认值，待确认) and its source row. A draw uses the version in force on its day and
records the version's id and hash; verification reads the same version by id (a version is never edited in
place once a draw used it: a change is a new version)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import yaml

from gaoqi.web.spotchecks import sampling

#: every parameter a version must declare
REQUIRED = ("random_share", "market_minimum_share", "strata", "rounding", "critical_share", "high_share",
            "pilot_share", "inspectors_per_case", "conflict_rule")  # fmt: skip
SHARES = ("random_share", "market_minimum_share", "critical_share", "high_share", "pilot_share")


class RulesError(ValueError):
    """A rules file the platform refuses (said in words naming the version and the parameter)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    unconfirmed: bool
    source: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class RulesVersion:
    version: str
    valid_from: dt.date
    valid_to: dt.date | None
    parameters: dict[str, Parameter]
    hash: str  # SHA-256 of the version's canonical JSON

    def value(self, name: str) -> Any:
        return self.parameters[name].value

    def params(self) -> sampling.Params:
        return sampling.Params(
            random_share=self.value("random_share"), critical_share=self.value("critical_share"),
            high_share=self.value("high_share"), pilot_share=self.value("pilot_share"),
            inspectors_per_case=self.value("inspectors_per_case"), conflict_rule=self.value("conflict_rule"),
            rounding=self.value("rounding"), strata=tuple(self.value("strata")),
        )  # fmt: skip

    @property
    def unconfirmed(self) -> bool:
        return any(p.unconfirmed for p in self.parameters.values())

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _date(v: Any, where: str) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as exc:
        raise RulesError(f"{where}: not a date: {v!r}") from exc


def _version(raw: dict[str, Any]) -> RulesVersion:
    vid = str(raw.get("version") or "")
    if not vid:
        raise RulesError("a version has no id")
    where = f"rules version {vid}"
    raw_params = raw.get("parameters") or {}
    missing = [n for n in REQUIRED if n not in raw_params]
    if missing:
        raise RulesError(f"{where}: missing parameters {missing}")
    unknown = sorted(set(raw_params) - set(REQUIRED))
    if unknown:
        raise RulesError(f"{where}: unknown parameters {unknown}")
    params: dict[str, Parameter] = {}
    for name in REQUIRED:
        p = raw_params[name]
        if not isinstance(p, dict) or "value" not in p or not p.get("source"):
            raise RulesError(f"{where}: {name} needs a value and its source")
        value = p["value"]
        if name in SHARES:
            try:
                value = Decimal(str(value))
            except InvalidOperation as exc:
                raise RulesError(f"{where}: {name} is not a number: {value!r}") from exc
            if not Decimal(0) <= value <= Decimal(1):
                raise RulesError(f"{where}: {name} must be a share between 0 and 1, not {value}")
        elif name == "inspectors_per_case":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise RulesError(f"{where}: inspectors_per_case must be a whole number ≥ 1, not {value!r}")
        elif name == "strata":
            value = tuple(value or ())
        params[name] = Parameter(name, value, bool(p.get("unconfirmed", False)), str(p["source"]),
                                 str(p.get("label") or name), str(p.get("note") or ""))  # fmt: skip
    if params["random_share"].value < params["market_minimum_share"].value:
        raise RulesError(f"{where}: random_share is below the market-regulation minimum (market_minimum_share)")
    valid_from = _date(raw.get("valid_from"), where)
    valid_to = None if raw.get("valid_to") is None else _date(raw["valid_to"], where)
    if valid_to is not None and valid_to < valid_from:
        raise RulesError(f"{where}: valid_to is before valid_from")
    canonical = json.dumps(
        {"version": vid, "valid_from": valid_from.isoformat(), "valid_to": valid_to and valid_to.isoformat(),
         "parameters": {n: str(p.value) if isinstance(p.value, Decimal) else p.value for n, p in params.items()}},
        sort_keys=True, ensure_ascii=False, default=list,
    )  # fmt: skip
    version = RulesVersion(vid, valid_from, valid_to, params, hashlib.sha256(canonical.encode()).hexdigest())
    try:
        version.params()  # the sampling's own checks (rounding, conflict rule, strata)
    except ValueError as exc:
        raise RulesError(f"{where}: {exc}") from exc
    return version


def load_text(text: str) -> tuple[RulesVersion, ...]:
    data = yaml.safe_load(text) or {}
    versions = tuple(_version(v) for v in data.get("versions") or [])
    if not versions:
        raise RulesError("the rules declare no version")
    ids = [v.version for v in versions]
    if len(set(ids)) != len(ids):
        raise RulesError("two rules versions share an id")
    ordered = sorted(versions, key=lambda v: v.valid_from)
    for a, b in itertools.pairwise(ordered):
        if a.valid_to is None or a.valid_to >= b.valid_from:
            raise RulesError(f"rules versions {a.version} and {b.version} overlap")
    return tuple(ordered)


@cache
def versions() -> tuple[RulesVersion, ...]:
    text = resources.files("gaoqi.web.spotchecks").joinpath("rules.yaml").read_text(encoding="utf-8")
    return load_text(text)


def in_force(day: dt.date) -> RulesVersion:
    for v in versions():
        if v.in_force(day):
            return v
    raise RulesError(f"no spot-check rules version is in force on {day.isoformat()}")


def by_id(version: str) -> RulesVersion:
    for v in versions():
        if v.version == version:
            return v
    raise RulesError(f"no spot-check rules version {version}")


__all__ = ["Parameter", "RulesError", "RulesVersion", "by_id", "in_force", "load_text", "versions"]
