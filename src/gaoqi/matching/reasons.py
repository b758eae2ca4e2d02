"""A match's reasons, as data the page words (Chinese labels come from the caller's catalogue for codes)."""

from __future__ import annotations

from typing import Any

from gaoqi.matching.score import Demand, Parts, Supply


def reasons(d: Demand, s: Supply, p: Parts) -> list[dict[str, Any]]:
    """One entry per reason, in the order a reader weighs them: ``kind`` (shared_terms, field, location, budget,
    credit, past_delivery), the ``points`` it gave and what it rests on."""
    out: list[dict[str, Any]] = []
    if p.shared:
        out.append({"kind": "shared_terms", "points": round(p.keywords, 2), "terms": list(p.shared)})
    if p.field > 0:
        out.append({"kind": "field", "points": round(p.field, 2), "field": s.field})
    if p.location > 0:
        out.append({"kind": "location", "points": round(p.location, 2), "district": s.district or d.district})
    if p.budget > 0:
        known = s.price is not None and d.budget_max is not None
        out.append({"kind": "budget" if known else "budget_unknown", "points": round(p.budget, 2),
                    "price": s.price, "budget_max": d.budget_max})  # fmt: skip
    if p.credit > 0:
        out.append({"kind": "credit", "points": round(p.credit, 2)})
    if s.past_deliveries > 0:
        out.append({"kind": "past_delivery", "points": 0, "count": s.past_deliveries})
    return out
