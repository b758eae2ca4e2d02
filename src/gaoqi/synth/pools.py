"""Word pools of the synthetic Beijing, read from the data files under ``gaoqi/synth/data/``.

Everything there is invented or generic: trade-name characters, surnames, street names, industry groups
with their GB/T 4754-2017 codes. Every string is GBK-encodable (the generator writes some files in GBK).
Beijing's district codes and names are the engine's reference data (``gaoqi/engine/data/districts.json``);
the synth keeps only each district's share, short name, streets and industry tilt, keyed by code.

Formats (UTF-8): ``*.json`` objects whose keys starting with ``_`` are comments; ``*.txt`` word pools, one
word per line, or for character pools (``*_chars.txt``) every character one entry; ``#`` starts a comment
line. The order of a pool is part of the draw: the same seed gives the same bytes only with the same order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from gaoqi.engine.validate import district_codes


def _text(name: str) -> str:
    return resources.files("gaoqi.synth").joinpath("data", name).read_text(encoding="utf-8")


def _json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_text(name))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _lines(name: str) -> list[str]:
    return [s for line in _text(name).splitlines() if (s := line.strip()) and not s.startswith("#")]


def _words(name: str) -> tuple[str, ...]:
    return tuple(_lines(name))


def _chars(name: str) -> tuple[str, ...]:
    return tuple(c for line in _lines(name) for c in line if not c.isspace())


def _pairs(rows: list[list[Any]]) -> tuple[tuple[str, float], ...]:
    return tuple((str(a), b) for a, b in rows)


# --- Districts (GB/T 2260): share of enterprises, in the order of the draw --------------------------
_DISTRICTS = _json("districts.json")
_NAMES = district_codes()
DISTRICT_SHARES: tuple[tuple[str, str, float], ...] = tuple(
    (code, _NAMES[code], d["share"]) for code, d in _DISTRICTS.items()
)
# Short names used in credit document numbers (京海市监罚〔2024〕123号).
DISTRICT_ABBR: dict[str, str] = {code: d["abbr"] for code, d in _DISTRICTS.items()}
STREETS: dict[str, tuple[str, ...]] = {code: tuple(d["streets"]) for code, d in _DISTRICTS.items()}
# District tilt of the industry mix: multipliers on the group shares.
DISTRICT_TILT: dict[str, dict[str, float]] = {code: d["tilt"] for code, d in _DISTRICTS.items() if "tilt" in d}

_WORDS = _json("words.json")
BUILDINGS: tuple[str, ...] = tuple(_WORDS["buildings"])

# --- Trade names (字号) -------------------------------------------------------------------------------
# Characters of the place and the organisation form would make a name ambiguous after normalisation.
TRADE_CHARS: tuple[str, ...] = tuple(
    dict.fromkeys(c for c in _chars("trade_chars.txt") if c not in "北京市省区县公司有限责任股份")
)
TRADE_WORDS: tuple[str, ...] = tuple(dict.fromkeys(_words("trade_words.txt")))
# The ASCII tails a few trade names carry (云图AI科技, 智谷5G); they give the full-width variants something
# to do.
ASCII_TAILS: tuple[str, ...] = tuple(_WORDS["ascii_tails"])

_FORMS = _json("enterprise_forms.json")
ORG_FORMS: tuple[str, ...] = tuple(f for f, _ in _FORMS["org_forms"])
ORG_FORM_WEIGHTS: tuple[float, ...] = tuple(w for _, w in _FORMS["org_forms"])


# --- Industry groups --------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndustryGroup:
    key: str
    share: float  # of all enterprises (before the district tilt)
    codes: tuple[tuple[str, float], ...]  # GB/T 4754-2017 class with section letter, relative weight
    words: tuple[str, ...]  # industry words of the enterprise name (行业表述)
    tech_prob: float  # probability that an enterprise of the group works in a high-tech field at all
    tech_weights: tuple[float, ...]  # over TECH_FIELDS
    scope: tuple[str, ...]  # business scope (经营范围) items
    ip_topics: tuple[str, ...]  # patent title topics
    revenue_mu: float  # log of the median revenue, 万元
    hte_affinity: float  # relative chance of holding an HTE certificate (given a tech field)


_INDUSTRIES = _json("industries.json")
TECH_FIELDS: tuple[str, ...] = tuple(_INDUSTRIES["tech_fields"])


def _group(g: dict[str, Any]) -> IndustryGroup:
    unknown = set(g["tech_weights"]) - set(TECH_FIELDS)
    if unknown:
        raise ValueError(f"industry group {g['key']}: unknown tech fields {sorted(unknown)}")
    return IndustryGroup(
        key=g["key"],
        share=g["share"],
        codes=_pairs(g["codes"]),
        words=tuple(g["words"]),
        tech_prob=g["tech_prob"],
        tech_weights=tuple(g["tech_weights"].get(f, 0.0) for f in TECH_FIELDS),
        scope=tuple(g["scope"]),
        ip_topics=tuple(g["ip_topics"]),
        revenue_mu=g["revenue_mu"],
        hte_affinity=g["hte_affinity"],
    )


INDUSTRY_GROUPS: tuple[IndustryGroup, ...] = tuple(_group(g) for g in _INDUSTRIES["groups"])

# --- People -----------------------------------------------------------------------------------------
SURNAMES: tuple[str, ...] = _words("surnames.txt")
GIVEN_CHARS: tuple[str, ...] = _chars("given_chars.txt")
_PLACES = _json("places.json")
# ID-card area codes (GB/T 2260) of places of household registration; Beijing first and most common.
ID_AREAS: tuple[tuple[str, float], ...] = _pairs(_PLACES["id_areas"])
MOBILE_PREFIXES: tuple[str, ...] = _words("mobile_prefixes.txt")

# --- Holders that are not enterprises of the population -----------------------------------------
INSTITUTIONS: tuple[str, ...] = _words("institutions.txt")
# Out-of-Beijing places with a division code for their (valid, but foreign to the population) USCCs.
OTHER_CITIES: tuple[tuple[str, str], ...] = tuple((str(a), str(b)) for a, b in _PLACES["other_cities"])

# --- Enterprise types by organisation form -----------------------------------------------------------
LLC_TYPES: tuple[tuple[str, float], ...] = _pairs(_FORMS["llc_types"])
JSC_TYPES: tuple[tuple[str, float], ...] = _pairs(_FORMS["jsc_types"])

# --- Credit: (canonical, Chinese, weight) -------------------------------------------------------------
CREDIT_EVENTS: tuple[tuple[str, str, float], ...] = tuple(
    (str(a), str(b), w) for a, b, w in _json("credit_events.json")["events"]
)

# --- IP titles ---------------------------------------------------------------------------------------
IP_ADJECTIVES: tuple[str, ...] = tuple(_WORDS["ip_adjectives"])
IP_SUFFIXES: tuple[str, ...] = tuple(_WORDS["ip_suffixes"])
DESIGN_OBJECTS: tuple[str, ...] = tuple(_WORDS["design_objects"])
SOFTWARE_PRODUCTS: tuple[str, ...] = tuple(_WORDS["software_products"])

# --- Planted mess ------------------------------------------------------------------------------------
NOT_NUMBERS: tuple[str, ...] = tuple(_WORDS["not_numbers"])  # in numeric cells
REMARKS: tuple[str, ...] = tuple(_WORDS["remarks"])  # in the extra remark column
# Characters clerks confuse (same sound or similar shape), for the typo variant.
CONFUSABLE: dict[str, str] = _json("confusables.json")
