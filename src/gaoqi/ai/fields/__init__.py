"""Which of the eight 国家重点支持的高新技术领域 — and which of its 52 sub-fields — an enterprise's work belongs to.

Offline, with a model the project trains itself (README.md beside this file; docs/adr/0034):

- :mod:`~gaoqi.ai.fields.taxonomy`: the annex as data (``load_taxonomy()``: 8 fields, 52 sub-fields, items);
- :mod:`~gaoqi.ai.fields.model`: :class:`FieldClassifier` (the interface), :class:`LinearFieldClassifier` (jieba
  words + character n-grams, TF-IDF, logistic regression), :func:`train`, :func:`load_or_train` (disk cache);
- :mod:`~gaoqi.ai.fields.quality`: accuracy, macro-F1 and confusion matrix on a labelled set;
- :mod:`~gaoqi.ai.fields.batch`: a population in Arrow record batches.

- :mod:`~gaoqi.ai.fields.corpus`: the training corpus the project generates from its own vocabulary
  (``data/field_vocab.json``) and the annex's item names, and :func:`~gaoqi.ai.fields.corpus.field_classifier`,
  the model trained on it (or loaded from the disk cache).
"""

from gaoqi.ai.fields.batch import PREDICTION_SCHEMA, classify_record_batches, document_of
from gaoqi.ai.fields.model import (
    MODEL_VERSION,
    Alternative,
    FieldClassifier,
    FieldPrediction,
    LinearFieldClassifier,
    corpus_key,
    default_cache_dir,
    load_or_train,
    train,
)
from gaoqi.ai.fields.quality import FieldScore, QualityReport, evaluate, format_report, read_labelled_csv
from gaoqi.ai.fields.taxonomy import Field, Item, SubField, Taxonomy, load_taxonomy

__all__ = [
    "MODEL_VERSION",
    "PREDICTION_SCHEMA",
    "Alternative",
    "Field",
    "FieldClassifier",
    "FieldPrediction",
    "FieldScore",
    "Item",
    "LinearFieldClassifier",
    "QualityReport",
    "SubField",
    "Taxonomy",
    "classify_record_batches",
    "corpus_key",
    "default_cache_dir",
    "document_of",
    "evaluate",
    "format_report",
    "load_or_train",
    "load_taxonomy",
    "read_labelled_csv",
    "train",
]
