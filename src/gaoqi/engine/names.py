"""Company-name normalisation (企业名称规范化), in Python and as DuckDB SQL.

The same enterprise is written many ways across departments: full-width or half-width characters,
（北京） or (北京) or a leading 北京市, 有限公司 or 有限责任公司, stray spaces, 【】 instead of ().
``normalize_company_name`` maps all of these to one key (``name_norm``), so that a patent holder written
one way finds the registration written another way, while keeping apart what is really different:

* a branch (…上海分公司) never collapses into its parent: its key keeps a branch marker,
  ``<parent core>#<place><branch word>``, e.g. ``甲科技#上海分公司``;
* 集团 is part of the name's identity and is kept; other provinces and cities are removed only when in
  brackets (甲科技（上海）有限公司), never as a bare prefix (上海甲科技 stays distinct from 北京甲科技).

The steps, identical in Python and SQL:

1. characters: NFKC (full-width → half-width, compatibility ideographs, …); every bracket form
   (（【〔［「『〈《｛…) → ``(`` / ``)``; dots, dashes, commas, quotes, whitespace and zero-width
   characters removed; ASCII letters lower-cased; NFC.
2. a province or city in brackets is removed wherever it stands (（北京）, (北京市), (上海), (广东省)…), then
   the remaining brackets are dropped (甲(中国)科技 → 甲中国科技; (有限合伙) → 有限合伙).
3. a branch (…分公司, 分厂, 分店, 分行, 支行, 营业部, 办事处, 分部, 分所; an organisation form after the
   branch word is ignored) is split from its parent at the last 公司 (or an existing ``#``) before the
   branch word, else right before the branch word (中国银行北京分行 → 中国银行北京 + 分行).
4. the core: the longest run of leading 北京/北京市 that leaves something, then the shortest core
   that trailing organisation forms (有限公司, 有限责任公司, 股份有限公司, 股份公司, 公司, 有限合伙,
   co.,ltd, …) can follow; so the key of a non-empty name is never empty (有限公司 → 有限).
5. NFC again (removing brackets may bring a combining mark next to a letter).

The key is idempotent (normalising a key returns it unchanged; Hypothesis checks it on arbitrary text).

In SQL, ``install_sql_macros(con)`` creates the TEMP macro ``normalize_company_name(name)`` (NULL in,
NULL out). Step 1 needs Unicode tables DuckDB does not have: names made only of CJK ideographs,
ASCII letters, digits and spaces, （）, the ideographic space and · get it from a few ``replace``
calls; any other name goes through a vectorised Arrow UDF (pyarrow's utf8proc NFKC/NFC and RE2),
registered on the connection by the same function. Steps 2–5 are ``regexp_replace`` and
``regexp_extract`` over RE2 patterns that Python's ``re`` reads the same way; the fast paths keep
the cost near 1 µs a name (2 million registered names in about 2 s on two cores).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb

from gaoqi.engine.validate import lit

# --------------------------------------------------------------------------------------------------
# Character tables (step 1)

OPEN_BRACKETS = "([{（［｛【〔〖〘〚「『〈《⦅⦗⟨⟦⟪⸨﹙﹛﹝｢︵︷︹︻︽︿﹁﹃"
CLOSE_BRACKETS = ")]}）］｝】〕〗〙〛」』〉》⦆⦘⟩⟧⟫⸩﹚﹜﹞｣︶︸︺︼︾﹀﹂﹄"

# Removed outright: interpuncts and dots, dashes and tildes, commas, quotes, apostrophes.
_DROP_PUNCTUATION = (
    "·•・‧∙⋅．.。｡･"  # dots (U+00B7, U+2022, U+30FB, U+2027, U+2219, U+22C5, full stops)
    "-‐‑‒–—―⁃−﹘﹣－~〜～_"  # hyphens, dashes, minus signs, tildes, underscore
    ",，、､;；:：!！?？"  # commas, enumeration commas, other sentence punctuation
    "\"'`“”‘’„‟‚‛＂＇｀´"  # quotation marks
)
# Removed outright: every whitespace character (exactly the characters for which str.isspace() is
# true), and invisible format characters.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
DROP_CHARACTERS = _DROP_PUNCTUATION + _WHITESPACE + _INVISIBLE

_CHAR_TABLE: dict[int, str | None] = {}
for _c in OPEN_BRACKETS:
    _CHAR_TABLE[ord(_c)] = "("
for _c in CLOSE_BRACKETS:
    _CHAR_TABLE[ord(_c)] = ")"
for _c in DROP_CHARACTERS:
    _CHAR_TABLE[ord(_c)] = None
for _c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _CHAR_TABLE[ord(_c)] = _c.lower()


def _re2_class(chars: str) -> str:
    """A character class that RE2 and Python read identically (every member as \\x{…})."""
    return "[" + "".join(f"\\x{{{ord(c):04X}}}" for c in sorted(set(chars))) + "]"


# --------------------------------------------------------------------------------------------------
# Structure (steps 2–4)

BEIJING_PREFIX = ("北京市", "北京")

# Provinces, municipalities, autonomous regions and SARs, then the larger cities; removed in brackets.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
CITIES = (
    "深圳", "广州", "杭州", "南京", "武汉", "成都", "西安", "沈阳", "大连", "青岛", "宁波", "厦门", "哈尔滨",
    "长春", "济南", "苏州", "无锡", "郑州", "长沙", "合肥", "福州", "昆明", "南宁", "石家庄", "太原", "南昌",
    "贵阳", "兰州", "海口", "呼和浩特", "乌鲁木齐", "银川", "西宁", "拉萨", "珠海", "东莞", "佛山", "常州",
    "温州", "烟台", "唐山", "廊坊", "保定", "雄安", "滨海", "三亚", "中山", "惠州", "南通", "徐州", "绍兴",
    "嘉兴", "泉州", "洛阳", "绵阳", "芜湖", "秦皇岛", "张家口", "承德", "沧州", "邯郸", "扬州", "镇江",
    "泰州", "盐城", "台州", "金华", "湖州", "潍坊", "淄博", "临沂", "济宁", "襄阳", "宜昌", "株洲", "湘潭",
    "赣州", "九江", "漳州", "汕头", "江门", "湛江", "柳州", "桂林", "遵义", "包头", "鄂尔多斯", "宝鸡", "咸阳",
    "大庆", "鞍山", "吉林市",
)  # fmt: skip
REGION_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市", "新区")

# Organisation forms stripped from the end (repeatedly). 集团 is identity and stays.
ORG_FORMS = (
    "有限责任公司", "责任有限公司", "股份有限公司", "有限公司", "股份公司", "公司",
    "特殊普通合伙", "普通合伙", "有限合伙",
    "coltd", "colimited", "limited", "ltd", "inc", "corporation",
)  # fmt: skip

BRANCH_WORDS = ("分公司", "分厂", "分店", "分行", "支行", "营业部", "办事处", "分部", "分所")
BRANCH_SEPARATOR = "#"


def _alt(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


# Every pattern below means the same to RE2 (DuckDB) and to Python's re: literals, classes, greedy and
# lazy quantifiers and alternation, whose submatches RE2 resolves the way a backtracking engine does.
REGION_IN_BRACKETS_RE = rf"\((?:{_alt(PROVINCES + CITIES)})(?:{_alt(REGION_SUFFIXES)})?\)"
# Step 3, one pattern that always matches: (parent, separator 公司 or '#', place, branch word) or
# (parent, branch word) or (the whole name). An organisation form after the branch word is ignored.
KEY_RE = (
    rf"^(?:(.*)(#|公司)(.*)({_alt(BRANCH_WORDS)})(?:{_alt(ORG_FORMS)})*"
    rf"|(.+)({_alt(BRANCH_WORDS)})(?:{_alt(ORG_FORMS)})*"
    rf"|(.*))$"
)
# Step 4: the longest run of Beijing prefixes that leaves something, then the shortest core that
# the organisation forms can follow. Both steps are idempotent, and so is the two together.
PREFIX_RE = rf"^((?:{_alt(BEIJING_PREFIX)})*)(.+)$"
SUFFIX_RE = rf"^(.+?)((?:{_alt(ORG_FORMS)})*)$"

_region_in_brackets = re.compile(REGION_IN_BRACKETS_RE)
_key = re.compile(KEY_RE)
_prefix = re.compile(PREFIX_RE)
_suffix = re.compile(SUFFIX_RE)


@dataclass(frozen=True)
class NameParts:
    """A company name taken apart. ``key`` is the normalised name."""

    core: str  # 字号 + 行业, without region and organisation form (the parent's, for a branch)
    region: str | None  # 北京 / 北京市 / a bracketed province or city, if one was removed
    org_form: str | None  # the organisation form(s) removed, e.g. 有限责任公司
    branch: str | None  # place + branch word (上海分公司), None for a head office

    @property
    def key(self) -> str:
        return self.core if self.branch is None else f"{self.core}{BRANCH_SEPARATOR}{self.branch}"


def normalize_characters(name: str) -> str:
    """Step 1 only: NFKC, brackets → (), punctuation and whitespace removed, ASCII lower case, NFC."""
    s = unicodedata.normalize("NFKC", name).translate(_CHAR_TABLE)
    return unicodedata.normalize("NFC", s)


def _core(s: str) -> tuple[str, str | None, str | None]:
    """Step 4: (core, Beijing prefix removed, organisation form removed)."""
    m = _prefix.match(s)
    if m is None:  # only the empty string
        return s, None, None
    prefix, rest = m.group(1), m.group(2)
    m = _suffix.match(rest)
    assert m is not None  # rest is not empty
    return m.group(1), prefix or None, m.group(2) or None


def parse_company_name(name: str) -> NameParts:
    s = normalize_characters(name)
    m_region = _region_in_brackets.search(s)
    s = _region_in_brackets.sub("", s).replace("(", "").replace(")", "")
    m = _key.match(s)
    assert m is not None  # the last alternative matches anything
    p1, sep, place, w1, p2, w2, p3 = (g or "" for g in m.groups())
    parent = p1 + (sep if sep != BRANCH_SEPARATOR else "") + p2 + p3
    branch = place + w1 + w2
    core, prefix_region, org_form = _core(parent)
    # Step 5. SQL applies NFC to the whole key; '#' composes with nothing, so NFC of each part is
    # the same thing.
    return NameParts(
        core=unicodedata.normalize("NFC", core),
        region=m_region.group(0)[1:-1] if m_region else prefix_region,
        org_form=org_form,
        branch=unicodedata.normalize("NFC", branch) if (w1 or w2) else None,
    )


def normalize_company_name(name: str) -> str:
    """The normalised key of a company name (``name_norm``). Idempotent."""
    return parse_company_name(name).key


# --------------------------------------------------------------------------------------------------
# DuckDB

CHARS_UDF = "gaoqi_name_chars_udf"

# Names made only of these characters get step 1 from a few plain replace() calls instead of the
# UDF: ASCII letters, digits and space, the CJK unified ideographs (no NFKC mapping in that block),
# half- and full-width round brackets, the ideographic space and the middle dot.
_SIMPLE_NAME_RE = r"^[a-zA-Z0-9 ()（）\x{3000}\x{00B7}\x{4E00}-\x{9FFF}]*$"
_SIMPLE_CHARS_SQL = (
    "lower(replace(replace(replace(replace(replace(name, '（', '('), '）', ')'), ' ', ''), '\u3000', ''), '·', ''))"
)


def _arrow_chars(values: Any) -> Any:
    """Step 1 over an Arrow array (pyarrow's utf8proc NFKC/NFC and RE2)."""
    import pyarrow.compute as pc

    out = pc.utf8_normalize(values, "NFKC")
    out = pc.replace_substring_regex(out, _re2_class(OPEN_BRACKETS), "(")
    out = pc.replace_substring_regex(out, _re2_class(CLOSE_BRACKETS), ")")
    out = pc.replace_substring_regex(out, _re2_class(DROP_CHARACTERS), "")
    out = pc.ascii_lower(out)
    return pc.utf8_normalize(out, "NFC")


@cache
def sql_macros() -> tuple[str, ...]:
    """The macros.

    Macros are expanded inline, so an argument referred to twice is computed twice: each value used
    more than once is bound once through ``list_transform([value], lambda v: …)[1]``. RE2 extracts
    submatches of the patterns above slowly (~5 µs a name), so the common cases go through patterns
    it can run as a DFA, with the same result, and the submatch patterns are left for the rare names
    that need them (a branch; a name made only of prefixes or organisation forms).
    """
    sep = BRANCH_SEPARATOR
    prefix_run = lit(rf"^(?:{_alt(BEIJING_PREFIX)})+")
    org_tail = lit(rf"(?:{_alt(ORG_FORMS)})+$")
    branch_tail = lit(rf"(?:{_alt(BRANCH_WORDS)})(?:{_alt(ORG_FORMS)})*$")
    return (
        f"""
CREATE OR REPLACE TEMP MACRO gaoqi_name_brackets(s) AS
    replace(replace(regexp_replace(s, {lit(REGION_IN_BRACKETS_RE)}, '', 'g'), '(', ''), ')', '')
""",
        f"""
CREATE OR REPLACE TEMP MACRO gaoqi_name_core(s) AS
    list_transform(
        [list_transform(
            [s],
            lambda gq_x: coalesce(nullif(regexp_replace(gq_x, {prefix_run}, ''), ''),
                                  regexp_extract(gq_x, {lit(PREFIX_RE)}, 2)))[1]],
        lambda gq_y: coalesce(nullif(regexp_replace(gq_y, {org_tail}, ''), ''),
                              regexp_extract(gq_y, {lit(SUFFIX_RE)}, 1)))[1]
""",
        f"""
CREATE OR REPLACE TEMP MACRO gaoqi_name_key(s) AS
    list_transform(
        [s],
        lambda gq_s: CASE
            WHEN NOT regexp_matches(gq_s, {branch_tail}) THEN gaoqi_name_core(gq_s)
            ELSE list_transform(
                [regexp_extract(gq_s, {lit(KEY_RE)}, ['p1', 'sep', 'place', 'w1', 'p2', 'w2', 'p3'])],
                lambda gq_m: gaoqi_name_core(gq_m.p1 || replace(gq_m.sep, '{sep}', '') || gq_m.p2 || gq_m.p3)
                    || CASE WHEN gq_m.w1 = '' AND gq_m.w2 = '' THEN ''
                            ELSE '{sep}' || gq_m.place || gq_m.w1 || gq_m.w2 END)[1]
        END)[1]
""",
        # All steps. Simple names cannot hold a combining mark, so only the others need step 5.
        f"""
CREATE OR REPLACE TEMP MACRO normalize_company_name(name) AS
    CASE
        WHEN regexp_matches(name, {lit(_SIMPLE_NAME_RE)})
            THEN gaoqi_name_key(gaoqi_name_brackets({_SIMPLE_CHARS_SQL}))
        ELSE nfc_normalize(gaoqi_name_key(gaoqi_name_brackets({CHARS_UDF}(name))))
    END
""",
    )


def finish_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Run to its end a result the caller left unread: DuckDB 2 refuses ``create_function`` and
    ``sql()`` on a connection while a result of ``execute()`` is pending."""
    complete = getattr(con, "complete", None)
    if callable(complete):
        complete()


def install_sql_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Register ``normalize_company_name(name)`` (and its helpers) on this connection.

    The macros are TEMP (per connection) because step 1 is a Python UDF on the connection.
    """
    finish_pending(con)
    with contextlib.suppress(duckdb.InvalidInputException):
        con.remove_function(CHARS_UDF)
    # type="arrow" as a string: DuckDB 1.x and 2.x both accept it (their enums live in different
    # modules), the 2.x stubs only declare the enum.
    con.create_function(  # type: ignore[call-overload]
        CHARS_UDF, _arrow_chars, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False
    )
    for sql in sql_macros():
        con.execute(sql).fetchall()
