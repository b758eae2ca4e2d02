"""Reads on enterprises, always scoped to the user: a district official sees the district's enterprises, an
enterprise user its own, an incubator operator its incubated ones, municipal officials and evaluators all.
Every page, export and API answer goes through ``enterprises_visible``; nothing else reads Enterprise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.engine.validate import lit
from gaoqi.web import roles
from gaoqi.web.core.labels import label
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.selectors import current_snapshot


def jurisdiction(user: Any, prefix: str = "") -> Q | None:
    """The enterprises a user may see, as a condition on Enterprise fields (``prefix`` for a related model,
    e.g. ``enterprise__``): an empty Q for all, None for none. One definition for every scoped query."""
    role = getattr(user, "role", None)
    if role in (roles.MUNICIPAL, roles.EVALUATOR):
        return Q()
    if role == roles.DISTRICT and user.district_code:
        return Q(**{f"{prefix}district_code": user.district_code})
    if role == roles.ENTERPRISE and user.uscc:
        return Q(**{f"{prefix}uscc": user.uscc})
    if role == roles.INCUBATOR and user.incubator_code:
        return Q(**{f"{prefix}incubator_code": user.incubator_code})
    return None


def enterprises_visible(user: Any) -> QuerySet[Enterprise]:
    scope = jurisdiction(user)
    return Enterprise.objects.none() if scope is None else Enterprise.objects.filter(scope)


@dataclass(frozen=True)
class DirectoryFilter:
    q: str = ""
    district: str = ""
    section: str = ""
    hte: str = ""  # "yes" / "no"
    size: str = ""
    above_scale: str = ""
    policy: str = ""
    policy_status: str = ""
    sort: str = "name"


SORTS = {"name": "name", "-sales": "-sales_last_year", "-staff": "-staff", "established": "established_date"}


def enterprise_search(user: Any, f: DirectoryFilter) -> QuerySet[Enterprise]:
    """The directory: search by current or former name, pinyin initials or USCC, with filters."""
    qs = enterprises_visible(user)
    q = f.q.strip()
    if q:
        if q.isascii() and q.replace(" ", "").isalnum() and len(q) >= 15:
            qs = qs.filter(uscc__startswith=q.upper())
        elif q.isascii() and q.isalpha():
            qs = qs.filter(Q(name_initials__startswith=q.lower()) | Q(uscc__startswith=q.upper()))
        else:
            qs = qs.filter(Q(name__contains=q) | Q(former_names__contains=q) | Q(uscc__startswith=q.upper()))
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.section:
        qs = qs.filter(industry_section=f.section)
    if f.hte in ("yes", "no"):
        qs = qs.filter(has_hte=f.hte == "yes")
    if f.size:
        qs = qs.filter(size=f.size)
    if f.above_scale in ("yes", "no"):
        qs = qs.filter(above_scale=f.above_scale == "yes")
    if f.policy and f.policy_status:
        snap = current_snapshot()
        ids = PolicyResult.objects.filter(snapshot=snap, policy_id=f.policy, status=f.policy_status).values(
            "enterprise_id"
        )
        qs = qs.filter(pk__in=ids)
    return qs.order_by(SORTS.get(f.sort, "name"), "pk")


def enterprise_get(user: Any, uscc: str) -> Enterprise | None:
    """One enterprise if the user may see it (None otherwise: the page answers 404, never 403, so that
    existence outside the jurisdiction is not disclosed)."""
    return enterprises_visible(user).filter(uscc=uscc).first()


def enterprise_exists(uscc: str) -> bool:
    """Whether an enterprise exists at all, whoever may see it: for the audit log only (an official asking for
    an enterprise outside the jurisdiction), never shown to the user."""
    return Enterprise.objects.filter(uscc=uscc).exists()


def results_of(enterprise: Enterprise) -> QuerySet[PolicyResult]:
    snap = current_snapshot()
    return PolicyResult.objects.filter(snapshot=snap, enterprise=enterprise).order_by("policy_id")


def mask_id_number(value: str) -> str:
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def profile_details(enterprise: Enterprise) -> dict[str, Any]:
    """Finance by year, staff, IP by class, credit events and certificates from the snapshot, with the
    source (feed, file, line) of each value."""
    from gaoqi.web.intake.selectors import snapshot_connection

    con = snapshot_connection()
    if con is None:
        return {}
    try:
        one = con.execute("SELECT * FROM profile WHERE uscc = ?", [enterprise.uscc])
        names = [d[0] for d in one.description]
        rows = one.fetchall()
        profile = dict(zip(names, rows[0], strict=True)) if rows else {}
        q = lit(enterprise.uscc)
        loads = {
            lid: (feed, fname)
            for lid, feed, fname in con.execute("SELECT load_id, feed, file_name FROM loads").fetchall()
        }

        def src(load_id: Any, line: Any) -> str:
            feed, fname = loads.get(load_id, (None, "?"))
            return f"{label('feed', feed)} · {fname} 第{line}行"

        finance = [
            {"year": fy, "sales": s, "total": t, "assets": a, "liabilities": li, "source": src(lid, ln)}
            for fy, s, t, a, li, lid, ln in con.execute(
                "SELECT fiscal_year, sales_revenue, total_revenue, total_assets, total_liabilities, _load_id, _line "
                f"FROM finance_cur WHERE uscc = {q}"
            ).fetchall()
        ]
        rd = [
            {"year": fy, "staff": st, "st_staff": sst, "rd": r, "ht": h, "source": src(lid, ln)}
            for fy, st, sst, r, h, lid, ln in con.execute(
                "SELECT fiscal_year, staff_count, st_staff_count, rd_expense, ht_revenue, _load_id, _line "
                f"FROM rd_cur WHERE uscc = {q}"
            ).fetchall()
        ]
        finance.sort(key=lambda x: x["year"])
        rd.sort(key=lambda x: x["year"])
        from gaoqi.engine.trace import ip_rows_by_feature

        as_of = profile.get("as_of")
        ip = ip_rows_by_feature(con, enterprise.uscc, as_of) if as_of else {}
        credit = [
            {"event_type": t, "decided": d, "removed": rm, "authority": au, "document": doc, "source": src(lid, ln)}
            for t, d, rm, au, doc, lid, ln in con.execute(
                "SELECT event_type, decided_date, removed_date, authority, document_number, _load_id, _line "
                f"FROM credit_cur WHERE uscc = {q}"
            ).fetchall()
        ]
        credit.sort(key=lambda x: str(x["decided"]), reverse=True)
        certs = con.execute(
            "SELECT kind, number, issue_date, expiry_date, status, tech_field, _load_id, _line FROM certificate_cur "
            f"WHERE uscc = {q} ORDER BY issue_date"
        ).fetchall()
        return {
            "profile": profile,
            "finance": finance,
            "rd": rd,
            "ip": ip,
            "credit": credit,
            "certificates": [
                {"kind": k, "number": n, "issue": i, "expiry": e, "status": s, "field": f, "source": src(lid, ln)}
                for k, n, i, e, s, f, lid, ln in certs
            ],
            "sources": {"registration": src(profile.get("registration_load_id"), profile.get("registration_line"))},
        }
    finally:
        con.close()


def explain_for(uscc: str, policy_id: str, as_of: date | None = None) -> dict[str, Any] | None:
    """The engine's explanation of one policy for one enterprise, from the current snapshot (None when there is
    no snapshot, no such enterprise or policy version, or ``as_of`` is not the snapshot's date)."""
    from gaoqi.engine.rules import explain
    from gaoqi.web.intake.selectors import snapshot_connection
    from gaoqi.web.policies.selectors import catalogue  # loaded once: parsing and checking YAML costs ~0.4 s

    snap = current_snapshot()
    con = snapshot_connection(snap)
    if con is None or snap is None:
        return None
    try:
        return explain(con, uscc, policy_id, as_of or snap.as_of, catalogue())
    except ValueError:
        return None
    finally:
        con.close()
