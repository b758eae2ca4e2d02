"""The department feeds (数据接口规范), read from their Frictionless Table Schemas in ``schemas/``.

The JSON files are the single source of truth: column names (English and Chinese), kinds, required
fields, enumerations with their aliases, and the key of each feed. Everything else (header mapping,
validation SQL, table DDL, docs/feeds.md) is derived from them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

FEED_NAMES: tuple[str, ...] = (
    "registration",
    "name_change",
    "finance",
    "rd",
    "social_insurance",
    "ip",
    "credit",
    "certificate",
    "incubator",
    "incubation",
    # the platform's own records (高企认定系统, ADR 0011), read by the warning rules (ADR 0029)
    "hte_application",
    "hte_annual_report",
    # the R&D projects of each application (高企认定系统), read by the review signals (ADR 0035)
    "hte_rd_project",
)

# Storage type in the workspace for each field kind.
SQL_TYPES: dict[str, str] = {
    "uscc": "VARCHAR",
    "text": "VARCHAR",
    "name": "VARCHAR",
    "enum": "VARCHAR",
    "district_code": "VARCHAR",
    "admin_code": "VARCHAR",
    "industry_code": "VARCHAR",
    "money": "DECIMAL(18,4)",
    "count": "DECIMAL(12,2)",
    "year": "INTEGER",
    "integer": "INTEGER",
    "date": "DATE",
    "period": "DATE",  # stored as the first day of the month
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    kind: str
    required: bool
    personal: bool = False
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # required only on rows where another field has one of these (typed) values: {"kind": ("zgc_hte",)}
    required_when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_length: int | None = None  # characters of a text value
    description: str = ""
    #: a Frictionless foreign key: (feed, field) whose delivered values this field's value must be one of
    references: tuple[str, str] | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class FeedSpec:
    name: str
    title: str
    department: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _field_from_json(d: dict[str, Any], references: tuple[str, str] | None = None) -> FieldSpec:
    constraints = d.get("constraints", {})
    aliases = {k: tuple(v) for k, v in d.get("gaoqi:aliases", {}).items()}
    return FieldSpec(
        name=d["name"],
        title=d["title"],
        kind=d["gaoqi:kind"],
        required=bool(constraints.get("required", False)),
        personal=bool(d.get("gaoqi:personal", False)),
        aliases=aliases,
        required_when={k: tuple(v) for k, v in d.get("gaoqi:requiredWhen", {}).items()},
        max_length=constraints.get("maxLength"),
        description=str(d.get("description", "")),
        references=references,
    )


def _foreign_keys(d: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Field → (feed, field) of the schema's single-field ``foreignKeys``."""
    out: dict[str, tuple[str, str]] = {}
    for fk in d.get("foreignKeys", []):
        ref = fk["reference"]
        out[str(fk["fields"])] = (str(ref["resource"]), str(ref["fields"]))
    return out


@cache
def schema_json(feed: str) -> dict[str, Any]:
    """The raw Frictionless Table Schema of a feed."""
    text = resources.files("gaoqi.engine").joinpath("schemas", f"{feed}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def feed_spec(feed: str) -> FeedSpec:
    d = schema_json(feed)
    return FeedSpec(
        name=d["name"],
        title=d["title"],
        department=d["gaoqi:department"],
        key=tuple(d["primaryKey"]),
        fields=tuple(_field_from_json(f, _foreign_keys(d).get(f["name"])) for f in d["fields"]),
    )


def all_feeds() -> tuple[FeedSpec, ...]:
    return tuple(feed_spec(n) for n in FEED_NAMES)


@cache
def referenced_feeds() -> frozenset[str]:
    """Feeds another feed's foreign key points at (the incubator roster): their files are loaded first."""
    return frozenset(f.references[0] for spec in all_feeds() for f in spec.fields if f.references is not None)


def feed_for_filename(filename: str) -> str | None:
    """The feed a delivered file belongs to: its name starts with the feed's name.

    ``registration_2025-06.xlsx`` → registration; ``ip-batch3.csv`` → ip. The longest matching
    name wins and the name must be followed by a separator, a dot or the end, so that a future
    ``ip_licence`` feed is not mistaken for ``ip``.
    """
    base = filename.rsplit("/", 1)[-1].lower()
    best: str | None = None
    for name in FEED_NAMES:
        if base.startswith(name):
            rest = base[len(name) :]
            if (rest == "" or rest[0] in "._- ") and (best is None or len(name) > len(best)):
                best = name
    return best


def _header_key(text: str) -> str:
    # Headers arrive with BOMs, full-width brackets, stray spaces and mixed case.
    s = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s_\-]+", "", s)


def header_map(feed: str) -> dict[str, str]:
    """Normalised header text → canonical column name, for English and Chinese headers."""
    spec = feed_spec(feed)
    out: dict[str, str] = {}
    for f in spec.fields:
        out[_header_key(f.name)] = f.name
        out[_header_key(f.title)] = f.name
    return out


def map_headers(feed: str, headers: list[str]) -> list[str | None]:
    """Canonical name for each header, or None for an extra column (kept, not rejected)."""
    mapping = header_map(feed)
    result: list[str | None] = []
    seen: set[str] = set()
    for h in headers:
        canon = mapping.get(_header_key(h))
        if canon is not None and canon in seen:
            canon = None  # a repeated column is kept as extra rather than overwriting the first
        if canon is not None:
            seen.add(canon)
        result.append(canon)
    return result
