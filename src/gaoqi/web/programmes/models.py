"""Programme lists (规模以上, 培育库…): dated membership rows across snapshots (ADR 0016).

A list is a policy of kind ``list`` in ``policies/*.yaml``; ``list_id`` is its policy id. A membership is one
stay of one enterprise on one list: it enters at a snapshot (by the rule, or on an official's recommendation)
and leaves at a later one (or when an official removes it). At most one stay is open per enterprise and list.
A ``Recommendation`` is a district's proposal to put an enterprise on a list; its confirmation opens a stay.

The records of cultivation (the pool's work with its members): a ``TrainingSession`` (政策培训) with its invited
and attending enterprises (``TrainingAttendance``, one row per enterprise) and its PDF materials, and a
``Tutoring`` (一对一辅导) with the gaps the engine showed at the time (frozen) and its ``FollowUp`` actions. Each
attendance and tutoring is confirmed or disputed by the enterprise itself (``workflow.TUTORING``, ``ATTENDANCE``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.programmes.lists import DEFAULT_RECOMMENDABLE
from gaoqi.web.programmes.workflow import (
    CONFIRMED,
    DECLINED,
    RECORD_LABELS,
    RECORDED,
    STATUS_LABELS,
    SUBMITTED,
)

RULE, RECOMMENDATION, ADJUSTMENT = "rule", "recommendation", "adjustment"
ROUTES = [(RULE, "按规则纳入"), (RECOMMENDATION, "推荐纳入"), (ADJUSTMENT, "调整纳入")]
CERTIFIED, RULE_NO_LONGER_MET, EXPIRED, REMOVED = "certified", "rule_no_longer_met", "expired", "removed"
PERIOD_OVER = "period_over"
CONVERTED = "converted"
LEFT_REASONS = [
    (CERTIFIED, "已认定为高新技术企业"),
    (RULE_NO_LONGER_MET, "不再符合条件"),
    (EXPIRED, "名单已到期"),
    (PERIOD_OVER, "培育期满"),
    (CONVERTED, "已达规模以上（规下→规上）"),
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
    #: The official who put the enterprise on the list by an adjustment (route ``adjustment``).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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
            models.CheckConstraint(
                condition=Q(route__in=[RULE, RECOMMENDATION, ADJUSTMENT]), name="membership_route_known"
            ),
            models.CheckConstraint(
                condition=~Q(route=ADJUSTMENT) | (~Q(reason="") & Q(entered_by__isnull=False)),
                name="adjustment_has_reason_and_official",
            ),
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


# ------------------------------------------------------------------------------------------------------
# the records of cultivation (issue 12)

#: The organiser's or tutor's kind of organisation (the acting account's role).
ORG_DISTRICT, ORG_MUNICIPAL, ORG_INCUBATOR = "district", "municipal", "incubator"
ORG_KINDS = [
    (ORG_DISTRICT, "区科技主管部门"),
    (ORG_MUNICIPAL, "市科委、中关村管委会"),
    (ORG_INCUBATOR, "孵化器、服务机构"),
]
ONSITE, ONLINE = "onsite", "online"
MODES = [(ONSITE, "现场"), (ONLINE, "线上")]
RECORD_STATUSES = list(RECORD_LABELS.items())


class Confirmable(models.Model):
    """The enterprise's word on a record: confirmed (who, when) or disputed with its comment; the status moves
    only through the record's workflow (core/workflow.py)."""

    status = models.CharField("确认状态", max_length=16, choices=RECORD_STATUSES, default=RECORDED)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("企业确认时间", null=True, blank=True)
    enterprise_comment = models.TextField("企业意见", blank=True)

    class Meta:
        abstract = True


class TrainingSession(models.Model):
    """A policy training session (政策培训) organised by a district, the municipal office or an incubator (service
    agency): ``district_code`` / ``incubator_code`` say whose (the organiser's jurisdiction, scoping its readers)."""

    held_on = models.DateField("培训日期")
    topic = models.CharField("培训主题", max_length=200)
    organiser_kind = models.CharField("主办方类型", max_length=16, choices=ORG_KINDS)
    district_code = models.CharField("主办区县", max_length=6, blank=True)
    incubator_code = models.CharField("主办孵化器", max_length=32, blank=True)
    organised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("培训方式", max_length=8, choices=MODES)
    hours = models.DecimalField("培训时长（小时）", max_digits=5, decimal_places=1)
    created_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)
    attendance_recorded_at = models.DateTimeField("参训登记时间", null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
            models.CheckConstraint(condition=Q(mode__in=[ONSITE, ONLINE]), name="training_mode_known"),
            models.CheckConstraint(
                condition=(Q(organiser_kind=ORG_DISTRICT) & ~Q(district_code=""))
                | Q(organiser_kind=ORG_MUNICIPAL, district_code="", incubator_code="")
                | (Q(organiser_kind=ORG_INCUBATOR) & ~Q(incubator_code="")),
                name="training_organiser_complete",
            ),
        ]
        indexes = [models.Index(fields=["district_code", "held_on"]), models.Index(fields=["incubator_code"])]


class TrainingAttendance(Confirmable):
    """One enterprise invited to a session; ``attended`` is recorded after it (None until then)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="training_attendances")
    attended = models.BooleanField("是否参训", null=True, blank=True)

    class Meta:
        ordering = ["enterprise__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enterprise"], name="one_invitation_per_enterprise"),
            models.CheckConstraint(condition=Q(status__in=list(RECORD_LABELS)), name="attendance_status_known"),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(enterprise_comment=""), name="attendance_dispute_has_comment"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "attended"])]


class TrainingMaterial(models.Model):
    """A PDF handed out at a session (checked by content, stored outside the web root)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    file_name = models.CharField("文件名", max_length=200)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]


class Tutoring(Confirmable):
    """A one-to-one tutoring session (一对一辅导) of a pool member by its tutor, with the gaps the engine showed for
    the enterprise when the record was made (``gaps``: a frozen copy of the HTE certification result's failed
    conditions and their gap sentences, from the snapshot then current: a later snapshot does not change it)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tutorings")
    tutor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tutor_kind = models.CharField("辅导方类型", max_length=16, choices=ORG_KINDS)
    district_code = models.CharField("辅导方区县", max_length=6, blank=True)
    incubator_code = models.CharField("辅导方孵化器", max_length=32, blank=True)
    held_on = models.DateField("辅导日期")
    advice = models.TextField("辅导意见")
    gaps = models.JSONField("差距（记录时）", default=dict)
    gaps_snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(advice=""), name="tutoring_has_advice"),
            models.CheckConstraint(condition=Q(status__in=list(RECORD_LABELS)), name="tutoring_status_known"),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(enterprise_comment=""), name="tutoring_dispute_has_comment"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "held_on"]), models.Index(fields=["district_code", "held_on"])]


OPEN, DONE, NOT_DONE = "open", "done", "not_done"
OUTCOMES = [(OPEN, "进行中"), (DONE, "已完成"), (NOT_DONE, "未完成")]


class FollowUp(models.Model):
    """A follow-up action agreed at a tutoring session, and its outcome (recorded by the tutor)."""

    tutoring = models.ForeignKey(Tutoring, on_delete=models.CASCADE, related_name="followups")
    action = models.TextField("跟进事项")
    due_on = models.DateField("完成期限")
    outcome = models.CharField("结果", max_length=10, choices=OUTCOMES, default=OPEN)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_note = models.TextField("结果说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(action=""), name="followup_has_action"),
            models.CheckConstraint(condition=Q(outcome__in=[OPEN, DONE, NOT_DONE]), name="followup_outcome_known"),
            models.CheckConstraint(
                condition=Q(outcome=OPEN, outcome_on__isnull=True) | (~Q(outcome=OPEN) & Q(outcome_on__isnull=False)),
                name="followup_outcome_dated",
            ),
        ]
