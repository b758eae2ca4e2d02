"""The app's data files read once: the support categories and kinds (``kinds.yaml``) and the default quota tiers
(``quotas.yaml``, DEFAULT: 默认值，待确认)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()
    number: bool = False
    max: float | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    category: str
    fields: tuple[Field, ...]
    amount: str = ""  # the amount's words; "" = the kind has no amount
    manual: bool = True


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    kinds: tuple[Kind, ...]


def _read(name: str) -> Any:
    return yaml.safe_load(resources.files("gaoqi.web.support").joinpath(name).read_text(encoding="utf-8"))


@cache
def categories() -> tuple[Category, ...]:
    out = []
    for ckey, c in _read("kinds.yaml")["categories"].items():
        kinds = []
        for kkey, k in c["kinds"].items():
            fields = tuple(
                Field(fkey, f["label"], bool(f.get("required")), tuple(f.get("choices") or ()), bool(f.get("number")),
                      f.get("max"))
                for fkey, f in (k.get("fields") or {}).items()
            )  # fmt: skip
            kinds.append(Kind(kkey, k["label"], ckey, fields, k.get("amount", ""), k.get("manual", True)))
        out.append(Category(ckey, c["label"], tuple(kinds)))
    return tuple(out)


def category(key: str) -> Category | None:
    return next((c for c in categories() if c.key == key), None)


def kind(category_key: str, kind_key: str) -> Kind | None:
    c = category(category_key)
    return None if c is None else next((k for k in c.kinds if k.key == kind_key), None)


def category_labels() -> dict[str, str]:
    return {c.key: c.label for c in categories()}


def kind_labels() -> dict[str, str]:
    return {k.key: k.label for c in categories() for k in c.kinds}


@cache
def quota_defaults() -> dict[str, Any]:
    """{"status": "DEFAULT", "tiers": {"A": {"label", "cap"}, …}}."""
    return dict(_read("quotas.yaml"))


def default_tiers() -> dict[str, int]:
    return {t: int(v["cap"]) for t, v in quota_defaults()["tiers"].items()}


def tier_labels() -> dict[str, str]:
    return {t: str(v["label"]) for t, v in quota_defaults()["tiers"].items()}


def tiers_unconfirmed() -> bool:
    return str(quota_defaults().get("status", "")).upper() != "CONFIRMED"
