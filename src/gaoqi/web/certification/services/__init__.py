"""Writes on certification, by sub-domain: each atomic, taking the acting user, writing the audit log (and, for
a status change, the workflow log through ``core.workflow``), and notifying whoever must act next.

Callers use this package as one module (``from gaoqi.web.certification import services``; ``services.x``). The
platform's date is ``core.clock.today`` (a test moves it there, once, for every service).
"""

from __future__ import annotations

from gaoqi.web.certification import workdays
from gaoqi.web.certification.services._common import FORM_FIELD_MAX, FORM_FIELDS, FORM_SECTIONS, POLICY_ID, notify
from gaoqi.web.certification.services.annual_reports import (
    ANNUAL_REPORT_FIELDS,
    annual_report_reminders,
    annual_report_submit,
    annual_reports_overdue,
    renewal_reminders,
    report_years,
)
from gaoqi.web.certification.services.applications import (
    COMMITMENT,
    application_declare,
    application_start,
    application_start_refusal,
    application_transition,
    application_update_form,
    declarable_conditions,
    prefill_from_profile,
)
from gaoqi.web.certification.services.attachments import (
    MAX_ATTACHMENT,
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_BYTES,
    attachment_add,
    attachment_may_download,
    attachment_open,
    missing_attachments,
)
from gaoqi.web.certification.services.certificates import (
    REVOCATION_LABELS,
    REVOCATION_REASONS,
    application_revoke,
    certificate_issue,
    certificate_revoke,
    expiry_for,
)
from gaoqi.web.certification.services.daily_job import daily, daily_item
from gaoqi.web.certification.services.expert_panels import (
    _pool,
    panel_draw,
    panel_members,
    panel_result,
    score_ranges,
    score_submit,
    score_total,
)
from gaoqi.web.certification.services.experts import expert_accounts_unpooled, expert_add, expert_update
from gaoqi.web.certification.services.guards import GUARDS
from gaoqi.web.certification.services.name_changes import name_change_complete, name_change_request
from gaoqi.web.certification.services.platform_feed import feed_files_write, platform_feed_write
from gaoqi.web.certification.services.post_checks import post_check_complete, post_check_draw
from gaoqi.web.certification.services.publicity import (
    OBJECTION_CONTACT_MAX,
    OBJECTION_CONTENT_MAX,
    OBJECTION_NAME_MAX,
    objection_file,
    objection_handle,
    publicity_close_due,
    publicity_due,
)
from gaoqi.web.certification.services.referrals import (
    EXTERNAL_NOTICE,
    platform_certificate,
    revocation_decide,
    revocation_refer,
)
from gaoqi.web.certification.services.self_check import application_self_check
from gaoqi.web.core.locks import STALE, DomainError, StaleActionError
from gaoqi.web.core.workflow import WorkflowError

__all__ = [
    "ANNUAL_REPORT_FIELDS", "COMMITMENT", "EXTERNAL_NOTICE", "FORM_FIELDS", "FORM_FIELD_MAX", "FORM_SECTIONS", "GUARDS", "MAX_ATTACHMENT", "MAX_ATTACHMENTS",
    "MAX_ATTACHMENTS_BYTES", "OBJECTION_CONTACT_MAX", "OBJECTION_CONTENT_MAX", "OBJECTION_NAME_MAX", "POLICY_ID",
    "REVOCATION_LABELS", "REVOCATION_REASONS", "STALE", "DomainError", "StaleActionError", "WorkflowError", "_pool",
    "annual_report_reminders", "annual_report_submit", "annual_reports_overdue", "application_declare",
    "application_revoke", "application_self_check", "application_start", "application_start_refusal",
    "application_transition", "application_update_form", "attachment_add", "attachment_may_download",
    "attachment_open", "certificate_issue", "certificate_revoke", "daily", "daily_item", "declarable_conditions", "expert_accounts_unpooled",
    "expert_add", "expert_update", "expiry_for", "feed_files_write", "missing_attachments", "name_change_complete",
    "name_change_request", "notify", "objection_file", "objection_handle", "panel_draw", "panel_members",
    "panel_result", "platform_certificate", "platform_feed_write", "post_check_complete", "post_check_draw", "prefill_from_profile",
    "publicity_close_due", "publicity_due", "renewal_reminders", "report_years", "revocation_decide", "revocation_refer", "score_ranges", "score_submit",
    "score_total", "workdays",
]  # fmt: skip
