"""The field classifier's training corpus: labelled enterprise texts the project generates (issue 16; ADR 0034).

It lives with the model, not in ``gaoqi.synth`` (test and demo data): the platform trains its classifier from it.

There is no public labelled corpus of enterprise texts by 《国家重点支持的高新技术领域》 sub-field that the project may
download, so it generates one from a vocabulary it wrote itself (``data/field_vocab.json``: per sub-field,
technology terms, products, IPC subclasses, 经营范围 items and R&D project name patterns) plus the annex's own
third-level item names (``gaoqi.ai.fields.taxonomy``). The texts are deliberately noisy: generic scope items
(技术开发、技术咨询…), words borrowed from a neighbouring sub-field of the same field and from anywhere, short and long
texts, some with only IP titles, some with only a business scope. The accuracy a model reaches on these texts
measures the pipeline, not real-world accuracy: the hand-written held-out set (tests/ai/data/fields_heldout.csv)
is the honest test.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gaoqi.ai.fields.model import LinearFieldClassifier, load_or_train
from gaoqi.ai.fields.taxonomy import load_taxonomy

__all__ = [
    "HELDOUT_SEED",
    "TRAINING_SEED",
    "TRAINING_SIZE",
    "FieldVocabulary",
    "field_classifier",
    "generate_field_corpus",
    "load_field_vocabulary",
    "training_corpus",
    "vocabulary_digest",
]

_VOCAB_FILE = "field_vocab.json"
_SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后依批准的内容开展经营活动。）"
_IP_KINDS = ("发明专利", "实用新型", "软件著作权", "集成电路布图设计")


@dataclass(frozen=True)
class SubFieldWords:
    terms: tuple[str, ...]
    products: tuple[str, ...]
    ipc: tuple[str, ...]
    scope: tuple[str, ...]
    rd: tuple[str, ...]
    items: tuple[str, ...]  # the annex's third-level item names (and the sub-field's own name)


@dataclass(frozen=True)
class FieldVocabulary:
    qualifiers: tuple[str, ...]
    generic_scope: tuple[str, ...]
    generic_words: tuple[str, ...]
    sub_fields: dict[str, SubFieldWords]


def _raw() -> bytes:
    return resources.files("gaoqi.ai").joinpath("data", _VOCAB_FILE).read_bytes()


def vocabulary_digest() -> str:
    """SHA-256 of the vocabulary file (a part of the classifier's cache key, with the generator's settings)."""
    return hashlib.sha256(_raw()).hexdigest()


@cache
def load_field_vocabulary() -> FieldVocabulary:
    doc: dict[str, Any] = json.loads(_raw())
    taxonomy = load_taxonomy()
    subs: dict[str, SubFieldWords] = {}
    for code, w in doc["sub_fields"].items():
        sub = taxonomy.sub_field(code)
        subs[code] = SubFieldWords(
            terms=tuple(w["terms"]),
            products=tuple(w["products"]),
            ipc=tuple(w["ipc"]),
            scope=tuple(w["scope"]),
            rd=tuple(w["rd"]),
            items=(sub.name, *(item.name for item in sub.items)),
        )
    missing = {s.code for s in taxonomy.sub_fields} - set(subs)
    if missing:
        raise ValueError(f"{_VOCAB_FILE}: no vocabulary for sub-fields {sorted(missing)}")
    return FieldVocabulary(
        qualifiers=tuple(doc["qualifiers"]),
        generic_scope=tuple(doc["generic_scope"]),
        generic_words=tuple(doc["generic_words"]),
        sub_fields=subs,
    )


def _ipc_code(rng: random.Random, subclass: str) -> str:
    return f"{subclass}{rng.randint(1, 99)}/{rng.choice(('00', '02', '04', '06', '08', '10', '12', '16', '20', '24', '32'))}"


def _ip_title(rng: random.Random, voc: FieldVocabulary, w: SubFieldWords) -> str:
    kind = rng.random()
    term = rng.choice(w.terms)
    prod = rng.choice(w.products)
    gen = rng.choice(voc.generic_words)
    qual = rng.choice(voc.qualifiers)
    if kind < 0.35:
        title = f"一种{qual}{term}{gen}"
    elif kind < 0.55:
        title = f"一种基于{term}的{prod}及其{gen}"
    elif kind < 0.8:
        title = (
            f"{qual}{prod}{rng.choice(('软件', '系统', '平台', '管理系统'))}V{rng.randint(1, 5)}.{rng.randint(0, 9)}"
        )
    else:
        title = f"{term}{rng.choice(('装置', '方法', '设备', '组件'))}"
    if rng.random() < 0.3:
        title += f"（{_ipc_code(rng, rng.choice(w.ipc))}）"
    return title


def _rd_name(rng: random.Random, voc: FieldVocabulary, w: SubFieldWords) -> str:
    return rng.choice(w.rd).replace("{x}", rng.choice(voc.qualifiers))


def _scope(rng: random.Random, voc: FieldVocabulary, w: SubFieldWords, neighbour: SubFieldWords | None) -> str:
    items = rng.sample(voc.generic_scope, rng.randint(1, 5))
    items += rng.sample(w.scope, min(len(w.scope), rng.randint(1, 3)))
    if rng.random() < 0.5:
        items.append(f"{rng.choice(w.products)}的研发、销售")
    if rng.random() < 0.3:
        items.append(f"{rng.choice(w.items)}开发")
    if neighbour is not None:
        items.append(rng.choice(neighbour.scope))
    rng.shuffle(items)
    return "、".join(dict.fromkeys(items)) + "。" + (_SCOPE_TAIL if rng.random() < 0.4 else "")


def _one(rng: random.Random, voc: FieldVocabulary, code: str, siblings: list[str], codes: list[str]) -> str:
    w = voc.sub_fields[code]
    neighbour = voc.sub_fields[rng.choice(siblings)] if siblings and rng.random() < 0.35 else None
    far = voc.sub_fields[rng.choice(codes)] if rng.random() < 0.15 else None
    shape = rng.random()
    parts: list[str] = []
    if shape < 0.25:  # the business scope only
        parts.append(_scope(rng, voc, w, neighbour))
    elif shape < 0.45:  # IP titles only
        parts.append("；".join(_ip_title(rng, voc, w) for _ in range(rng.randint(1, 6))))
    else:  # a mix, short or long
        parts.append(_scope(rng, voc, w, neighbour))
        if rng.random() < 0.7:
            parts.append("；".join(_ip_title(rng, voc, w) for _ in range(rng.randint(1, 8))))
        if rng.random() < 0.5:
            parts.append("主要产品：" + "、".join(rng.sample(w.products, min(len(w.products), rng.randint(1, 3)))))
        if rng.random() < 0.5:
            parts.append("；".join(_rd_name(rng, voc, w) for _ in range(rng.randint(1, 4))))
        if rng.random() < 0.3:
            parts.append("核心技术：" + "、".join(rng.sample(w.terms, min(len(w.terms), rng.randint(2, 5)))))
    if neighbour is not None and rng.random() < 0.5:
        parts.append(_ip_title(rng, voc, neighbour))
    if far is not None:
        parts.append(rng.choice((*far.terms, *far.products)))
    if rng.random() < 0.2:
        parts.append(f"{rng.choice(_IP_KINDS)}：{_ip_title(rng, voc, w)}")
    rng.shuffle(parts)
    return " ".join(parts)


def generate_field_corpus(per_sub_field: int = 300, seed: int = 16) -> tuple[list[str], list[str]]:
    """``per_sub_field`` texts for each of the 52 sub-fields: ``(texts, sub-field codes)``, deterministic by seed."""
    voc = load_field_vocabulary()
    rng = random.Random(seed)
    codes = sorted(voc.sub_fields, key=lambda c: tuple(int(p) for p in c.split(".")))
    texts: list[str] = []
    labels: list[str] = []
    for code in codes:
        field = code.split(".")[0]
        siblings = [c for c in codes if c.split(".")[0] == field and c != code]
        for _ in range(per_sub_field):
            texts.append(_one(rng, voc, code, siblings, codes))
            labels.append(code)
    return texts, labels


TRAINING_SIZE = 300  # texts per sub-field of the training corpus
TRAINING_SEED = 16
HELDOUT_SEED = 61  # the synthetic held-out set (a different seed)


def training_corpus() -> tuple[list[str], list[str]]:
    """The corpus the platform's classifier is trained on (52 × :data:`TRAINING_SIZE` texts, seed 16)."""
    return generate_field_corpus(TRAINING_SIZE, TRAINING_SEED)


def field_classifier(
    cache_dir: Path | None = None, progress: Callable[[str], None] | None = None
) -> LinearFieldClassifier:
    """The project's field classifier: trained on :func:`training_corpus` on first use (about 20–30 s), then
    loaded from ``cache_dir`` (default ``$GAOQI_HOME/models``)."""
    return load_or_train(training_corpus, cache_dir=cache_dir, progress=progress)
