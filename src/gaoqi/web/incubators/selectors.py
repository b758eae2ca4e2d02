"""Reads on incubators, always scoped (core/scoping.py): municipal officials and evaluators see every body of the
roster, a district official the bodies in its district, an incubator account (孵化器、服务机构) its own body only;
nobody else any. An incubator's enterprises are read through the directory's scope as well
(``enterprises_visible_to``): a district official sees, of a body in its district, the enterprises of its district.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from gaoqi.engine import Policy, PolicyVersion
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.enterprises.selectors import enterprises_visible_to
from gaoqi.web.incubators.models import CityFigures, Incubator, IncubatorFigures
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.selectors import current_snapshot

#: The ranking's orders (?sort=): a column, best first.
SORTS: dict[str, tuple[str, ...]] = {
    "rank": ("rank",),
    "score": ("-score_lo", "-score_hi", "rank"),
    "incubated": ("-incubated", "rank"),
    "new_hte": ("-new_hte", "rank"),
    "hte_share": ("-hte_share", "rank"),
    "recert_rate": ("-recert_rate", "rank"),
    "pool_conv": ("-pool_conv", "rank"),
    "applied": ("-applied", "rank"),
    "code": ("incubator__code",),
}


def incubators_visible_to(user: Any) -> QuerySet[Incubator]:
    return visible_to(Incubator.objects.all(), user, district="district_code", incubator="code")


@dataclass(frozen=True)
class RankingFilter:
    kind: str = ""
    district: str = ""
    status: str = ""
    sort: str = "rank"


def ranking(user: Any, f: RankingFilter | None = None, snapshot: Snapshot | None = None) -> QuerySet[IncubatorFigures]:
    """Every visible incubator's figures and evaluation in the (current) snapshot, filtered and ordered."""
    f = f or RankingFilter()
    snap = snapshot or current_snapshot()
    if snap is None:
        return IncubatorFigures.objects.none()
    qs = IncubatorFigures.objects.filter(snapshot=snap, incubator__in=incubators_visible_to(user)).select_related(
        "incubator"
    )
    if f.kind:
        qs = qs.filter(incubator__kind=f.kind)
    if f.district:
        qs = qs.filter(incubator__district_code=f.district)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.order_by(*SORTS.get(f.sort, SORTS["rank"]))


def incubator_get(user: Any, code: str) -> Incubator | None:
    """The incubator, if the user may see it (None: no such body, or outside the user's scope: the same 404)."""
    return incubators_visible_to(user).filter(code=code).first()


def figures_of(incubator: Incubator, snapshot: Snapshot | None = None) -> IncubatorFigures | None:
    snap = snapshot or current_snapshot()
    return None if snap is None else IncubatorFigures.objects.filter(snapshot=snap, incubator=incubator).first()


def city_figures(snapshot: Snapshot | None = None) -> CityFigures | None:
    snap = snapshot or current_snapshot()
    return None if snap is None else CityFigures.objects.filter(snapshot=snap).first()


def evaluation_version(policy_id: str = "", version_id: str = "") -> tuple[Policy, PolicyVersion] | None:
    """The incubator evaluation policy (``subject: incubator``) and the version the figures were evaluated with
    (by id; else its latest): gate labels, parameters and their unconfirmed marks for the pages."""
    from gaoqi.web.policies.selectors import catalogue

    for p in catalogue("incubator"):
        if policy_id and p.id != policy_id:
            continue
        version = next((v for v in p.versions if v.id == version_id), p.versions[-1])
        return p, version
    return None


def pool_policy_id(version: PolicyVersion | None) -> str:
    """The list the figures count as the cultivation pool (the evaluation's parameter ``pool_policy``)."""
    if version is None or "pool_policy" not in version.parameters:
        return ""
    return str(version.parameters["pool_policy"].value)


def incubator_enterprises(user: Any, incubator: Incubator, pool_policy: str = "") -> QuerySet[Enterprise]:
    """The enterprises the incubator counts (published ``incubator_code``) that the user may see, with
    ``pool_status`` (their result for the cultivation pool in the current snapshot) and ``on_pool_list`` (an open
    stay on that list)."""
    from gaoqi.web.programmes.models import ListMembership

    qs = enterprises_visible_to(user).filter(incubator_code=incubator.code)
    snap = current_snapshot()
    if pool_policy and snap is not None:
        result = PolicyResult.objects.of(snap).filter(enterprise=OuterRef("pk"), policy_id=pool_policy)
        stay = ListMembership.objects.filter(enterprise=OuterRef("pk"), list_id=pool_policy, left_on__isnull=True)
        qs = qs.annotate(pool_status=Subquery(result.values("status")[:1]), on_pool_list=Exists(stay))
    return qs.order_by("name", "pk")


def tutoring_given(incubator_code: str, year: int) -> int:
    """Tutoring (辅导) the body gave in ``year``, from the cultivation records (programmes: one-to-one tutoring it
    recorded and policy training sessions it organised), never typed in."""
    from gaoqi.web.programmes.models import ORG_INCUBATOR, TrainingSession, Tutoring

    tutorings = Tutoring.objects.filter(tutor_kind=ORG_INCUBATOR, incubator_code=incubator_code, held_on__year=year)
    trainings = TrainingSession.objects.filter(
        organiser_kind=ORG_INCUBATOR, incubator_code=incubator_code, held_on__year=year
    )
    return tutorings.count() + trainings.count()
