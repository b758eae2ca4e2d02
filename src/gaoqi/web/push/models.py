"""政策推送: the messages an enterprise is sent (each one an event of a snapshot difference, or a mandatory notice),
their deliveries per channel, the sending jobs and the enterprise's muted categories (ADR 0023).

An event IS its message (one row, not two: a million events are a million rows, not two million): the event's
identity (snapshot, enterprise, policy, kind) and the result it came from (its id, policy version, the snapshot's
rule-set hash and the result's fields, copied so that the message still says what it said when old snapshots
are pruned). The text is rendered when read (``texts.py``), never stored per message."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.models import Snapshot

QUALIFIES, NEAR_MISS, NO_LONGER, NEEDS_DATA, NOTICE = "qualifies", "near_miss", "no_longer", "needs_data", "notice"
EVENT_KINDS = (QUALIFIES, NEAR_MISS, NO_LONGER, NEEDS_DATA)
KINDS = [
    (QUALIFIES, "新符合条件"),
    (NEAR_MISS, "差一项条件"),
    (NO_LONGER, "不再符合条件"),
    (NEEDS_DATA, "待补充数据"),
    (NOTICE, "通知"),
]

EMAIL, SMS = "email", "sms"
CHANNELS = [(EMAIL, "电子邮件"), (SMS, "短信")]

QUEUED, SENDING, SENT, FAILED, UNKNOWN = "queued", "sending", "sent", "failed", "unknown"
DELIVERY_STATUSES = [
    (QUEUED, "待发送"),
    (SENDING, "发送中"),
    (SENT, "已发送"),
    (FAILED, "发送失败"),
    (UNKNOWN, "待核对"),
]


class Message(models.Model):
    # no database constraints on the bulk-written keys (a million rows checked one by one at COMMIT, ADR 0023):
    # the rows are made from existing results by INSERT … SELECT; Django still cascades deletions
    # and no single-column indexes the composite ones below already serve (each index is a write per row)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=KINDS)
    category = models.CharField("类别", max_length=16)
    mandatory = models.BooleanField("不可退订", default=False)  # compliance reminders, decisions (M4)
    policy_id = models.CharField("政策", max_length=64, blank=True)
    # the event's origin: the snapshot whose difference made it, the result, its version and rule-set hash
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    result = models.ForeignKey(
        PolicyResult,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    policy_version = models.CharField("政策版本", max_length=32, blank=True)
    ruleset_hash = models.CharField("规则集哈希", max_length=64, blank=True)
    previous_status = models.CharField("此前结果", max_length=8, blank=True)  # "" = no result before
    status = models.CharField("本次结果", max_length=8, blank=True)
    failed_count = models.PositiveSmallIntegerField(default=0)
    binding_condition = models.CharField(max_length=64, blank=True)
    binding_gap = models.TextField(blank=True)
    unknown_features = models.JSONField(default=list)
    benefit_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    # a notice's own words (events render theirs from the fields above when read)
    title = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容", blank=True)
    link = models.CharField("办理地址", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    queued = models.BooleanField("已安排外部发送", default=False)  # deliveries decided (muting, cap, quiet hours)
    pushed_at = models.DateTimeField("外部推送时间", null=True, blank=True)  # got e-mail/SMS deliveries (the cap)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["enterprise", "read_at"]),
            models.Index(fields=["policy_id", "kind"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "enterprise", "policy_id", "kind"],
                condition=Q(snapshot__isnull=False),
                name="push_one_event_per_snapshot",
            ),
            # never the same message twice for the same result (same policy version and rule set)
            models.UniqueConstraint(
                fields=["enterprise", "policy_id", "kind", "policy_version", "ruleset_hash"],
                condition=Q(snapshot__isnull=False),
                name="push_one_message_per_result",
            ),
        ]


class PushJob(models.Model):
    """A sending job (django-tasks): the deliveries of one snapshot's messages (or of the notices) queued, then
    claimed in batches and sent; it stops between batches and resumes where it stopped (``workflow.JOB``)."""

    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=16)
    total = models.PositiveIntegerField("待发送总数", default=0)
    sent = models.PositiveIntegerField("已发送", default=0)
    failed = models.PositiveIntegerField("失败", default=0)
    unknown = models.PositiveIntegerField("待核对", default=0)
    deferred_until = models.DateTimeField("短信顺延至", null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]


class Delivery(models.Model):
    """One message sent by one channel to one address: queued → sending → sent / failed (``unknown`` when a crash
    left it ``sending`` and the backend cannot tell whether it went: never sent again by itself)."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="deliveries"
    )  # the unique (message, channel, address) serves lookups by message
    job = models.ForeignKey(PushJob, null=True, on_delete=models.SET_NULL, db_index=False, related_name="deliveries")
    channel = models.CharField("渠道", max_length=8, choices=CHANNELS)
    address = models.CharField("地址", max_length=254)  # personal data: masked on officials' pages
    status = models.CharField("状态", max_length=8, choices=DELIVERY_STATUSES, default=QUEUED)
    not_before = models.DateTimeField("最早发送时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    error = models.CharField("失败原因", max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "status", "not_before", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel", "address"], name="push_one_delivery_per_address")
        ]


class Mute(models.Model):
    """A category an enterprise does not want pushed by e-mail or SMS (it still sees the messages in its inbox)."""

    enterprise_uscc = models.CharField("统一社会信用代码", max_length=18)
    category = models.CharField("类别", max_length=16)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise_uscc", "category"], name="push_one_mute")]
