"""The Chinese renderings of the rules digests (``data/*.zh.md``) that 政策问答 indexes: nothing in them that the
English digest they were rendered from does not say (every number, document number and article of a part is in the
same part of the English), no English prose in a passage, and the parts users ask about are all there."""

from __future__ import annotations

import re

import pytest

from gaoqi.ai.assist.passages import REFERENCE_FILES, RENDERED_FROM, chinese_number, markdown_passages
from gaoqi.ai.assist.text import data_bytes

_CN_ART = re.compile(r"第([一二三四五六七八九十百]+)条")
_EN_ART = re.compile(r"Arts?\.\s*(\d+)(?:\s*[–-]\s*(\d+))?")
_DOC_NO = re.compile(r"〔\d{4}〕\d+号|\d{4}年第\d+号")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: four ASCII words in a row (separated by ASCII spaces or punctuation only): English prose
_ENGLISH = re.compile(r"(?:[A-Za-z][A-Za-z0-9&.'/-]*[ ,;:()]+){3}[A-Za-z][A-Za-z0-9&.'/-]*")


def _text(name: str) -> str:
    return data_bytes(name).decode("utf-8")


def _parts(text: str) -> dict[str, str]:
    """The text under each ``##`` heading, keyed by its number ("1", "2" …; "head" before the first)."""
    parts: dict[str, list[str]] = {}
    key = "head"
    for line in text.splitlines():
        m = re.match(r"^##\s+(\d+)\.", line)
        if m:
            key = m.group(1)
        parts.setdefault(key, []).append(line)
    return {k: "\n".join(v) for k, v in parts.items()}


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\b")


def _numbers(text: str) -> set[str]:
    """The numbers of a text (thousands separators dropped, leading zeros too: 2024-09 gives 9); an English month
    name counts as its number (April 2024 → 2024年4月)."""
    found = _NUMBER.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text))
    months = {str(_MONTHS.index(m) + 1) for m in _MONTH.findall(text)}
    return {n.lstrip("0") or "0" if "." not in n else n for n in found} | months


def _articles_cn(text: str) -> set[int]:
    values = {n: i for i, n in enumerate((chinese_number(i) for i in range(1, 100)), start=1)}
    return {values[m] for m in _CN_ART.findall(text)}


def _articles_en(text: str) -> set[int]:
    out = set()
    for first, last in _EN_ART.findall(text):
        out |= set(range(int(first), int(last or first) + 1))
    return out | _articles_cn(text)


RENDERINGS = sorted(REFERENCE_FILES)


def test_the_index_reads_the_chinese_renderings_of_the_english_digests() -> None:
    assert RENDERINGS == ["hte-rules.zh.md", "programmes.zh.md"]
    assert RENDERED_FROM == {"hte-rules.zh.md": "hte-rules.md", "programmes.zh.md": "programmes.md"}
    assert set(_parts(_text("hte-rules.zh.md"))) == {"head", "1", "2", "3", "4", "5", "6", "8"}
    assert set(_parts(_text("programmes.zh.md"))) == {"head", *map(str, range(2, 11))}


@pytest.mark.parametrize("name", RENDERINGS)
def test_no_number_document_or_article_is_invented(name: str) -> None:
    english = _parts(_text(RENDERED_FROM[name]))
    # the opening, the conventions and the source register (parts 0, 1 of programmes.md) expand the source tags
    # every part uses (SME-300 = 工信部联企业〔2011〕300号): what they say may be said in any part
    shared = "\n".join(english[k] for k in ("head", "0", "1") if k in english and name == "programmes.zh.md")
    shared = shared or english["head"]
    invented: dict[str, list[str]] = {}
    for key, chinese in _parts(_text(name)).items():
        source = english[key] + "\n" + shared
        normalised = source.replace("[", "〔").replace("]", "〕")
        missing = sorted(_numbers(chinese) - _numbers(source))
        missing += [d for d in sorted(set(_DOC_NO.findall(chinese))) if d not in normalised]
        missing += [f"第{chinese_number(a)}条" for a in sorted(_articles_cn(chinese) - _articles_en(source))]
        if missing:
            invented[key] = missing
    assert not invented, f"{name}: not in the same part of {RENDERED_FROM[name]}: {invented}"


def test_the_invention_check_can_fail() -> None:
    source = "## 1. Measures\n- Validity: 3 years (Art. 9), 国科发火[2008]172号, 2,000万元.\n"
    assert _numbers(source) == {"1", "3", "9", "2008", "172", "2000"}
    assert _numbers("2019-01 to 2024-09, 1 Jan – 30 Jun, April 2024") == {"2019", "1", "2024", "9", "30", "6", "4"}
    assert _articles_en("Arts. 10–15; Art. 11(五)") == set(range(10, 16))
    assert _articles_cn("有效期为5年（第十条）") - _articles_en(source) == {10}
    assert _numbers("有效期为5年") - _numbers(source) == {"5"}


@pytest.mark.parametrize("name", RENDERINGS)
def test_no_passage_is_english_prose(name: str) -> None:
    passages = markdown_passages(name, _text(name))
    assert len(passages) > 100
    english = {p.text[:60]: _ENGLISH.findall(p.text) for p in passages if _ENGLISH.search(p.text)}
    headings = {p.citation.section for p in passages if _ENGLISH.search(p.citation.section + p.citation.document)}
    assert not english and not headings, (english, headings)


def test_the_english_check_can_fail_and_spares_abbreviations() -> None:
    assert _ENGLISH.search("Validity: 3 years from the date the certificate is issued")
    assert _ENGLISH.search("Tier is selected by the most recent year's sales revenue only (Art. 11(五)).")
    assert not _ENGLISH.search(
        "研发（R&D）费用、IPC分类、USCC第3至8位、GB/T 2260、www.innocom.gov.cn、A 7–8分；B 5–6分"
    )


@pytest.mark.parametrize("name", RENDERINGS)
def test_marked_uncertainty_is_said_in_chinese(name: str) -> None:
    english, chinese = _text(RENDERED_FROM[name]), _text(name)
    assert "UNCONFIRMED" in english and "未经核实" in chinese
    assert "第三方转述" in chinese or name == "programmes.zh.md"
    assert "默认值，待确认" in chinese or name == "hte-rules.zh.md"
    assert "NOT FOUND" not in chinese and "http" not in chinese


def test_digest_passages_cite_their_articles_in_chinese() -> None:
    passages = markdown_passages("hte-rules.zh.md", _text("hte-rules.zh.md"))
    by_text = {p.text: p.citation for p in passages}
    rd = next(c for t, c in by_text.items() if t.startswith("（五） | 企业近三个会计年度的研究开发费用总额"))
    assert rd.article == "第十一条（五）" and rd.document == "《高新技术企业认定管理办法》（国科发火〔2016〕32号）"
    validity = next(c for t, c in by_text.items() if t.startswith("- 有效期："))
    assert validity.article == "第九条"
    rename = [c.article for t, c in by_text.items() if "更名" in t and c.section.startswith("1.6")]
    assert rename and set(rename) == {"第十七条"}
    sme = next(c for t, c in by_text.items() if t.startswith("1. 科技人员数占企业职工总数的比例"))
    assert sme.article == "第七条" and sme.document == "《科技型中小企业评价办法》（国科发政〔2017〕115号）"
