"""The PDFs an enterprise attaches to the values the government does not hold: checked by content, limited,
stored outside the web root, and opened (audited) only by those who review the application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import models, transaction

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification.models import Application, Expert, Panel
from gaoqi.web.certification.pdfcheck import PdfRefused, check_pdf
from gaoqi.web.certification.services._common import FORM_SECTIONS, _editable
from gaoqi.web.core.uploads import stored_open, stored_write
from gaoqi.web.core.workflow import WorkflowError

MAX_ATTACHMENT = 20 * 1024 * 1024

#: Per application: enough for every RD/PS item of a large applicant, not a storage service.
MAX_ATTACHMENTS = 60

MAX_ATTACHMENTS_BYTES = 200 * 1024 * 1024


@transaction.atomic
def attachment_add(actor: User, app: Application, item: str, file_name: str, data: bytes) -> Any:
    """A PDF for an entered value: checked by content (not by its name), size-limited, stored outside the web root."""
    from gaoqi.web.certification.models import Attachment

    if len(data) > MAX_ATTACHMENT:
        raise WorkflowError("附件不能超过 20 MB")
    item = item.strip()
    if not item or len(item) > 64:
        raise WorkflowError("请注明附件对应的填报项（如 RD01）")
    try:
        check_pdf(data)
    except PdfRefused as exc:
        raise WorkflowError(str(exc)) from exc
    app = _editable(actor, app)
    have = app.attachments.aggregate(n=models.Count("id"), size=models.Sum("size"))
    if have["n"] >= MAX_ATTACHMENTS:
        raise WorkflowError(f"每份申请最多上传 {MAX_ATTACHMENTS} 个附件")
    if (have["size"] or 0) + len(data) > MAX_ATTACHMENTS_BYTES:
        raise WorkflowError(f"每份申请的附件合计不能超过 {MAX_ATTACHMENTS_BYTES // (1024 * 1024)} MB")
    path, digest = stored_write("attachments", app.pk, data)
    att = Attachment.objects.create(
        application=app, item=item, file_name=Path(file_name).name[:200], path=path, sha256=digest, size=len(data)
    )
    audit_record(actor, "attachment.add", target=f"application:{app.pk}", detail={"item": item, "sha256": digest})
    return att


def attachment_may_download(user: Any, app: Application) -> bool:
    """The applicant, the district of the application, the municipal office and the experts of its panel."""
    role = getattr(user, "role", None)
    if role == roles.ENTERPRISE:
        return bool(user.uscc == app.uscc)
    if role == roles.DISTRICT:
        return bool(user.district_code == app.district_code)
    if role == roles.EXPERT:
        panel = Panel.objects.filter(application=app).first()
        expert = Expert.objects.filter(user=user).first()
        return panel is not None and expert is not None and expert.pk in panel.expert_ids
    return role == roles.MUNICIPAL


def attachment_open(actor: User, app: Application, attachment_id: int) -> tuple[Any, Any]:
    """The attachment and an open file handle, for those who may review it; every download is audited."""
    from gaoqi.web.certification.models import Attachment

    if not attachment_may_download(actor, app):
        raise WorkflowError("您不能查看该申请的附件")
    item = Attachment.objects.filter(application=app, pk=attachment_id).first()
    if item is None:
        raise WorkflowError("附件不存在")
    handle = stored_open(item.path, "attachments")
    if handle is None:
        raise WorkflowError("附件文件不存在")
    audit_record(actor, "attachment.download", target=f"application:{app.pk}",
                 detail={"attachment": item.pk, "sha256": item.sha256})  # fmt: skip
    return item, handle


def missing_attachments(app: Application) -> list[str]:
    """Entered items without their PDF (each list entry of each section needs one, by its code)."""
    have = set(app.attachments.values_list("item", flat=True))
    need = []
    for section in FORM_SECTIONS:
        for entry in app.form.get(section, []) or []:
            code = str(entry.get("code", "")) if isinstance(entry, dict) else ""
            if code and code not in have:
                need.append(code)
    return need
