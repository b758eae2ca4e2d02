"""The list pages keep counts and the funnel in Django's cache until their data changes (``count_upto``,
``funnel.data_signature``); test databases reuse row ids, so every test here starts with an empty cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_kept_counts() -> None:
    from django.core.cache import cache

    cache.clear()
