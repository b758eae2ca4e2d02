"""供需对接 (supply–demand matching, issue 14; programmes.md §10.2, DEFAULT model).

- ``Demand``: an application-scenario, technical or procurement demand (场景需求 / 技术需求 / 采购需求 / 空间需求)
  published by a department, an SOE or an enterprise, recorded by an official: field (HTE technical field code),
  description, budget band (万元), the district it is located in, time window, openness.
- ``SupplyItem``: an enterprise's innovative product or service (新技术新产品, registered by the enterprise and
  confirmed by the municipal office: ``workflow.PRODUCT``) or a university or institute result (科技成果, uploaded
  by the office from a spreadsheet: confirmed on arrival). ``terms`` are its matching terms, segmented once when
  it is written.
- ``Match``: one ranked proposal of a supply item for a demand, its score parts and reasons; its life
  (``workflow.MATCH``: proposed → contacted → signed → delivered, or declined) is the §10.2 lifecycle of a pair;
  a signed match carries the contract amount.
- ``Event`` / ``EventSignup``: matchmaking events (对接会), enterprises' sign-ups and their outcomes (intention,
  contract, amount in 万元).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

SCENARIO, TECH_PROBLEM, PROCUREMENT, SPACE = "scenario", "tech_problem", "procurement", "space"
DEMAND_KINDS = [(SCENARIO, "应用场景需求"), (TECH_PROBLEM, "技术需求"), (PROCUREMENT, "采购需求"), (SPACE, "空间需求")]
GOVERNMENT, SOE, ENTERPRISE = "government", "soe", "enterprise"
PUBLISHER_KINDS = [(GOVERNMENT, "政府部门"), (SOE, "国有企业"), (ENTERPRISE, "企业")]
PUBLIC, INVITED = "public", "invited"
OPENNESS = [(PUBLIC, "公开"), (INVITED, "定向邀请")]
PRODUCT, RESULT = "product", "result"
SUPPLY_KINDS = [(PRODUCT, "新技术新产品（服务）"), (RESULT, "科技成果")]


class Demand(models.Model):
    kind = models.CharField("需求类型", max_length=16, choices=DEMAND_KINDS)
    publisher_kind = models.CharField("发布方类型", max_length=16, choices=PUBLISHER_KINDS)
    publisher = models.CharField("发布单位", max_length=200)
    publisher_uscc = models.CharField("发布单位统一社会信用代码", max_length=18, blank=True)
    title = models.CharField("需求名称", max_length=200)
    field = models.CharField("技术领域", max_length=64)
    description = models.TextField("需求描述")
    budget_min = models.DecimalField("预算下限（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField("预算上限（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    district_code = models.CharField("所在区", max_length=6)
    window_start = models.DateField("对接开始")
    window_end = models.DateField("对接截止")
    openness = models.CharField("开放方式", max_length=16, choices=OPENNESS, default=PUBLIC)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    status = models.CharField("状态", max_length=16)
    terms = models.JSONField("匹配词", default=list)
    matched_at = models.DateTimeField("最近匹配时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_min__gte=0), name="matching_budget_min_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_max__gte=models.F("budget_min")),
                name="matching_budget_band_ordered",
            ),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="matching_window"),
        ]
        indexes = [models.Index(fields=["district_code", "status"]), models.Index(fields=["field", "status"])]


class SupplyItem(models.Model):
    kind = models.CharField("供给类型", max_length=16, choices=SUPPLY_KINDS)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder = models.CharField("成果持有单位", max_length=200, blank=True)  # a result's university or institute
    title = models.CharField("名称", max_length=200)
    field = models.CharField("技术领域", max_length=64)
    description = models.TextField("简介")
    price = models.DecimalField("参考价格（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    district_code = models.CharField("所在区", max_length=6)
    san_certificate = models.CharField("新技术新产品证书编号", max_length=64, blank=True)
    san_valid_until = models.DateField("证书有效期至", null=True, blank=True)
    ip_numbers = models.CharField("知识产权编号", max_length=200, blank=True)
    trl = models.PositiveSmallIntegerField("技术成熟度", null=True, blank=True)
    status = models.CharField("状态", max_length=16)
    terms = models.JSONField("匹配词", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="matching_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind=RESULT) | Q(enterprise__isnull=False), name="matching_product_has_enterprise"
            ),
            models.CheckConstraint(condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9), name="matching_trl_1_9"),
        ]
        indexes = [models.Index(fields=["status", "field"]), models.Index(fields=["district_code", "status"])]


class Match(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="matches")
    supply = models.ForeignKey(SupplyItem, on_delete=models.CASCADE, related_name="matches")
    rank = models.PositiveIntegerField("排名")
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    parts = models.JSONField("得分构成", default=dict)
    reasons = models.JSONField("匹配理由", default=list)
    status = models.CharField("状态", max_length=16)
    contract_amount = models.DecimalField("合同金额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    proposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["demand", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "supply"], name="matching_one_match_per_pair"),
            models.CheckConstraint(
                condition=Q(contract_amount__isnull=True) | Q(contract_amount__gte=0),
                name="matching_contract_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status"])]


class Event(models.Model):
    title = models.CharField("对接会名称", max_length=200)
    field = models.CharField("技术领域", max_length=64, blank=True)
    district_code = models.CharField("举办区", max_length=6)
    on = models.DateField("举办日期")
    place = models.CharField("地点", max_length=200)
    capacity = models.PositiveIntegerField("名额", null=True, blank=True)
    demands = models.ManyToManyField(Demand, blank=True, related_name="events", verbose_name="对接需求")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-on", "-id"]


NONE, INTENTION, CONTRACT = "", "intention", "contract"
OUTCOMES = [(NONE, "未登记"), (INTENTION, "达成意向"), (CONTRACT, "签订合同")]


class EventSignup(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    signed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    result = models.CharField("对接结果", max_length=16, choices=OUTCOMES, blank=True, default=NONE)
    amount = models.DecimalField("合同金额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    result_note = models.TextField("结果说明", blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise"], name="matching_one_signup_per_enterprise"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="matching_signup_amount"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(result=CONTRACT), name="matching_amount_only_with_contract"
            ),
        ]
