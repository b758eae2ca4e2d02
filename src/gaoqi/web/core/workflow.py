"""One mechanism for every object with a status (an application, a certificate, a rename, a post-check, an
objection; next the cultivation pool's entries, enterprise requests, service-package items).

A :class:`Workflow` is data: the statuses with their Chinese labels (the catalogue's where it has them) and a
table of :class:`Transition` rows — which action moves an object from which status to which, for which roles,
under which guard, and whether it needs a comment. A transition whose ``source`` is :data:`NEW` creates the
object in its first status.

:func:`transition` is the only way a status changes. Inside the caller's ``transaction.atomic`` it re-reads the
object under its row lock (``locks.locked``), refuses an action made stale by someone else's committed action,
looks the action up for the *fresh* status, checks the role, the caller's permission and the guard on the
fresh row, sets the status (and the fields ``on_enter`` sets), saves, and writes the workflow log row (who,
when, from, to, comment) and the audit entry. :func:`create` is its counterpart for an object's first status.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.locks import STALE, DomainError, StaleActionError, locked
from gaoqi.web.core.models import WorkflowLog

#: The role of a move made without a signed-in actor: the platform's own jobs (the daily task) and the public.
SYSTEM = "system"
#: The ``source`` of a transition that creates its object (in the table; its log row's source is "").
NEW = "<new>"


class WorkflowError(DomainError):
    """A move the workflow does not allow (wrong status, role or guard); the message says why, in Chinese.
    Input the move needs (a comment) or a guard that fails answers 400."""


class RoleRefused(WorkflowError):
    """The actor's role may not make this move (403)."""

    status = 403
    code = "forbidden"


class StatusRefused(WorkflowError):
    """The object's status has no such move (409: the object is not where the request thought it was)."""

    status = 409
    code = "wrong_status"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    roles: frozenset[str]
    label: str
    guard: str | None = None  # a name in the ``guards`` the service passes to ``transition``
    needs_comment: bool = False
    #: The audit action written; None: ``<workflow>.<action>``; "": none (the enclosing act writes the entry).
    audit: str | None = None


#: A guard: why the move is refused on this fresh row (a WorkflowError), or None. It may raise its own
#: DomainError (a StaleActionError when a related object changed meanwhile).
Guard = Callable[[Any, Any], "str | None"]


@dataclass(frozen=True)
class Workflow:
    name: str  # the log's and the default audit entry's name: application → application.submit
    noun: str  # what a refusal calls the object: 申请
    statuses: Mapping[str, Any]  # code → label (a string, or the catalogue's lazy string)
    transitions: tuple[Transition, ...]
    field: str = "status"  # the model field holding the status
    #: The refusal when the caller acted on a copy whose status someone else has changed ({noun} {seen} {now},
    #: and {stale}: the platform's "refresh the page" sentence).
    stale: str = "{noun}已由“{seen}”变为“{now}”，{stale}"
    #: The refusal when the fresh status has no such action ({noun} {now} {stale}).
    forbidden: str = "状态“{now}”下不能执行该操作"
    #: Whether that refusal is a StaleActionError: an object with one decision (a post-check, an objection)
    #: has none left once decided, so a missing action means someone else decided it.
    forbidden_is_stale: bool = False
    _index: dict[tuple[str, str], Transition] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if NEW in self.statuses:
            raise ValueError(f"workflow {self.name}: {NEW} is not a status")
        for t in self.transitions:
            unknown = {t.source, t.target} - set(self.statuses) - {NEW}
            if unknown or t.target == NEW:
                raise ValueError(f"workflow {self.name}: {t.action} names unknown statuses {sorted(unknown)}")
            if (t.source, t.action) in self._index:
                raise ValueError(f"workflow {self.name}: two transitions {t.action} from {t.source!r}")
            self._index[(t.source, t.action)] = t

    def label(self, status: str) -> str:
        return str(self.statuses.get(status, status))

    def labels(self) -> dict[str, str]:
        return {code: str(text) for code, text in self.statuses.items()}

    def find(self, status: str, action: str) -> Transition | None:
        return self._index.get((status, action))

    def transitions_from(self, status: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == status]

    def actions(self) -> list[str]:
        return sorted({t.action for t in self.transitions})

    def audit_action(self, t: Transition) -> str:
        return f"{self.name}.{t.action}" if t.audit is None else t.audit

    def audit_actions(self) -> set[str]:
        """Every audit action the table can write (the catalogue must have a word for each)."""
        return {a for t in self.transitions if (a := self.audit_action(t))}

    def no_move(self, status: str, template: str | None = None) -> str:
        """The refusal of an action the table has no row for from ``status`` (``template``: the caller's
        wording instead of the workflow's ``forbidden``)."""
        return (template or self.forbidden).format(noun=self.noun, now=self.label(status), stale=STALE)

    @staticmethod
    def wrong_role(t: Transition) -> str:
        """The refusal of a move the actor's role may not make."""
        return f"您的角色不能执行“{t.label}”"

    def refusal(self, status: str, action: str, role: str) -> str | None:
        """Why the table refuses ``action`` on an object in ``status`` for ``role`` (None: the table allows it;
        the caller's permission, the comment and the guard are checked by ``transition`` on the fresh row)."""
        t = self.find(status, action)
        if t is None:
            return self.no_move(status)
        if role not in t.roles:
            return self.wrong_role(t)
        return None


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Make ``workflow`` one of the platform's (the catalogue test reads their audit actions)."""
    if _REGISTRY.get(workflow.name, workflow) is not workflow:
        raise ValueError(f"two workflows named {workflow.name}")
    _REGISTRY[workflow.name] = workflow
    return workflow


def registered() -> tuple[Workflow, ...]:
    return tuple(_REGISTRY.values())


def history(obj: Any) -> list[WorkflowLog]:
    """An object's moves, oldest first, with their actors (the one query every page showing a log makes; the
    caller has checked that the user may see the object)."""
    ct = ContentType.objects.get_for_model(type(obj))
    return list(WorkflowLog.objects.filter(content_type=ct, object_id=obj.pk).select_related("actor").order_by("pk"))


def role_of(actor: Any) -> str:
    return SYSTEM if actor is None else str(getattr(actor, "role", "") or "")


@dataclass(frozen=True)
class Moved:
    """What ``transition`` did: the fresh object (saved in its new status), the row of the table, the status
    it left, and the log row."""

    obj: Any
    transition: Transition
    source: str
    log: WorkflowLog


def transition(
    workflow: Workflow,
    model: Any,  # a model class or a queryset (Django is untyped here)
    pk: Any,
    action: str,
    actor: Any,
    *,
    seen: str | None = None,
    comment: str = "",
    guards: Mapping[str, Guard] | None = None,
    permit: Guard | None = None,
    prepare: Callable[[Any, Any, Transition], None] | None = None,
    on_enter: Callable[[Any, Transition, WorkflowLog], Iterable[str]] | None = None,
    forbidden: str | None = None,
    audit_target: str | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> Moved:
    """Move object ``pk`` by ``action``, inside the caller's transaction.

    ``seen``: the status the caller's copy showed (a page, a queue): if someone else's committed action has
    changed it, the move is refused as stale. ``permit(actor, obj)``: the caller's own permission on the fresh
    row (an enterprise acts on its own application only). ``prepare(actor, obj, t)`` runs after the checks
    and before the guard (受理并抽取专家 draws the panel the guard requires). ``on_enter(obj, t, log)`` sets
    the fields that change with the status and returns their names (it may also fill in the log row).
    ``forbidden`` words the refusal of a missing transition for the caller's context."""
    obj = locked(model, pk)
    now = getattr(obj, workflow.field)
    if seen is not None and seen != now:
        words = {"noun": workflow.noun, "seen": workflow.label(seen), "now": workflow.label(now), "stale": STALE}
        raise StaleActionError(workflow.stale.format(**words))
    t = workflow.find(now, action)
    if t is None:
        error = StaleActionError if workflow.forbidden_is_stale else StatusRefused
        raise error(workflow.no_move(now, forbidden))
    _check(workflow, t, actor, obj, comment, guards, permit, prepare)
    log = WorkflowLog(
        workflow=workflow.name, content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
        action=action, source=now, target=t.target, actor=_account(actor), comment=comment,
    )  # fmt: skip
    fields = list(on_enter(obj, t, log)) if on_enter is not None else []
    setattr(obj, workflow.field, t.target)
    obj.save(update_fields=[workflow.field, *fields])
    log.save()
    _audit(workflow, t, actor, obj, audit_target, audit_detail, {"from": now, "to": t.target, "comment": comment})
    return Moved(obj, t, now, log)


def create(
    workflow: Workflow,
    action: str,
    actor: Any,
    make: Callable[[str], models.Model],
    *,
    comment: str = "",
    guards: Mapping[str, Guard] | None = None,
    audit_target: str | Callable[[Any], str] | None = None,
    audit_detail: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None,
) -> Any:
    """Create an object in its first status by a transition from :data:`NEW`: ``make(status)`` creates it
    (the caller serialises creations that must not race); logged and audited like any move (the audit's
    target and detail may be functions of the new object: its number is known only once it exists)."""
    t = workflow.find(NEW, action)
    if t is None:
        raise ValueError(f"workflow {workflow.name} has no creating transition {action}")
    _check(workflow, t, actor, None, comment, guards, None, None)
    obj = make(t.target)
    if getattr(obj, workflow.field) != t.target:
        raise ValueError(f"{workflow.name}: {action} must create the object in {t.target}")
    WorkflowLog.objects.create(
        workflow=workflow.name, content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
        action=action, source="", target=t.target, actor=_account(actor), comment=comment,
    )  # fmt: skip
    target = audit_target(obj) if callable(audit_target) else audit_target
    detail = audit_detail(obj) if callable(audit_detail) else audit_detail
    _audit(workflow, t, actor, obj, target, detail, {"to": t.target})
    return obj


def _check(
    workflow: Workflow,
    t: Transition,
    actor: Any,
    obj: Any,
    comment: str,
    guards: Mapping[str, Guard] | None,
    permit: Guard | None,
    prepare: Callable[[Any, Any, Transition], None] | None,
) -> None:
    if role_of(actor) not in t.roles:
        raise RoleRefused(workflow.wrong_role(t))
    if permit is not None and (reason := permit(actor, obj)):
        raise WorkflowError(reason)
    if t.needs_comment and not comment.strip():
        raise WorkflowError(f"“{t.label}”需要填写意见")
    if prepare is not None:
        prepare(actor, obj, t)
    if t.guard is not None:
        if guards is None or t.guard not in guards:
            raise RuntimeError(f"workflow {workflow.name}: no guard {t.guard} given for {t.action}")
        if reason := guards[t.guard](actor, obj):
            raise WorkflowError(reason)


def _account(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _audit(
    workflow: Workflow,
    t: Transition,
    actor: Any,
    obj: Any,
    target: str | None,
    detail: dict[str, Any] | None,
    default: dict[str, Any],
) -> None:
    action = workflow.audit_action(t)
    if action:
        audit_record(
            actor,
            action,
            target=target if target is not None else f"{workflow.name}:{obj.pk}",
            detail=detail if detail is not None else default,
        )


__all__ = [
    "NEW",
    "STALE",
    "SYSTEM",
    "DomainError",
    "Moved",
    "RoleRefused",
    "StaleActionError",
    "StatusRefused",
    "Transition",
    "Workflow",
    "WorkflowError",
    "WorkflowLog",
    "create",
    "register",
    "registered",
    "transition",
]
