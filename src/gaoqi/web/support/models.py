"""Targeted support of the 小升规 and 规升强 list members (清单内精准、定向支持, issue 13).

- ``SupportRecord``: one act of support (a credit product, a fund introduction, a 首台（套） recognition …) of one
  enterprise, its category and kind from ``kinds.yaml``, the responsible unit, the kind's details and amount.
- ``Quota`` / ``QuotaTier`` / ``Allocation``: a district's yearly talent quota (工作居住证, 保障性租赁住房) given
  out to enterprises by tier (梯度配给); never above the quota nor above a tier's cap per enterprise. Each
  allocation is also a talent support record of the enterprise.
- ``SpaceNeed`` / ``SpaceOffer``: an enterprise's need for space and the offers made against it
  (``workflow.SPACE_NEED``).
- ``PolicyDelivery``: whether an enterprise was told of a policy it qualifies for (已告知) and whether it has
  received the benefit (已享受) — 应知尽知、应享尽享. Issue 14's push writes the same rows (``informed_via``
  ``platform``) through ``services.delivery_inform``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.units.models import Unit

WRP, HOUSING = "wrp", "housing"
QUOTA_TYPES = [(WRP, "工作居住证"), (HOUSING, "保障性租赁住房")]
TIERS = [("A", "A"), ("B", "B"), ("C", "C")]


class SupportRecord(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="support_records")
    category = models.CharField("类别", max_length=16)
    kind = models.CharField("事项", max_length=32)
    on = models.DateField("日期")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="责任单位")
    details = models.JSONField("事项内容", default=dict)
    amount = models.DecimalField("金额（万元）", max_digits=16, decimal_places=2, null=True, blank=True)
    note = models.TextField("备注", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    #: the quota allocation this talent record stands for (written by ``allocation_create``)
    allocation = models.OneToOneField(
        "Allocation", null=True, blank=True, on_delete=models.CASCADE, related_name="record"
    )

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="support_amount_not_negative"
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "category"]),
            models.Index(fields=["category", "on"]),
        ]


class Quota(models.Model):
    district_code = models.CharField("区县", max_length=6)
    year = models.PositiveIntegerField("年度")
    quota_type = models.CharField("指标类型", max_length=16, choices=QUOTA_TYPES)
    total = models.PositiveIntegerField("指标总数")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district_code", "-year", "quota_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["district_code", "year", "quota_type"], name="one_quota_per_district_year_type"
            ),
            models.CheckConstraint(condition=Q(quota_type__in=[WRP, HOUSING]), name="quota_type_known"),
        ]


class QuotaTier(models.Model):
    """A tier of a quota (梯度) and its cap per enterprise, set by the district (starting from quotas.yaml)."""

    quota = models.ForeignKey(Quota, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField("梯度", max_length=1, choices=TIERS)
    cap = models.PositiveIntegerField("每家企业上限")

    class Meta:
        ordering = ["tier"]
        constraints = [models.UniqueConstraint(fields=["quota", "tier"], name="one_cap_per_tier")]


class Allocation(models.Model):
    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="allocations")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="quota_allocations")
    tier = models.CharField("梯度", max_length=1, choices=TIERS)
    count = models.PositiveIntegerField("数量")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="allocation_count_positive")]
        indexes = [models.Index(fields=["quota", "enterprise"])]


USES = [("rd", "研发"), ("production", "生产"), ("office", "办公")]


class SpaceNeed(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="space_needs")
    area = models.DecimalField("面积（平方米）", max_digits=12, decimal_places=2)
    district_code = models.CharField("意向区县", max_length=6)
    wanted_from = models.DateField("需求时间")
    use = models.CharField("用途", max_length=16, choices=USES)
    note = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=16)
    result = models.TextField("结果", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(area__gt=0), name="space_need_area_positive")]
        indexes = [models.Index(fields=["district_code", "status"])]


PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
OFFER_ANSWERS = [(PENDING, "待企业答复"), (ACCEPTED, "企业已接受"), (DECLINED, "企业已婉拒")]


class SpaceOffer(models.Model):
    need = models.ForeignKey(SpaceNeed, on_delete=models.CASCADE, related_name="offers")
    address = models.CharField("地址", max_length=200)
    area = models.DecimalField("面积（平方米）", max_digits=12, decimal_places=2)
    price = models.DecimalField("租金（元/平方米/天）", max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="提供单位")
    answer = models.CharField("企业答复", max_length=16, choices=OFFER_ANSWERS, default=PENDING)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="space_offer_area_positive"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="space_offer_price_not_negative"
            ),
        ]


VISIT, TRAINING, PHONE, PLATFORM = "visit", "training", "phone", "platform"
INFORMED_VIA = [(VISIT, "走访"), (TRAINING, "培训"), (PHONE, "电话"), (PLATFORM, "平台")]


class PolicyDelivery(models.Model):
    """An enterprise told of a policy (``informed_on``) and its benefit received (``claimed_on``): one row per
    enterprise and policy. Written by ``services.delivery_inform`` / ``delivery_claim`` — officials today, issue
    14's policy push (``informed_via="platform"``, no official: ``informed_by`` null) tomorrow."""

    enterprise_uscc = models.CharField("统一社会信用代码", max_length=18)
    policy_id = models.CharField("政策", max_length=64)
    informed_on = models.DateField("告知日期", null=True, blank=True)
    informed_via = models.CharField("告知方式", max_length=16, choices=INFORMED_VIA, blank=True)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_on = models.DateField("享受日期", null=True, blank=True)
    claim_note = models.TextField("享受情况说明", blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise_uscc", "policy_id"], name="one_delivery_per_policy"),
            models.CheckConstraint(
                condition=Q(informed_on__isnull=True, informed_via="")
                | (Q(informed_on__isnull=False) & ~Q(informed_via="")),
                name="delivery_informed_complete",
            ),
        ]
