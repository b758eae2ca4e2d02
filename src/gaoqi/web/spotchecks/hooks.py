"""Where spot checks meet the warnings app (监测预警, branch ``warn-web``): the two points named here and nowhere
else, so that the draw and the case service do not know how warnings or referrals are stored.

- ``open_warnings()``: USCC → the most severe open warning counted by the draw (CRITICAL or HIGH);
- ``revocation_refer(actor, case)``: a failed check opens the revocation path; returns the referral's id.

STUB until ``warn-web`` is merged: no open warnings, no referral (the failed case keeps its reasons and the
municipal office is notified). Pointed at ``certification.RevocationReferral`` / ``revocation_refer`` and
``open_warning_enterprises`` once they exist (ADR 0031).
"""

from __future__ import annotations

from typing import Any

#: whether the hooks reach the warnings app (False: the stub)
CONNECTED = False


def open_warnings() -> dict[str, str]:
    """USCC → ``CRITICAL`` or ``HIGH`` for every enterprise with an open warning of that severity (CRITICAL wins)."""
    return {}


def revocation_refer(actor: Any, case: Any) -> int | None:
    """Open the revocation path for a failed check (inside the caller's transaction); the referral's id."""
    return None
