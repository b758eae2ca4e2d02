"""The word pools read from ``gaoqi/synth/data/``: districts from the engine's reference data, pools
well-formed and GBK-encodable (some delivered files are GBK)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from gaoqi.engine.validate import district_codes
from gaoqi.synth import pools


def test_districts_are_the_engines_sixteen_with_their_names_and_shares() -> None:
    names = district_codes()
    assert [c for c, _, _ in pools.DISTRICT_SHARES] == [
        "110108", "110105", "110114", "110115", "110106", "110112", "110113", "110102",
        "110101", "110111", "110107", "110116", "110109", "110117", "110118", "110119",
    ]  # fmt: skip
    assert {c for c, _, _ in pools.DISTRICT_SHARES} == set(names)
    assert all(name == names[code] for code, name, _ in pools.DISTRICT_SHARES)
    assert pools.DISTRICT_SHARES[0] == ("110108", "海淀区", 0.33)
    assert sum(s for _, _, s in pools.DISTRICT_SHARES) == pytest.approx(1.0)
    assert set(pools.DISTRICT_ABBR) == set(pools.STREETS) == set(names)
    assert pools.DISTRICT_ABBR["110115"] == "兴"
    assert all(pools.STREETS[c] for c in names)


def test_the_synth_keeps_no_copy_of_the_district_names() -> None:
    text = resources.files("gaoqi.synth").joinpath("data", "districts.json").read_text(encoding="utf-8")
    data = {k: v for k, v in json.loads(text).items() if not k.startswith("_")}
    assert all(set(v) <= {"share", "abbr", "streets", "tilt"} for v in data.values())
    assert "海淀区" not in text


def test_district_tilts_name_known_groups() -> None:
    groups = {g.key for g in pools.INDUSTRY_GROUPS}
    assert pools.DISTRICT_TILT["110102"] == {"finance": 4.0, "services": 1.4, "software": 0.8}
    assert all(set(t) <= groups for t in pools.DISTRICT_TILT.values())


def test_industry_groups() -> None:
    assert len(pools.TECH_FIELDS) == 8
    software = pools.INDUSTRY_GROUPS[0]
    assert software.key == "software" and software.share == 0.28
    assert software.codes[:2] == (("I6511", 1.5), ("I6513", 8))
    assert software.tech_weights == (0.8, 0.0, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0)
    assert len({g.key for g in pools.INDUSTRY_GROUPS}) == len(pools.INDUSTRY_GROUPS)
    for g in pools.INDUSTRY_GROUPS:
        assert len(g.tech_weights) == len(pools.TECH_FIELDS)
        assert g.codes and g.words and g.scope and g.ip_topics
        assert all(len(code) == 5 and code[0].isupper() and code[1:].isdigit() for code, _ in g.codes)


def test_pools_sizes_and_order() -> None:
    # sizes and first entries pin the data files: a reordered or shortened pool changes every seed's output
    assert (len(pools.SURNAMES), pools.SURNAMES[:3], pools.SURNAMES[-1]) == (102, ("王", "李", "张"), "上官")
    assert (len(pools.GIVEN_CHARS), pools.GIVEN_CHARS[:3]) == (90, ("伟", "芳", "娜"))
    assert (len(pools.TRADE_CHARS), pools.TRADE_CHARS[:3]) == (285, ("星", "图", "智"))
    assert (len(pools.TRADE_WORDS), pools.TRADE_WORDS[:3]) == (224, ("星图", "智联", "恒泰"))
    assert len(pools.INSTITUTIONS) == 42 and len(pools.MOBILE_PREFIXES) == 31
    assert pools.BUILDINGS[:4] == ("", "", "", "1号楼")  # empty entries are weights too
    assert pools.IP_ADJECTIVES[-1] == ""
    assert pools.ORG_FORMS == ("有限公司", "有限责任公司", "股份有限公司")
    assert pools.ORG_FORM_WEIGHTS == (0.60, 0.30, 0.10)
    assert pools.CREDIT_EVENTS[0] == ("abnormal_operation", "经营异常", 0.60)
    assert pools.CONFUSABLE["技"] == "枝" and len(pools.CONFUSABLE) == 45


def test_trade_pools_carry_no_place_or_form_characters() -> None:
    banned = set("北京市省区县公司有限责任股份")
    assert not banned & set(pools.TRADE_CHARS)
    assert len(set(pools.TRADE_CHARS)) == len(pools.TRADE_CHARS)
    assert len(set(pools.TRADE_WORDS)) == len(pools.TRADE_WORDS)


def test_every_word_is_gbk_encodable() -> None:
    words: list[str] = [
        *pools.TRADE_CHARS, *pools.TRADE_WORDS, *pools.ASCII_TAILS, *pools.ORG_FORMS, *pools.SURNAMES,
        *pools.GIVEN_CHARS, *pools.INSTITUTIONS, *pools.BUILDINGS, *pools.IP_ADJECTIVES, *pools.IP_SUFFIXES,
        *pools.DESIGN_OBJECTS, *pools.SOFTWARE_PRODUCTS, *pools.NOT_NUMBERS, *pools.REMARKS,
        *pools.CONFUSABLE, *pools.CONFUSABLE.values(), *pools.DISTRICT_ABBR.values(),
    ]  # fmt: skip
    words += [s for streets in pools.STREETS.values() for s in streets]
    words += [t for t, _ in (*pools.LLC_TYPES, *pools.JSC_TYPES)] + [c for c, _ in pools.OTHER_CITIES]
    words += [zh for _, zh, _ in pools.CREDIT_EVENTS]
    for g in pools.INDUSTRY_GROUPS:
        words += [*g.words, *g.scope, *g.ip_topics]
    bad = [w for w in words if w.encode("gbk", errors="replace").decode("gbk") != w]
    assert bad == []
