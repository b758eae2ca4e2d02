"""Company-name normalisation: properties (Hypothesis) and the SQL macro agreeing with Python."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from gaoqi.engine.names import (
    BRANCH_WORDS,
    DROP_CHARACTERS,
    ORG_FORMS,
    install_sql_macros,
    normalize_company_name,
    parse_company_name,
)

# --------------------------------------------------------------------------------------------------
# Strategies

# Trade-name and industry characters that cannot start a Beijing prefix, end an organisation form or
# a branch word, or spell an English organisation form.
_UNSAFE = set("北京公司伙厂店行部处所#()") | {w[-1] for w in ORG_FORMS + BRANCH_WORDS}
_CJK = [c for c in "星图智联华创恒泰博瑞云海天宇信达通睿思维鼎盛汇聚嘉和金宏新元卓越易捷安康明光晨曦远航腾飞科技信息网络"
        "生物医药软件电子数据能源材料环保咨询管理服务发展投资贸易工程设计智能制造集团中关村海淀朝阳丰台上广深杭"
        "甲乙丙丁戊己庚辛壬癸一二三四五六七八九十" if c not in _UNSAFE]  # fmt: skip
_LATIN = list("ABEFGHJKMPQRSUVWXYZ0123456789")
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in _LATIN}

cores = st.lists(st.sampled_from(_CJK + _LATIN), min_size=2, max_size=8).map("".join)
regions = st.sampled_from(["none", "prefix", "prefix_shi", "bracket_front", "bracket_back", "bracket_shi"])
forms = st.sampled_from(["有限公司", "有限责任公司", "股份有限公司", "股份公司", "公司", ""])
bracket_pairs = st.sampled_from([("（", "）"), ("(", ")"), ("【", "】"), ("〔", "〕"), ("[", "]"), ("「", "」")])
spaces = st.sampled_from([" ", "\u3000", "\t", "  ", "\u00a0"])


def render(core: str, region: str, form: str, brackets: tuple[str, str], industry: str = "科技") -> str:
    o, c = brackets
    if region == "prefix":
        return f"北京{core}{industry}{form}"
    if region == "prefix_shi":
        return f"北京市{core}{industry}{form}"
    if region == "bracket_front":
        return f"{core}{o}北京{c}{industry}{form}"
    if region == "bracket_back":
        return f"{core}{industry}{o}北京{c}{form}"
    if region == "bracket_shi":
        return f"{core}{industry}{o}北京市{c}{form}"
    return f"{core}{industry}{form}"


@st.composite
def messy(draw: st.DrawFn, name: str) -> str:
    """``name`` with stray whitespace inserted and some Latin letters and digits made full-width."""
    chars = list(name)
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(spaces))
    widen = draw(st.booleans())
    return "".join(_FULLWIDTH.get(ch, ch) if widen else ch for ch in chars)


@st.composite
def company_names(draw: st.DrawFn) -> str:
    core = draw(cores)
    name = render(core, draw(regions), draw(forms), draw(bracket_pairs), draw(st.sampled_from(["科技", "", "集团"])))
    if draw(st.booleans()):
        name += draw(st.sampled_from(["上海分公司", "海淀分公司", "分公司", "第一分厂", "营业部"]))
    return draw(messy(name))


# Characters for arbitrary text: ranges whose NFKC/NFC have been stable for many Unicode versions,
# so that Python's unicodedata and DuckDB/pyarrow's utf8proc agree on them.
_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2460, 0x24FF),
           (0x3000, 0x30FF), (0x3200, 0x33FF), (0x4E00, 0x4E80), (0x5317, 0x5317), (0x4EAC, 0x4EAC),
           (0xAC00, 0xAC10), (0xF900, 0xF920), (0xFE30, 0xFE6F), (0xFF00, 0xFFEF)]  # fmt: skip
any_chars = st.one_of(*(st.characters(min_codepoint=a, max_codepoint=b) for a, b in _RANGES))
_pieces = st.sampled_from(["北京", "北京市", "有限公司", "分公司", "分厂", "（北京）", "(上海)", "公司", "#", "(", ")"])
any_text = st.lists(any_chars | _pieces, max_size=12).map("".join)


# --------------------------------------------------------------------------------------------------
# Examples


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("北京甲乙科技有限公司", "甲乙科技"),
        ("北京市甲乙科技有限责任公司", "甲乙科技"),
        ("甲乙科技（北京）有限公司", "甲乙科技"),
        ("甲乙（北京市）科技股份有限公司", "甲乙科技"),
        ("【北京】甲乙科技有限公司", "甲乙科技"),
        ("甲乙科技(上海)有限公司", "甲乙科技"),
        ("上海甲乙科技有限公司", "上海甲乙科技"),  # a bare prefix of another city is identity
        ("北京 甲乙\u3000科技 有限公司", "甲乙科技"),
        ("北京云图ＡＩ科技有限公司", "云图ai科技"),
        ("北京甲乙集团有限公司", "甲乙集团"),  # 集团 is identity
        ("甲乙·丙丁科技有限公司", "甲乙丙丁科技"),
        ("甲乙投资中心（有限合伙）", "甲乙投资中心"),
        ("北京甲乙科技有限公司上海分公司", "甲乙科技#上海分公司"),
        ("北京甲乙科技有限责任公司上海分公司", "甲乙科技#上海分公司"),
        ("中国银行股份有限公司北京分行", "中国银行#北京分行"),
        ("中国银行北京分行", "中国银行北京#分行"),
        ("Beijing ABC Co., Ltd.", "beijingabc"),
        ("北京大学", "大学"),
        ("有限公司", "有限"),  # never strips down to nothing
        ("", ""),
    ],
)
def test_examples(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


def test_every_whitespace_character_is_dropped() -> None:
    assert {chr(c) for c in range(0x110000) if chr(c).isspace()} <= set(DROP_CHARACTERS)


def test_parts() -> None:
    p = parse_company_name("北京市甲乙科技有限责任公司海淀分公司")
    assert (p.core, p.region, p.org_form, p.branch) == ("甲乙科技", "北京市", "有限责任公司", "海淀分公司")
    assert p.key == "甲乙科技#海淀分公司"
    p = parse_company_name("甲乙科技（上海）有限公司")
    assert (p.core, p.region, p.org_form, p.branch) == ("甲乙科技", "上海", "有限公司", None)


# --------------------------------------------------------------------------------------------------
# Properties


@given(any_text)
@example("(北(北京)京)")
@example("北京北京有限公司有限公司")
@example("甲分厂有限公司")
@example("e(\u0301)")
@example("ᄀ(ᅡ)")
def test_idempotent_on_any_text(s: str) -> None:
    k = normalize_company_name(s)
    assert normalize_company_name(k) == k


@given(company_names())
def test_idempotent_on_company_names(s: str) -> None:
    k = normalize_company_name(s)
    assert normalize_company_name(k) == k


@given(cores, regions, regions, bracket_pairs, bracket_pairs, st.sampled_from(["有限公司", "有限责任公司"]),
       st.sampled_from(["有限公司", "有限责任公司"]), st.data())  # fmt: skip
def test_invariant_under_variants(
    core: str,
    region_a: str,
    region_b: str,
    br_a: tuple[str, str],
    br_b: tuple[str, str],
    form_a: str,
    form_b: str,
    data: st.DataObject,
) -> None:
    a = data.draw(messy(render(core, region_a, form_a, br_a)))
    b = data.draw(messy(render(core, region_b, form_b, br_b)))
    assert normalize_company_name(a) == normalize_company_name(b) == (core + "科技").lower()


@given(cores, forms, st.sampled_from(["上海", "海淀", "第一", ""]), st.sampled_from(BRANCH_WORDS))
def test_branch_never_collapses_into_parent(core: str, form: str, place: str, word: str) -> None:
    parent = f"北京{core}科技{form or '有限公司'}"
    branch = parent + place + word
    assert normalize_company_name(branch) != normalize_company_name(parent)
    # … yet the branch itself is invariant under the parent's organisation form.
    other = f"北京{core}科技有限责任公司{place}{word}"
    assert normalize_company_name(branch) == normalize_company_name(other)


@given(cores, cores, regions, forms, bracket_pairs, st.data())
def test_distinct_cores_stay_distinct(
    a: str, b: str, region: str, form: str, br: tuple[str, str], data: st.DataObject
) -> None:
    assume(a.lower() != b.lower())
    na = data.draw(messy(render(a, region, form, br)))
    nb = data.draw(messy(render(b, data.draw(regions), data.draw(forms), data.draw(bracket_pairs))))
    assert normalize_company_name(na) != normalize_company_name(nb)


# --------------------------------------------------------------------------------------------------
# SQL


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    install_sql_macros(c)
    install_sql_macros(c)  # installing twice is fine
    yield c
    c.close()


def _sql_keys(con: duckdb.DuckDBPyConnection, values: list[str]) -> list[str]:
    rows = con.execute(
        "SELECT normalize_company_name(v) FROM unnest(?) WITH ORDINALITY AS t(v, i) ORDER BY i", [values]
    ).fetchall()
    return [str(r[0]) for r in rows]


_SQL_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SQL_SETTINGS
@given(st.lists(company_names(), min_size=1, max_size=40))
def test_sql_equals_python_on_company_names(con: duckdb.DuckDBPyConnection, values: list[str]) -> None:
    assert _sql_keys(con, values) == [normalize_company_name(v) for v in values]


@_SQL_SETTINGS
@given(st.lists(any_text, min_size=1, max_size=40))
@example(["(北(北京)京)", "e(\u0301)", "ᄀ(ᅡ)", "㈱甲乙", "ﬁ甲", "北京市", "分公司", "公司上海分公司", ""])
def test_sql_equals_python_on_any_text(con: duckdb.DuckDBPyConnection, values: list[str]) -> None:
    assert _sql_keys(con, values) == [normalize_company_name(v) for v in values]


def test_sql_null_is_null(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT normalize_company_name(NULL::VARCHAR)").fetchall() == [(None,)]
