"""The rules engine on a draft (自评): what blocks submission, what needs a declaration (告知承诺)."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from gaoqi.web.accounts.models import User
from gaoqi.web.certification.models import Application
from gaoqi.web.certification.services._common import FORM_SECTIONS, _snapshot_explain
from gaoqi.web.certification.services.attachments import missing_attachments


def application_self_check(actor: User | None, app: Application) -> dict[str, Any]:
    """The rules engine on the draft: failing data conditions (with their gaps) block submission; attested
    ones need a declaration (告知承诺); expert ones show as pending."""
    data = _snapshot_explain(app.uscc, app.as_of)
    if data is None:
        from gaoqi.web.intake.selectors import current_snapshot

        snap = current_snapshot()
        why = (
            "尚无已发布的数据快照，请待数据汇聚完成后再自评"
            if snap is None
            else f"当前数据快照（评估基准日 {snap.as_of}）中没有贵企业的评估结果：申请的评估基准日 {app.as_of} "
            "与快照不一致，或贵企业尚未纳入共享数据。请以快照日期重新发起申请，或联系所在区科技主管部门核实登记信息"
        )
        result: dict[str, Any] = {"status": "unknown", "blocking": [why], "conditions": []}
    else:
        conditions = []
        blocking = []
        for c in data["conditions"]:
            item = {"id": c["id"], "label": c["label"], "article": c["article"], "kind": c["kind"],
                    "outcome": c["outcome"], "gap": c["gap"]}  # fmt: skip
            if c["kind"] == "attested":
                item["outcome"] = "declared" if c["id"] in app.declarations else "needs_declaration"
                if c["id"] not in app.declarations:
                    blocking.append(f"{c['label']}：需要企业作出告知承诺")
            elif c["outcome"] == "fail":
                blocking.append(f"{c['label']}：{c['gap'] or '不满足'}")
            elif c["outcome"] == "unknown":
                blocking.append(f"{c['label']}：缺少共享数据，请联系数据提供部门")
            conditions.append(item)
        if empty := [label for key, label in FORM_SECTIONS.items() if not app.form.get(key)]:
            blocking.append("请填写：" + "、".join(empty))
        if missing := missing_attachments(app):
            blocking.append("缺少附件：" + "、".join(missing))
        result = {"status": data["status"], "blocking": blocking, "conditions": conditions, "scores": data["scores"],
                  "checked_at": timezone.now().isoformat()}  # fmt: skip
    result = json.loads(json.dumps(result, default=str))  # Decimal and dates as text
    Application.objects.filter(pk=app.pk).update(self_check=result)
    app.self_check = result
    return result
