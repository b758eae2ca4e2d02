"""social_insurance.py: the insured headcount."""

from __future__ import annotations

from datetime import date

from tests.engine.features.workspace import Workspace


def test_insured_count_of_the_latest_period_up_to_as_of(ws: Workspace) -> None:
    e = ws.enterprise()
    ws.insured(e, date(2025, 4, 1), 99)  # after as_of
    ws.insured(e, date(2025, 3, 1), 31)
    ws.insured(e, date(2025, 2, 1), 30)  # delivered last, but an older period
    blank = ws.enterprise()
    ws.insured(blank, date(2025, 1, 1), 12)
    ws.insured(blank, date(2025, 2, 1), None)  # latest period has no count: NULL, no fallback
    got = ws.build()
    assert (got[e]["insured_count"], got[e]["insured_count_period"]) == (31, date(2025, 3, 1))
    assert got[e]["social_insurance_load_id"] == 7
    assert (got[blank]["insured_count"], got[blank]["insured_count_period"]) == (None, date(2025, 2, 1))
