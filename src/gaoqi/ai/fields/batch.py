"""Classify a population in batches: Arrow record batches of ``(uscc, business_scope, ip_titles)`` in, Arrow record
batches of predictions out (the engine's ``Workspace.field_texts`` streams the input; ``gaoqi fields classify``
writes the output to Parquet)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from gaoqi.ai.fields.model import LinearFieldClassifier
from gaoqi.ai.fields.taxonomy import load_taxonomy

__all__ = ["PREDICTION_SCHEMA", "classify_record_batches", "document_of"]

PREDICTION_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("field_code", pa.string()),
        ("field_name", pa.string()),
        ("sub_field_code", pa.string()),
        ("sub_field_name", pa.string()),
        ("confidence", pa.float32()),
        ("model_version", pa.string()),
    ]
)


def document_of(business_scope: str | None, ip_titles: str | None) -> str:
    """One enterprise's document: its business scope and the titles of the IP it holds."""
    return f"{business_scope or ''}\n{ip_titles or ''}"


def classify_record_batches(
    classifier: LinearFieldClassifier, batches: Iterable[pa.RecordBatch], *, batch_size: int = 50_000
) -> Iterator[pa.RecordBatch]:
    """For each input batch (columns ``uscc``, ``business_scope``, ``ip_titles``; re-cut to ``batch_size`` rows),
    one batch of predictions (:data:`PREDICTION_SCHEMA`). Vectorised: features and probabilities per batch."""
    taxonomy = load_taxonomy()
    field_names = {f.code: f.name for f in taxonomy.fields}
    sub_names = {s.code: s.name for s in taxonomy.sub_fields}
    version = classifier.version
    for big in batches:
        for start in range(0, big.num_rows, batch_size):
            batch = big.slice(start, batch_size)
            cols: dict[str, list[Any]] = batch.to_pydict()
            docs = [document_of(s, t) for s, t in zip(cols["business_scope"], cols["ip_titles"], strict=True)]
            fields, subs, conf = classifier.predict_codes(docs)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(cols["uscc"], pa.string()),
                    pa.array(fields, pa.string()),
                    pa.array([field_names[c] for c in fields], pa.string()),
                    pa.array(subs, pa.string()),
                    pa.array([sub_names[c] for c in subs], pa.string()),
                    pa.array(conf, pa.float32()),
                    pa.array([version] * batch.num_rows, pa.string()),
                ],
                schema=PREDICTION_SCHEMA,
            )
