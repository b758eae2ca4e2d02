"""Chinese text into matching terms: jieba with the domain word list (``data/domain_words.txt``: technical-field
terms kept whole, 人工智能 stays one word rather than 人工 + 智能) and the stop words (``data/stopwords.txt``:
function words and the stock phrases of demand and product texts, which say nothing about the technology).

A term is a word of two or more characters (or a domain word), neither a stop word nor made of digits and
punctuation only. Nothing is downloaded: jieba's main dictionary ships in its wheel; its prefix cache goes to
the temporary directory (or ``GAOQI_JIEBA_CACHE``) once per machine."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from functools import cache
from importlib import resources
from typing import Any

_NOT_A_TERM = re.compile(r"^[\W\d_]+$")


def _data_lines(name: str) -> list[str]:
    text = resources.files("gaoqi.matching").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def domain_words() -> frozenset[str]:
    """The technical-field terms of the domain word list."""
    return frozenset(line.split()[0] for line in _data_lines("domain_words.txt"))


@cache
def stop_words() -> frozenset[str]:
    return frozenset(_data_lines("stopwords.txt"))


@cache
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cache_dir = os.environ.get("GAOQI_JIEBA_CACHE") or tempfile.gettempdir()
    tok = jieba.Tokenizer()
    tok.tmp_dir = cache_dir
    tok.cache_file = "gaoqi-jieba.cache"
    tok.initialize()
    for line in _data_lines("domain_words.txt"):
        parts = line.split()
        tok.add_word(parts[0], int(parts[1]) if len(parts) > 1 else 2000)
    return tok


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (precise mode, no HMM for new words: the same text always gives the same words)."""
    return [str(w) for w in _tokenizer().lcut(text or "", HMM=False)]


def terms(text: str) -> list[str]:
    """The matching terms of ``text``, in order, repeated as often as they occur."""
    stop, domain = stop_words(), domain_words()
    out = []
    for w in words(text):
        w = w.strip()
        if not w or w in stop or _NOT_A_TERM.match(w):
            continue
        if len(w) >= 2 or w in domain:
            out.append(w)
    return out
