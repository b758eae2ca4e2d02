"""The test suite's settings: the platform's own, in its development mode (DEBUG on, the demo keys, no HTTPS
redirect). pytest-django imports this module before any conftest (``DJANGO_SETTINGS_MODULE`` in
pyproject.toml), so the environment below is in place when ``gaoqi.web.settings`` reads it. Tests that need
production settings start a subprocess with their own environment (tests/web/test_hardening.py)."""

import os

os.environ.setdefault("GAOQI_DEBUG", "1")

from gaoqi.web.settings import *  # noqa: F403
