"""``gaoqi-web load_setup``: the accounts and records a load test needs, on a database holding a published
snapshot (issue 17, ADR 0041). FOR LOAD TESTS ONLY: every account it makes is named ``load_…``.

- enterprise accounts linked to real enterprises of the snapshot (not HTEs), each with a certification draft
  started through the service (``application_start``: prefilled from the snapshot) for the users to fill in;
- district officials, two per district (16 districts), and municipal officials;
- experts (technical, the eight fields in turn), and applications in expert review, each with a panel of
  five load experts, for them to score. These applications are written straight into 专家评审 with their
  panel: walking each one through submission, the district's check and the draw would need a certifiable
  enterprise and its PDFs per application (that route has its own tests, tests/web/certification);
- the sample searches the officials type (four-character name fragments, pinyin initials, USCC prefixes of each
  district).

The password is read from an environment variable (``--password-env``, default GAOQI_LOAD_PASSWORD): never
written in a file of the repository. Idempotent: existing accounts are kept; the applications awaiting
scores are topped up to ``--expert-applications``, and an expert's list leaves out what it scored in an earlier
run (run it before each load run). Writes the accounts file the locustfile reads
(``--out``, JSON).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.accounts.services import user_create
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.panels import FIELDS
from gaoqi.web.core import clock
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.selectors import current_snapshot

POLICY = "hte-certification"
PANEL_SIZE = 5
PREFIX = "load_"


class Command(BaseCommand):
    help = "Prepare the load test's accounts and records on the current snapshot; write the accounts file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprises", type=int, default=150)
        parser.add_argument("--officials", type=int, default=32, help="district officials (spread over 16)")
        parser.add_argument("--municipal", type=int, default=8)
        parser.add_argument("--experts", type=int, default=20)
        parser.add_argument("--expert-applications", type=int, default=200, help="awaiting scores, at least")
        parser.add_argument("--password-env", default="GAOQI_LOAD_PASSWORD")
        parser.add_argument("--out", required=True, help="the accounts file (JSON) for the locustfile")

    def handle(self, *args: Any, **opts: Any) -> None:
        from gaoqi.web.certification.models import Score

        snap = current_snapshot()
        if snap is None:
            raise CommandError("publish a snapshot first (gaoqi-web publish --as-of …)")
        password = os.environ.get(opts["password_env"], "")
        if len(password) < 10:
            raise CommandError(f"set {opts['password_env']} to the load accounts' password (≥ 10 characters)")
        if opts["experts"] < PANEL_SIZE:
            raise CommandError(f"--experts: at least {PANEL_SIZE} (one panel)")
        districts = sorted(district_codes())
        officials = [
            self._user(f"{PREFIX}district_{i + 1:03d}", password, roles.DISTRICT, district_code=districts[i % 16])
            for i in range(opts["officials"])
        ]
        municipal = [self._user(f"{PREFIX}municipal_{i + 1:02d}", password, roles.MUNICIPAL)
                     for i in range(max(1, opts["municipal"]))]  # fmt: skip
        experts = [self._expert(i, password) for i in range(opts["experts"])]
        enterprises = self._enterprises(snap, opts["enterprises"], password)
        scoring = self._expert_applications(snap, experts, municipal[0], opts["expert_applications"])
        scored = set(Score.objects.filter(panel__application_id__in=[a for a, _ in scoring])
                     .values_list("panel__application_id", "expert_id"))  # fmt: skip
        out = {
            "snapshot": snap.pk,
            "as_of": snap.as_of.isoformat(),
            "policy": POLICY,
            "password_env": opts["password_env"],
            "enterprise": enterprises,
            "district": [{"username": u.username, "district": u.district_code} for u in officials],
            "municipal": [{"username": u.username} for u in municipal],
            "expert": [
                {
                    "username": e.user.username,
                    "applications": sorted(a for a, ids in scoring if e.pk in ids and (a, e.pk) not in scored),
                }
                for e in experts
            ],
            "searches": self._searches(districts),
            "simulations": [
                {"policy": POLICY, "param": "rd_ratio_tier1", "value": "0.04"},
                {"policy": POLICY, "param": "rd_ratio_tier1", "value": "0.05"},
            ],
        }
        Path(opts["out"]).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(
            f"load accounts ready: {len(enterprises)} enterprises, {len(officials)} district officials, "
            f"{len(municipal)} municipal, {len(experts)} experts with {len(scoring)} applications to score → "
            f"{opts['out']}"
        )

    def _user(self, username: str, password: str, role: str, **where: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(None, username=username, password=password, role=role,
                               display_name=f"负载测试{username.removeprefix(PREFIX)}", **where)  # fmt: skip
        return user

    def _expert(self, i: int, password: str) -> Any:
        from gaoqi.web.certification.models import Expert

        user = self._user(f"{PREFIX}expert_{i + 1:02d}", password, roles.EXPERT)
        # a fifth financial experts (a panel has at least one), the others technical in the fields in turn
        kind, fields = ("financial", []) if i % 5 == 4 else ("technical", [FIELDS[i % len(FIELDS)]])
        expert, _ = Expert.objects.get_or_create(user=user, defaults={"kind": kind, "fields": fields})
        return expert

    def _candidates(self, snap: Any) -> Any:
        """Enterprises of the snapshot that are not HTEs (they may apply), by USCC: a stable choice."""
        return (
            PolicyResult.objects.of(snap).filter(policy_id=POLICY, enterprise__has_hte=False)
            .order_by("enterprise__uscc")
            .values_list("enterprise__uscc", flat=True)
        )

    def _enterprises(self, snap: Any, count: int, password: str) -> list[dict[str, Any]]:
        """``count`` enterprise accounts, each with its draft (started by the service, as the user would)."""
        from gaoqi.web.certification.models import Application
        from gaoqi.web.certification.services import application_start

        taken = set(Application.objects.filter(year=clock.today().year).values_list("uscc", flat=True))
        mine = dict(User.objects.filter(username__startswith=f"{PREFIX}enterprise_").values_list("username", "uscc"))
        free = (u for u in self._candidates(snap).iterator() if u not in taken and u not in mine.values())
        out = []
        for i in range(count):
            username = f"{PREFIX}enterprise_{i + 1:04d}"
            uscc = mine.get(username) or next(free, None)
            if uscc is None:
                break
            user = self._user(username, password, roles.ENTERPRISE, uscc=uscc)
            app = Application.objects.filter(uscc=uscc, year=clock.today().year).order_by("-id").first()
            if app is None:
                app = application_start(user, as_of=snap.as_of, tech_field=FIELDS[i % len(FIELDS)])
            if app.status not in (wf.DRAFT, wf.CORRECTION):
                continue  # no longer editable (moved on by hand): its user only reads
            out.append({"username": username, "uscc": uscc, "application": app.pk})
        return out

    @transaction.atomic
    def _expert_applications(self, snap: Any, experts: list[Any], municipal: User, wanted: int) -> list[Any]:
        """Applications in 专家评审 with a panel of five load experts (round robin), topped up to ``wanted``
        awaiting scores: [(application id, expert ids)]."""
        from gaoqi.web.certification.models import Application, Panel

        waiting = list(
            Panel.objects.filter(application__status=wf.EXPERT_REVIEW, drawn_by=municipal)
            .order_by("application_id")
            .values_list("application_id", "expert_ids")
        )
        taken = set(Application.objects.filter(year=clock.today().year).values_list("uscc", flat=True))
        # from the other end of the USCC order than the enterprise accounts: the two sets stay apart
        free = (u for u in self._candidates(snap).reverse().iterator() if u not in taken)
        start = len(waiting)
        for n in range(start, wanted):
            uscc = next(free, None)
            if uscc is None:
                break
            ent = Enterprise.objects.get(uscc=uscc)
            app = Application.objects.create(
                uscc=uscc, enterprise_name=ent.name, district_code=ent.district_code, year=clock.today().year,
                tech_field=FIELDS[n % len(FIELDS)], status=wf.EXPERT_REVIEW, stage_started_at=clock.today(),
                as_of=snap.as_of, created_by=municipal, submitted_at=dt.datetime.now(dt.UTC),
            )  # fmt: skip
            ids = [experts[(n + k) % len(experts)].pk for k in range(PANEL_SIZE)]
            Panel.objects.create(application=app, seed=n, expert_ids=ids, leader_id=ids[0], drawn_by=municipal)
            waiting.append((app.pk, ids))
        return waiting

    def _searches(self, districts: list[str]) -> dict[str, list[dict[str, str]]]:
        """What each district's officials type: a name fragment, pinyin initials and a USCC prefix of a few of
        the district's enterprises."""
        out: dict[str, list[dict[str, str]]] = {}
        for code in districts:
            rows = list(
                Enterprise.objects.filter(district_code=code)
                .order_by("uscc")
                .values("uscc", "name", "name_initials")[:8]
            )
            out[code] = [
                {"name": r["name"][2:6] or r["name"], "initials": (r["name_initials"] or "bj")[:3],
                 "uscc_prefix": r["uscc"][:16], "uscc": r["uscc"]}
                for r in rows
            ]  # fmt: skip
        return out
