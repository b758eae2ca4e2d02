"""The project's own technical-field classifier: jieba words + character n-grams, TF-IDF, logistic regression.

One multinomial logistic regression over the 52 sub-fields; a field's probability is the sum of its sub-fields'
probabilities, the predicted field is the most probable field and the predicted sub-field the most probable
sub-field inside it. The evidence of a prediction is the features of the document with the largest
``tf-idf × weight`` for the chosen sub-field (words prefixed ``词:``, character n-grams ``字:``).

Training is deterministic (fixed seed, single thread) and cached on disk under ``<cache_dir>/fields-<key>.pkl``,
the key being a SHA-256 of :data:`MODEL_VERSION`, the taxonomy file and the training corpus: the first use trains,
later uses load. The cache files are the project's own (pickle is loaded only from that directory).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gaoqi.ai.fields.taxonomy import Taxonomy, load_taxonomy, taxonomy_bytes

__all__ = [
    "MODEL_VERSION",
    "Alternative",
    "FieldClassifier",
    "FieldPrediction",
    "LinearFieldClassifier",
    "corpus_key",
    "default_cache_dir",
    "load_or_train",
    "train",
]

MODEL_VERSION = "fields-linear-2"
_SEED = 16
_NON_TEXT = re.compile(r"[\s，。、；：:;,.（）()《》“”\"'\[\]【】/\\|!！?？·\-—_]+")


@dataclass(frozen=True)
class Alternative:
    sub_field_code: str
    sub_field_name: str
    field_code: str
    field_name: str
    probability: float


@dataclass(frozen=True)
class FieldPrediction:
    """The classifier's answer for one enterprise's texts."""

    field_code: str
    field_name: str
    sub_field_code: str
    sub_field_name: str
    confidence: float  # probability of the field (sum over its sub-fields)
    sub_field_confidence: float
    evidence: tuple[str, ...]  # the words / character n-grams / codes that decided it, strongest first
    alternatives: tuple[Alternative, ...]  # the next sub-fields by probability (up to 3)
    model_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "field_code": self.field_code,
            "field_name": self.field_name,
            "sub_field_code": self.sub_field_code,
            "sub_field_name": self.sub_field_name,
            "confidence": round(self.confidence, 4),
            "sub_field_confidence": round(self.sub_field_confidence, 4),
            "evidence": list(self.evidence),
            "alternatives": [
                {
                    "sub_field_code": a.sub_field_code,
                    "sub_field_name": a.sub_field_name,
                    "field_code": a.field_code,
                    "field_name": a.field_name,
                    "probability": round(a.probability, 4),
                }
                for a in self.alternatives
            ],
            "model_version": self.model_version,
        }


class FieldClassifier(Protocol):
    """What the platform needs of a field classifier (a larger model may plug in behind it)."""

    @property
    def version(self) -> str: ...

    def classify(self, texts: Sequence[str]) -> FieldPrediction:
        """One enterprise: its texts (business scope, products, IP titles, R&D project names), joined."""
        ...

    def classify_batch(self, documents: Sequence[str], *, explain: bool = False) -> list[FieldPrediction]:
        """Many enterprises, one document each; ``explain`` computes the evidence (slower)."""
        ...


def _tokenize(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines on every process's first cut
    return [w for w in jieba.lcut(text, HMM=False) if not _NON_TEXT.fullmatch(w)]


def _normalise(text: str) -> str:
    return _NON_TEXT.sub(" ", text.lower())


def default_cache_dir() -> Path:
    home = os.environ.get("GAOQI_HOME")
    return (Path(home) if home else Path.cwd() / "var") / "models"


def corpus_key(texts: Sequence[str], labels: Sequence[str]) -> str:
    h = hashlib.sha256()
    h.update(MODEL_VERSION.encode())
    h.update(taxonomy_bytes())
    for t, y in zip(texts, labels, strict=True):
        h.update(y.encode())
        h.update(b"\x1f")
        h.update(t.encode())
        h.update(b"\x1e")
    return h.hexdigest()[:20]


class LinearFieldClassifier:
    """TF-IDF (jieba words + character 2–3-grams) and a multinomial logistic regression over sub-fields."""

    def __init__(
        self, words: Any, words_idf: Any, chars: Any, chars_idf: Any, model: Any, key: str, taxonomy: Taxonomy
    ) -> None:
        self._words = words  # CountVectorizer over jieba words
        self._words_idf = words_idf  # its TfidfTransformer (sublinear tf, idf, l2 norm)
        self._chars = chars  # CountVectorizer over character 2–3-grams inside words
        self._chars_idf = chars_idf
        self._model = model
        self.key = key
        self._taxonomy = taxonomy
        classes: list[str] = [str(c) for c in model.classes_]
        self._classes = classes
        field_codes = [f.code for f in taxonomy.fields]
        self._field_codes = field_codes
        # sub-field → field membership matrix (n_classes × n_fields)
        member = np.zeros((len(classes), len(field_codes)))
        for i, c in enumerate(classes):
            member[i, field_codes.index(c.split(".")[0])] = 1.0
        self._member = member
        self._feature_names: np.ndarray[Any, Any] = np.concatenate(
            [
                np.array(["词:" + w for w in words.get_feature_names_out()], dtype=object),
                np.array(["字:" + w.strip() for w in chars.get_feature_names_out()], dtype=object),
            ]
        )

    @property
    def version(self) -> str:
        return f"{MODEL_VERSION}+{self.key}"

    def _features(self, documents: Sequence[str]) -> Any:
        """TF-IDF rows of ``documents``. Each normalised document is cut at whitespace into chunks (scope items,
        title words); both analysers work inside chunks (jieba's blocks, ``char_wb``'s words), so a document's
        term counts are the sum of its chunks' counts: each distinct chunk is analysed once per call, the
        documents' counts are an incidence matrix times the chunks' counts (exactly what analysing every
        document would give, much faster on the boilerplate that business scopes and titles repeat)."""
        from scipy.sparse import csr_matrix, hstack

        index: dict[str, int] = {}
        cols: list[int] = []
        indptr = [0]
        for d in documents:
            for chunk in _normalise(d).split():
                cols.append(index.setdefault(chunk, len(index)))
            indptr.append(len(cols))
        chunks = list(index)
        incidence = csr_matrix(
            (np.ones(len(cols), dtype=np.float32), np.array(cols, dtype=np.int64), np.array(indptr, dtype=np.int64)),
            shape=(len(documents), len(chunks)),
        )
        if chunks:
            words = incidence @ self._words.transform(chunks)
            chars = incidence @ self._chars.transform(chunks)
        else:
            words = csr_matrix((len(documents), len(self._words.vocabulary_)), dtype=np.float32)
            chars = csr_matrix((len(documents), len(self._chars.vocabulary_)), dtype=np.float32)
        return hstack([self._words_idf.transform(words), self._chars_idf.transform(chars)], format="csr")

    def probabilities(self, documents: Sequence[str]) -> np.ndarray[Any, Any]:
        """Sub-field probabilities, columns in :attr:`classes` order."""
        return np.asarray(self._model.predict_proba(self._features(documents)))

    @property
    def classes(self) -> list[str]:
        return list(self._classes)

    def predict_codes(self, documents: Sequence[str]) -> tuple[list[str], list[str], np.ndarray[Any, Any]]:
        """Fast path for batches: ``(field codes, sub-field codes, field confidences)``."""
        proba = self.probabilities(documents)
        return self._decide(proba)

    def _decide(self, proba: np.ndarray[Any, Any]) -> tuple[list[str], list[str], np.ndarray[Any, Any]]:
        field_p = proba @ self._member
        best_field = field_p.argmax(axis=1)
        masked = np.where(self._member[:, best_field].T > 0, proba, -1.0)
        best_sub = masked.argmax(axis=1)
        fields = [self._field_codes[i] for i in best_field.tolist()]
        subs = [self._classes[i] for i in best_sub.tolist()]
        return fields, subs, field_p[np.arange(len(best_field)), best_field]

    def classify(self, texts: Sequence[str]) -> FieldPrediction:
        return self.classify_batch(["\n".join(t for t in texts if t)], explain=True)[0]

    def classify_batch(self, documents: Sequence[str], *, explain: bool = False) -> list[FieldPrediction]:
        x = self._features(documents)
        proba = np.asarray(self._model.predict_proba(x))
        fields, subs, conf = self._decide(proba)
        coef = self._model.coef_
        out: list[FieldPrediction] = []
        for i, (fc, sc) in enumerate(zip(fields, subs, strict=True)):
            ci = self._classes.index(sc)
            evidence: tuple[str, ...] = ()
            if explain:
                row = x.getrow(i)
                contrib = row.data * coef[ci, row.indices]
                order = np.argsort(-contrib)[:8]
                evidence = tuple(str(self._feature_names[row.indices[j]]) for j in order if contrib[j] > 0)
            ranked = np.argsort(-proba[i])
            alts = []
            for j in ranked.tolist():
                code = self._classes[j]
                if code == sc:
                    continue
                sub = self._taxonomy.sub_field(code)
                alts.append(
                    Alternative(
                        sub_field_code=code,
                        sub_field_name=sub.name,
                        field_code=sub.field_code,
                        field_name=self._taxonomy.field(sub.field_code).name,
                        probability=float(proba[i, j]),
                    )
                )
                if len(alts) == 3:
                    break
            out.append(
                FieldPrediction(
                    field_code=fc,
                    field_name=self._taxonomy.field(fc).name,
                    sub_field_code=sc,
                    sub_field_name=self._taxonomy.sub_field(sc).name,
                    confidence=float(conf[i]),
                    sub_field_confidence=float(proba[i, ci]),
                    evidence=evidence,
                    alternatives=tuple(alts),
                    model_version=self.version,
                )
            )
        return out


def train(texts: Sequence[str], labels: Sequence[str], *, key: str | None = None) -> LinearFieldClassifier:
    """Fit the classifier on a labelled corpus (sub-field codes of :func:`load_taxonomy`); deterministic."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    taxonomy = load_taxonomy()
    known = {s.code for s in taxonomy.sub_fields}
    unknown = sorted(set(labels) - known)
    if unknown:
        raise ValueError(f"labels not in the taxonomy: {unknown[:5]}")
    # the annex's own names are training text too (each sub-field's name and third-level items)
    docs = [_normalise(t) for t in texts]
    ys = list(labels)
    for s in taxonomy.sub_fields:
        docs.append(_normalise(" ".join([s.name, *(i.name for i in s.items)])))
        ys.append(s.code)
    words = CountVectorizer(tokenizer=_tokenize, token_pattern=None, lowercase=False, min_df=2, dtype=np.float32)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 3), min_df=2, max_features=150_000, dtype=np.float32)
    words_idf = TfidfTransformer(sublinear_tf=True)
    chars_idf = TfidfTransformer(sublinear_tf=True)
    x = hstack(
        [words_idf.fit_transform(words.fit_transform(docs)), chars_idf.fit_transform(chars.fit_transform(docs))],
        format="csr",
    )
    model = LogisticRegression(C=10.0, max_iter=300, random_state=_SEED)
    model.fit(x, ys)
    return LinearFieldClassifier(words, words_idf, chars, chars_idf, model, key or corpus_key(texts, labels), taxonomy)


def load_or_train(
    corpus: Callable[[], tuple[list[str], list[str]]] | tuple[Sequence[str], Sequence[str]],
    *,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> LinearFieldClassifier:
    """The classifier for ``corpus`` ((texts, labels) or a function returning them): loaded from the cache when
    a model for the same corpus, taxonomy and :data:`MODEL_VERSION` exists, otherwise trained and saved."""
    texts, labels = corpus() if callable(corpus) else corpus
    key = corpus_key(texts, labels)
    directory = cache_dir or default_cache_dir()
    path = directory / f"fields-{key}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
        if isinstance(loaded, LinearFieldClassifier):
            return loaded
    started = time.perf_counter()
    clf = train(texts, labels, key=key)
    if progress:
        progress(f"trained on {len(texts):,} texts in {time.perf_counter() - started:.1f} s")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(clf, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return clf


def iter_chunks(items: Iterable[str], size: int) -> Iterable[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
