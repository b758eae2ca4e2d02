"""``gaoqi-web load_verify JOURNAL``: every write a load test's users saw succeed is in the database (issue 17).

The locustfile appends one JSON line per acknowledged write: a saved application form (its ``seq``-th save by
that user) or a submitted score. A form is kept if the database holds that save or a later one of the same
user (a later save may have reached the database while its answer was lost); a score if the expert's score of
that application exists. Prints the counts as JSON; exits 1 when a write is missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

SAVE_MARK = re.compile(r"(\S+)-(\d+)$")


class Command(BaseCommand):
    help = "Check that every write the load test's users saw succeed is in the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("journal")

    def handle(self, *args: Any, **opts: Any) -> None:
        from gaoqi.web.certification.models import Application, Score

        records = [json.loads(line) for line in Path(opts["journal"]).read_text(encoding="utf-8").splitlines() if line]
        last_form: dict[int, tuple[str, int]] = {}
        scores: set[tuple[int, str]] = set()
        for r in records:
            if r["kind"] == "form":
                seen = last_form.get(r["application"])
                if seen is None or r["seq"] > seen[1]:
                    last_form[r["application"]] = (r["username"], int(r["seq"]))
            elif r["kind"] == "score":
                scores.add((int(r["application"]), r["username"]))
        missing: list[str] = []
        forms = dict(Application.objects.filter(pk__in=list(last_form)).values_list("pk", "form"))
        for pk, (username, seq) in sorted(last_form.items()):
            rows = (forms.get(pk) or {}).get("rd_projects") or []
            m = SAVE_MARK.search(str(rows[0].get("name", ""))) if rows else None
            if m is None or m.group(1) != username or int(m.group(2)) < seq:
                missing.append(f"form application {pk}: save {seq} of {username}, database has {rows[:1]}")
        stored = set(
            Score.objects.filter(panel__application_id__in=[a for a, _ in scores]).values_list(
                "panel__application_id", "expert__user__username"
            )
        )
        missing += [f"score application {a} by {u}" for a, u in sorted(scores - stored)]
        self.stdout.write(
            json.dumps(
                {"acknowledged_forms": len(last_form), "acknowledged_scores": len(scores), "missing": missing},
                ensure_ascii=False,
            )
        )
        if missing:
            raise CommandError(f"{len(missing)} acknowledged write(s) not in the database")
