"""The passages the search ranks, each with its citation.

- The rules digests in Chinese (``data/hte-rules.zh.md``, ``data/programmes.zh.md``: renderings of the project's
  shared English digests ``data/hte-rules.md``, ``data/programmes.md``, kept as their reference, see
  ``data/SOURCES.md``) split by heading, table row, list item and paragraph. A passage keeps its document (the
  ``##`` heading's 《title》 and document number), its section (the ``###`` heading) and, where the text says it,
  its article: a 第…条 in the row is taken as it stands; 第十一条 (or the English digests' "Art. 11") in the
  section or part heading, with the row's item "（五）", gives 第十一条（五）.
- The policy files (``policies/*.yaml`` through the engine's public loader): one passage per condition and score
  of each policy's latest version (label, note, the test in words, its parameters' labels) citing the condition's
  article as the file gives it, and one per policy (name, authority, document, notes, benefit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gaoqi.engine import Policy

#: the digests indexed (Chinese renderings) and the name a citation gives them
REFERENCE_FILES: dict[str, str] = {
    "hte-rules.zh.md": "高企规则摘要",
    "programmes.zh.md": "三大工程规则摘要",
}
#: each rendering's English original (the reference it was rendered from; not indexed)
RENDERED_FROM: dict[str, str] = {"hte-rules.zh.md": "hte-rules.md", "programmes.zh.md": "programmes.md"}


@dataclass(frozen=True)
class Citation:
    """Where a passage stands: the source file, the document, the section heading and the article (None when
    the text names none). ``policy_id``/``condition_id``: a policy file's passage (the page links to it)."""

    source: str
    document: str
    section: str
    article: str | None = None
    policy_id: str | None = None
    condition_id: str | None = None

    def __str__(self) -> str:
        return " · ".join(p for p in (self.document, self.article, self.section) if p)

    @property
    def source_label(self) -> str:
        """The source as a page names it: the digest's Chinese name, or 政策文件 with the policy's id."""
        if self.policy_id:
            return "政策文件"
        return REFERENCE_FILES.get(self.source) or REFERENCE_FILES.get(self.source.replace(".md", ".zh.md"), "规则摘要")


@dataclass(frozen=True)
class Passage:
    text: str
    citation: Citation
    #: what is indexed besides the text (the headings: a row of §2.1 is about the R&D expense ratio)
    context: str = ""


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 11 → 十一, 23 → 二十三 (articles run below 100)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


_ART = re.compile(r"Arts?\.\s*(\d+)(?:\s*[(（]([一二三四五六七八九十]+)[)）])?")
_CN_ART = re.compile(r"第[一二三四五六七八九十百]+条(?:[(（][一二三四五六七八九十]+[)）])?")
_ITEM = re.compile(r"^[(（]([一二三四五六七八九十]+)[,，)）]")
_DOC_TITLE = re.compile(r"《[^》]+》")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")


def _article(row: str, first_cell: str, section: str, part: str) -> str | None:
    item = _ITEM.match(first_cell.strip())
    for text in (row, section, part):
        found = _CN_ART.search(text)
        if found:
            article = found.group(0).replace("(", "（").replace(")", "）")
            if text is not row and "（" not in article and item:
                article += f"（{item.group(1)}）"  # the section is Art. 11, the row its item (五)
            return article
        m = _ART.search(text)
        if m:
            sub = m.group(2) or (item.group(1) if item else None)
            return f"第{chinese_number(int(m.group(1)))}条" + (f"（{sub}）" if sub else "")
    return None


def _document(source: str, part: str) -> str:
    title, number = _DOC_TITLE.search(part), _DOC_NUMBER.search(part)
    if title:
        return title.group(0) + (f"（{number.group(0)}）" if number else "")
    heading = re.sub(r"^\d+\.\s*", "", part).strip()
    name = REFERENCE_FILES.get(source) or REFERENCE_FILES.get(source.replace(".md", ".zh.md"), source)
    return f"{name}：{heading}" if heading else name


def _clean(text: str) -> str:
    return re.sub(r"\*\*|`", "", text).strip()


def markdown_passages(source: str, text: str) -> list[Passage]:
    """A digest's passages: each table row (with the header's column names as context), list item and paragraph,
    under the nearest ``##`` (document) and ``###`` / bold line (section) headings."""
    out: list[Passage] = []
    part = section = sub = ""
    header: list[str] = []
    block: list[str] = []

    def cite(row: str, first_cell: str = "") -> Citation:
        heading = " / ".join(h for h in (section, sub) if h)
        return Citation(source, _document(source, part), heading, _article(row, first_cell, heading, part))

    def flush() -> None:
        if block:
            body = _clean(" ".join(line.strip() for line in block))
            if body:
                out.append(Passage(body, cite(body), f"{part} {section} {sub}"))
            block.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("#"):
            flush()
            level = len(stripped) - len(stripped.lstrip("#"))
            title = _clean(stripped.lstrip("#"))
            if level <= 2:
                part, section, sub = title, "", ""
            else:
                section, sub = title, ""
            header = []
            continue
        if stripped.startswith("|"):
            flush()
            cells = [_clean(c) for c in stripped.strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue  # the separator row
            if not header:
                header = cells
                continue
            body = " | ".join(c for c in cells if c)
            out.append(Passage(body, cite(body, cells[0]), f"{part} {section} {sub} {' '.join(header)}"))
            continue
        header = [] if not stripped else header
        if not stripped or stripped == "---":
            flush()
            continue
        if re.fullmatch(r"\*\*[^*]+\*\*:?", stripped):
            flush()
            sub = _clean(stripped).rstrip(":")
            continue
        if re.match(r"^([-*]|\d+\.)\s", line):  # a list item at the margin starts a passage
            flush()
        block.append(line)
    flush()
    return out


def policy_passages(policies: Iterable[Policy]) -> list[Passage]:
    """One passage per policy, and per condition and score of its latest version."""
    from gaoqi.engine import describe_condition

    out: list[Passage] = []
    for policy in policies:
        version = max(policy.versions, key=lambda v: v.valid_from)
        source = "policies/" + Path(policy.file).name
        document = f"{policy.name}（{policy.document_number}）" if policy.document_number else policy.name
        benefit = version.benefit.label if version.benefit else ""
        head = " ".join(x for x in (policy.name, policy.authority, policy.document_number, benefit) if x)
        out.append(Passage(head, Citation(source, document, policy.name, None, policy.id), ""))
        for cond in version.conditions:
            words = describe_condition(cond, version) or ""
            params = " ".join(p.label for name, p in version.parameters.items() if f"param.{name}" in (cond.expr or ""))
            body = "；".join(x for x in (cond.label, words, params) if x)
            cit = Citation(source, document, cond.label, cond.article, policy.id, cond.id)
            out.append(Passage(body, cit, f"{policy.name} 条件"))  # "the conditions of 小升规"
        for score in version.scores:
            cit = Citation(source, document, score.label, score.article, policy.id, None)
            out.append(Passage(score.label, cit, policy.name))
    return out


def digest_passages(files: Sequence[tuple[str, str]]) -> list[Passage]:
    """(file name, text) of each digest → its passages."""
    return [p for name, text in files for p in markdown_passages(name, text)]
