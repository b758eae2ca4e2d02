"""Chinese text (and the odd English word of a question) into search terms: jieba in search mode with the domain's
words kept whole (``data/userdict.txt``), the question words dropped (``data/stopwords.txt``) and each synonym
replaced by its group's first word (``data/synonyms.txt``: the digests say 研究开发费用占比, a question says
研发费用占比; a question may say R&D). Text is lower-cased first; jieba runs without HMM so that the same text always gives the same
terms. Nothing is downloaded: jieba's dictionary ships in its wheel, its prefix cache goes to the temporary
directory (or ``GAOQI_JIEBA_CACHE``)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

DATA_FILES = ("userdict.txt", "stopwords.txt", "synonyms.txt")
_NOT_A_TERM = re.compile(r"^[\W_]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def data_bytes(name: str) -> bytes:
    """One file of ``gaoqi/ai/assist/data`` (package data: ships with the wheel)."""
    return resources.files("gaoqi.ai.assist").joinpath("data", name).read_bytes()


def _lines(name: str) -> list[str]:
    text = data_bytes(name).decode("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def data_hash() -> str:
    """SHA-256 over the word lists (part of the index's key: a changed list rebuilds the index)."""
    h = hashlib.sha256()
    for name in DATA_FILES:
        h.update(name.encode())
        h.update(hashlib.sha256(data_bytes(name)).digest())
    return h.hexdigest()


@dataclass(frozen=True)
class Lexicon:
    """The word lists, read once: user words (kept whole), stop words, synonym → its group's first word."""

    user_words: tuple[tuple[str, int], ...]
    stop: frozenset[str]
    canonical: dict[str, str]
    #: English phrases of the synonym list (name change → name_change), joined before jieba runs
    phrases: tuple[tuple[str, str], ...] = ()


@cache
def lexicon() -> Lexicon:
    words = []
    for line in _lines("userdict.txt"):
        parts = line.split()
        words.append((parts[0].lower(), int(parts[1]) if len(parts) > 1 else 3000))
    canonical: dict[str, str] = {}
    for line in _lines("synonyms.txt"):
        group = [w.lower() for w in line.split()]
        for w in group:
            canonical.setdefault(w, group[0])
            words.append((w, 3000))  # kept whole: r&d, s&t, re-certification
    phrases = tuple(sorted(((w.replace("_", " "), w) for w in canonical if "_" in w), key=lambda p: -len(p[0])))
    return Lexicon(tuple(words), frozenset(w.lower() for w in _lines("stopwords.txt")), canonical, phrases)


@cache
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.tmp_dir = os.environ.get("GAOQI_JIEBA_CACHE") or tempfile.gettempdir()
    tok.cache_file = "gaoqi-jieba.cache"
    tok.initialize()
    for word, freq in lexicon().user_words:
        tok.add_word(word, freq)
    return tok


def _words(text: str) -> list[str]:
    """jieba's words (precise mode), each preceded by the dictionary words inside it of every shorter length:
    研究开发费用 → 研究, 开发, 费用, 研究开发, 研究开发费用 (jieba's own search mode stops at three characters,
    so 研发费用占比 would not give 研发费用)."""
    tok = _tokenizer()
    out: list[str] = []
    for word in tok.lcut(text, HMM=False):
        w = str(word)
        if len(w) > 2 and has_cjk(w):
            out += [w[i : i + n] for n in range(2, len(w)) for i in range(len(w) - n + 1) if tok.FREQ.get(w[i : i + n])]
        out.append(w)
    return out


def surface_terms(text: str) -> list[tuple[str, str]]:
    """(surface form as it stands in the lower-cased text, term) for every term of ``text``, in order, the words
    inside a long word included (``_words``)."""
    lex = lexicon()
    lowered = (text or "").lower()
    for phrase, joined in lex.phrases:
        lowered = lowered.replace(phrase, joined)
    out = []
    for word in _words(lowered):
        w = word.strip()
        if not w or w in lex.stop or _NOT_A_TERM.match(w):
            continue
        if len(w) < 2 and not (w.isdigit() or w in lex.canonical):
            continue  # a single character (年, 条, a) says too little to rank by
        out.append((w, lex.canonical.get(w, w)))
    return out


def terms(text: str) -> list[str]:
    """The search terms of ``text``, in order, repeated as often as they occur."""
    return [term for _, term in surface_terms(text)]


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
