"""Two municipal officials approving the same draft at once: one publishes it, the other is refused as stale,
and the catalogue holds the one file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gaoqi.web import roles
from gaoqi.web.core.locks import StaleActionError
from gaoqi.web.core.workflow import StatusRefused
from gaoqi.web.drafting import services
from gaoqi.web.drafting.models import PolicyDraft
from tests.web.conftest import make_user, race
from tests.web.drafting.conftest import REPO, good_data


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_one_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(REPO / "policies", folder)
    monkeypatch.setenv("GAOQI_POLICIES", str(folder))
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "0")
    author, a, b = (make_user(roles.MUNICIPAL, f"u_m{i}") for i in range(3))
    draft = services.draft_create(author, good_data())
    services.draft_submit(author, draft.pk, "draft")
    results = race(lambda: services.draft_approve(a, draft.pk, "submitted"),
                   lambda: services.draft_approve(b, draft.pk, "submitted"))  # fmt: skip
    oks = [r for kind, r in results if kind == "ok"]
    errors = [r for kind, r in results if kind == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], (StaleActionError, StatusRefused)) and "已发布" in str(errors[0])
    fresh = PolicyDraft.objects.get(pk=draft.pk)
    assert fresh.status == "published" and fresh.approved_by_id == oks[0].approved_by_id
    assert (folder / "haidian-hte-reward.yaml").read_text(encoding="utf-8") == fresh.yaml_text
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no temporary file left
