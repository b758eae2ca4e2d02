"""Service packages (服务包) for the 规升强 list (issue 13, ADR 0021).

A ``ServicePackage`` is one enterprise's package for one year (at most one: a constraint), naming two stewards
(服务管家): one municipal official and one official of the enterprise's district. Its ``ServiceItem`` rows are the
needs the package answers: each names the responsible unit (责任单位, the units app), the responsible official,
its category, its time limit in working days and due date (process.yaml), and moves through ``workflow.ITEM``.
The enterprise rates each completed item once per round (``ServiceItemRating``; a reopened item starts round 2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.servicepacks.workflow import DONE, OPEN, RATING_LABELS, STATUS_LABELS
from gaoqi.web.units.models import Unit


class ServicePackage(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="service_packages")
    year = models.PositiveSmallIntegerField("年度")
    #: The enterprise's district when the package was made (the district that manages it; scoping reads it).
    district_code = models.CharField("所属区县", max_length=6)
    municipal_steward = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="市级服务管家"
    )
    district_steward = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="区级服务管家"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="one_service_package_per_year"),
        ]
        indexes = [
            models.Index(fields=["district_code", "year"], name="sp_package_district_year"),
            models.Index(fields=["-year", "-id"], name="sp_package_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.year}年服务包）"


class ServiceItem(models.Model):
    package = models.ForeignKey(ServicePackage, on_delete=models.PROTECT, related_name="items")
    need = models.TextField("服务需求")
    category = models.CharField("类别", max_length=16)
    complex_item = models.BooleanField("复杂事项", default=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_items", verbose_name="责任单位")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="责任人"
    )
    status = models.CharField("状态", max_length=12, choices=list(STATUS_LABELS.items()))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField("交办日期")
    limit_workdays = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_on = models.DateField("办结期限")
    due_provisional = models.BooleanField(default=False)  # runs past the last published calendar year
    accept_due_on = models.DateField("受理期限")
    result = models.TextField("办理结果", blank=True)
    done_on = models.DateField("办结日期", null=True, blank=True)
    #: The round of handling: 1, and 2 once the enterprise has reopened it (at most once).
    round = models.PositiveSmallIntegerField(default=1)
    #: The enterprise's rating of the current round ("" until rated; cleared when reopened).
    rating = models.CharField("评价", max_length=12, blank=True, choices=list(RATING_LABELS.items()))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DONE) | (Q(done_on__isnull=False) & ~Q(result="")), name="sp_item_done_has_result"
            ),
            models.CheckConstraint(condition=Q(round__in=[1, 2]), name="sp_item_reopened_once"),
        ]
        indexes = [
            # the queues: open items by due date (all; one unit's), any status by due date
            models.Index(fields=["due_on", "id"], condition=Q(status__in=OPEN), name="sp_item_open_due"),
            models.Index(fields=["unit", "due_on", "id"], condition=Q(status__in=OPEN), name="sp_item_open_unit_due"),
            models.Index(fields=["status", "due_on", "id"], name="sp_item_status_due"),
            models.Index(fields=["due_on", "id"], name="sp_item_due"),
            models.Index(fields=["unit", "status", "due_on", "id"], name="sp_item_unit_status_due"),
        ]


class ServiceItemRating(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="ratings")
    round = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=12, choices=list(RATING_LABELS.items()))
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "round"]
        constraints = [models.UniqueConstraint(fields=["item", "round"], name="sp_rating_once_per_round")]
