"""The app's Excel exports: exactly the rows the user sees under the page's filters (every cell through
``gaoqi.web.exports.xlsx``: text starting with = + - @ is never a formula), each export audited."""

from __future__ import annotations

from typing import Any

from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import labels
from gaoqi.web.exports import xlsx
from gaoqi.web.support import config

EXPORT_LIMIT = 100_000
RECORD_COLUMNS = ("日期", "统一社会信用代码", "企业名称", "所属区县", "类别", "事项", "事项内容", "金额（万元）",
                  "责任单位", "备注", "记录人")  # fmt: skip
GAP_COLUMNS = ("统一社会信用代码", "企业名称", "所属区县", "政策", "已告知", "已享受")


def records_export(actor: Any, qs: Any, *, request: Any = None, filters: dict[str, Any]) -> bytes:
    cats, kinds = config.category_labels(), config.kind_labels()
    fields = {k.key: {f.key: f.label for f in k.fields} for c in config.categories() for k in c.kinds}
    n = 0

    def rows() -> Any:
        nonlocal n
        for r in qs[:EXPORT_LIMIT]:
            n += 1
            words = fields.get(r.kind, {})
            details = "；".join(f"{words.get(k, k)}：{v}" for k, v in r.details.items())
            yield [r.on, r.enterprise.uscc, r.enterprise.name, labels.district(r.enterprise.district_code),
                   cats.get(r.category, r.category), kinds.get(r.kind, r.kind), details, r.amount, r.unit.name,
                   r.note, r.recorded_by.display_name or r.recorded_by.username]  # fmt: skip

    data = xlsx("定向支持记录", list(RECORD_COLUMNS), rows())
    audit_record(actor, "export", target="url:support:index", request=request, detail={"rows": n, "filters": filters})
    return data


def gaps_export(actor: Any, qs: Any, *, request: Any = None, filters: dict[str, Any]) -> bytes:
    from gaoqi.web.policies.selectors import policy_names

    names = policy_names()
    n = 0

    def rows() -> Any:
        nonlocal n
        for r in qs.select_related("enterprise").order_by("enterprise_id", "policy_id")[:EXPORT_LIMIT]:
            n += 1
            yield [r.enterprise.uscc, r.enterprise.name, labels.district(r.enterprise.district_code),
                   names.get(r.policy_id, r.policy_id), "是" if r.informed else "否", "是" if r.claimed else "否"]  # fmt: skip

    data = xlsx("符合条件但未告知或未享受", list(GAP_COLUMNS), rows())
    audit_record(
        actor, "export", target="url:support:delivery", request=request, detail={"rows": n, "filters": filters}
    )
    return data
