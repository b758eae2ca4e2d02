from pathlib import Path

import pytest
from frictionless import Schema

from gaoqi.engine.feeds import FEED_NAMES, feed_for_filename, map_headers, schema_json
from gaoqi.engine.feeds_doc import render

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("feed", FEED_NAMES)
def test_each_feed_schema_is_a_valid_frictionless_table_schema(feed: str) -> None:
    report = Schema.validate_descriptor(schema_json(feed))
    assert report.valid, report.flatten(["type", "note"])


def test_docs_feeds_md_is_generated_from_the_schemas() -> None:
    assert (ROOT / "docs" / "feeds.md").read_text(encoding="utf-8") == render(), (
        "run: gaoqi feeds-doc --write docs/feeds.md"
    )


@pytest.mark.parametrize(
    ("name", "feed"),
    [
        ("registration.csv", "registration"),
        ("registration_2025-06.xlsx", "registration"),
        ("ip-batch3.csv", "ip"),
        ("IP.CSV", "ip"),
        ("name_change.csv", "name_change"),
        ("social_insurance_202506.csv", "social_insurance"),
        ("ipo.csv", None),
        ("report.csv", None),
    ],
)
def test_feed_is_recognised_by_file_name(name: str, feed: str | None) -> None:
    assert feed_for_filename(name) == feed


def test_headers_map_from_english_chinese_and_messy_variants() -> None:
    assert map_headers("rd", ["统一社会信用代码", " Fiscal_Year ", "高新技术产品(服务)收入", "科技人员数", "备注"]) == [
        "uscc",
        "fiscal_year",
        "ht_revenue",
        "st_staff_count",
        None,
    ]
    # a repeated column is kept as extra rather than overwriting the first
    assert map_headers("rd", ["uscc", "uscc"]) == ["uscc", None]
