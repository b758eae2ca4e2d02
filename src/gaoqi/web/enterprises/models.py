from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from gaoqi.web.intake.models import Snapshot, results_since, results_since_query


def _sid(snapshot: Any) -> int | None:
    return None if snapshot is None else int(getattr(snapshot, "pk", snapshot))


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def of(self, snapshot: Any) -> EnterpriseQuerySet:
        """The enterprises in ``snapshot`` (ADR 0042): written since the last full publication up to it and not
        gone by it. Exact for the current snapshot; the index holds the latest state of each enterprise, so for an
        older snapshot it also counts enterprises that arrived later."""
        sid = _sid(snapshot)
        if sid is None:
            return self.none()
        return self.filter(
            Q(gone_snapshot__isnull=True) | Q(gone_snapshot_id__gt=sid), snapshot_id__gte=results_since(sid)
        )


class PolicyResultQuerySet(models.QuerySet["PolicyResult"]):
    def of(self, snapshot: Any, *, newest: bool = False) -> PolicyResultQuerySet:
        """The results of ``snapshot``, read through the versions (ADR 0042): a row holds from the snapshot that
        wrote it until the one that superseded it, and nothing written before the last full publication counts.
        ``newest``: the caller knows no later snapshot can have superseded anything (the publishing switch, under
        its lock): the open rows alone, which the partial indexes serve."""
        sid = _sid(snapshot)
        if sid is None:
            return self.none()
        if newest:
            return self.filter(until_snapshot__isnull=True, snapshot_id__gte=results_since_query(sid))
        return self.filter(
            Q(until_snapshot__isnull=True) | Q(until_snapshot_id__gt=sid),
            snapshot_id__lte=sid,
            snapshot_id__gte=results_since_query(sid),  # in the same query: read at once with the rows
        )


def versions_sql(alias: str, snapshot: Any, *, newest: bool = False) -> tuple[str, list[int]]:
    """``PolicyResult.objects.of`` for raw SQL: the condition on the results table ``alias`` and its parameters
    (``newest``: as in ``of``; an OR in a correlated subquery made the lists' update take minutes)."""
    sid = _sid(snapshot)
    if sid is None:
        return "1 = 0", []
    if newest:
        return f"{alias}.until_snapshot_id IS NULL AND {alias}.snapshot_id >= %s", [results_since(sid)]
    return (
        f"{alias}.snapshot_id <= %s AND {alias}.snapshot_id >= %s "
        f"AND ({alias}.until_snapshot_id IS NULL OR {alias}.until_snapshot_id > %s)",
        [sid, results_since(sid), sid],
    )


class Enterprise(models.Model):
    """The enterprise index: one row per USCC, refreshed by each published snapshot. Details (finance by
    year, IP, credit, sources) are read from the snapshot's DuckDB file."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200)
    former_names = models.TextField("曾用名", blank=True)  # one per line
    name_initials = models.CharField("名称拼音首字母", max_length=120, blank=True, db_index=True)
    district_code = models.CharField("所属区县", max_length=6, blank=True)
    industry_code = models.CharField("行业代码", max_length=8, blank=True)
    industry_section = models.CharField("行业门类", max_length=1, blank=True)
    tech_field = models.CharField("技术领域", max_length=64, blank=True)
    status = models.CharField("登记状态", max_length=16, blank=True)
    established_date = models.DateField("成立日期", null=True, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=64, blank=True)
    legal_rep_id_number = models.CharField("法定代表人证件号码", max_length=32, blank=True)  # personal data
    phone = models.CharField("联系电话", max_length=32, blank=True)  # personal data
    has_hte = models.BooleanField("有效高企", default=False)
    hte_expiry_date = models.DateField("高企有效期至", null=True, blank=True)
    has_tech_sme = models.BooleanField("科技型中小企业", default=False)
    staff = models.DecimalField("职工人数", max_digits=12, decimal_places=2, null=True, blank=True)
    sales_last_year = models.DecimalField("最近一年销售收入（万元）", max_digits=20, decimal_places=4, null=True)
    size = models.CharField("规模", max_length=8, blank=True)  # micro / small / medium / large (by staff)
    above_scale = models.BooleanField("规模以上", default=False)
    # the incubator the enterprise counts for (the incubation feed, engine: incubators.py), published per snapshot
    incubator_code = models.CharField("所在孵化器", max_length=32, blank=True)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")  # the last one that wrote it
    # the snapshot it was missing from (None: in the latest one that could tell); reset when it comes back
    gone_snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["district_code", "name"]),
            models.Index(fields=["district_code", "has_hte"]),
            models.Index(fields=["incubator_code"]),
            models.Index(fields=["name", "id"]),  # the directory's default order
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class PolicyResult(models.Model):
    """One version of an enterprise × policy outcome (the engine's ``results`` row): it holds from ``snapshot``,
    which wrote it, until ``until_snapshot``, which superseded or removed it (None: still held). Read a snapshot's
    results with ``PolicyResult.objects.of(snapshot)`` (raw SQL: ``versions_sql``), never by ``snapshot`` alone."""

    # no database constraints on the keys (as the push tables, issue 14): PostgreSQL checked them row by row at
    # COMMIT, 32 s of a 2.6M-row first publication; only the publishing switch writes these rows
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, db_constraint=False, related_name="policy_results")
    # no database constraint: the switch supersedes thousands of rows at once and the value is always its snapshot
    until_snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, db_constraint=False, related_name="policy_results"
    )
    policy_id = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=32)
    status = models.CharField(max_length=8, choices=[("pass", "符合"), ("fail", "不符合"), ("unknown", "待定")])
    failed_conditions = models.JSONField(default=list)
    failed_count = models.PositiveSmallIntegerField(default=0)  # 1 = a near miss
    unknown_features = models.JSONField(default=list)
    binding_condition = models.CharField(max_length=64, blank=True)
    binding_gap = models.TextField(blank=True)
    benefit_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True)

    objects = PolicyResultQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "policy_id", "status", "failed_count"]),
            models.Index(fields=["enterprise", "snapshot"]),
            # the current snapshot's rows are the open ones: its pages read these two
            models.Index(
                fields=["policy_id", "status", "failed_count"],
                condition=Q(until_snapshot__isnull=True),
                name="result_open_policy",
            ),
            models.Index(
                fields=["enterprise", "policy_id"], condition=Q(until_snapshot__isnull=True), name="result_open_ent"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "enterprise", "policy_id"], name="one_result_per_policy"),
        ]


class DistrictStat(models.Model):
    """Counts per snapshot and district, computed once at publication (dashboards at 2M read these)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(max_length=6)
    enterprises = models.PositiveIntegerField()
    hte = models.PositiveIntegerField()
    tech_sme = models.PositiveIntegerField()
    above_scale = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "district_code"], name="one_district_stat")]


class FieldStat(models.Model):
    """Valid HTEs per snapshot, district and technical field."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(max_length=6)
    tech_field = models.CharField(max_length=64)
    n = models.PositiveIntegerField()


class PolicyStat(models.Model):
    """Policy outcomes per snapshot, district, policy and status; ``near`` = failing on one condition only."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(max_length=6)
    policy_id = models.CharField(max_length=64)
    status = models.CharField(max_length=8)
    near = models.BooleanField()
    n = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=24, decimal_places=4, null=True)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "district_code"])]
