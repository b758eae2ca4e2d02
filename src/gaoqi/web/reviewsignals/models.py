"""Review signals (审查风险提示, issue 16, ADR 0036): the engine's fraud signals (``Workspace.review_signals``: IP
transferred shortly before applying, one transferor feeding many applicants, near-duplicate R&D project texts, S&T
staff above the insured head count, R&D expense against the super-deduction, applicants sharing a contact or an
agent) attached to the HTE applications in review, for the district reviewer, the panel's experts and the
municipal office to read — never a verdict: the reviewer records what they concluded.

One row per application and kind (the unique constraint): raised at the first snapshot that shows it, seen again
(``last_seen``) at each later one, cleared when a snapshot no longer shows it while still open, reopened if it comes
back; a concluded signal keeps its conclusion. ``district_code`` is the application's, denormalised for scoping
and the list's index."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from gaoqi.web.reviewsignals import workflow as wf


class ReviewSignal(models.Model):
    application = models.ForeignKey(
        "certification.Application", on_delete=models.PROTECT, related_name="review_signals"
    )
    district_code = models.CharField("所属区县", max_length=6)
    uscc = models.CharField("统一社会信用代码", max_length=18)
    batch_year = models.PositiveSmallIntegerField("申报年度")
    kind = models.CharField("风险类型", max_length=40)
    summary = models.TextField("提示内容")
    evidence = models.JSONField("依据数据", default=list)
    related_usccs = models.JSONField("关联企业", default=list)
    status = models.CharField("状态", max_length=12, choices=list(wf.STATUS_LABELS.items()))
    first_seen_snapshot = models.ForeignKey("intake.Snapshot", on_delete=models.PROTECT, related_name="+")
    first_seen_on = models.DateField("首次发现日期")
    last_seen_snapshot = models.ForeignKey(
        "intake.Snapshot", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    cleared_snapshot = models.ForeignKey(
        "intake.Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    conclusion = models.CharField("核实结论", max_length=12, blank=True, choices=list(wf.CONCLUSIONS.items()))
    conclusion_note = models.TextField("核实说明", blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField("核实时间", null=True, blank=True)
    transitions = GenericRelation("core.WorkflowLog", related_query_name="reviewsignals_signal")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="reviewsignals_one_per_kind"),
            models.CheckConstraint(
                condition=~Q(status=wf.CONCLUDED) | (~Q(conclusion="") & ~Q(conclusion_note="")),
                name="reviewsignals_concluded_says_what",
            ),
            models.CheckConstraint(
                condition=~Q(status=wf.CLEARED) | Q(cleared_snapshot__isnull=False),
                name="reviewsignals_cleared_says_when",
            ),
        ]  # fmt: skip
        indexes = [
            # the list: newest first per district and status; by kind
            models.Index(fields=["district_code", "status", "id"], name="revsig_district_status_id"),
            models.Index(fields=["status", "id"], name="revsig_status_id"),
            models.Index(fields=["kind", "status"], name="revsig_kind_status"),
        ]

    def __str__(self) -> str:
        return f"风险提示 #{self.pk} {self.kind}"
