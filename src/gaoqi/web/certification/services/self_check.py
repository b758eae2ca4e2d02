"""The rules engine on a draft (自评): what blocks submission, what needs a declaration (告知承诺), and whether the
draft may be filed under the 报备即批准 pilot instead."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from gaoqi.web.accounts.models import User
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application
from gaoqi.web.certification.services._common import FORM_SECTIONS, PILOT_POLICY_ID, _snapshot_explain
from gaoqi.web.certification.services.attachments import missing_attachments


def _item(c: dict[str, Any], declarations: dict[str, Any]) -> dict[str, Any]:
    """One condition of the engine's explanation as the self-check shows it, with what it blocks (``blocks``)."""
    item = {"id": c["id"], "label": c["label"], "article": c["article"], "kind": c["kind"],
            "outcome": c["outcome"], "gap": c["gap"], "blocks": None}  # fmt: skip
    if c["kind"] == "attested":
        item["outcome"] = "declared" if c["id"] in declarations else "needs_declaration"
        if c["id"] not in declarations:
            item["blocks"] = f"{c['label']}：需要企业作出告知承诺"
    elif c["outcome"] == "fail":
        item["blocks"] = f"{c['label']}：{c['gap'] or '不满足'}"
    elif c["outcome"] == "unknown" and c["kind"] == "data":
        item["blocks"] = f"{c['label']}：缺少共享数据，请联系数据提供部门"
    return item


def _pilot(app: Application, conditions: list[dict[str, Any]], general: list[str]) -> dict[str, Any] | None:
    """The pilot route's check: the pilot's own conditions, and the certification's except those the pilot
    decides instead (same id). None when the pilot is closed or no pilot version is in force at the as-of date."""
    if not process_config().pilot.get("enabled"):
        return None
    data = _snapshot_explain(app.uscc, app.as_of, PILOT_POLICY_ID)
    if data is None:
        return None
    own = [_item(c, app.declarations) for c in data["conditions"]]
    replaced = {c["id"] for c in own}
    blocking = [c["blocks"] for c in conditions if c["blocks"] and c["id"] not in replaced]
    blocking += [c["blocks"] for c in own if c["blocks"]]
    return {"version": data["policy_version"], "conditions": own, "replaces": sorted(replaced & {c["id"] for c in conditions}),
            "blocking": blocking + general}  # fmt: skip


def application_self_check(actor: User | None, app: Application) -> dict[str, Any]:
    """The rules engine on the draft: failing data conditions (with their gaps) block submission; attested
    ones need a declaration (告知承诺); expert ones show as pending. ``pilot``: the same for filing under the
    报备即批准 pilot (its scope, with the certification's conditions it replaces left out)."""
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
        conditions = [_item(c, app.declarations) for c in data["conditions"]]
        general = []
        if empty := [label for key, label in FORM_SECTIONS.items() if not app.form.get(key)]:
            general.append("请填写：" + "、".join(empty))
        if missing := missing_attachments(app):
            general.append("缺少附件：" + "、".join(missing))
        blocking = [c["blocks"] for c in conditions if c["blocks"]] + general
        result = {"status": data["status"], "blocking": blocking, "conditions": conditions, "scores": data["scores"],
                  "pilot": _pilot(app, conditions, general), "checked_at": timezone.now().isoformat()}  # fmt: skip
    result = json.loads(json.dumps(result, default=str))  # Decimal and dates as text
    Application.objects.filter(pk=app.pk).update(self_check=result)
    app.self_check = result
    return result
