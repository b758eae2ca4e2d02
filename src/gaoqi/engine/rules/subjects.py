"""Policy subjects: what a policy is evaluated over (its ``subject:``; ``enterprise`` when not given).

A subject names the table a version's statement reads (one row per subject and as-of date), its key column
(the first column of every result row) and the features a policy over it may read — the rules' type check
resolves names against these, so a policy over incubators cannot read an enterprise feature, nor the reverse.

* ``enterprise``: ``profile`` keyed by ``uscc``, the enterprise features (``features.FEATURES``).
* ``incubator``: ``incubator_profile`` keyed by ``incubator_code``, the incubator figures
  (``features.incubator.FEATURES``, computed by ``gaoqi.engine.incubators``).
* ``warning``: the warning rules (``kind: warning``, ADR 0029): ``warning_profile`` (the profile joined to
  ``warning_features``) keyed by ``uscc``, the enterprise features plus ``features.warning.FEATURES`` (change
  since the previous snapshot, the platform's own records), computed by ``gaoqi.engine.warnings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gaoqi.engine.features import FEATURE_BY_NAME
from gaoqi.engine.features import incubator as _incubator
from gaoqi.engine.features import warning as _warning
from gaoqi.engine.features.declare import Feature


@dataclass(frozen=True)
class Subject:
    name: str
    table: str
    key: str
    features: Mapping[str, Feature]


SUBJECTS: dict[str, Subject] = {
    "enterprise": Subject("enterprise", "profile", "uscc", FEATURE_BY_NAME),
    "incubator": Subject("incubator", "incubator_profile", "incubator_code", _incubator.FEATURE_BY_NAME),
    "warning": Subject("warning", "warning_profile", "uscc", {**FEATURE_BY_NAME, **_warning.FEATURE_BY_NAME}),
}
DEFAULT_SUBJECT = "enterprise"

_clash = (
    (set(FEATURE_BY_NAME) & set(_incubator.FEATURE_BY_NAME))
    | (set(FEATURE_BY_NAME) & set(_warning.FEATURE_BY_NAME))
    | (set(_incubator.FEATURE_BY_NAME) & set(_warning.FEATURE_BY_NAME))
)
if _clash:  # a feature name must say whose it is (labels and units are looked up by name alone)
    raise ValueError(f"feature names used by two subjects: {sorted(_clash)}")


def any_feature(name: str) -> Feature:
    """A feature of any subject, by its (unique) name."""
    found = FEATURE_BY_NAME.get(name) or _incubator.FEATURE_BY_NAME.get(name) or _warning.FEATURE_BY_NAME.get(name)
    if found is None:
        raise KeyError(name)
    return found
