"""Programme lists (规模以上, 培育库…): dated membership rows across snapshots (ADR 0016).

A list is a policy of kind ``list`` in ``policies/*.yaml``; ``list_id`` is its policy id. A membership is one
stay of one enterprise on one list: it enters at a snapshot (by the rule, or on an official's recommendation)
and leaves at a later one (or when an official removes it). At most one stay is open per enterprise and list.
A ``Recommendation`` is a district's proposal to put an enterprise on a list; its confirmation opens a stay."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.programmes.lists import DEFAULT_RECOMMENDABLE
from gaoqi.web.programmes.workflow import CONFIRMED, DECLINED, STATUS_LABELS, SUBMITTED

RULE, RECOMMENDATION = "rule", "recommendation"
ROUTES = [(RULE, "按规则纳入"), (RECOMMENDATION, "推荐纳入")]
CERTIFIED, RULE_NO_LONGER_MET, EXPIRED, REMOVED = "certified", "rule_no_longer_met", "expired", "removed"
PERIOD_OVER = "period_over"
LEFT_REASONS = [
    (CERTIFIED, "已认定为高新技术企业"),
    (RULE_NO_LONGER_MET, "不再符合条件"),
    (EXPIRED, "名单已到期"),
    (PERIOD_OVER, "培育期满"),
    (REMOVED, "管理人员移出"),
]


class ListMembership(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="list_memberships")
    list_id = models.CharField("名单", max_length=64)  # the id of a policy of kind "list"
    route = models.CharField("纳入方式", max_length=16, choices=ROUTES)
    entered_on = models.DateField("纳入日期")
    entered_snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    policy_version = models.CharField("政策版本", max_length=32, blank=True)  # the version whose rule decided it
    reason = models.TextField("纳入理由", blank=True)
    ruleset_hash = models.CharField("规则集校验值", max_length=64, blank=True)
    left_on = models.DateField("移出日期", null=True, blank=True)
    left_snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    left_reason = models.CharField("移出原因", max_length=24, choices=LEFT_REASONS, blank=True)
    left_ruleset_hash = models.CharField("移出时规则集校验值", max_length=64, blank=True)
    left_comment = models.TextField("移出说明", blank=True)
    left_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    #: An official's removal holds while the enterprise still meets the rule: it does not re-enter by the rule
    #: at the next snapshot (nor when the same snapshot is published again); the first snapshot where the rule
    #: is not met clears it, so a later pass enters it again.
    removal_holds = models.BooleanField(default=False)

    class Meta:
        ordering = ["-entered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "list_id"], condition=Q(left_on__isnull=True), name="one_open_membership"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, left_reason="", left_snapshot__isnull=True)
                | (Q(left_on__isnull=False, left_snapshot__isnull=False) & ~Q(left_reason="")),
                name="membership_left_complete",
            ),
            models.CheckConstraint(condition=~Q(left_reason=REMOVED) | ~Q(left_comment=""), name="removal_has_comment"),
            models.CheckConstraint(condition=Q(route__in=[RULE, RECOMMENDATION]), name="membership_route_known"),
        ]
        indexes = [
            models.Index(fields=["list_id", "left_on"]),
            models.Index(fields=["list_id", "entered_snapshot"]),
            models.Index(fields=["list_id", "left_snapshot"]),
            models.Index(fields=["enterprise", "list_id"]),
        ]


class ListStat(models.Model):
    """Members per snapshot, list, district and technical field, computed when the snapshot is published (the
    chart of counts over time reads these; grouping the memberships per view would not scale)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    list_id = models.CharField(max_length=64)
    district_code = models.CharField(max_length=6)
    tech_field = models.CharField(max_length=64)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["list_id", "snapshot"])]


class Recommendation(models.Model):
    """A district official's recommendation of an enterprise for a list (the cultivation pool's entry path A),
    waiting for the municipal office's confirmation (the enterprise enters the list: ``membership``) or decline
    (with a comment); the recommending district may withdraw it while it waits. Its status moves only through
    ``workflow.RECOMMENDATION`` (core/workflow.py); at most one waits per enterprise and list."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="recommendations")
    list_id = models.CharField("名单", max_length=64, default=DEFAULT_RECOMMENDABLE)
    reason = models.TextField("推荐理由")
    district_code = models.CharField("推荐区县", max_length=6)  # the recommending official's district
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=list(STATUS_LABELS.items()), default=SUBMITTED)
    created_at = models.DateTimeField("推荐时间", default=timezone.now, editable=False)
    #: who decided (confirmed, declined) or withdrew it, when, and the comment
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_comment = models.TextField("处理意见", blank=True)
    #: the stay a confirmation opened
    membership = models.OneToOneField(
        ListMembership, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendation"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "list_id"], condition=Q(status=SUBMITTED), name="one_open_recommendation"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="recommendation_has_reason"),
            models.CheckConstraint(condition=Q(status__in=list(STATUS_LABELS)), name="recommendation_status_known"),
            models.CheckConstraint(
                condition=~Q(status=DECLINED) | ~Q(decision_comment=""), name="recommendation_decline_has_comment"
            ),
            models.CheckConstraint(
                condition=~Q(status=CONFIRMED) | Q(membership__isnull=False), name="recommendation_confirmed_entered"
            ),
        ]
        indexes = [
            models.Index(fields=["list_id", "status", "district_code"]),
            models.Index(fields=["enterprise", "list_id"]),
        ]

    def __str__(self) -> str:
        return f"recommendation:{self.pk} {self.list_id} {self.status}"
