"""Small worlds for the spot-check tests, made directly: a published snapshot whose index holds current HTEs in
海淀 (110108) and 朝阳 (110105, the canary district) with known certification years, a few non-HTEs, the
inspector pool (two 海淀 inspectors with accounts, two 朝阳 ones, two municipal ones), officials of each
district, the municipal office, an evaluator and enterprise accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from tests.web import factories
from tests.web.conftest import CHAOYANG, HAIDIAN

TODAY = dt.date(2026, 12, 7)
CANARY = "朝阳抽查金丝雀测试科技有限公司"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def hte(name: str, district: str, issued: int, *, valid: bool = True) -> Any:
    """An enterprise of the index: a current HTE certified in ``issued`` (expiry = issue + 3 years − 1 day)."""
    ent = factories.enterprise(name=name, district_code=district)
    ent.has_hte = valid
    ent.hte_expiry_date = dt.date(issued + 3, 3, 1) - dt.timedelta(days=1) if valid else None
    ent.phone = "13800138000"
    ent.legal_rep_id_number = "110108199001011234"
    ent.save()
    return ent


def inspector(name: str, district: str = "", user: Any = None) -> Any:
    from gaoqi.web.spotchecks.models import Inspector

    return Inspector.objects.create(name=name, unit="北京市科学技术委员会" if not district else "区科委",
                                    district_code=district, user=user)  # fmt: skip


@pytest.fixture()
def world(db: Any) -> dict[str, Any]:
    from gaoqi.web.intake.models import Snapshot

    Snapshot.objects.create(as_of=dt.date(2026, 11, 30), status=Snapshot.PUBLISHED, is_current=True)
    hd = [hte(f"海淀测试{i:02d}科技有限公司", HAIDIAN, 2024) for i in range(21)]  # one stratum of 21
    hd23 = [hte(f"海淀二三{i:02d}科技有限公司", HAIDIAN, 2023) for i in range(20)]  # one of 20
    cy = [hte(f"{CANARY}{i:02d}", CHAOYANG, 2025) for i in range(3)]
    non = [hte(f"海淀非高企{i}科技有限公司", HAIDIAN, 2024, valid=False) for i in range(3)]
    hd_official = factories.user(roles.DISTRICT, "hd_official", district_code=HAIDIAN)
    hd_inspector = factories.user(roles.DISTRICT, "hd_inspector", district_code=HAIDIAN)
    cy_official = factories.user(roles.DISTRICT, "cy_official", district_code=CHAOYANG)
    cy_inspector = factories.user(roles.DISTRICT, "cy_inspector", district_code=CHAOYANG)
    municipal = factories.user(roles.MUNICIPAL, "muni")
    pool = [
        inspector("张海", HAIDIAN, hd_inspector), inspector("李淀", HAIDIAN),
        inspector("王朝", CHAOYANG, cy_inspector), inspector("赵阳", CHAOYANG),
        inspector("市检查一"), inspector("市检查二"),
    ]  # fmt: skip
    return {
        "hd": hd, "hd23": hd23, "cy": cy, "non": non, "pool": pool,
        "hd_official": hd_official, "hd_inspector": hd_inspector, "cy_official": cy_official,
        "cy_inspector": cy_inspector, "municipal": municipal, "municipal2": factories.user(roles.MUNICIPAL, "muni2"),
        "evaluator": factories.user(roles.EVALUATOR, "evaluator"),
        "ent": factories.user(roles.ENTERPRISE, "hd_ent", uscc=hd[0].uscc),
        "ent_cy": factories.user(roles.ENTERPRISE, "cy_ent", uscc=cy[0].uscc),
    }  # fmt: skip


SEED = "20261207"


def draw(world: dict[str, Any], seed: str = SEED, **kw: Any) -> Any:
    from gaoqi.web.spotchecks import services

    return services.draw_run(world["municipal"], 2026, seed=seed, **kw)
