"""A small world for the scoping tests, built straight in the database (no engine run, no password hashing):
two 海淀 enterprises (one in an incubator) and one 朝阳 enterprise, each with a policy result, an application
and a certificate; one account per role, a second district official (朝阳) and a second expert; an expert
panel on the 朝阳 application; an objection, a post-check, an upload and audit events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from gaoqi.web import roles

HAIDIAN, CHAOYANG = "110108", "110105"
USCC_A, USCC_B, USCC_C = "91110108MA000000A1", "91110108MA000000B2", "91110105MA000000C3"
INCUBATOR = "INC-S"
AS_OF = dt.date(2026, 6, 30)


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    enterprises: dict[str, Any] = field(default_factory=dict)  # by USCC
    applications: dict[str, Any] = field(default_factory=dict)  # by USCC
    certificates: dict[str, Any] = field(default_factory=dict)  # by USCC
    experts: dict[str, Any] = field(default_factory=dict)  # "assigned", "idle"
    snapshot: Any = None
    objection: Any = None
    post_check: Any = None
    upload: Any = None


def person(role: str, username: str | None = None, **jurisdiction: str) -> Any:
    from gaoqi.web.accounts.models import User

    return User.objects.create(username=username or f"s_{role}", role=role, **jurisdiction)


def build_world() -> World:
    from gaoqi.web.audit.services import audit_record
    from gaoqi.web.certification import workflow as wf
    from gaoqi.web.certification.models import Application, Certificate, Expert, Objection, Panel, PostCheck
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake.models import Snapshot, Upload

    w = World()
    w.users = {
        roles.MUNICIPAL: person(roles.MUNICIPAL),
        roles.EVALUATOR: person(roles.EVALUATOR),
        roles.DISTRICT: person(roles.DISTRICT, district_code=HAIDIAN),
        "district_chaoyang": person(roles.DISTRICT, "s_district_cy", district_code=CHAOYANG),
        roles.ENTERPRISE: person(roles.ENTERPRISE, uscc=USCC_A),
        "enterprise_c": person(roles.ENTERPRISE, "s_enterprise_c", uscc=USCC_C),
        roles.INCUBATOR: person(roles.INCUBATOR, incubator_code=INCUBATOR),
        roles.EXPERT: person(roles.EXPERT),
        "expert_idle": person(roles.EXPERT, "s_expert_idle"),
        roles.SYSADMIN: person(roles.SYSADMIN),
        roles.SECADMIN: person(roles.SECADMIN),
        roles.AUDITOR: person(roles.AUDITOR),
    }
    w.snapshot = Snapshot.objects.create(as_of=AS_OF, status=Snapshot.PUBLISHED, is_current=True, progress=100)
    for uscc, district, incubator in ((USCC_A, HAIDIAN, INCUBATOR), (USCC_B, HAIDIAN, ""), (USCC_C, CHAOYANG, "")):
        ent = Enterprise.objects.create(
            uscc=uscc, name=f"企业{uscc[-2:]}", district_code=district, incubator_code=incubator, snapshot=w.snapshot
        )
        w.enterprises[uscc] = ent
        PolicyResult.objects.create(
            snapshot=w.snapshot, enterprise=ent, policy_id="hte-certification", policy_version="2016", status="fail",
            failed_count=1,
        )  # fmt: skip
    for uscc in (USCC_A, USCC_C):
        ent = w.enterprises[uscc]
        app = Application.objects.create(
            uscc=uscc, enterprise_name=ent.name, district_code=ent.district_code, year=2026, tech_field="01",
            status=wf.PUBLICITY, stage_started_at=AS_OF, as_of=AS_OF, created_by=w.users[roles.MUNICIPAL],
        )  # fmt: skip
        w.applications[uscc] = app
        w.certificates[uscc] = Certificate.objects.create(
            number=f"GR2026110{uscc[-1]}", uscc=uscc, enterprise_name=ent.name, tech_field="01",
            issue_date=AS_OF, expiry_date=AS_OF + dt.timedelta(days=3 * 365), application=app,
        )  # fmt: skip
    w.experts = {
        "assigned": Expert.objects.create(user=w.users[roles.EXPERT], kind="technical", fields=["01"]),
        "idle": Expert.objects.create(user=w.users["expert_idle"], kind="financial"),
    }
    Panel.objects.create(
        application=w.applications[USCC_C], seed=1, expert_ids=[w.experts["assigned"].pk],
        leader=w.experts["assigned"], drawn_by=w.users[roles.MUNICIPAL],
    )  # fmt: skip
    w.objection = Objection.objects.create(application=w.applications[USCC_A], name="张三", contact="x", content="异议")
    w.post_check = PostCheck.objects.create(application=w.applications[USCC_C], seed=1, due_date=AS_OF)
    w.upload = Upload.objects.create(file_name="a.csv", size=1, sha256="0" * 64, uploaded_by=w.users[roles.MUNICIPAL])
    audit_record(w.users[roles.MUNICIPAL], "scoping.test", target="x")
    return w


def add_stats(w: World) -> None:
    """The per-district figures a publication computes: 海淀 two enterprises, 朝阳 one."""
    from gaoqi.web.enterprises.models import DistrictStat, FieldStat, PolicyStat

    for code, n in ((HAIDIAN, 2), (CHAOYANG, 1)):
        DistrictStat.objects.create(snapshot=w.snapshot, district_code=code, enterprises=n, hte=0, tech_sme=0,
                                    above_scale=0)  # fmt: skip
        FieldStat.objects.create(snapshot=w.snapshot, district_code=code, tech_field="01", n=n)
        PolicyStat.objects.create(snapshot=w.snapshot, district_code=code, policy_id="hte-certification",
                                  status="fail", near=True, n=n)  # fmt: skip


@pytest.fixture()
def world(db: Any) -> World:
    return build_world()


#: Who sees which of the world's enterprises (by USCC): every role and the second district official, enterprise
#: and expert. Applications and certificates exist for A (海淀) and C (朝阳) only.
ENTERPRISES: dict[str, set[str]] = {
    roles.MUNICIPAL: {USCC_A, USCC_B, USCC_C},
    roles.EVALUATOR: {USCC_A, USCC_B, USCC_C},
    roles.DISTRICT: {USCC_A, USCC_B},
    "district_chaoyang": {USCC_C},
    roles.ENTERPRISE: {USCC_A},
    "enterprise_c": {USCC_C},
    roles.INCUBATOR: {USCC_A},
    roles.EXPERT: set(),
    "expert_idle": set(),
    roles.SYSADMIN: set(),
    roles.SECADMIN: set(),
    roles.AUDITOR: set(),
}
APPLICATIONS: dict[str, set[str]] = {
    **{who: seen & {USCC_A, USCC_C} for who, seen in ENTERPRISES.items()},
    roles.INCUBATOR: set(),  # an incubator follows its enterprises' data, not their applications
    roles.EXPERT: {USCC_C},  # the panel's application only
}
CERTIFICATES: dict[str, set[str]] = {**APPLICATIONS, roles.EXPERT: set()}
