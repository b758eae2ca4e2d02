"""Warnings (监测预警, issue 15, ADR 0030): one row per episode of a warning rule's condition holding for an
enterprise, raised set-based at publication (``services.warnings_derive``) from the engine's ``warning_rows`` and
the platform's own rules (``platform_rules.yaml``), and its life (workflow.py).

``district_code`` is the enterprise's, denormalised for scoping and the page's indexes; ``due_on`` is the
handling limit (working days by severity, ``process.yaml``), so overdue is one indexed comparison.
``episode_open`` says the condition has held at every snapshot since the warning opened: a handled or dismissed
warning keeps it while the condition keeps holding, and no new warning opens for the same enterprise and rule
until a snapshot where the condition does not hold has ended the episode."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from gaoqi.web.monitoring import workflow as wf


class Warning(models.Model):
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="warnings")
    district_code = models.CharField("所属区县", max_length=6)
    rule_id = models.CharField("预警规则", max_length=64)
    rule_version = models.CharField("规则版本", max_length=32, blank=True)
    name = models.CharField("预警名称", max_length=200)
    severity = models.CharField("预警等级", max_length=10, choices=[(s, s) for s in wf.SEVERITIES])
    status = models.CharField("状态", max_length=16, choices=list(wf.STATUS_LABELS.items()))
    evidence = models.JSONField("依据数据", default=list)
    articles = models.JSONField("依据条款", default=list)
    ruleset_hash = models.CharField("规则集校验值", max_length=64, blank=True)
    opened_snapshot = models.ForeignKey("intake.Snapshot", on_delete=models.PROTECT, related_name="+")
    # not indexed (nothing looks warnings up by it): seeing a warning again at each snapshot is then a HOT update
    last_seen_snapshot = models.ForeignKey(
        "intake.Snapshot", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    closed_snapshot = models.ForeignKey(
        "intake.Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    episode_open = models.BooleanField("条件持续成立", default=True)
    opened_on = models.DateField("预警日期")
    due_on = models.DateField("处置时限")
    due_provisional = models.BooleanField("时限暂定", default=False)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    action = models.CharField("处置方式", max_length=12, blank=True, choices=list(wf.ACTIONS.items()))
    action_note = models.TextField("处置说明", blank=True)
    dismiss_reason = models.TextField("排除理由", blank=True)
    close_reason = models.CharField("消除原因", max_length=200, blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral_id = models.PositiveBigIntegerField("撤销移送编号", null=True, blank=True)
    updated_snapshot = models.ForeignKey(
        "intake.Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    transitions = GenericRelation("core.WorkflowLog", related_query_name="monitoring_warning")

    class Meta:
        ordering = ["-id"]
        constraints = [
            # at most one warning per enterprise and rule waiting for the district (SQLite and PostgreSQL: partial)
            models.UniqueConstraint(
                fields=["enterprise", "rule_id"], condition=Q(status__in=list(wf.OPEN_STATUSES)),
                name="monitoring_one_open_warning",
            ),
            # and at most one episode running (the episode rule: handled or dismissed, still holding)
            models.UniqueConstraint(
                fields=["enterprise", "rule_id"], condition=Q(episode_open=True), name="monitoring_one_episode"
            ),
            models.CheckConstraint(condition=~Q(status="handled") | ~Q(action=""), name="monitoring_handled_has_action"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""), name="monitoring_dismissed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_snapshot__isnull=False) & ~Q(close_reason="")),
                name="monitoring_closed_says_why",
            ),
        ]  # fmt: skip
        indexes = [
            # the page: newest first per district, per status; overdue (status, due_on); by rule and severity
            models.Index(fields=["district_code", "status", "id"], name="mon_warn_district_status_id"),
            models.Index(fields=["status", "id"], name="mon_warn_status_id"),
            models.Index(fields=["status", "due_on"], name="mon_warn_status_due"),
            models.Index(fields=["rule_id", "status"], name="mon_warn_rule_status"),
            models.Index(fields=["enterprise", "rule_id"], name="mon_warn_enterprise_rule"),
            # the page's figures over the open warnings: an index-only scan on PostgreSQL (escalated_at included)
            models.Index(
                fields=["district_code", "rule_id", "severity", "opened_on"],
                include=["escalated_at"],
                condition=Q(status__in=list(wf.OPEN_STATUSES)),
                name="mon_warn_open_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"预警 #{self.pk} {self.name}"


class WarningStat(models.Model):
    """Per published snapshot, district, rule and severity: warnings open after it, new in it and closed by it
    (the trend chart reads these few rows; computed set-based at publication)."""

    snapshot = models.ForeignKey("intake.Snapshot", on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(max_length=6)
    rule_id = models.CharField(max_length=64)
    severity = models.CharField(max_length=10)
    open = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "district_code", "rule_id", "severity"], name="monitoring_one_stat"
            )
        ]
