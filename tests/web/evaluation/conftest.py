"""The servicepacks tests' small world (two 海淀 and one 朝阳 规升强 member, officials, units, an evaluator) serves the
platform measures' hand counts."""

from tests.web.servicepacks.conftest import today, world  # noqa: F401
