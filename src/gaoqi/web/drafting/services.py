"""Writes of 政策沙盘, each one transaction, audited (``drafting.*``), refusals in Chinese with their field.

- ``draft_create`` / ``draft_update``: the form's content rendered to the policy file text (``render``) and put
  through the engine's own loader (``load_policy_text``: known features and parameters, types, articles within
  the version's documents, versions neither overlapping nor leaving a gap): a draft that does not load is not
  stored, and every refusal names its form field. Only the author edits, only while draft or returned.
- ``draft_try``: the draft's version over the published snapshot (the engine's ``Workspace.simulate`` with no
  change, by district and by technical field), and the version in force beside it.
- ``draft_submit`` / ``draft_approve`` / ``draft_return``: four eyes through ``workflow.POLICY_DRAFT``; the
  approver is a second municipal official, never the author. Approval re-renders the draft against the
  catalogue as it is now, checks it again, and writes the policy file into the catalogue directory the pipeline
  loads (``default_policy_dir()``), atomically (ADR 0026): the next evaluation takes it up.
"""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.engine import Policy, SimulationError, default_policy_dir
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.core.locks import locked, serialize
from gaoqi.web.core.workflow import create, transition
from gaoqi.web.drafting import render
from gaoqi.web.drafting.models import PolicyDraft
from gaoqi.web.drafting.workflow import EDITABLE, POLICY_DRAFT, PUBLISHED
from gaoqi.web.intake.selectors import current_snapshot, snapshot_workspace
from gaoqi.web.policies.selectors import catalogue, policy_get

HEADER = ("policy_id", "name", "authority", "document_number", "kind")


@dataclasses.dataclass
class DraftData:
    """What the form (or the API) gives: the header, the version's dates and the structured ``spec``
    (documents, notes, parameters, conditions, benefit; each parameter and condition with its form ``row``)."""

    policy_id: str
    name: str
    authority: str
    document_number: str
    kind: str
    version_id: str
    valid_from: date
    valid_to: date | None
    spec: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _precheck(data: DraftData) -> dict[str, str]:
    """What the loader cannot be asked: names that would change the text's shape, and a value or a parameter
    per condition (exactly one)."""
    errs: dict[str, str] = {}
    spec = data.spec
    seen: set[str] = set()
    for p in spec.get("parameters") or []:
        row = p.get("row")
        if not render._NAME.match(str(p.get("name") or "")):
            errs[f"p{row}_name"] = "参数名须以小写字母开头，只含小写字母、数字和下划线"
        elif p["name"] in seen:
            errs[f"p{row}_name"] = f"参数名「{p['name']}」重复"
        seen.add(str(p.get("name")))
        if p.get("type") not in render.PARAM_TYPES:
            errs[f"p{row}_type"] = "请选择参数类型"
    for c in spec.get("conditions") or []:
        row = c.get("row")
        if c.get("kind") == "attested" and not str(c.get("feature") or "").strip():
            continue  # the enterprise attests it; no data screen to check
        if not render._NAME.match(str(c.get("feature") or "")):
            errs[f"c{row}_feature"] = f"未知的画像指标「{str(c.get('feature') or '')[:40]}」：请从画像指标中选择"
        if c.get("op") not in render.OPS:
            errs[f"c{row}_op"] = "请选择比较方式"
        has_value, has_param = bool(str(c.get("value") or "").strip()), bool(str(c.get("param") or "").strip())
        if has_value == has_param:
            errs[f"c{row}_value"] = "请填写一个数值，或选择一个参数（二者只选其一）"
        elif has_param and not render._NAME.match(str(c["param"])):
            errs[f"c{row}_param"] = f"参数「{str(c['param'])[:40]}」未在本版本的参数中声明"
    if not (spec.get("conditions") or []):
        errs["c0_feature"] = "至少需要一个条件"
    if data.kind not in render.KINDS:
        errs["kind"] = "请选择政策类别"
    return errs


def prepare(data: DraftData) -> tuple[render.Rendered, Policy, bool, DraftData]:
    """The draft rendered against the catalogue as it is now and loaded by the engine: (text, policy, whether
    it is a new version of a catalogue policy, the data with the catalogue's header); DomainError with the
    fields otherwise."""
    errs = _precheck(data)
    if errs:
        raise DomainError("政策草稿未通过校验，请按提示修改", fields=errs)
    existing = policy_get(data.policy_id)
    if existing is None and any(p.id == data.policy_id for p in catalogue("incubator")):
        raise DomainError("该政策编号已被孵化机构政策使用", fields={"policy_id": "编号已被使用"})
    if existing is not None:
        # a new version: the header is the catalogue's (a version does not rename its policy)
        data = dataclasses.replace(data, name=existing.name, authority=existing.authority,
                                   document_number=existing.document_number, kind=existing.kind)  # fmt: skip
        try:
            text = Path(existing.file).read_text(encoding="utf-8")
            rendered = render.render_version(text, data.as_dict(), data.spec)
        except (OSError, ValueError) as exc:
            raise DomainError("无法读取现行政策文件", fields={"policy_id": "现行政策文件无法读取"}) from exc
    else:
        rendered = render.render_new(data.as_dict(), data.spec)
    policy, field_errs = render.check(rendered, "政策草稿")
    if policy is None:
        raise DomainError("政策草稿未通过校验，请按提示修改", fields=field_errs)
    return rendered, policy, existing is not None, data


def _require_municipal(actor: Any) -> None:
    if getattr(actor, "role", None) != roles.MUNICIPAL:
        raise Forbidden("只有市级管理人员可以起草政策")


@transaction.atomic
def draft_create(actor: Any, data: DraftData) -> PolicyDraft:
    _require_municipal(actor)
    rendered, _policy, new_version, data = prepare(data)

    def make(status: str) -> PolicyDraft:
        return PolicyDraft.objects.create(
            **{k: getattr(data, k) for k in (*HEADER, "version_id", "valid_from", "valid_to", "spec")},
            new_version=new_version, yaml_text=rendered.text, status=status, author=actor,
        )  # fmt: skip

    return create(
        POLICY_DRAFT, "create", actor, make,
        audit_target=lambda o: f"policy_draft:{o.pk}",
        audit_detail=lambda o: {"policy": o.policy_id, "version": o.version_id, "new_version": o.new_version},
    )  # fmt: skip


def _get(pk: int) -> PolicyDraft:
    try:
        return locked(PolicyDraft, pk)
    except PolicyDraft.DoesNotExist:
        raise NotFound("没有该政策草稿") from None


@transaction.atomic
def draft_update(actor: Any, pk: int, data: DraftData) -> PolicyDraft:
    _require_municipal(actor)
    draft = _get(pk)
    if draft.status not in EDITABLE:
        raise DomainError(f"政策草稿当前为“{POLICY_DRAFT.label(draft.status)}”，不能修改；新的修改请另起草稿")
    if draft.author_id != actor.pk:
        raise Forbidden("只有起草人可以修改该草稿")
    rendered, _policy, new_version, data = prepare(dataclasses.replace(data, policy_id=draft.policy_id))
    for k in (*HEADER, "version_id", "valid_from", "valid_to", "spec"):
        setattr(draft, k, getattr(data, k))
    draft.new_version, draft.yaml_text, draft.try_result = new_version, rendered.text, None
    draft.save()
    audit_record(actor, "drafting.update", target=f"policy_draft:{draft.pk}",
                 detail={"policy": draft.policy_id, "version": draft.version_id})  # fmt: skip
    return draft


def draft_policy(draft: PolicyDraft) -> tuple[Policy, Any]:
    """The draft's stored text loaded by the engine: the policy and the draft's version in it."""
    from gaoqi.engine import load_policy_text

    policy = load_policy_text(draft.yaml_text, f"政策草稿#{draft.pk}")
    version = next(v for v in policy.versions if v.id == draft.version_id)
    return policy, version


def _counts(result: dict[str, Any]) -> dict[str, Any]:
    """simulate()'s answer with nothing changed, as counts: status → n in total and per group, and the cost."""
    totals = {"pass": 0, "fail": 0, "unknown": 0}
    for key, n in result["totals"].items():
        totals[key.split("→")[0]] = totals.get(key.split("→")[0], 0) + n
    groups: dict[str, dict[str, Any]] = {}
    for grp, counts in result["groups"].items():
        g = groups.setdefault(grp, {"pass": 0, "fail": 0, "unknown": 0, "cost": "0"})
        for key, n in counts.items():
            g[key.split("→")[0]] = g.get(key.split("→")[0], 0) + n
        if result.get("group_cost"):
            g["cost"] = str(result["group_cost"].get(grp, {}).get("cost_before", 0))
    cost = result.get("cost")
    return {
        "totals": totals,
        "groups": groups,
        "cost": None if cost is None else str(cost["cost_before"]),
        "potential": None if cost is None else str(cost["potential_before"]),
    }


def try_run(ws: Any, as_of: date, policy: Policy, version: Any) -> dict[str, Any]:
    """One version over the workspace's profile at ``as_of``, whatever its dates (a draft may start later):
    counts by district and by technical field, and the fiscal cost."""
    tried = dataclasses.replace(policy, versions=(dataclasses.replace(version, valid_from=as_of, valid_to=None),))
    return {by: _counts(ws.simulate(as_of, tried, {}, by)) for by in ("district", "field")}


def draft_try(actor: Any, pk: int) -> dict[str, Any]:
    """The draft over the published snapshot, beside the version in force (when it is a new version); the
    result is kept on the draft (until it is edited) and audited."""
    _require_municipal(actor)
    snap = current_snapshot()
    ws = snapshot_workspace(snap)
    if ws is None or snap is None:
        raise DomainError("尚无已发布的数据快照，无法试算")
    draft = PolicyDraft.objects.filter(pk=pk).first()
    if draft is None:
        raise NotFound("没有该政策草稿")
    policy, version = draft_policy(draft)
    started = time.perf_counter()
    in_force = policy_get(draft.policy_id)
    current = in_force.version_at(snap.as_of) if in_force is not None else None
    with ws:
        try:
            result: dict[str, Any] = {"draft": try_run(ws, snap.as_of, policy, version)}
            if current is not None and in_force is not None:
                result["in_force"] = try_run(ws, snap.as_of, in_force, current)
                result["in_force_version"] = current.id
        except SimulationError as exc:
            raise DomainError("草稿无法在现行快照上试算，请检查条件和金额") from exc
    result.update(as_of=snap.as_of.isoformat(), snapshot=snap.pk, seconds=round(time.perf_counter() - started, 3))
    with transaction.atomic():
        fresh = _get(pk)
        if fresh.status != PUBLISHED and fresh.yaml_text == draft.yaml_text:
            fresh.try_result = result
            fresh.save(update_fields=["try_result", "updated_at"])
        audit_record(actor, "drafting.try", target=f"policy_draft:{pk}",
                     detail={"snapshot": snap.pk, "totals": result["draft"]["district"]["totals"]})  # fmt: skip
    return result


def _not_author(actor: Any, obj: PolicyDraft) -> str | None:
    return "起草人不能审核自己的草稿（须由另一名市级管理人员审核）" if obj.author_id == actor.pk else None


def _author_only(actor: Any, obj: PolicyDraft) -> str | None:
    return None if obj.author_id == actor.pk else "只有起草人可以提交该草稿"


@transaction.atomic
def draft_submit(actor: Any, pk: int, seen: str | None = None) -> PolicyDraft:
    moved = transition(POLICY_DRAFT, PolicyDraft, pk, "submit", actor, seen=seen, permit=_author_only,
                       audit_target=f"policy_draft:{pk}")  # fmt: skip
    return moved.obj


@transaction.atomic
def draft_return(actor: Any, pk: int, comment: str, seen: str | None = None) -> PolicyDraft:
    moved = transition(POLICY_DRAFT, PolicyDraft, pk, "return", actor, seen=seen, comment=comment,
                       permit=_not_author, audit_target=f"policy_draft:{pk}")  # fmt: skip
    return moved.obj


def _target_file(draft: PolicyDraft, existing: Policy | None) -> Path:
    folder = default_policy_dir()
    if existing is not None and Path(existing.file).resolve().parent == folder.resolve():
        return Path(existing.file)
    path = folder / f"{draft.policy_id}.yaml"
    if existing is None and path.exists():
        raise DomainError("政策目录中已有同名文件", fields={"policy_id": "编号已被使用"})
    return path


def _write(path: Path, text: str) -> bytes | None:
    """Write atomically; the previous bytes (None: no file) to put back if the transaction fails."""
    old = path.read_bytes() if path.exists() else None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return old


def draft_approve(actor: Any, pk: int, seen: str | None = None) -> PolicyDraft:
    """Four eyes: a second municipal official approves; the draft is re-rendered against the catalogue as it
    is now (another version may have been published meanwhile), checked by the loader again, written into the
    catalogue directory, and frozen."""
    written: tuple[Path, bytes | None] | None = None
    try:
        with transaction.atomic():
            serialize("drafting.publish")  # one publication at a time: each renders against the last
            fresh = _get(pk)
            data = DraftData(**{k: getattr(fresh, k) for k in (*HEADER, "version_id", "valid_from", "valid_to",
                                                                 "spec")})  # fmt: skip
            existing = policy_get(fresh.policy_id)
            holder: dict[str, Any] = {}

            def check(actor_: Any, obj: PolicyDraft) -> str | None:
                if reason := _not_author(actor_, obj):
                    return reason
                try:
                    holder["rendered"] = prepare(data)[0]
                except DomainError as exc:
                    detail = "；".join(exc.fields.values()) if exc.fields else exc.message
                    return f"草稿已不能按现行政策目录发布：{detail}"
                return None

            def enter(obj: PolicyDraft, _t: Any, _log: Any) -> list[str]:
                path = _target_file(obj, existing)
                obj.yaml_text = holder["rendered"].text
                obj.approved_by = actor
                obj.published_at = timezone.now()
                obj.published_file = path.name
                return ["yaml_text", "approved_by", "published_at", "published_file", "updated_at"]

            moved = transition(POLICY_DRAFT, PolicyDraft, pk, "approve", actor, seen=seen, permit=check,
                               on_enter=enter, audit_target=f"policy_draft:{pk}",
                               audit_detail={"policy": fresh.policy_id, "version": fresh.version_id})  # fmt: skip
            path = _target_file(moved.obj, existing)
            old = _write(path, moved.obj.yaml_text)
            written = (path, old)
    except BaseException:
        if written is not None:  # the transaction did not commit: the catalogue as it was
            path, old = written
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        raise
    return moved.obj
