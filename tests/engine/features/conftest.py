"""The ``ws`` fixture: a fresh in-memory workspace per test."""

from __future__ import annotations

import pytest

from tests.engine.features.workspace import Workspace


@pytest.fixture()
def ws() -> Workspace:
    return Workspace()
