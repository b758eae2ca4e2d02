"""A policy drafted in the platform (政策沙盘): one row per draft of a new policy or of a new version of one.

``spec`` holds the form's structured content (documents, parameters, conditions, benefit); ``yaml_text`` the
policy file it renders to (for a new version: the catalogue's file with this version added), which the engine's
loader accepted when the draft was saved. A published row is frozen: the service refuses edits and the
migration's trigger refuses any UPDATE of a row whose status is ``published`` (ADR 0026)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gaoqi.web.drafting.workflow import DRAFT, STATUS_LABELS


class PolicyDraft(models.Model):
    policy_id = models.CharField(max_length=64)
    #: True when the policy is already in the catalogue: the draft is a new version of it
    new_version = models.BooleanField(default=False)
    name = models.CharField(max_length=200)
    authority = models.CharField(max_length=200)
    document_number = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    version_id = models.CharField(max_length=32)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    spec = models.JSONField(default=dict)
    yaml_text = models.TextField()
    status = models.CharField(max_length=16, choices=list(STATUS_LABELS.items()), default=DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_file = models.CharField(max_length=300, blank=True)
    #: the last try over the published snapshot (counts by status, district and field, fiscal cost)
    try_result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-pk",)
        indexes = [models.Index(fields=["status", "policy_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="drafting_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(approved_by__isnull=False),
                name="drafting_published_has_approver",
            ),
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("author")),
                name="drafting_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version_id}）"
