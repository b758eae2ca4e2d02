"""The words for codes: every code the engine's feeds and policies can produce has a Chinese word in the one
catalogue, and the formatting helpers read as a Beijing official expects."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from gaoqi.web.core import labels

#: catalogue kind → the feed schema field whose enumeration it names
ENUMS = {
    "ip_type": ("ip", "ip_type"),
    "ip_status": ("ip", "status"),
    "acquisition": ("ip", "acquisition"),
    "certificate_kind": ("certificate", "kind"),
    "certificate_status": ("certificate", "status"),
    "tech_field": ("certificate", "tech_field"),
    "credit_event": ("credit", "event_type"),
}


def _enum(feed: str, field: str) -> list[str]:
    text = resources.files("gaoqi.engine").joinpath("schemas", f"{feed}.json").read_text(encoding="utf-8")
    spec = next(f for f in json.loads(text)["fields"] if f["name"] == field)
    return list(spec["constraints"]["enum"])


@pytest.mark.parametrize("kind", sorted(ENUMS))
def test_every_enumerated_code_has_a_word(kind: str) -> None:
    codes = _enum(*ENUMS[kind])
    assert codes
    missing = [c for c in codes if labels.label(kind, c) == c]
    assert not missing, f"{kind}: no Chinese word for {missing}"


def test_every_feed_method_policy_kind_and_status_has_a_word() -> None:
    from gaoqi.engine.feeds import all_feeds
    from gaoqi.engine.resolve import METHODS
    from gaoqi.web.policies.selectors import catalogue

    cases = {
        "feed": [f.name for f in all_feeds()],
        "link_method": list(METHODS),
        "policy_kind": sorted({p.kind for p in catalogue()}),
        "status": ["pass", "fail", "unknown"],
        "outcome": ["pass", "fail", "unknown", "pending"],
        "condition_kind": ["data", "attested", "expert"],
    }
    for kind, codes in cases.items():
        missing = [c for c in codes if labels.label(kind, c) == c]
        assert not missing, f"{kind}: no Chinese word for {missing}"


def test_words_for_codes_and_values() -> None:
    assert labels.label("ip_type", "invention_patent") == "发明专利"
    assert labels.label("status", "fail") == "不符合"
    assert labels.label("tech_field", "electronic_information") == "电子信息"
    assert labels.label("status", None) == labels.EMPTY == "—"
    assert labels.district("110115") == "大兴区"
    assert labels.district("999999") == "999999"  # an unknown code is shown as delivered
    assert labels.industry("I") == "信息传输、软件和信息技术服务业"
    assert labels.percent(0.543157894737) == "54.3%"
    assert labels.percent(0.1) == "10%"
    assert labels.percent(0.04272, 2) == "4.27%"
    assert labels.cn_date(dt.date(2026, 12, 15)) == "2026年12月15日"
    assert labels.cn_date("2026-07-01") == "2026年7月1日"
    assert labels.cn_date(dt.datetime(2026, 1, 2, 9, 30)) == "2026年1月2日"
