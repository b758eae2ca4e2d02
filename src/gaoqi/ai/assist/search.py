"""政策问答: a question in Chinese answered with the cited passages of the rules digests and the policy files,
ranked by BM25 (``bm25s``) over jieba terms (``text.terms``).

``answer(question, policy_dir=None, k=5)`` → ``Answer``: the top passages with their citation, score, the terms
matched and the text cut into segments (``(text, matched)``: a page highlights the matched ones without marking
up the text). No term of the question in the corpus, or an empty question: ``found`` False and a message
beginning 未找到, never an error.

The index is built once per process for a state of its inputs: ``index_for`` keys it by the SHA-256 of the
digests, the word lists and every policy file (a policy published by 政策沙盘 rebuilds it on the next question).
Offline: jieba and bm25s read only local files.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gaoqi.ai.assist.passages import REFERENCE_FILES, Passage, digest_passages, policy_passages
from gaoqi.ai.assist.text import data_bytes, data_hash, surface_terms, terms

#: BM25 parameters (bm25s's defaults, Lucene's variant): DEFAULTs, not tuned on the question set.
K1, B = 1.5, 0.75
NOT_FOUND = "未找到与问题相关的条文。请换一种说法，例如“研发费用占比要求是多少”“高企证书到期怎么办”“小升规的条件”。"
EMPTY = "未找到：请输入一个问题，例如“研发费用占比要求是多少”。"


@dataclass(frozen=True)
class Hit:
    """A ranked passage: ``matched`` the question's terms it is indexed by (its text, headings or citation);
    ``segments`` its text cut at the matched terms found in the text itself, ``(text, matched)``."""

    passage: Passage
    score: float
    matched: tuple[str, ...]
    segments: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Answer:
    question: str
    terms: tuple[str, ...]
    hits: tuple[Hit, ...]
    message: str = ""
    seconds: float = 0.0

    @property
    def found(self) -> bool:
        return bool(self.hits)


@dataclass
class Index:
    """The passages and their BM25 index; ``key``: the inputs' hash; ``build_seconds``: what building took."""

    key: str
    passages: list[Passage]
    retriever: Any
    vocabulary: frozenset[str]
    build_seconds: float = 0.0
    sources: dict[str, str] = field(default_factory=dict)

    def search(self, question: str, k: int = 5) -> Answer:
        start = time.perf_counter()
        question = (question or "").strip()[:400]
        if not question:
            return Answer(question, (), (), EMPTY, time.perf_counter() - start)
        qterms = tuple(dict.fromkeys(t for t in terms(question) if t in self.vocabulary))
        if not qterms:
            return Answer(question, (), (), NOT_FOUND, time.perf_counter() - start)
        scores = self.retriever.get_scores(list(qterms))
        order = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-float(scores[i]), i))
        hits = []
        for i in order[:k]:
            passage = self.passages[i]
            _, segments = highlight(passage.text, set(qterms))
            indexed = set(terms(_indexed_text(passage)))  # the headings count too: a row under 1.2 is about Art. 11
            matched = tuple(t for t in qterms if t in indexed)
            hits.append(Hit(passage, round(float(scores[i]), 4), matched, segments))
        return Answer(question, qterms, tuple(hits), "" if hits else NOT_FOUND, time.perf_counter() - start)


def highlight(text: str, wanted: set[str]) -> tuple[tuple[str, ...], tuple[tuple[str, bool], ...]]:
    """The question's terms found in ``text`` and the text cut at their surface forms (longest first)."""
    surfaces: dict[str, str] = {}
    for surface, term in surface_terms(text):
        if term in wanted:
            surfaces.setdefault(surface, term)
    if not surfaces:
        return (), ((text, False),)
    pattern = re.compile("|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True)), re.IGNORECASE)
    segments: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            segments.append((text[pos : m.start()], False))
        segments.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        segments.append((text[pos:], False))
    return tuple(dict.fromkeys(surfaces.values())), tuple(segments)


def _indexed_text(p: Passage) -> str:
    """What a passage is indexed by: its text, its context (headings, the policy's name) and its citation."""
    return f"{p.text} {p.context} {p.citation.section} {p.citation.article or ''}"


def _policy_files(policy_dir: Path) -> list[Path]:
    return sorted([*policy_dir.glob("*.yaml"), *policy_dir.glob("*.yml")])


@functools.lru_cache(maxsize=4096)
def _file_hash(path: str, size: int, mtime_ns: int) -> bytes:
    """A policy file's SHA-256, read again only when its size or time changes."""
    return hashlib.sha256(Path(path).read_bytes()).digest()


@functools.cache
def _package_hash() -> str:
    """The digests' and word lists' hash: package data, fixed for the process."""
    h = hashlib.sha256(data_hash().encode())
    for name in REFERENCE_FILES:
        h.update(name.encode() + hashlib.sha256(data_bytes(name)).digest())
    return h.hexdigest()


def inputs_key(policy_dir: Path) -> str:
    """SHA-256 over everything the index is built from: the digests, the word lists, the policy files (each
    file's hash memoised by its size and modification time: a lookup costs a ``stat`` per file)."""
    h = hashlib.sha256(_package_hash().encode())
    for path in _policy_files(policy_dir):
        st = path.stat()
        h.update(path.name.encode() + _file_hash(str(path), st.st_size, st.st_mtime_ns))
    return h.hexdigest()


def build_index(policy_dir: Path | None = None) -> Index:
    """Every passage and its BM25 index (no cache: ``index_for`` keeps one)."""
    import bm25s

    from gaoqi.engine import default_policy_dir, load_policies, load_warning_rules

    start = time.perf_counter()
    directory = Path(policy_dir) if policy_dir is not None else default_policy_dir()
    key = inputs_key(directory)
    files = [(name, data_bytes(name).decode("utf-8")) for name in REFERENCE_FILES]
    policies = [*load_policies(directory), *load_policies(directory, "incubator"), *load_warning_rules(directory)]
    passages = [*digest_passages(files), *policy_passages(policies)]
    corpus = [terms(_indexed_text(p)) for p in passages]
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.index(corpus, show_progress=False)
    vocabulary = frozenset(t for doc in corpus for t in doc)
    return Index(key, passages, retriever, vocabulary, time.perf_counter() - start)


_CACHE: dict[str, Index] = {}
_LOCK = threading.Lock()


def index_for(policy_dir: Path | None = None) -> Index:
    """The index of the current inputs, built on the first question after they change (one per process)."""
    from gaoqi.engine import default_policy_dir

    directory = Path(policy_dir) if policy_dir is not None else default_policy_dir()
    key = inputs_key(directory)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is None:
            hit = build_index(directory)
            _CACHE.clear()  # one state of the inputs at a time
            _CACHE[key] = hit
        return hit


def answer(question: str, policy_dir: Path | None = None, k: int = 5) -> Answer:
    """The question's top ``k`` passages (see the module docstring)."""
    return index_for(policy_dir).search(question, k)
