"""Where spot checks meet the warnings app (监测预警, ``monitoring``) and the revocation path (``certification``'s
移送撤销): the two points named here and nowhere else, so that the draw and the case service do not know how
warnings or referrals are stored (ADR 0031).

- ``open_warnings()``: USCC → the most severe open warning the draw counts (CRITICAL wins over HIGH), from
  ``monitoring.selectors.open_warning_enterprises`` (open or acknowledged warnings);
- ``revocation_refer(actor, case)``: a failed check opens the revocation path through
  ``certification.services.revocation_refer`` (source ``spot_check``, the case's id, its reasons); the referral's
  id. The referral is refused to an official outside the enterprise's jurisdiction — which a district inspector
  always is (the conflict rule sends inspectors to other districts): then None, the case waits for the municipal
  office to refer it (``services.case_refer``), and the municipal office is told.
"""

from __future__ import annotations

from typing import Any

from gaoqi.web.spotchecks.sampling import CRITICAL, HIGH

#: the monitoring app's severity words for the draw's two counted levels
SEVERITIES = {CRITICAL: "CRITICAL", HIGH: "HIGH"}


def open_warnings() -> dict[str, str]:
    """USCC → ``critical`` or ``high`` for every enterprise with an open warning of that severity (CRITICAL wins)."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.monitoring.selectors import open_warning_enterprises

    out: dict[str, str] = {}
    for level in (HIGH, CRITICAL):  # CRITICAL last: it overwrites HIGH
        ids = open_warning_enterprises({SEVERITIES[level]})
        if ids:
            for uscc in Enterprise.objects.filter(pk__in=ids).values_list("uscc", flat=True).iterator():
                out[uscc] = level
    return out


def may_refer(actor: Any, case: Any) -> bool:
    """Whether ``actor`` may open the revocation path for the case's enterprise (its jurisdiction)."""
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    return enterprises_visible_to(actor).filter(uscc=case.uscc).exists()


def revocation_refer(actor: Any, case: Any) -> int | None:
    """Open the revocation path for a failed check (inside the caller's transaction); the referral's id, or None
    when ``actor`` may not refer this enterprise (the municipal office refers it then)."""
    from gaoqi.web.certification.services import revocation_refer as refer

    if not may_refer(actor, case):
        return None
    ref = refer(actor, enterprise=case.uscc, source="spot_check", source_id=case.pk, reasons=case.result_reasons)
    return int(ref.pk)
