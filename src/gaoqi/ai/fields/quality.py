"""Quality of a field classifier on a labelled set: accuracy and macro-F1 by field, sub-field accuracy, the 8×8
confusion matrix (rows: true field, columns: predicted field, in taxonomy order)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gaoqi.ai.fields.model import FieldClassifier
from gaoqi.ai.fields.taxonomy import load_taxonomy

__all__ = ["FieldScore", "QualityReport", "evaluate", "format_report", "read_labelled_csv"]

_IDEOGRAPHIC_SPACE = "\u3000"
TEXT_COLUMNS = ("business_scope", "products", "ip_titles", "rd_projects")


@dataclass(frozen=True)
class FieldScore:
    code: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class QualityReport:
    n: int
    field_accuracy: float
    field_macro_f1: float
    sub_field_accuracy: float
    sub_field_macro_f1: float
    by_field: tuple[FieldScore, ...]
    confusion: tuple[tuple[int, ...], ...]
    errors: tuple[tuple[int, str, str], ...]  # (row index, true sub-field, predicted sub-field)


def read_labelled_csv(path: Path | str, kind: str | None = None) -> tuple[list[str], list[str]]:
    """``(documents, sub-field codes)`` of a CSV with ``sub_field_code`` and the text columns
    business_scope, products, ip_titles, rd_projects (any missing column counts as empty); with ``kind``, only
    the rows whose ``kind`` column equals it (the hand-written set: ``typical`` or ``boundary``)."""
    docs: list[str] = []
    labels: list[str] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if kind is not None and row.get("kind") != kind:
                continue
            docs.append("\n".join(row.get(c) or "" for c in TEXT_COLUMNS))
            labels.append(row["sub_field_code"])
    return docs, labels


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _macro_f1(true: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> float:
    scores = []
    for c in classes:
        tp = sum(1 for t, p in zip(true, pred, strict=True) if t == c and p == c)
        fp = sum(1 for t, p in zip(true, pred, strict=True) if t != c and p == c)
        fn = sum(1 for t, p in zip(true, pred, strict=True) if t == c and p != c)
        if tp + fn:  # classes present in the set
            scores.append(_f1(tp, fp, fn)[2])
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(classifier: FieldClassifier, documents: Sequence[str], labels: Sequence[str]) -> QualityReport:
    """Classify ``documents`` (one per enterprise) and compare with the true sub-field ``labels``."""
    if len(documents) != len(labels) or not documents:
        raise ValueError("documents and labels must be non-empty and of the same length")
    taxonomy = load_taxonomy()
    preds = classifier.classify_batch(documents)
    true_sub = list(labels)
    pred_sub = [p.sub_field_code for p in preds]
    true_field = [c.split(".")[0] for c in true_sub]
    pred_field = [p.field_code for p in preds]
    field_codes = [f.code for f in taxonomy.fields]
    by_field = []
    for f in taxonomy.fields:
        tp = sum(1 for t, p in zip(true_field, pred_field, strict=True) if t == f.code and p == f.code)
        fp = sum(1 for t, p in zip(true_field, pred_field, strict=True) if t != f.code and p == f.code)
        fn = sum(1 for t, p in zip(true_field, pred_field, strict=True) if t == f.code and p != f.code)
        precision, recall, f1 = _f1(tp, fp, fn)
        by_field.append(FieldScore(f.code, f.name, precision, recall, f1, tp + fn))
    confusion = [[0] * len(field_codes) for _ in field_codes]
    for t, p in zip(true_field, pred_field, strict=True):
        confusion[field_codes.index(t)][field_codes.index(p)] += 1
    n = len(labels)
    return QualityReport(
        n=n,
        field_accuracy=sum(t == p for t, p in zip(true_field, pred_field, strict=True)) / n,
        field_macro_f1=_macro_f1(true_field, pred_field, field_codes),
        sub_field_accuracy=sum(t == p for t, p in zip(true_sub, pred_sub, strict=True)) / n,
        sub_field_macro_f1=_macro_f1(true_sub, pred_sub, [s.code for s in taxonomy.sub_fields]),
        by_field=tuple(by_field),
        confusion=tuple(tuple(r) for r in confusion),
        errors=tuple((i, t, p) for i, (t, p) in enumerate(zip(true_sub, pred_sub, strict=True)) if t != p),
    )


def format_report(title: str, report: QualityReport) -> str:
    """The report as plain text (what ``gaoqi bench fields-quality`` prints)."""
    lines = [
        f"{title}: {report.n} enterprises",
        f"  field accuracy {report.field_accuracy:.3f}  field macro-F1 {report.field_macro_f1:.3f}  "
        f"sub-field accuracy {report.sub_field_accuracy:.3f}  sub-field macro-F1 {report.sub_field_macro_f1:.3f}",
        "  field                  precision recall F1     n",
    ]
    for s in report.by_field:
        name = s.name + _IDEOGRAPHIC_SPACE * (9 - len(s.name))
        lines.append(f"  {s.code} {name}{s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:5d}")
    lines.append("  confusion (rows: true field 1–8, columns: predicted 1–8)")
    for i, row in enumerate(report.confusion, start=1):
        lines.append(f"  {i} " + " ".join(f"{v:5d}" for v in row))
    return "\n".join(lines)
