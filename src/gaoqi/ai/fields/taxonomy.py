"""The annex 《国家重点支持的高新技术领域》 (国科发火〔2016〕32号) as data: 8 fields, 52 sub-fields, third-level items.

Read from ``gaoqi/ai/data/hte_fields.json`` (transcribed from /work/shared/reference/hte-rules.md §3). Codes are
the project's: ``"1"`` (field), ``"1.1"`` (sub-field), ``"1.1.3"`` (third-level item), following the official
numbering (一、 → 1, （一） → 1, item 3 → 3). Field membership is an expert judgement: software only proposes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Field", "Item", "SubField", "Taxonomy", "load_taxonomy", "taxonomy_bytes"]


@dataclass(frozen=True)
class Item:
    code: str
    name: str


@dataclass(frozen=True)
class SubField:
    code: str
    name: str
    field_code: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Field:
    code: str
    name: str
    synth_key: str  # the key of the synthetic generator (industries.json ``tech_fields``)
    sub_fields: tuple[SubField, ...]


@dataclass(frozen=True)
class Taxonomy:
    fields: tuple[Field, ...]

    @property
    def sub_fields(self) -> tuple[SubField, ...]:
        return tuple(s for f in self.fields for s in f.sub_fields)

    def field(self, code: str) -> Field:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)

    def field_by_name(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def sub_field(self, code: str) -> SubField:
        for s in self.sub_fields:
            if s.code == code:
                return s
        raise KeyError(code)


def taxonomy_bytes() -> bytes:
    return resources.files("gaoqi.ai").joinpath("data", "hte_fields.json").read_bytes()


@cache
def load_taxonomy() -> Taxonomy:
    doc: dict[str, Any] = json.loads(taxonomy_bytes())
    fields = []
    for f in doc["fields"]:
        subs = tuple(
            SubField(
                code=s["code"],
                name=s["name"],
                field_code=f["code"],
                items=tuple(Item(code=i["code"], name=i["name"]) for i in s["items"]),
            )
            for s in f["sub_fields"]
        )
        fields.append(Field(code=f["code"], name=f["name"], synth_key=f["synth_key"], sub_fields=subs))
    return Taxonomy(fields=tuple(fields))
