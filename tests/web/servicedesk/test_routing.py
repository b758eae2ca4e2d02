"""Routing as data (routing.yaml): each category's rule, a district override, the 兜底 to the district
government, and a file naming a unit that does not exist refused at load time."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.servicedesk.config import CATEGORIES, RoutingError, routing, routing_load
from tests.web.conftest import CHAOYANG, HAIDIAN

EXPECTED_CHAOYANG = {
    "hte": "m.hte",
    "cultivation": f"{CHAOYANG}.sci",
    "wrp": f"{CHAOYANG}.hr",
    "housing": f"{CHAOYANG}.housing",
    "financing": "m.finance",
    "space": f"{CHAOYANG}.planning",
    "first_set": "m.economy",
    "stats": f"{CHAOYANG}.stats",
    "policy": "m.hte",
    "other": f"{CHAOYANG}.gov",  # unmapped → the district government (兜底, fact 5.4)
}


@pytest.mark.django_db
@pytest.mark.parametrize("category", CATEGORIES)
def test_each_rule_sends_the_request_to_its_unit(sd: Any, category: str) -> None:
    unit, rule = routing().resolve(category, CHAOYANG)
    assert unit.code == EXPECTED_CHAOYANG[category]
    if category == "other":
        assert rule == "其他：无对应规则，兜底至区人民政府" and unit.name == "朝阳区人民政府"
    else:
        assert rule.endswith("承办规则")


@pytest.mark.django_db
def test_a_district_override_wins_for_its_district_only(sd: Any) -> None:
    unit, rule = routing().resolve("financing", HAIDIAN)
    assert (unit.code, rule) == (f"{HAIDIAN}.finance", "融资：海淀区例外规则")
    assert routing().resolve("financing", CHAOYANG)[0].code == "m.finance"


@pytest.mark.django_db
def test_a_filed_request_records_its_unit_and_rule(sd: Any) -> None:
    from tests.web.servicedesk.conftest import file_request

    req = file_request(sd["ent"], category="other")
    assert (req.unit.code, req.route_rule) == (f"{HAIDIAN}.gov", "其他：无对应规则，兜底至区人民政府")


BAD = """
fallback: {level: district, kind: gov}
categories:
  hte: {level: municipal, kind: hte}
  wrp: {level: district, kind: nosuch}
overrides:
  hte: {"110108": "110108.nowhere"}
"""


@pytest.mark.django_db
def test_a_rule_naming_a_unit_that_does_not_exist_is_refused_at_load(sd: Any) -> None:
    with pytest.raises(RoutingError) as err:
        routing_load(BAD)
    message = str(err.value)
    assert "规则“wrp”指向不存在的责任单位" in message and "110101.nosuch" in message
    assert "110108.nowhere" in message


@pytest.mark.django_db
def test_a_retired_unit_makes_the_file_fail_and_an_unknown_category_too(sd: Any) -> None:
    from gaoqi.web.units.models import Unit

    Unit.objects.filter(code="m.economy").update(active=False)
    with pytest.raises(RoutingError, match=r"m\.economy"):
        routing_load()
    with pytest.raises(RoutingError, match="未知的诉求类别“parking”"):
        routing_load("fallback: {level: district, kind: gov}\ncategories:\n  parking: {level: district, kind: gov}\n")
