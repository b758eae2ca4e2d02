"""供需对接的匹配核心 (supply–demand matching): framework-free (no Django; an import-linter contract checks it).

- ``text``: Chinese text → matching terms (jieba with the domain word list, stop words).
- ``score``: the score's parts and weights (programmes.md §10.2 DEFAULT), the TF-IDF ``Index`` of the supply
  side and its blocked sparse top-k ``rank``, precision@k / recall@k.
- ``reasons``: a match's reasons in words (shared terms, field, location, budget, credit, past delivery).

The platform (``gaoqi.web.matching``) stores demands, items and matches; the synthetic labelled set lives in
``gaoqi.synth.matching``.
"""

from __future__ import annotations

from gaoqi.matching.reasons import reasons
from gaoqi.matching.score import (
    DEFAULT_WEIGHTS,
    Demand,
    Index,
    Parts,
    Ranked,
    Supply,
    Weights,
    budget_fit,
    location_fit,
    parts,
    precision_at,
    recall_at,
)
from gaoqi.matching.text import domain_words, stop_words, terms, words

__all__ = [
    "DEFAULT_WEIGHTS",
    "Demand",
    "Index",
    "Parts",
    "Ranked",
    "Supply",
    "Weights",
    "budget_fit",
    "domain_words",
    "location_fit",
    "parts",
    "precision_at",
    "reasons",
    "recall_at",
    "stop_words",
    "terms",
    "words",
]
