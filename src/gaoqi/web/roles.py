"""The platform's roles. One role per account; the three administrators are separate (等保 level 3)."""

from __future__ import annotations

ENTERPRISE = "enterprise"
DISTRICT = "district"
MUNICIPAL = "municipal"
EXPERT = "expert"
EVALUATOR = "evaluator"
INCUBATOR = "incubator"
SYSADMIN = "sysadmin"
SECADMIN = "secadmin"
AUDITOR = "auditor"

ROLE_LABELS: dict[str, str] = {
    ENTERPRISE: "企业用户",
    DISTRICT: "区级管理人员",
    MUNICIPAL: "市级管理人员",
    EXPERT: "评审专家",
    EVALUATOR: "第三方评估机构",
    INCUBATOR: "孵化器、服务机构",
    SYSADMIN: "系统管理员",
    SECADMIN: "安全管理员",
    AUDITOR: "审计管理员",
}
ROLES: tuple[str, ...] = tuple(ROLE_LABELS)

#: Roles that see enterprises at all (each scoped by selectors.enterprises_visible_to).
ENTERPRISE_VIEWERS = frozenset({ENTERPRISE, DISTRICT, MUNICIPAL, EVALUATOR, INCUBATOR})
#: Officials who see enterprise lists (directory, policy lists, exports).
OFFICIALS = frozenset({DISTRICT, MUNICIPAL, EVALUATOR, INCUBATOR})
#: Roles that may reveal personal data (legal representatives' ID numbers and phones); each reveal is audited.
MAY_REVEAL_PERSONAL = frozenset({DISTRICT, MUNICIPAL})
