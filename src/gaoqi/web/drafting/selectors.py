"""Reads of 政策沙盘: the drafts a user may see (the municipal office: all; everyone else: none)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.core.workflow import history
from gaoqi.web.drafting.models import PolicyDraft

DRAFTERS = frozenset({roles.MUNICIPAL})


def drafts_visible_to(user: Any) -> QuerySet[PolicyDraft]:
    return visible_to(PolicyDraft.objects.select_related("author", "approved_by"), user, sees_all=DRAFTERS)


def draft_get(user: Any, pk: int) -> PolicyDraft | None:
    return drafts_visible_to(user).filter(pk=pk).first()


def draft_log(draft: PolicyDraft) -> list[WorkflowLog]:
    return history(draft)
