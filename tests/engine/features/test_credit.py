"""credit.py: credit events in the 365 days before as_of and listings in force."""

from __future__ import annotations

from datetime import date

from tests.engine.features.workspace import Workspace


def test_credit_events_in_the_365_days_before_as_of(ws: Workspace) -> None:
    e = ws.enterprise()
    clean = ws.enterprise()
    ws.credit(e, "major_safety_accident", date(2024, 3, 1))  # exactly 365 days before: counted
    ws.credit(e, "major_quality_accident", date(2024, 2, 29))  # 366 days: not
    ws.credit(e, "serious_environmental_violation", date(2025, 3, 1))  # on as_of: counted
    ws.credit(e, "serious_environmental_violation", date(2025, 3, 2))  # after: not
    ws.credit(e, "research_misconduct", date(2024, 12, 1))
    ws.credit(e, "abnormal_operation", date(2022, 1, 1))  # old, never removed: still listed
    ws.credit(e, "abnormal_operation", date(2024, 6, 1), removed=date(2025, 3, 1))  # removed on as_of
    ws.credit(e, "abnormal_operation", date(2024, 7, 1), removed=date(2025, 3, 2))  # removed later: listed
    ws.credit(e, "serious_dishonesty", date(2020, 1, 1), removed=date(2021, 1, 1))

    got = ws.build()
    p = got[e]
    assert p["credit_major_safety_accident_365d"] == 1
    assert p["credit_major_quality_accident_365d"] == 0
    assert p["credit_serious_environmental_violation_365d"] == 1
    assert p["credit_hte_accidents_365d"] == 2
    assert p["credit_research_misconduct_365d"] == 1
    assert p["credit_abnormal_operation_365d"] == 2
    assert p["abnormal_operation_listed"] == 2
    assert p["credit_serious_dishonesty_365d"] == 0 and p["serious_dishonesty_listed"] == 0
    assert got[clean]["credit_hte_accidents_365d"] == 0 and got[clean]["abnormal_operation_listed"] == 0
