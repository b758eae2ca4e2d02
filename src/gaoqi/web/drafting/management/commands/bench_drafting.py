"""``gaoqi-web bench_drafting --workspace WS [--as-of DATE]``: the seconds a policy draft's try takes over a
workspace's profiles (docs/benchmarks.md: "a draft tried on 2M ≤ 5 s").

The draft is the form's content rendered and loaded exactly as the platform does (``render`` +
``load_policy_text``): a new version of 东城区's HTE reward (district, certificate, first certification, a money
threshold, a 20 万元 reward), tried by ``services.try_run`` (by district and by technical field) and beside the
version in force, as ``draft_try`` runs it. Printed as JSON: seconds per part and in total, enterprises, counts."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.engine import Workspace, default_policies
from gaoqi.web.drafting import render
from gaoqi.web.drafting.services import DraftData, try_run

SPEC: dict[str, Any] = {
    "documents": ["东城区园区支持措施（2022）"],
    "parameters": [
        {"row": 0, "name": "district", "type": "text", "value": "110101", "label": "注册地区县代码"},
        {"row": 1, "name": "sales_min", "type": "money", "value": "500", "label": "上年销售收入下限（万元）"},
        {"row": 2, "name": "reward", "type": "money", "value": "20", "label": "奖励金额（万元）"},
    ],
    "conditions": [
        {"row": 0, "id": "in_dongcheng", "label": "注册在东城区", "feature": "district_code", "op": "=", "value": "",
         "param": "district", "article": "东城区园区支持措施（2022） 高新技术企业支持"},
        {"row": 1, "id": "holds_hte", "label": "持有高新技术企业证书", "feature": "has_hte_certificate", "op": "=",
         "value": "是", "param": "", "article": "东城区园区支持措施（2022） 高新技术企业支持"},
        {"row": 2, "id": "first", "label": "首次认定", "feature": "hte_prior_certificate", "op": "=", "value": "否",
         "param": "", "article": "东城区园区支持措施（2022） 高新技术企业支持"},
        {"row": 3, "id": "sales", "label": "上年销售收入达到下限", "feature": "sales_revenue_last_year", "op": ">=",
         "value": "", "param": "sales_min", "article": "东城区园区支持措施（2022） 高新技术企业支持"},
    ],
    "benefit": {"amount": "param.reward", "label": "奖励20万元"},
}  # fmt: skip


class Command(BaseCommand):
    help = "Seconds of a policy draft's try over a workspace (政策沙盘)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, type=Path)
        parser.add_argument("--as-of", default="2026-06-30")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = date.fromisoformat(options["as_of"])
        started = time.perf_counter()
        base = next(p for p in default_policies() if p.id == "dongcheng-hte-reward")
        data = DraftData("dongcheng-hte-reward", base.name, base.authority, base.document_number, base.kind, "2027",
                         date(2027, 1, 1), None, SPEC)  # fmt: skip
        rendered = render.render_version(Path(base.file).read_text(encoding="utf-8"), data.as_dict(), SPEC)
        policy, errors = render.check(rendered, "bench")
        assert policy is not None, errors
        version = next(v for v in policy.versions if v.id == "2027")
        loaded = time.perf_counter()
        with Workspace.open(options["workspace"], read_only=True) as ws:
            enterprises = ws.profile_count()
            t0 = time.perf_counter()
            draft = try_run(ws, as_of, policy, version)
            t1 = time.perf_counter()
            current = base.version_at(as_of)
            in_force = try_run(ws, as_of, base, current) if current is not None else None
            t2 = time.perf_counter()
        out = {
            "enterprises": enterprises,
            "as_of": as_of.isoformat(),
            "render_and_load_s": round(loaded - started, 3),
            "draft_try_s": round(t1 - t0, 3),
            "in_force_try_s": round(t2 - t1, 3),
            "total_s": round(t2 - started, 3),
            "draft_totals": draft["district"]["totals"],
            "draft_cost": draft["district"]["cost"],
            "in_force_totals": None if in_force is None else in_force["district"]["totals"],
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))
