"""政策沙盘 fixtures: a private copy of the policy catalogue (publication writes into it), two municipal officials
(an author and an approver), and a good draft's form data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.drafting.services import DraftData
from tests.web.conftest import make_user

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def catalogue(snapshot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped policies copied aside as the catalogue the pipeline and the pages load ($GAOQI_POLICIES), set
    after the snapshot is published (the snapshot's evaluation is the shipped catalogue's)."""
    folder = tmp_path / "policies"
    shutil.copytree(REPO / "policies", folder)
    monkeypatch.setenv("GAOQI_POLICIES", str(folder))
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "0")
    return folder


@pytest.fixture()
def officials(users: dict[str, Any]) -> dict[str, Any]:
    return {"author": users["municipal"], "approver": make_user(roles.MUNICIPAL, "u_municipal_b"),
            "district": users["district"]}  # fmt: skip


def good_data(**over: Any) -> DraftData:
    spec: dict[str, Any] = {
        "documents": ["京科发〔2026〕8号"],
        "notes": "",
        "parameters": [
            {"row": 0, "name": "reward", "label": "奖励金额", "type": "money", "value": "20", "unit": "万元",
             "unconfirmed": False},
            {"row": 1, "name": "district", "label": "注册地区县代码", "type": "text", "value": "110108", "unit": "",
             "unconfirmed": True},
        ],
        "conditions": [
            {"row": 0, "id": "in_haidian", "label": "注册在海淀区", "feature": "district_code", "op": "=",
             "value": "", "param": "district", "article": "京科发〔2026〕8号 第三条"},
            {"row": 1, "id": "holds_hte", "label": "持有有效期内的高新技术企业证书", "feature": "has_hte_certificate",
             "op": "=", "value": "是", "param": "", "article": "京科发〔2026〕8号 第三条（一）"},
        ],
        "benefit": {"amount": "param.reward", "label": "奖励20万元"},
    }  # fmt: skip
    fields: dict[str, Any] = {
        "policy_id": "haidian-hte-reward", "name": "海淀区高新技术企业奖励", "authority": "北京市海淀区人民政府",
        "document_number": "京科发〔2026〕8号", "kind": "subsidy", "version_id": "2027",
        "valid_from": date(2027, 1, 1), "valid_to": None, "spec": spec,
    }  # fmt: skip
    fields.update(over)
    return DraftData(**fields)
