"""The registration becomes a profile fact (ADR 0011, 0017): a registration is written as a certificate row of
kind tech_sme in the platform's feed, and after the next real pipeline run the enterprise's profile has
``has_tech_sme`` (the directory and the API say so); a revocation takes it away at the run after. The form of a
real enterprise starts from its profile, each value with its source."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest

from gaoqi.web import roles
from gaoqi.web.core.workflow import WorkflowError
from gaoqi.web.techsme import services
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.models import Registration
from tests.web.conftest import HAIDIAN, login, make_user
from tests.web.techsme.factories import evaluation

pytestmark = pytest.mark.django_db
FILE = "certificate_科技型中小企业评价.csv"
HEADER = "统一社会信用代码,资质类型,证书编号,发证日期,有效期至,证书状态,技术领域,证书子类型"


def _publish(as_of: dt.date) -> Any:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    snap = snapshot_run(Snapshot.objects.create(as_of=as_of).pk)
    assert snap.status == Snapshot.PUBLISHED, snap.message
    return snap


def _profile(snap: Any, uscc: str) -> tuple[Any, ...]:
    con = duckdb.connect(snap.duckdb_path, read_only=True)
    try:
        return con.execute(
            "SELECT p.has_tech_sme, l.file_name, c._line, c.status FROM profile p "
            "LEFT JOIN certificate_cur c ON c.uscc = p.uscc AND c.kind = 'tech_sme' "
            "LEFT JOIN loads l ON l.load_id = c._load_id WHERE p.uscc = ?",
            [uscc],
        ).fetchone()
    finally:
        con.close()


def test_a_registration_reaches_the_profile_through_the_pipeline(
    snapshot: Any, clock: dict[str, dt.date], gaoqi_home: Any
) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    ent = Enterprise.objects.filter(district_code=HAIDIAN, has_tech_sme=False).order_by("uscc").first()
    assert ent is not None
    clock["day"] = snapshot.as_of  # registered on the snapshot's date: the next run of that date counts it
    ev = evaluation(code=ent.uscc, status=wf.PUBLICITY, stage_started_at=dt.date(2026, 6, 1), name=ent.name)
    services.evaluation_transition(None, ev, "register")
    reg = Registration.objects.get(evaluation=ev)
    assert reg.number == "2026110108A0000001"

    snap = _publish(snapshot.as_of)
    rows = (gaoqi_home / "platform-feed" / FILE).read_text("utf-8").splitlines()
    assert rows == [HEADER, f"{ent.uscc},tech_sme,2026110108A0000001,2026-06-30,2027-03-31,valid,,"]
    assert _profile(snap, ent.uscc) == (True, FILE, 2, "valid")
    assert Enterprise.objects.get(uscc=ent.uscc).has_tech_sme is True
    muni = make_user(roles.MUNICIPAL, "muni_feed")
    assert login(muni).get(f"/api/enterprises/{ent.uscc}").json()["has_tech_sme"] is True

    services.registration_revoke(muni, reg, "falsification", "抽查发现信息严重失实")
    snap = _publish(snapshot.as_of)
    assert (gaoqi_home / "platform-feed" / FILE).read_text("utf-8").splitlines()[1].endswith(",revoked,,")
    assert _profile(snap, ent.uscc) == (False, FILE, 2, "revoked")
    assert Enterprise.objects.get(uscc=ent.uscc).has_tech_sme is False


def test_a_real_enterprise_starts_from_its_profile(snapshot: Any, clock: dict[str, dt.date]) -> None:
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import profile_details

    ent = Enterprise.objects.filter(district_code=HAIDIAN, sales_last_year__isnull=False).order_by("uscc").first()
    clock["day"] = snapshot.as_of
    user = make_user(roles.ENTERPRISE, "ent_feed", uscc=ent.uscc)
    ev = services.evaluation_start(user)
    profile = profile_details(ent)["profile"]
    values = ev.prefill["values"]
    for name in ("staff_count_last_year", "sales_revenue_last_year", "ip_class1_count"):
        held = profile[name]
        assert values[name]["value"] == (held if held is None or isinstance(held, int) else str(held)), name
        assert bool(values[name]["source"]) == (held is not None), name
    assert "第" in values["sales_revenue_last_year"]["source"] and "行" in values["sales_revenue_last_year"]["source"]
    assert (ev.status, ev.as_of, ev.district_code, ev.year) == (wf.DRAFT, snapshot.as_of, HAIDIAN, 2026)
    with pytest.raises(WorkflowError, match="已有进行中的评价"):
        services.evaluation_start(user)
