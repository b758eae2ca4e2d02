"""Who may use which URL: one table, deny by default.

``ACCESS`` maps every URL name (``namespace:name``, API operations included) to the roles allowed, or to
``PUBLIC``. ``AccessMiddleware`` looks the resolved URL up before any view runs: an undeclared URL is refused
(403) for everyone, an anonymous user is sent to the login page (the API answers 401), a role not listed gets
403. Object-level scoping (a district official sees only the district's enterprises) is the selectors' job.
``tests/web/test_access.py`` walks every URL pattern × every role and anonymous against this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers

from gaoqi.web import roles as r
from gaoqi.web.core.errors import error_json, error_page

PUBLIC = "public"
ALL_ROLES = frozenset(r.ROLES)

ACCESS: dict[str, frozenset[str] | str] = {
    # accounts
    "accounts:login": PUBLIC,
    # the probes (ADR 0038): no personal data, and not audited (_audit_answer writes nothing for a public page)
    "health:healthz": PUBLIC,
    "health:readyz": PUBLIC,
    "accounts:logout": ALL_ROLES,
    "accounts:me": ALL_ROLES,
    "accounts:users": frozenset({r.SYSADMIN}),
    "accounts:user_create": frozenset({r.SYSADMIN}),
    "accounts:user_detail": frozenset({r.SYSADMIN}),
    "accounts:user_role": frozenset({r.SYSADMIN}),
    "accounts:user_active": frozenset({r.SYSADMIN}),
    "accounts:user_password": frozenset({r.SYSADMIN}),
    "accounts:security": frozenset({r.SECADMIN}),
    "accounts:security_update": frozenset({r.SECADMIN}),
    "accounts:tokens": frozenset({r.SYSADMIN}),
    "accounts:token_create": frozenset({r.SYSADMIN}),
    "accounts:token_revoke": frozenset({r.SYSADMIN}),
    # dashboard (工作台)
    "dashboard:home": ALL_ROLES,
    # enterprises (企业库, 企业画像, 我的企业)
    "enterprises:directory": r.OFFICIALS,
    "enterprises:export": r.OFFICIALS,
    "enterprises:detail": r.ENTERPRISE_VIEWERS,
    "enterprises:explain": r.ENTERPRISE_VIEWERS,
    "enterprises:reveal": r.MAY_REVEAL_PERSONAL,
    "enterprises:mine": frozenset({r.ENTERPRISE}),
    # policies (政策库, 政策模拟)
    "policies:catalogue": r.ENTERPRISE_VIEWERS | {r.EXPERT},
    "policies:detail": r.ENTERPRISE_VIEWERS | {r.EXPERT},
    "policies:enterprises": r.OFFICIALS,
    "policies:simulate": frozenset({r.MUNICIPAL}),
    # programme lists (名单): officials, scoped like the directory; removal by municipal and district officials
    "programmes:index": r.OFFICIALS,
    "programmes:detail": r.OFFICIALS,
    "programmes:export": r.OFFICIALS,
    "programmes:remove": frozenset({r.DISTRICT, r.MUNICIPAL}),
    # officials' adjustments of 小升规 / 规升强 (issue 13): added or removed with a reason, all on the record
    "programmes:add": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "programmes:adjustments": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    # the cultivation pool's funnel: figures per district (municipal and evaluator all, a district its own)
    "programmes:funnel": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "programmes:funnel_export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    # recommendations (培育库 entry path A): a district recommends, the municipal office confirms or declines;
    # the queue shows a district its own (withdraw) and the municipal office all
    "programmes:recommendations": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "programmes:recommendation_queue": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "programmes:recommend": frozenset({r.DISTRICT}),
    "programmes:recommendation_confirm": frozenset({r.MUNICIPAL}),
    "programmes:recommendation_decline": frozenset({r.MUNICIPAL}),
    "programmes:recommendation_withdraw": frozenset({r.DISTRICT}),
    # the records of cultivation (培育记录, issue 12): tutors (district, municipal, incubator) record training sessions
    # and one-to-one tutoring of pool members; the enterprise sees its own and confirms or disputes them
    "programmes:cultivation": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    "programmes:cultivation_export": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:coverage": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:tutoring_new": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:tutoring_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    "programmes:tutoring_answer": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    "programmes:followup_add": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:followup_outcome": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:training_new": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:training_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    "programmes:training_attendance": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:material_upload": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "programmes:material_download": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    "programmes:attendance_answer": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    # 科技型中小企业评价 (tech-SME evaluation): the enterprise evaluates itself and updates yearly; the district its
    # district's and the municipal office all review; the municipal office revokes; 公示 is public
    "techsme:mine": frozenset({r.ENTERPRISE}),
    "techsme:start": frozenset({r.ENTERPRISE}),
    "techsme:detail": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "techsme:fill": frozenset({r.ENTERPRISE}),
    "techsme:declare": frozenset({r.ENTERPRISE}),
    "techsme:selfcheck": frozenset({r.ENTERPRISE}),
    "techsme:act": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL}),
    "techsme:queue": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "techsme:registrations": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "techsme:registration": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "techsme:revoke": frozenset({r.MUNICIPAL}),
    "techsme:publicity": PUBLIC,
    # incubators and service agencies (孵化器、服务机构, issue 12): the ranking for the municipal office, evaluators
    # and districts (their district's bodies); each body's page also for its own account; scoped by selectors
    "incubators:ranking": frozenset({r.MUNICIPAL, r.EVALUATOR, r.DISTRICT}),
    "incubators:export": frozenset({r.MUNICIPAL, r.EVALUATOR, r.DISTRICT}),
    "incubators:detail": frozenset({r.MUNICIPAL, r.EVALUATOR, r.DISTRICT, r.INCUBATOR}),
    "incubators:mine": frozenset({r.INCUBATOR}),
    # service packages (服务包) of the 规升强 list (issue 13, ADR 0021): officials' queue of the items their units
    # owe and the packages (municipal all, a district its own); the enterprise sees and rates its own; moves are
    # checked by the service (the unit's officials, the assigner, the enterprise itself)
    "servicepacks:queue": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "servicepacks:queue_export": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "servicepacks:packages": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicepacks:package_new": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "servicepacks:package_bulk": frozenset({r.MUNICIPAL}),
    "servicepacks:package": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "servicepacks:item_assign": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "servicepacks:item_act": frozenset({r.DISTRICT, r.MUNICIPAL, r.ENTERPRISE}),
    "servicepacks:item_rate": frozenset({r.ENTERPRISE}),
    "servicepacks:mine": frozenset({r.ENTERPRISE}),
    # targeted support of 小升规 / 规升强 members (定向支持, issue 13): records written by district and municipal
    # officials and incubators' operators, read by them, evaluators and the enterprise itself (its own); talent
    # quotas set and allocated by the district (the municipal office any district); space needs; 应知尽知
    "support:index": r.OFFICIALS,
    "support:export": r.OFFICIALS,
    "support:record_new": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "support:mine": frozenset({r.ENTERPRISE}),
    "support:enterprise": r.ENTERPRISE_VIEWERS,
    "support:inform": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR}),
    "support:claim": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "support:quotas": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "support:quota_set": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "support:quota_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "support:tier_set": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "support:allocate": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "support:space": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "support:space_new": frozenset({r.DISTRICT, r.MUNICIPAL, r.ENTERPRISE}),
    "support:space_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "support:space_offer": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "support:space_act": frozenset({r.DISTRICT, r.MUNICIPAL, r.ENTERPRISE}),
    "support:delivery": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "support:delivery_export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    # enterprise requests (企业诉求) and 企业家服务日 (issue 13): an enterprise files and rates its own; officials
    # handle what their units owe (scoped by servicedesk.selectors); evaluators read the queue and the figures
    "servicedesk:mine": frozenset({r.ENTERPRISE}),
    "servicedesk:new": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL}),
    "servicedesk:detail": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:act": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL}),
    "servicedesk:attachment": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:queue": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:stats": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:stats_export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:days": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:day": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "servicedesk:day_create": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "servicedesk:day_attendance": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "servicedesk:day_followup": frozenset({r.DISTRICT, r.MUNICIPAL}),
    # 免申即享 (issue 14): benefits given without an application; the enterprise confirms or objects, the paying
    # department (municipal or district officials) downloads the payment list and uploads the outcome
    "benefits:index": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "benefits:totals": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "benefits:mine": frozenset({r.ENTERPRISE}),
    "benefits:detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "benefits:confirm": frozenset({r.ENTERPRISE}),
    "benefits:object": frozenset({r.ENTERPRISE}),
    "benefits:resolve": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "benefits:retry": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "benefits:reveal": r.MAY_REVEAL_PERSONAL,
    "benefits:payment_list": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "benefits:upload": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "benefits:upload_detail": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "benefits:upload_report": frozenset({r.DISTRICT, r.MUNICIPAL}),
    # 供需对接 (issue 14): demands published by officials; products registered by enterprises and confirmed by the
    # municipal office; results uploaded by it; matches, 对接会 and KPIs; every read scoped by matching/selectors.py
    "matching:index": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "matching:demand_new": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "matching:demand_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "matching:demand_run": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "matching:demand_act": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "matching:run_all": frozenset({r.MUNICIPAL}),
    "matching:match_act": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "matching:products": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "matching:product_new": frozenset({r.ENTERPRISE}),
    "matching:product_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "matching:product_act": frozenset({r.MUNICIPAL, r.ENTERPRISE}),
    "matching:results_upload": frozenset({r.MUNICIPAL}),
    "matching:events": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "matching:event_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "matching:event_signup": frozenset({r.ENTERPRISE}),
    "matching:signup_result": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "matching:kpis": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "matching:mine": frozenset({r.ENTERPRISE}),
    # 快申快享 policy applications (issue 14): the enterprise applies (prefilled, locked shared data); the responsible
    # office (municipal, or a district for its own policies) decides; scoped by selectors (a district: its
    # enterprises' applications and those it decides); attachments to reviewers and the applicant only
    "quickapply:mine": frozenset({r.ENTERPRISE}),
    "quickapply:start": frozenset({r.ENTERPRISE}),
    "quickapply:detail": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "quickapply:fill": frozenset({r.ENTERPRISE}),
    "quickapply:declare": frozenset({r.ENTERPRISE}),
    "quickapply:attach": frozenset({r.ENTERPRISE}),
    "quickapply:attachment": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL}),
    "quickapply:selfcheck": frozenset({r.ENTERPRISE}),
    "quickapply:act": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL}),
    "quickapply:queue": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "quickapply:export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    # 政策沙盘 (issue 14): the municipal office drafts, tries and — four eyes — publishes policies
    "drafting:index": frozenset({r.MUNICIPAL}),
    "drafting:new": frozenset({r.MUNICIPAL}),
    "drafting:detail": frozenset({r.MUNICIPAL}),
    "drafting:edit": frozenset({r.MUNICIPAL}),
    "drafting:try": frozenset({r.MUNICIPAL}),
    "drafting:act": frozenset({r.MUNICIPAL}),
    # 政策推送 (issue 14): the enterprise's inbox and settings; officials' record (scoped); the municipal office sends
    "push:inbox": frozenset({r.ENTERPRISE}),
    "push:message": frozenset({r.ENTERPRISE}),
    "push:settings": frozenset({r.ENTERPRISE}),
    "push:log": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "push:export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "push:jobs": frozenset({r.MUNICIPAL}),
    "push:job_start": frozenset({r.MUNICIPAL}),
    "push:job": frozenset({r.MUNICIPAL}),
    "push:job_progress": frozenset({r.MUNICIPAL}),
    "push:job_stop": frozenset({r.MUNICIPAL}),
    "push:job_resume": frozenset({r.MUNICIPAL}),
    # 双随机、一公开 spot checks (issue 15, ADR 0031): the municipal office draws once a year and keeps the inspector
    # pool; officials read the plan and the cases (scoped: a district its own and those it inspects), an assigned
    # inspector's account or the municipal office records a result; the enterprise sees its own case; the draw
    # and the results are public (一公开)
    "spotchecks:index": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "spotchecks:draw": frozenset({r.MUNICIPAL}),
    "spotchecks:draw_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "spotchecks:verify": frozenset({r.MUNICIPAL, r.EVALUATOR}),
    "spotchecks:cases": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "spotchecks:export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "spotchecks:case": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "spotchecks:case_act": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "spotchecks:case_refer": frozenset({r.MUNICIPAL}),  # a failed case its district inspector could not refer
    "spotchecks:inspectors": frozenset({r.MUNICIPAL}),
    "spotchecks:inspector_create": frozenset({r.MUNICIPAL}),
    "spotchecks:inspector_update": frozenset({r.MUNICIPAL}),
    "spotchecks:public": PUBLIC,  # 一公开: the draws, the drawn enterprises, inspectors' names and the results
    "spotchecks:public_draw": PUBLIC,
    # data intake (数据汇聚)
    "intake:home": frozenset({r.MUNICIPAL}),
    "intake:publish": frozenset({r.MUNICIPAL}),
    "intake:progress": frozenset({r.MUNICIPAL}),
    "intake:upload": frozenset({r.MUNICIPAL}),
    "intake:quarantine_report": frozenset({r.MUNICIPAL}),
    # certification (高企认定)
    "certification:index": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EXPERT, r.EVALUATOR}),
    "certification:start": frozenset({r.ENTERPRISE}),
    "certification:detail": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EXPERT, r.EVALUATOR}),
    "certification:edit": frozenset({r.ENTERPRISE}),
    "certification:attach": frozenset({r.ENTERPRISE}),
    # the applicant and its reviewers (district, municipal, the panel's experts); scoped and audited
    "certification:attachment": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EXPERT}),
    "certification:declare": frozenset({r.ENTERPRISE}),
    "certification:selfcheck": frozenset({r.ENTERPRISE}),
    "certification:act": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL}),
    "certification:draw": frozenset({r.MUNICIPAL}),
    "certification:score": frozenset({r.EXPERT}),
    "certification:publicity": PUBLIC,  # 公示 is public, objections are written and real-name
    "certification:object": PUBLIC,
    "certification:objection_handle": frozenset({r.MUNICIPAL}),
    "certification:certificate": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "certification:postcheck": frozenset({r.MUNICIPAL}),
    "certification:annual": frozenset({r.ENTERPRISE}),
    "certification:rename": frozenset({r.ENTERPRISE}),
    "certification:overdue": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "certification:experts": frozenset({r.MUNICIPAL}),
    "certification:notifications": ALL_ROLES,
    "certification:referrals": frozenset({r.MUNICIPAL}),  # 撤销移送 (ADR 0030)
    "certification:referral": frozenset({r.MUNICIPAL}),
    # audit
    "audit:log": frozenset({r.AUDITOR}),
    "audit:verify": frozenset({r.AUDITOR}),
    # API (token or session; the same scoping)
    "api:api-root": ALL_ROLES,  # ninja's root: always 404 (it only anchors the operations' paths)
    "api:openapi-json": PUBLIC,
    "api:openapi-view": ALL_ROLES,
    "api:enterprise_search": r.OFFICIALS,
    "api:enterprise_profile": r.ENTERPRISE_VIEWERS,
    "api:enterprise_results": r.ENTERPRISE_VIEWERS,
    "api:enterprise_explain": r.ENTERPRISE_VIEWERS,
    "api:policy_list": r.ENTERPRISE_VIEWERS | {r.EXPERT},
    "api:list_members": r.ENTERPRISE_VIEWERS,  # an enterprise user: its own memberships only
    "api:list_funnel": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    # 财源建设重点企业 (规升强 members, dated) for the tax side: a municipal or evaluator token reads all
    "api:fiscal_key_enterprises": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:recommendation_list": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "api:recommendation_create": frozenset({r.DISTRICT}),
    "api:recommendation_confirm": frozenset({r.MUNICIPAL}),
    "api:recommendation_decline": frozenset({r.MUNICIPAL}),
    "api:recommendation_withdraw": frozenset({r.DISTRICT}),
    "api:tutoring_list": frozenset({r.DISTRICT, r.MUNICIPAL, r.INCUBATOR, r.ENTERPRISE}),
    "api:tutoring_confirm": frozenset({r.ENTERPRISE}),
    "api:tutoring_dispute": frozenset({r.ENTERPRISE}),
    "api:techsme_registrations": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:techsme_self_check": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:servicedesk_requests": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:servicedesk_request": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:servicedesk_request_file": frozenset({r.ENTERPRISE}),
    "api:servicedesk_request_rate": frozenset({r.ENTERPRISE}),
    "api:servicedesk_stats": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:incubator_ranking": frozenset({r.MUNICIPAL, r.EVALUATOR, r.DISTRICT, r.INCUBATOR}),  # an account: itself
    "api:incubator_figures": frozenset({r.MUNICIPAL, r.EVALUATOR, r.DISTRICT, r.INCUBATOR}),
    "api:service_package_list": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "api:service_package_detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "api:service_package_items": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "api:service_package_item": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),
    "api:support_records": r.ENTERPRISE_VIEWERS,  # scoped: an enterprise its own records
    "api:benefit_list": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),  # scoped; accounts masked
    "api:benefit_totals": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:matching_matches": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),  # scoped
    "api:quickapply_list": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:quickapply_detail": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:quickapply_submit": frozenset({r.ENTERPRISE}),
    "api:policy_draft_list": frozenset({r.MUNICIPAL}),
    "api:policy_draft": frozenset({r.MUNICIPAL}),
    "api:push_messages": frozenset({r.ENTERPRISE, r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),  # scoped like the pages
    # 企业画像分析 (issue 15, ADR 0033): officials' cohort figures, scoped by analytics.selectors.cohort_scope
    "analytics:cohort": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "analytics:export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:analytics_cohort": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    # 智能助手 (issue 16, ADR 0037): the 政策问答 page is public (it shows only the public rules digests and policy
    # files), its API operation takes any account or token like every API operation (none answers anonymously);
    # 行动建议 is an enterprise's own page, scoped like the profile (assist.selectors.plan_for: 404 outside)
    "assist:search": PUBLIC,
    "api:assist_search": ALL_ROLES,
    "assist:plan": r.ENTERPRISE_VIEWERS,
    "api:assist_plan": r.ENTERPRISE_VIEWERS,
    # 分析评价 (issue 15, ADR 0032): the third-party evaluator computes, comments and submits; the municipal office
    # returns or publishes (通报); after publication a district official sees its own area's page (selectors scope)
    "evaluation:index": frozenset({r.EVALUATOR, r.MUNICIPAL, r.DISTRICT}),
    "evaluation:compute": frozenset({r.EVALUATOR}),
    "evaluation:detail": frozenset({r.EVALUATOR, r.MUNICIPAL}),
    "evaluation:area": frozenset({r.EVALUATOR, r.MUNICIPAL, r.DISTRICT}),
    "evaluation:comment": frozenset({r.EVALUATOR}),
    "evaluation:move": frozenset({r.EVALUATOR, r.MUNICIPAL}),
    "evaluation:export": frozenset({r.EVALUATOR, r.MUNICIPAL}),
    "evaluation:pdf": frozenset({r.EVALUATOR, r.MUNICIPAL}),
    "api:evaluation_reports": frozenset({r.EVALUATOR, r.MUNICIPAL, r.DISTRICT}),  # scoped like the pages
    "api:evaluation_report": frozenset({r.EVALUATOR, r.MUNICIPAL, r.DISTRICT}),
    "api:spotcheck_cases": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR, r.ENTERPRISE}),  # scoped like the pages
    # 监测预警 (ADR 0030): officials and evaluators read (scoped by district); district and municipal officials act
    "monitoring:index": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "monitoring:export": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "monitoring:rules": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "monitoring:detail": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "monitoring:act": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "api:monitoring_warnings": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:monitoring_warning": frozenset({r.DISTRICT, r.MUNICIPAL, r.EVALUATOR}),
    "api:monitoring_warning_acknowledge": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "api:monitoring_warning_handle": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "api:monitoring_warning_dismiss": frozenset({r.DISTRICT, r.MUNICIPAL}),
    # 审查风险提示 (issue 16, ADR 0036): the district reviewers and the municipal office; experts read the signals
    # of their panels' applications on those applications' pages (certification:detail, certification:score)
    "reviewsignals:index": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "reviewsignals:export": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "reviewsignals:conclude": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "api:reviewsignals_list": frozenset({r.DISTRICT, r.MUNICIPAL}),
    "api:reviewsignals_conclude": frozenset({r.DISTRICT, r.MUNICIPAL}),
}

#: Answers that carry personal data or a file: never kept by a browser or a proxy (Cache-Control: no-store).
NO_STORE = frozenset(
    {
        "enterprises:detail",
        "enterprises:reveal",
        "enterprises:export",
        "programmes:export",
        "programmes:material_download",
        "programmes:cultivation_export",
        "incubators:export",
        "servicepacks:queue_export",
        "support:export",
        "support:delivery_export",
        "benefits:detail",  # the (masked) account
        "benefits:reveal",
        "benefits:payment_list",
        "benefits:upload_report",
        "quickapply:export",
        "quickapply:attachment",
        "push:export",
        "push:log",  # who was told, with masked addresses
        "programmes:funnel_export",
        "evaluation:export",
        "evaluation:pdf",
        "certification:certificate",
        "servicedesk:detail",  # an enterprise's request, its answer and rating
        "servicedesk:attachment",
        "servicedesk:export",
        "monitoring:export",
        "reviewsignals:index",  # the signals name applicants and their evidence
        "reviewsignals:export",
        "api:reviewsignals_list",
        "api:servicedesk_request",
        "api:servicedesk_requests",
        "accounts:tokens",
        "accounts:token_create",  # the new key, shown once
        "accounts:users",  # the accounts' names and jurisdictions
        "accounts:user_detail",
        "spotchecks:export",
    }
)

#: URL prefixes outside the table: static files (served by Django only in development).
UNCHECKED_PREFIXES = ("/static/",)


def url_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def allowed(name: str | None, user: Any) -> bool | None:
    """True/False for a declared URL; None when undeclared (always refused)."""
    if name is None or name not in ACCESS:
        return None
    rule = ACCESS[name]
    if rule == PUBLIC:
        return True
    return bool(user.is_authenticated and getattr(user, "role", None) in rule)


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(UNCHECKED_PREFIXES):
            return self.get_response(request)
        name = url_name(request)
        if name is None:  # no such URL: let Django answer 404
            return self.get_response(request)
        verdict = allowed(name, request.user)
        api = request.path_info.startswith("/api/")
        if verdict:
            response = self.get_response(request)
            if name in NO_STORE:
                add_never_cache_headers(response)
            if not getattr(request, "gaoqi_audited", False):  # one row per request: a service may have written it
                _audit_answer(request, name, api, response)
            return response
        if verdict is None:
            _audit_refusal(request, name, "undeclared")
            return error_page(request, 403, "该地址未声明访问权限，拒绝访问。")
        if not request.user.is_authenticated:
            if api:
                return error_json(401, "需要登录或令牌 (authentication required)")
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
        _audit_refusal(request, name, "role")
        return error_page(request, 403, "您的角色无权访问此页面。")


#: Reads recorded in the audit log (等保 level 3: reads of personal data and of issued documents), by URL name:
#: (action, the path parameter naming the object, its kind). Every successful API call is recorded as ``api.read``.
AUDITED_READS: dict[str, tuple[str, str, str]] = {
    "enterprises:detail": ("enterprise.view", "uscc", "enterprise"),  # the profile page (masked personal data)
    "assist:plan": ("enterprise.plan_view", "uscc", "enterprise"),  # 行动建议: the profile's figures and gaps
    "certification:certificate": ("certificate.download", "pk", "certificate"),
}


def _audit_refusal(request: HttpRequest, name: str | None, reason: str) -> None:
    from gaoqi.web.audit.services import audit_record

    audit_record(
        request.user,
        "access.denied",
        target=f"url:{name}",
        request=request,
        outcome="denied",
        detail={"reason": reason, "method": request.method, "path": request.path_info[:200]},
    )


def _audit_answer(request: HttpRequest, name: str, api: bool, response: HttpResponse) -> None:
    """After the view: a 404 on a named object (out of the caller's jurisdiction, or no such object), an audited
    read, or an API call, as one audit row."""
    from gaoqi.web.audit.services import audit_record

    kwargs = resolve(request.path_info).kwargs
    status = response.status_code
    detail: dict[str, Any] = {"method": request.method, "path": request.path_info[:200], "status": status}
    if status == 404 and kwargs:
        if "uscc" in kwargs:
            from gaoqi.web.enterprises.selectors import enterprise_exists

            detail["exists"] = enterprise_exists(str(kwargs["uscc"]).replace("\x00", ""))  # elsewhere: outside
        target = ",".join(f"{k}:{v}" for k, v in sorted(kwargs.items()))[:200]
        audit_record(request.user, "access.not_found", target=target, request=request, outcome="denied", detail=detail)
    elif status < 400 and name in AUDITED_READS:
        action, param, kind = AUDITED_READS[name]
        audit_record(request.user, action, target=f"{kind}:{kwargs.get(param, '')}", request=request, detail=detail)
    elif api and status < 400:
        if request.GET:
            detail["query"] = request.GET.urlencode()[:500]
        token = getattr(request, "api_token", None)
        if token is not None:
            detail["token"] = token.pk
        audit_record(request.user, "api.read", target=f"url:{name}", request=request, detail=detail)


#: Navigation entries: (URL name, label); shown when the user's role may open them.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("dashboard:home", "工作台"),
    ("enterprises:directory", "企业库"),
    ("enterprises:mine", "我的企业"),
    ("analytics:cohort", "企业画像分析"),
    ("certification:index", "高企认定"),
    ("certification:overdue", "时限监控"),
    ("certification:experts", "专家库"),
    ("certification:publicity", "公示"),
    ("programmes:index", "名单"),
    ("programmes:recommendation_queue", "培育库推荐"),
    ("programmes:cultivation", "培育记录"),
    ("servicepacks:queue", "服务包"),
    ("servicepacks:mine", "我的服务包"),
    ("support:index", "定向支持"),
    ("support:mine", "我的支持"),
    ("benefits:index", "免申即享"),
    ("benefits:mine", "我的免申即享"),
    ("matching:index", "供需对接"),
    ("quickapply:mine", "我的政策申请"),
    ("quickapply:queue", "政策申请审核"),
    ("push:inbox", "消息中心"),
    ("push:log", "推送记录"),
    ("spotchecks:index", "双随机抽查"),
    ("spotchecks:public", "抽查公开"),
    ("techsme:mine", "科技型中小企业"),
    ("techsme:queue", "科小评价审核"),
    ("techsme:registrations", "科小入库"),
    ("servicedesk:mine", "我的诉求"),
    ("servicedesk:queue", "诉求办理"),
    ("servicedesk:days", "企业家服务日"),
    ("monitoring:index", "监测预警"),
    ("reviewsignals:index", "审查风险提示"),
    ("certification:referrals", "撤销移送"),
    ("incubators:ranking", "孵化机构"),
    ("incubators:mine", "我的孵化机构"),
    ("evaluation:index", "分析评价"),
    ("policies:catalogue", "政策库"),
    ("assist:search", "政策问答"),
    ("policies:simulate", "政策模拟"),
    ("drafting:index", "政策沙盘"),
    ("intake:home", "数据汇聚"),
    ("accounts:users", "账号管理"),
    ("accounts:tokens", "API 令牌"),
    ("accounts:security", "安全设置"),
    ("audit:log", "审计日志"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items = [(name, label) for name, label in NAVIGATION if allowed(name, user)]
    return {"nav_items": items, "role_label": r.ROLE_LABELS.get(getattr(user, "role", ""), "")}
