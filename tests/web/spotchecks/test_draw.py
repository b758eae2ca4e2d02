"""The yearly draw over the published snapshot: the population (current HTEs of the index, certification year
from the certificate's expiry), the seed and hashes recorded, the selection stored with its inspectors, the
verify action recomputing the same, one draw per year (two officials at once: one wins), notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import Conflict, Forbidden
from gaoqi.web.spotchecks import hooks, sampling, services
from gaoqi.web.spotchecks.models import Case, CaseInspector, Draw
from gaoqi.web.spotchecks.selectors import cert_year, frozen_population
from tests.web import factories
from tests.web.conftest import CHAOYANG, HAIDIAN, race
from tests.web.spotchecks.conftest import SEED, draw


def test_certification_year_from_the_expiry() -> None:
    assert cert_year(dt.date(2027, 11, 30)) == 2024  # issued 2024-12-01
    assert cert_year(dt.date(2027, 12, 31)) == 2025  # issued 2025-01-01: the boundary
    assert cert_year(dt.date(2027, 12, 30)) == 2024  # issued 2024-12-31
    assert cert_year(None) is None


@pytest.mark.django_db
def test_the_population_is_the_current_htes_of_the_published_index(world: dict[str, Any]) -> None:
    from gaoqi.web.intake.selectors import current_snapshot

    pop = frozen_population(current_snapshot(), 2026)
    assert len(pop) == 21 + 20 + 3  # the 3 non-HTEs are not in it
    assert {m.uscc for m in pop}.isdisjoint(e.uscc for e in world["non"])
    years = {(m.district, m.cert_year) for m in pop}
    assert years == {(HAIDIAN, 2024), (HAIDIAN, 2023), (CHAOYANG, 2025)}
    assert [m.uscc for m in pop] == sorted(m.uscc for m in pop)


@pytest.mark.django_db
def test_a_draw_records_seed_hashes_strata_and_cases_with_inspectors(world: dict[str, Any]) -> None:
    d = draw(world)
    assert d.year == 2026 and d.seed == SEED and d.rules_version == "2026-1"
    usccs = sorted(e.uscc for e in world["hd"] + world["hd23"] + world["cy"])
    assert d.population == 44
    assert d.population_hash == sampling.population_hash(usccs)
    # ceil per stratum: 21 → 2, 20 → 1, 3 → 1
    assert {s["key"]: (s["size"], s["drawn"]) for s in d.strata} == {
        f"{HAIDIAN}/2024": (21, 2), f"{HAIDIAN}/2023": (20, 1), f"{CHAOYANG}/2025": (3, 1),
    }  # fmt: skip
    assert d.drawn == Case.objects.filter(draw=d).count() == 4
    assert d.groups["random"] == [44, 4] and d.groups["critical"] == [0, 0]
    for c in Case.objects.filter(draw=d).prefetch_related("assignments__inspector"):
        ins = [a.inspector for a in c.assignments.all()]
        assert len(ins) == 2 and all(i.district_code != c.district_code for i in ins)
        assert c.status == "drawn" and c.reasons == ["random"] and c.enterprise.uscc == c.uscc
    assert AuditEvent.objects.filter(action="spotchecks.draw", target=f"spotcheck_draw:{d.pk}").count() == 1


@pytest.mark.django_db
def test_verify_recomputes_the_same_selection_and_spots_a_tampered_one(world: dict[str, Any]) -> None:
    d = draw(world)
    ok = services.draw_verify(world["evaluator"], d.pk)
    assert ok.ok and ok.recomputed == 4 and ok.problems == []
    # the pool changing afterwards changes nothing: the pool was frozen with the draw
    world["pool"][4].active = False
    world["pool"][4].save()
    assert services.draw_verify(world["municipal"], d.pk).ok
    # someone swaps an inspector in the database
    a = CaseInspector.objects.filter(case__draw=d).first()
    other = next(i for i in world["pool"] if i.pk not in set(a.case.assignments.values_list("inspector_id", flat=True))
                 and i.district_code != a.case.district_code)  # fmt: skip
    CaseInspector.objects.filter(pk=a.pk).update(inspector=other)
    bad = services.draw_verify(world["municipal"], d.pk)
    assert not bad.ok and "1户的抽取原因或检查人员" in bad.problems[0]
    with pytest.raises(Forbidden):
        services.draw_verify(world["hd_official"], d.pk)


@pytest.mark.django_db
def test_the_same_seed_over_the_same_frozen_inputs_draws_the_same(world: dict[str, Any]) -> None:
    d = draw(world)
    first = {c.uscc: [a.inspector_id for a in c.assignments.order_by("position")] for c in Case.objects.filter(draw=d)}
    # the same seed a year later over the same index and pool
    d2 = services.draw_run(world["municipal"], 2027, seed=SEED)
    second = {
        c.uscc: [a.inspector_id for a in c.assignments.order_by("position")] for c in Case.objects.filter(draw=d2)
    }
    assert first == second


@pytest.mark.django_db
def test_critical_and_high_warnings_and_pilots_are_included(world: dict[str, Any], monkeypatch: Any) -> None:
    from gaoqi.web.certification.models import Application

    crit = [e.uscc for e in world["hd"][:3]]
    high = [e.uscc for e in world["hd23"][:10]]
    monkeypatch.setattr(
        hooks, "open_warnings", lambda: {**dict.fromkeys(crit, "critical"), **dict.fromkeys(high, "high")}
    )
    for e in world["cy"][:2]:  # 2 pilot certifications of 2025 (the year before the draw)
        app = factories.application("approved", code=e.uscc, route=Application.PILOT, year=2025)
        factories.certificate(code=e.uscc, issue_date=dt.date(2025, 3, 1), app=app)
    d = draw(world)
    cases = {c.uscc: c.reasons for c in Case.objects.filter(draw=d)}
    assert all("critical" in cases[u] for u in crit)
    assert d.groups["critical"] == [3, 3]
    assert d.groups["high"] == [10, 3]  # ceil(3.0)
    assert sum(1 for u in high if u in cases) >= 3
    assert d.groups["pilot"] == [2, 1]  # ceil(0.4)


@pytest.mark.django_db
def test_open_warnings_of_the_monitoring_app_are_counted(world: dict[str, Any]) -> None:
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.monitoring.models import Warning

    snap = current_snapshot()

    def warn(ent: Any, severity: str, status: str = "open", rule: str = "W08", **extra: Any) -> None:
        Warning.objects.create(**extra, enterprise=ent, district_code=ent.district_code, rule_id=rule, name="信用事件",
                               severity=severity, status=status, opened_snapshot=snap, last_seen_snapshot=snap,
                               opened_on=dt.date(2026, 11, 30), due_on=dt.date(2026, 12, 30))  # fmt: skip

    hd = world["hd"]
    warn(hd[0], "CRITICAL")
    warn(hd[0], "HIGH", rule="W02")  # CRITICAL wins
    warn(hd[1], "HIGH", "acknowledged")  # acknowledged is still open
    warn(hd[2], "HIGH", "handled", action="check", action_note="已核查")  # handled: not counted
    warn(hd[3], "WARN")  # not a counted severity
    assert hooks.open_warnings() == {hd[0].uscc: "critical", hd[1].uscc: "high"}
    d = draw(world)
    assert d.groups["critical"] == [1, 1] and d.groups["high"] == [1, 1]
    reasons = dict(Case.objects.filter(draw=d).values_list("uscc", "reasons"))
    assert "critical" in reasons[hd[0].uscc] and "high" in reasons[hd[1].uscc]


@pytest.mark.django_db
def test_one_draw_per_year_and_only_the_municipal_office_draws(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        services.draw_run(world["hd_official"], 2026)
    draw(world)
    with pytest.raises(Conflict, match="2026年度已完成抽取"):
        services.draw_run(world["municipal2"], 2026)
    assert Draw.objects.count() == 1


@pytest.mark.django_db
def test_a_draw_without_enough_inspectors_is_refused(world: dict[str, Any]) -> None:
    from gaoqi.web.spotchecks.models import Inspector

    Inspector.objects.exclude(pk=world["pool"][0].pk).update(active=False)
    with pytest.raises(Conflict, match="不足2人"):
        draw(world)


@pytest.mark.django_db
def test_the_district_officials_the_enterprise_and_the_inspectors_are_told(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Notification

    d = draw(world)
    hd_cases = Case.objects.filter(draw=d, district_code=HAIDIAN).count()
    texts = list(Notification.objects.filter(user=world["hd_official"]).values_list("text", flat=True))
    assert texts == [f"2026年度高企“双随机”抽查：海淀区抽中{hd_cases}户企业"]
    assert Notification.objects.filter(user=world["cy_official"]).count() == 1
    drawn = set(Case.objects.filter(draw=d).values_list("uscc", flat=True))
    ent_told = Notification.objects.filter(user=world["ent"]).count()
    assert ent_told == (1 if world["ent"].uscc in drawn else 0)
    n_hd_inspector = CaseInspector.objects.filter(case__draw=d, inspector__user=world["hd_inspector"]).count()
    told = Notification.objects.filter(user=world["hd_inspector"], text__startswith="您被随机选派")
    assert list(told.values_list("text", flat=True)) == ([f"您被随机选派参加2026年度高企“双随机”抽查，共{n_hd_inspector}户"]
                                                         if n_hd_inspector else [])  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_officials_drawing_at_once_one_wins(world: dict[str, Any]) -> None:
    results = race(
        lambda: services.draw_run(world["municipal"], 2026),
        lambda: services.draw_run(world["municipal2"], 2026),
    )
    kinds = sorted(k for k, _ in results)
    assert kinds == ["error", "ok"], results
    assert isinstance(next(r for k, r in results if k == "error"), Conflict)
    assert Draw.objects.count() == 1
    d = Draw.objects.get()
    assert Case.objects.filter(draw=d).count() == d.drawn == 4
    assert AuditEvent.objects.filter(action="spotchecks.draw").count() == 1
    assert services.draw_verify(world["municipal"], d.pk).ok  # the SystemRandom seed recorded reproduces it
    assert len(d.seed) >= 20 and d.seed != SEED
