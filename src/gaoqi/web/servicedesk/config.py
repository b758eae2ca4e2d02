"""The servicedesk's parameters as typed values: ``process.yaml`` (time limits in working days, escalation, the
三率 formulas) and ``routing.yaml`` (category → responsible unit). Both are DEFAULTs (默认值，待确认) except the
兜底 rule; the routing file is checked against the units roster when it is loaded: a rule naming a unit that does
not exist refuses the whole file with a message that names it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

#: The request categories (routing.yaml's keys, plus ``other``, which no rule names: the fallback).
CATEGORIES = ("hte", "cultivation", "wrp", "housing", "financing", "space", "first_set", "stats", "policy", "other")
URGENCIES = ("EMERGENCY", "TIMELY", "GENERAL", "COMPLEX")
CHANNELS = ("platform", "hotline_12345", "entrepreneur_day", "service_package")
RESOLVED = ("YES", "PARTLY", "NO")
SATISFACTION = ("SATISFIED", "BASICALLY", "DISSATISFIED")


class RoutingError(ValueError):
    """routing.yaml cannot be used (in Chinese: which rule, which unit)."""


@dataclass(frozen=True)
class ProcessConfig:
    acceptance_workdays: int
    answer_workdays: dict[str, int]
    default_urgency: str
    auto_close_workdays: int
    reopen_limit: int
    escalation: dict[str, str]
    partly_weight: float
    basically_weight: float
    weights: dict[str, float]
    max_bytes: int
    per_request: int


def _read(name: str) -> Any:
    return yaml.safe_load(resources.files("gaoqi.web.servicedesk").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def process_config() -> ProcessConfig:
    raw = _read("process.yaml")
    answer = {str(k): int(v) for k, v in raw["answer_workdays"].items()}
    if set(answer) != set(URGENCIES) or raw["default_urgency"] not in answer:
        raise ValueError("process.yaml: answer_workdays must give every urgency class")
    return ProcessConfig(
        acceptance_workdays=int(raw["acceptance_workdays"]),
        answer_workdays=answer,
        default_urgency=str(raw["default_urgency"]),
        auto_close_workdays=int(raw["auto_close_workdays"]),
        reopen_limit=int(raw["reopen_limit"]),
        escalation={k: str(v) for k, v in raw["escalation"].items()},
        partly_weight=float(raw["rates"]["partly_weight"]),
        basically_weight=float(raw["rates"]["basically_weight"]),
        weights={k: float(v) for k, v in raw["rates"]["weights"].items()},
        max_bytes=int(raw["attachments"]["max_bytes"]),
        per_request=int(raw["attachments"]["per_request"]),
    )


def due_after(start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The n-th working day after ``start`` (``start`` not counted) and whether it is provisional (past the last
    published holiday year: weekdays stand in, shown as （暂定）). (``add_workdays_provisional``)."""
    from gaoqi.web.certification.workdays import add_workdays_provisional

    return add_workdays_provisional(start, n)


# ------------------------------------------------------------------------------------------------------
# routing


@dataclass(frozen=True)
class Rule:
    category: str
    level: str  # municipal | district
    kind: str
    overrides: dict[str, str] = field(default_factory=dict)  # district code → unit code


@dataclass(frozen=True)
class Routing:
    rules: dict[str, Rule]
    fallback: Rule

    def resolve(self, category: str, district_code: str) -> tuple[Any, str]:
        """The active unit for a request of ``category`` from an enterprise of ``district_code``, and the words
        of the rule that chose it (recorded on the request)."""
        from gaoqi.web.core.labels import district, label
        from gaoqi.web.units.selectors import unit_for, unit_get

        cat = label("sd_category", category)
        rule = self.rules.get(category)
        if rule is not None and district_code in rule.overrides:
            return unit_get(rule.overrides[district_code]), f"{cat}：{district(district_code)}例外规则"
        chosen = rule or self.fallback
        unit = unit_for(chosen.kind, level=chosen.level, district_code=district_code)
        if unit is None and rule is not None:  # the rule's unit is missing in that place: 兜底
            chosen = self.fallback
            unit = unit_for(chosen.kind, level=chosen.level, district_code=district_code)
        if unit is None:
            from gaoqi.web.core.errors import DomainError

            raise DomainError(f"无法为区县“{district_code}”找到承办单位（兜底规则：区人民政府）。")
        if chosen is rule:
            return unit, f"{cat}：{'市级' if chosen.level == 'municipal' else '区级'}承办规则"
        return unit, f"{cat}：无对应规则，兜底至区人民政府"


def routing_parse(raw: Any, district_codes: list[str]) -> Routing:
    """Check a routing document against the roster (every rule's unit must exist in every district, every
    override's unit must exist): a RoutingError listing each problem otherwise."""
    from gaoqi.web.units.models import DISTRICT, MUNICIPAL, Unit

    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
        raise RoutingError("诉求分派规则文件格式错误：缺少 categories")
    active = set(Unit.objects.filter(active=True).values_list("code", flat=True))

    def unit_code(level: str, kind: str, district: str) -> str:
        return f"m.{kind}" if level == MUNICIPAL else f"{district}.{kind}"

    def rule_of(category: str, spec: Any) -> Rule | None:
        if not isinstance(spec, dict) or spec.get("level") not in (MUNICIPAL, DISTRICT) or not spec.get("kind"):
            problems.append(f"规则“{category}”须写明 level（municipal 或 district）与 kind")
            return None
        level, kind = str(spec["level"]), str(spec["kind"])
        places = [""] if level == MUNICIPAL else district_codes
        missing = sorted({unit_code(level, kind, d) for d in places} - active)
        if missing:
            problems.append(f"规则“{category}”指向不存在的责任单位：{'、'.join(missing[:3])}")
        return Rule(category, level, kind)

    fallback = rule_of("兜底", raw.get("fallback"))
    rules: dict[str, Rule] = {}
    for category, spec in raw["categories"].items():
        if category not in CATEGORIES:
            problems.append(f"未知的诉求类别“{category}”")
            continue
        rule = rule_of(str(category), spec)
        if rule is not None:
            rules[str(category)] = rule
    for category, table in (raw.get("overrides") or {}).items():
        if category not in rules:
            problems.append(f"区县例外“{category}”没有对应的类别规则")
            continue
        for district, code in (table or {}).items():
            if str(district) not in district_codes:
                problems.append(f"区县例外“{category}”中的区县代码“{district}”不存在")
            elif str(code) not in active:
                problems.append(f"区县例外“{category}”（{district}）指向不存在的责任单位：{code}")
        r = rules[str(category)]
        rules[str(category)] = Rule(r.category, r.level, r.kind, {str(d): str(c) for d, c in (table or {}).items()})
    if problems or fallback is None:
        raise RoutingError("诉求分派规则有误：" + "；".join(problems or ["缺少兜底规则"]))
    return Routing(rules, fallback)


def routing_load(text: str | None = None) -> Routing:
    """routing.yaml (or ``text``) parsed and checked against the units roster."""
    from gaoqi.engine import district_codes

    raw = yaml.safe_load(text) if text is not None else _read("routing.yaml")
    return routing_parse(raw, sorted(district_codes()))


_ROUTING: list[Routing] = []


def routing() -> Routing:
    """The loaded routing (once per process; ``routing_reset`` after the roster changes)."""
    if not _ROUTING:
        _ROUTING.append(routing_load())
    return _ROUTING[0]


def routing_reset() -> None:
    _ROUTING.clear()
