"""The technical-field classifier in the certification app (ADR 0034): the suggestion at the start of an
application, the check at submission, and what a page shows of them. Reads only; the services store.

The model is the project's own (``gaoqi.ai.fields``), trained from the synthetic corpus of ``gaoqi.ai.fields.corpus``
on first use (about half a minute) into ``settings.MODELS_DIR`` and loaded from there afterwards; it never
opens a network connection. Its answer is a suggestion: the enterprise declares the field, experts judge it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from gaoqi.ai.fields import FieldClassifier
from gaoqi.web.certification.config import process_config

#: The flag shown to reviewers and experts when the declared field disagrees strongly with the evidence.
MISMATCH_LABEL = "申报领域与佐证材料不一致"


@lru_cache(maxsize=1)
def classifier() -> FieldClassifier:
    """The platform's field classifier (loaded once per process)."""
    from gaoqi.ai.fields.corpus import field_classifier

    return field_classifier(settings.MODELS_DIR)


def registration_texts(uscc: str, prefill: dict[str, Any] | None = None) -> list[str]:
    """What the government already holds about the enterprise's work: the registration feed's business scope
    and the titles of the IP it holds (from the current snapshot; the prefilled IP titles without one)."""
    from gaoqi.web.intake.selectors import snapshot_workspace

    texts: list[str] = []
    ws = snapshot_workspace()
    if ws is not None:
        with ws:
            row = ws.field_texts_of(uscc)
        if row is not None:
            texts += [str(row["business_scope"] or ""), *row["ip_titles"]]
    for ip in (prefill or {}).get("ip", []):
        title = str(ip.get("title") or "")
        if title and title not in texts:
            texts.append(title)
    return [t for t in texts if t.strip()]


def form_texts(form: dict[str, Any]) -> list[str]:
    """The names of the products (services) and R&D projects the enterprise filled in."""
    return [
        str(item.get("name") or "")
        for section in ("products", "rd_projects")
        for item in form.get(section, []) or []
        if str(item.get("name") or "").strip()
    ]


def suggest(texts: list[str]) -> dict[str, Any]:
    """The classifier's answer as stored on an application (``field`` is the top-level name the application
    uses); empty when there is no text to read."""
    if not any(t.strip() for t in texts):
        return {}
    prediction = classifier().classify(texts)
    return {**prediction.as_dict(), "field": prediction.field_name, "at": timezone.now().isoformat()}


def check(declared: str, texts: list[str]) -> dict[str, Any]:
    """The reclassification at submission: the suggestion from all the texts, the declared field, the threshold
    (process.yaml ``fields.mismatch_confidence``) and whether the flag is raised: predicted field ≠ declared and
    its confidence ≥ the threshold."""
    found = suggest(texts)
    if not found:
        return {}
    threshold = float(process_config().fields["mismatch_confidence"])
    mismatch = found["field"] != declared and float(found["confidence"]) >= threshold
    return {**found, "declared": declared, "threshold": threshold, "mismatch": mismatch}


def reserve_for(field_check: dict[str, Any], declared: str) -> tuple[str, int] | None:
    """The panel's reserved technical seats for a flagged application: (predicted field, process.yaml
    ``fields.reserved_seats``), or None."""
    if not field_check.get("mismatch") or field_check.get("field") == declared:
        return None
    seats = int(process_config().fields["reserved_seats"])
    return (str(field_check["field"]), seats) if seats > 0 else None


def percent(value: Any) -> str:
    return f"{float(value) * 100:.0f}%"


def evidence_words(evidence: list[str]) -> list[str]:
    """The deciding features as a person reads them: words and character groups without their prefixes,
    duplicates dropped."""
    out: list[str] = []
    for e in evidence:
        word = e.split(":", 1)[-1].strip()
        if word and not any(word in seen for seen in out):
            out.append(word)
    return out[:6]


def display(data: dict[str, Any]) -> dict[str, Any] | None:
    """A stored suggestion or check as a page shows it, or None."""
    if not data or "field" not in data:
        return None
    return {
        **data,
        "confidence_text": percent(data.get("confidence", 0)),
        "words": evidence_words(list(data.get("evidence", []))),
        "alternatives_text": [
            f"{a['field_name']} · {a['sub_field_name']}（{percent(a['probability'])}）"
            for a in data.get("alternatives", [])
        ],
    }
