"""The tech-SME registrations as a platform feed (ADR 0011, 0017): one row per registration number in the
engine's certificate feed format (``engine/schemas/certificate.json``), kind ``tech_sme``, so that the next
pipeline run's profile has ``has_tech_sme`` for a valid registration and the policies reading it see it.

A registration's row: issued on its registration date, valid until its next update's deadline (the engine
counts it current until then, inclusive), ``valid`` or ``revoked``. The bytes are a function of the database
only (fixed order, no timestamp): an unchanged state gives the same file, which the ingest skips."""

from __future__ import annotations

from typing import Any

from gaoqi.web.certification.feed import render
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.models import Registration

SOURCE = "科技型中小企业评价"
CERTIFICATE_FILE = f"certificate_{SOURCE}.csv"
KIND = "tech_sme"
STATUS_CODES = {wf.VALID: "valid", wf.REVOKED: "revoked"}


def registration_rows() -> list[dict[str, Any]]:
    return [
        {
            "uscc": r.uscc,
            "kind": KIND,
            "number": r.number,
            "issue_date": r.registered_on.isoformat(),
            "expiry_date": r.valid_until.isoformat(),
            "status": STATUS_CODES[r.status],
        }
        for r in Registration.objects.order_by("number")
    ]


def feed_files() -> dict[str, bytes]:
    """File name → bytes (no file before the first registration)."""
    rows = registration_rows()
    return {CERTIFICATE_FILE: render("certificate", rows)} if rows else {}
