"""Writes and audited reads on enterprises: revealing personal data and exporting lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import labels
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.exports import xlsx

EXPORT_LIMIT = 100_000
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("district_code", "区县代码"),
    ("district_name", "区县"),
    ("industry_code", "行业代码"),
    ("industry_name", "行业门类"),
    ("status", "登记状态"),
    ("established_date", "成立日期"),
    ("has_hte", "有效高企"),
    ("hte_expiry_date", "高企有效期至"),
    ("has_tech_sme", "科技型中小企业"),
    ("staff", "职工人数"),
    ("sales_last_year", "最近一年销售收入（万元）"),
    ("above_scale", "规模以上"),
)


def enterprise_reveal(actor: Any, enterprise: Enterprise, *, request: Any = None) -> dict[str, str]:
    """The unmasked personal data of an enterprise's legal representative; every reveal is audited."""
    if getattr(actor, "role", None) not in roles.MAY_REVEAL_PERSONAL:
        audit_record(
            actor, "personal.reveal", target=f"enterprise:{enterprise.uscc}", request=request, outcome="denied"
        )
        raise PermissionError("role may not reveal personal data")
    audit_record(
        actor,
        "personal.reveal",
        target=f"enterprise:{enterprise.uscc}",
        request=request,
        detail={"fields": ["legal_rep_id_number", "phone"]},
    )
    return {"legal_rep_id_number": enterprise.legal_rep_id_number, "phone": enterprise.phone}


def named(ent: Enterprise, field: str) -> Any:
    """A column of the export: the enterprise's field, or the name of its district or industry section."""
    if field == "district_name":
        return labels.district(ent.district_code)
    if field == "industry_name":
        return labels.industry(ent.industry_section)
    return getattr(ent, field)


def enterprise_export(actor: Any, qs: QuerySet[Enterprise], *, request: Any = None, filters: dict[str, Any]) -> bytes:
    """An Excel workbook of exactly the enterprises the user may see under the current filters (no personal
    data); the export is audited with its filters and row count."""
    n = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal n
        for ent in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            values = []
            for field, _ in EXPORT_COLUMNS:
                v = named(ent, field)
                values.append("是" if v is True else "否" if v is False else v)
            n += 1
            yield values

    data = xlsx("企业库", [label for _, label in EXPORT_COLUMNS], rows())
    audit_record(actor, "export", target="enterprises", request=request, detail={"rows": n, "filters": filters})
    return data
