"""The roster of units read from ``units.yaml``: the same rows for the data migration, the ``units_load`` command
and the tests (one reader, no copy)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml

from gaoqi.engine import district_codes


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    level: str
    kind: str
    district_code: str


def municipal_code(kind: str) -> str:
    return f"m.{kind}"


def district_unit_code(district_code: str, kind: str) -> str:
    return f"{district_code}.{kind}"


def roster() -> list[UnitRow]:
    """Every unit of the file: the municipal departments, then each district's offices."""
    text = resources.files("gaoqi.web.units").joinpath("units.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rows = [UnitRow(municipal_code(u["kind"]), u["name"], "municipal", u["kind"], "") for u in data["municipal"]]
    for code, name in district_codes().items():
        short = name[:-1] if name.endswith("区") else name
        for u in data["district"]:
            rows.append(
                UnitRow(
                    district_unit_code(code, u["kind"]),
                    u["name"].format(district=name, short=short),
                    "district",
                    u["kind"],
                    code,
                )
            )
    return rows
