"""Enterprise requests (企业诉求: one model for the platform, the 12345 enterprise line, entrepreneur service
days and service packages, programmes.md §6.2), their attachments, and entrepreneur service days (企业家服务日)
with their invited enterprises and the leader's follow-up.

A request's clock is stored, not computed when read: ``due_on`` is the last day of the running stage (acceptance
while filed or reopened, the answer while accepted, the automatic closing while answered; empty once closed), so
the queue's overdue filter is one indexed comparison at 100,000 requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from gaoqi.web.servicedesk import workflow as wf
from gaoqi.web.servicedesk.config import CATEGORIES, CHANNELS, RESOLVED, SATISFACTION, URGENCIES


def _choices(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(c, c) for c in codes]  # the words are the catalogue's (core/labels.py), by kind


class ServiceDay(models.Model):
    """企业家服务日: a district leader's day with invited enterprises; requests raised there carry it."""

    district_code = models.CharField("区县代码", max_length=6, db_index=True)
    held_on = models.DateField("日期")
    leader_name = models.CharField("带队领导", max_length=50)
    leader_title = models.CharField("领导职务", max_length=100)
    topic = models.CharField("主题", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class ServiceDayInvite(models.Model):
    event = models.ForeignKey(ServiceDay, on_delete=models.CASCADE, related_name="invites")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=200)
    attended = models.BooleanField("出席", default=False)

    class Meta:
        ordering = ["enterprise_name"]
        constraints = [models.UniqueConstraint(fields=["event", "uscc"], name="servicedesk_invite_once")]


class ServiceDayFollowUp(models.Model):
    """The leader's follow-up (跟进): dated entries on the event's record, never edited."""

    event = models.ForeignKey(ServiceDay, on_delete=models.CASCADE, related_name="followups")
    on = models.DateField("日期")
    text = models.TextField("跟进情况")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]


class Request(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("所属区县", max_length=6)
    category = models.CharField("诉求类别", max_length=16, choices=_choices(CATEGORIES))
    urgency = models.CharField("紧急程度", max_length=12, choices=_choices(URGENCIES))
    channel = models.CharField("来源渠道", max_length=20, choices=_choices(CHANNELS))
    event = models.ForeignKey(ServiceDay, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    title = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容")
    status = models.CharField("状态", max_length=12, choices=list(wf.STATUS_LABELS.items()))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    route_rule = models.CharField("分派依据", max_length=200)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("提交时间")
    filed_on = models.DateField("提交日期")
    accept_due = models.DateField("受理时限")
    answer_due = models.DateField("答复时限")
    due_provisional = models.BooleanField("时限暂定", default=False)
    due_on = models.DateField("本阶段时限", null=True, blank=True)  # the running stage's last day
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    resolved = models.CharField("是否解决", max_length=8, blank=True, choices=_choices(RESOLVED))
    satisfaction = models.CharField("满意度", max_length=16, blank=True, choices=_choices(SATISFACTION))
    rating_comment = models.TextField("评价意见", blank=True)
    rated_on = models.DateField("评价日期", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    escalated_to = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="督办单位"
    )
    escalated_on = models.DateField("督办日期", null=True, blank=True)
    transitions = GenericRelation("core.WorkflowLog", related_query_name="servicedesk_request")

    class Meta:
        ordering = ["-id"]
        indexes = [
            # the queue: newest first, by unit (a district official's units), by status, overdue (status, due_on)
            models.Index(fields=["unit", "status", "due_on"], name="sd_req_unit_status_due"),
            models.Index(fields=["status", "due_on"], name="sd_req_status_due"),
            models.Index(fields=["category", "id"], name="sd_req_category_id"),
            models.Index(fields=["unit", "id"], name="sd_req_unit_id"),
            models.Index(fields=["district_code", "id"], name="sd_req_district_id"),
            models.Index(fields=["uscc", "id"], name="sd_req_uscc_id"),
            models.Index(fields=["filed_on"], name="sd_req_filed_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved="", satisfaction="") | (~Q(resolved="") & ~Q(satisfaction="")),
                name="servicedesk_rating_whole",
            ),
            models.CheckConstraint(
                condition=~Q(channel="entrepreneur_day") | Q(event__isnull=False), name="servicedesk_day_has_event"
            ),
        ]

    def __str__(self) -> str:
        return f"诉求 #{self.pk} {self.title}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField("文件名", max_length=200)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
