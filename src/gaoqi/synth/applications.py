"""The opt-in applications world (issue 16, ADR 0035): this year's HTE applications with their R&D projects, and
the review-signal patterns planted with their truth in ``_truth/signals.csv``.

``SynthConfig(applications=True)`` (``gaoqi synth --applications``) turns it on. It draws from its OWN random
streams (``[seed, 0x516A15, chunk]``), so the default world (off) is byte for byte what it was. It works through
the writers: :meth:`ApplicationsWorld.patch` edits a chunk's table of a feed before it is formatted (addresses
and phones of a cluster, the last fiscal year's R&D expense and S&T staff, the deduction base, the insured head
count, the applications with their agent), and :meth:`ApplicationsWorld.extra` writes the planted IP records and
the R&D projects after the chunk's default rows.

Planted, each with near-boundary negatives (truth rows with ``expected`` 0, so precision is not trivially 1):

* ``ip_transfer_recent``: invention patents transferred 20–365 days before submission (negatives: 400–700 days);
  the default world's own transfers of the last 800 days become own R&D (unplanted recent transfers would be
  signals without truth);
* ``transferor_many``: one IP agency (its name written in two forms) feeding 3–5 applicants (negatives: 2);
* ``rd_near_duplicate``: a project text copied to 2–3 applicants with 1–3 characters changed or two clauses
  swapped (negatives: the same frame with other technical words, Jaccard about 0.5–0.7);
* ``st_staff_above_insured``: S&T staff 1–12 above the year's highest insured count (negatives: equal);
* ``rd_vs_deduction``: R&D expense 35–150 % above the super-deduction base, or a base of 0 (negatives: 20 % and
  exactly 30 % above);
* ``shared_contact``: 5–7 applicants sharing an address, a phone or an agency (negatives: 4).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gaoqi.synth.config import AS_OF, AS_OF_ORD, I64, SynthConfig
from gaoqi.synth.files import FilePlan, Table

if TYPE_CHECKING:
    from gaoqi.synth.generate import _Ents

STREAM = 0x516A15
BATCH_YEAR = AS_OF.year
LAST_FY = BATCH_YEAR - 1
_SUBMIT_FIRST = dt.date(BATCH_YEAR, 1, 5).toordinal()

# Project texts: a frame with slots, each slot from its own word list (so unrelated projects share little).
_FRAME = (
    "本项目针对{a}中{b}的问题，研究{c}技术，采用{d}的方法，开发{e}，实现{f}，主要创新点在于{g}。"
    "项目周期{months}个月，预算{budget}万元，由{people}名研发人员承担，预期形成{out}。"
)
_PAIRED = ("c", "e", "g")  # slots filled with two words (squared variety: unrelated texts rarely agree)
_OUTPUTS = (
    "发明专利2项",
    "发明专利3项",
    "软件著作权4项",
    "发明专利1项和实用新型专利2项",
    "技术标准1项",
    "软件著作权2项",
)
_SLOTS: dict[str, tuple[str, ...]] = {
    "a": ("工业互联网平台", "城市轨道交通", "新能源汽车电驱系统", "生物医药研发", "智慧医疗影像", "锂电池储能电站",
          "半导体封装测试", "农业病虫害监测", "环境水质在线监测", "金融风控系统", "卫星遥感数据处理", "智能制造产线",
          "建筑能耗管理", "冷链物流追溯", "光伏组件生产", "无人机巡检", "中药材质量检测", "网络安全态势感知"),
    "b": ("数据采集延迟高", "多源异构数据难以融合", "设备故障难以预测", "检测精度不足", "能耗偏高", "人工成本高",
          "系统响应慢", "模型泛化能力弱", "安全防护薄弱", "样本标注成本高", "生产良率波动", "运维效率低"),
    "c": ("深度卷积神经网络", "联邦学习", "边缘计算", "高通量测序", "数字孪生", "微服务架构", "知识图谱",
          "多传感器融合", "低功耗无线通信", "纳米材料改性", "区块链存证", "强化学习调度", "计算机视觉",
          "自然语言处理", "固态电解质", "精密运动控制"),
    "d": ("分层特征提取与注意力机制相结合", "云边协同的分布式计算", "基于规则与统计混合建模", "小样本迁移学习",
          "多目标优化求解", "实时流式处理", "有限元仿真与实验验证结合", "模块化硬件设计", "自适应滤波"),
    "e": ("智能诊断软件系统", "在线监测终端", "数据中台", "专用芯片模组", "自动化检测装备", "移动端管理平台",
          "高性能电极材料", "预测性维护系统", "可视化分析工具", "嵌入式控制器"),
    "f": ("检测准确率提升至百分之九十五以上", "处理时延降低一半", "能耗下降百分之二十", "运维成本降低三成",
          "产品良率提高五个百分点", "故障预警提前七十二小时", "数据处理能力提升十倍", "人工巡检工作量减少八成"),
    "g": ("提出一种轻量化模型压缩算法", "设计了自适应阈值调整机制", "构建了行业专用知识库", "实现了多协议统一接入",
          "形成了完整的工艺参数体系", "开发了端到端的自动标注流程", "建立了设备健康度评价模型", "实现了跨平台部署"),
}  # fmt: skip
_SWAP_CHARS = "高低新旧快慢大小强弱上下内外前后多少"


@dataclass
class _Applicant:
    uscc: str
    name: str
    submitted: int
    agent: str = ""
    address: str | None = None
    phone: str | None = None
    st_role: str = ""  # "pos" | "neg" | ""
    ded_role: str = ""  # "pos" | "zero" | "neg20" | "neg30" | ""
    projects: list[str] = field(default_factory=list)


class ApplicationsWorld:
    """The planted applications of one generation run (see the module)."""

    def __init__(self, seed: int, cfg: SynthConfig, truth_dir: Path) -> None:
        self.seed = seed
        self.cfg = cfg
        self._fh = (truth_dir / "signals.csv").open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh, lineterminator="\n")
        self._csv.writerow(["uscc", "kind", "expected", "detail"])
        self.apps: dict[str, _Applicant] = {}
        self.ip_rows: list[tuple[str, str, str, int, int, str, int, str]] = []
        self.base: dict[str, float] = {}  # uscc → the planted deduction base (the finance patch)
        self.st: dict[str, tuple[float, int]] = {}  # uscc → (S&T staff written, insured head count wanted)
        self.agencies = 0
        self.serial = 0
        self.rng = np.random.default_rng([seed, STREAM])

    def truth(self, uscc: str, kind: str, expected: bool, detail: str) -> None:
        self._csv.writerow([uscc, kind, int(expected), detail])

    def close(self) -> None:
        self._fh.close()

    # -- the plan of a chunk ------------------------------------------------------------------------
    def plan_chunk(self, c: int, e: _Ents) -> None:
        rng = np.random.default_rng([self.seed, STREAM, c])
        self.rng = rng
        self.apps = {}
        self.ip_rows = []
        self.base, self.st = {}, {}
        live = (~e.dead) & (e.est <= AS_OF_ORD - 400)
        chosen = np.nonzero(live & (rng.random(e.n) < self.cfg.application_share))[0].tolist()
        order = rng.permutation(len(chosen)).tolist()
        idx = [chosen[k] for k in order]
        for i in idx:
            u = e.uscc[i]
            self.apps[u] = _Applicant(
                u, e.names[i][-1].render(), _SUBMIT_FIRST + int(rng.integers(0, AS_OF_ORD - _SUBMIT_FIRST))
            )
        usccs = [e.uscc[i] for i in idx]
        pos = 0

        def take(k: int) -> list[str]:
            nonlocal pos
            out = usccs[pos : pos + k]
            pos += k
            return out if len(out) == k else []

        n = len(usccs)
        # contacts: clusters of 5–7 (planted) and 4 (negatives), each of address / phone / agent
        for what in ("address", "phone", "agent"):
            for _ in range(max(1, round(n * 0.012 / 6))):
                self._cluster(what, take(int(rng.integers(5, 8))), True)
            for _ in range(max(1, round(n * 0.008 / 4))):
                self._cluster(what, take(4), False)
        # the rest of the applicants: 40 % with a small agency (at most three applicants each)
        small: list[str] = []
        for u in usccs[pos:]:
            if rng.random() < 0.4:
                small.append(u)
        for k in range(0, len(small), 3):
            name = self._agency()
            for u in small[k : k + 3]:
                self.apps[u].agent = name
        # the other patterns draw over every applicant again (a cluster member may carry several)
        for u in usccs:
            a = self.apps[u]
            r = rng.random()
            if r < 0.05:
                a.st_role = "pos"
            elif r < 0.08:
                a.st_role = "neg"
            r = rng.random()
            if r < 0.04:
                a.ded_role = "pos"
            elif r < 0.05:
                a.ded_role = "zero"
            elif r < 0.07:
                a.ded_role = "neg20"
            elif r < 0.08:
                a.ded_role = "neg30"
            elif r < 0.85:
                a.ded_role = "normal"
            r = rng.random()
            if r < 0.06:
                self._ip(a, int(rng.integers(20, 366)), "", "recent")
            elif r < 0.10:
                self._ip(a, int(rng.integers(400, 701)), "", "old")
        # transferors feeding 3–5 applicants (planted) or 2 (negatives)
        perm = [usccs[k] for k in rng.permutation(n).tolist()]
        p2 = 0
        for size, planted, count in ((3, True, max(1, round(n * 0.02 / 4))), (2, False, max(1, round(n * 0.01 / 2)))):
            for _ in range(count):
                k = size + (int(rng.integers(0, 3)) if planted else 0)
                group = perm[p2 : p2 + k]
                p2 += k
                if len(group) < k:
                    break
                self._broker(group, planted)
        # R&D projects: 2–4 own texts each; copies and similar-but-distinct texts planted
        for u in usccs:
            self.apps[u].projects = [self._text() for _ in range(int(rng.integers(2, 5)))]
        perm = [usccs[k] for k in rng.permutation(n).tolist()]
        p3 = 0
        for _ in range(max(1, round(n * 0.03 / 2.5))):
            k = int(rng.integers(2, 4))
            group = perm[p3 : p3 + k]
            p3 += k
            if len(group) < k:
                break
            self._copies(group)
        for _ in range(max(1, round(n * 0.03 / 2))):
            group = perm[p3 : p3 + 2]
            p3 += 2
            if len(group) < 2:
                break
            self._similar(group)

    def _agency(self) -> str:
        self.agencies += 1
        word = _SLOTS["a"][self.agencies % len(_SLOTS["a"])][:2]
        return f"北京{word}汇{self.agencies:05d}企业管理咨询有限公司"

    def _cluster(self, what: str, members: list[str], planted: bool) -> None:
        if not members:
            return
        rng = self.rng
        if what == "address":
            value = f"北京市海淀区中关村大街{int(rng.integers(1, 400))}号创业大厦{int(rng.integers(1, 30))}层{int(rng.integers(1, 99)):02d}室"
            for j, u in enumerate(members):  # written a little differently: the normaliser makes them one
                self.apps[u].address = value if j % 2 == 0 else value.removeprefix("北京市").replace("号", "号 ")
        elif what == "phone":
            x = int(rng.integers(0, 10_000_000))
            value = f"010-8{x:07d}"
            for j, u in enumerate(members):
                self.apps[u].phone = value if j % 2 == 0 else value.replace("-", "")
        else:
            name = self._agency()
            value = name
            bracket = name.replace("北京", "", 1).replace("企业管理咨询", "（北京）企业管理咨询")
            for j, u in enumerate(members):
                self.apps[u].agent = name if j % 2 == 0 else bracket
        for u in members:
            self.truth(u, "shared_contact", planted, f"{what}: {len(members)} applicants share {value}")

    def _ip(self, a: _Applicant, days: int, transferor: str, role: str) -> None:
        acquired = a.submitted - days
        grant = acquired - int(self.rng.integers(30, 900))
        self.ip_rows.append((a.uscc, a.name, "invention_patent", grant - 700, grant, "transfer", acquired, transferor))
        if role in ("recent", "old"):
            self.truth(
                a.uscc, "ip_transfer_recent", role == "recent", f"invention patent transferred {days} days before"
            )

    def _broker(self, group: list[str], planted: bool) -> None:
        self.serial += 1
        word = _SLOTS["c"][self.serial % len(_SLOTS["c"])][:2]
        name = f"北京{word}智{self.serial:04d}知识产权运营有限公司"
        other = f"{word}智{self.serial:04d}知识产权运营（北京）有限公司"
        for j, u in enumerate(group):
            a = self.apps[u]
            for _ in range(int(self.rng.integers(1, 3))):
                self._ip(a, int(self.rng.integers(400, 900)), name if j % 2 == 0 else other, "broker")
            self.truth(u, "transferor_many", planted, f"transferor {name} feeds {len(group)} applicants")

    def _text(self, **fixed: str) -> str:
        rng = self.rng
        words: dict[str, str] = {}
        for k, v in _SLOTS.items():
            if k in fixed:
                words[k] = fixed[k]
            elif k in _PAIRED:
                i, j = rng.choice(len(v), size=2, replace=False).tolist()
                words[k] = f"{v[i]}与{v[j]}"
            else:
                words[k] = v[int(rng.integers(0, len(v)))]
        words.update(months=str(int(rng.integers(12, 37))), budget=str(int(rng.integers(50, 900))),
                     people=str(int(rng.integers(3, 40))), out=_OUTPUTS[int(rng.integers(0, len(_OUTPUTS)))])  # fmt: skip
        return _FRAME.format(**words)

    def _copies(self, group: list[str]) -> None:
        rng = self.rng
        source = self._text()
        for u in group:
            text = source
            if rng.random() < 0.5:  # characters changed
                chars = list(text)
                for _ in range(int(rng.integers(1, 4))):
                    k = int(rng.integers(0, len(chars)))
                    chars[k] = _SWAP_CHARS[int(rng.integers(0, len(_SWAP_CHARS)))]
                text = "".join(chars)
            else:  # two clauses swapped
                parts = text.rstrip("。").split("，")
                j = int(rng.integers(1, len(parts) - 1))
                parts[j], parts[j + 1] = parts[j + 1], parts[j]
                text = "，".join(parts) + "。"
            a = self.apps[u]
            a.projects[0] = text
            self.truth(u, "rd_near_duplicate", True, f"project RD01 copied among {len(group)} applicants")

    def _similar(self, group: list[str]) -> None:
        keep = {k: _SLOTS[k][int(self.rng.integers(0, len(_SLOTS[k])))] for k in ("a", "b", "d")}
        for u in group:
            self.apps[u].projects[0] = self._text(**keep)
            self.truth(u, "rd_near_duplicate", False, "project RD01 shares its field and method with another")

    # -- patches of the default tables -----------------------------------------------------------------
    def patch(self, plan: FilePlan, table: Table) -> Table:
        feed = plan.feed
        if feed == "registration":
            return self._patch_registration(table)
        if feed == "finance":
            return self._patch_finance(table)
        if feed == "rd":
            return self._patch_rd(table)
        if feed == "social_insurance":
            return self._patch_si(table)
        if feed == "ip":
            return self._patch_ip(table)
        if feed == "hte_application":
            return self._patch_applications(table)
        return table

    def _rows_of(self, table: Table, year_col: str | None = None, year: int = LAST_FY) -> list[tuple[int, str]]:
        us: list[str] = table.cols["uscc"]  # type: ignore[assignment]
        years = None if year_col is None else table.cols[year_col]
        return [(k, u) for k, u in enumerate(us) if u in self.apps and (years is None or int(years[k]) == year)]

    def _patch_registration(self, table: Table) -> Table:
        addr = list(table.cols["address"])
        phone = list(table.cols["phone"])
        for k, u in self._rows_of(table):
            a = self.apps[u]
            if a.address is not None:
                addr[k] = a.address
            if a.phone is not None:
                phone[k] = a.phone
        return Table(table.n, {**table.cols, "address": addr, "phone": phone})

    def _patch_finance(self, table: Table) -> Table:
        base = np.full(table.n, np.nan)
        for k, u in self._rows_of(table, "fiscal_year"):
            a = self.apps[u]
            if not a.ded_role:
                continue
            b = 0.0 if a.ded_role == "zero" else float(round(float(self.rng.uniform(20, 3000))))
            base[k] = b
            self.base[u] = b
        return Table(table.n, {**table.cols, "rd_deduction_base": base})

    def _patch_rd(self, table: Table) -> Table:
        rd = np.array(table.cols["rd_expense"], dtype=np.float64)
        dom = np.array(table.cols["rd_expense_domestic"], dtype=np.float64)
        st = np.array(table.cols["st_staff_count"], dtype=np.float64)
        staff = np.array(table.cols["staff_count"], dtype=np.float64)
        for k, u in self._rows_of(table, "fiscal_year"):
            a = self.apps[u]
            b = self.base.get(u)
            if b is not None:
                factor = {"pos": float(self.rng.uniform(1.35, 2.5)), "neg20": 1.2, "neg30": 1.3, "zero": 1.0}.get(
                    a.ded_role, float(self.rng.uniform(0.85, 1.05))
                )
                value = round(float(self.rng.uniform(50, 800)), 2) if a.ded_role == "zero" else round(b * factor, 2)
                rd[k] = value
                if not math.isnan(dom[k]):
                    dom[k] = min(dom[k], value)
                if a.ded_role != "normal":
                    self.truth(u, "rd_vs_deduction", a.ded_role in ("pos", "zero"),
                               f"rd_expense {value:.2f} vs deduction base {b:.2f}")  # fmt: skip
            s = st[k]
            if math.isnan(s):
                continue
            if a.st_role:
                insured = max(5, math.ceil(s))
                s = float(insured + int(self.rng.integers(1, 13))) if a.st_role == "pos" else float(insured)
                st[k] = s
                staff[k] = max(staff[k] if not math.isnan(staff[k]) else 0.0, s * 2)
                self.st[u] = (s, insured)
            else:
                self.st[u] = (s, -1)
        return Table(
            table.n,
            {**table.cols, "rd_expense": rd, "rd_expense_domestic": dom, "st_staff_count": st, "staff_count": staff},
        )

    def _patch_si(self, table: Table) -> Table:
        counts = np.array(table.cols["insured_count"], dtype=np.int64)
        months: I64 = table.cols["period"]  # type: ignore[assignment]
        rows: dict[str, list[int]] = {}
        for k, u in self._rows_of(table):
            if int(months[k]) // 12 == LAST_FY and u in self.st:
                rows.setdefault(u, []).append(k)
        for u, ks in rows.items():
            s, insured = self.st[u]
            if insured >= 0:  # planted (or its negative): every month of the year at the wanted head count
                counts[ks] = insured
                role = self.apps[u].st_role
                self.truth(u, "st_staff_above_insured", role == "pos", f"st_staff {s:g} vs insured max {insured}")
            elif counts[ks].max() < s:  # an unplanted applicant never shows the pattern by chance
                counts[ks[0]] = math.ceil(s)
        return Table(table.n, {**table.cols, "insured_count": counts})

    def _patch_ip(self, table: Table) -> Table:
        """The default world's transfers of the last 800 days become own R&D (see the module); the planted rows
        (they carry transferor_name) are left as they are."""
        if "transferor_name" in table.cols:
            return table
        acq = list(table.cols["acquisition"])
        dates = np.array(table.cols["acquired_date"], dtype=np.int64)
        for k, kind in enumerate(acq):
            if kind != "original" and dates[k] > AS_OF_ORD - 800:
                acq[k] = "original"
                dates[k] = 0
        return Table(table.n, {**table.cols, "acquisition": acq, "acquired_date": dates})

    def _patch_applications(self, table: Table) -> Table:
        us: list[str] = table.cols["uscc"]  # type: ignore[assignment]
        years = table.cols["batch_year"]
        keep = [k for k in range(table.n) if not (us[k] in self.apps and int(years[k]) == BATCH_YEAR)]
        mine = sorted(self.apps.values(), key=lambda a: a.uscc)
        cols: dict[str, Any] = {
            "uscc": [us[k] for k in keep] + [a.uscc for a in mine],
            "batch_year": np.concatenate([np.asarray(years)[keep], np.full(len(mine), BATCH_YEAR)]).astype(np.int64),
            "submitted_date": np.concatenate(
                [np.asarray(table.cols["submitted_date"])[keep], np.array([a.submitted for a in mine])]
            ).astype(np.int64),
            "status": [table.cols["status"][k] for k in keep] + ["in_review"] * len(mine),
            "agent_name": [""] * len(keep) + [a.agent for a in mine],
        }
        return Table(len(keep) + len(mine), cols)

    # -- the chunk's own rows ---------------------------------------------------------------------------
    def ip_table(self, number: Any) -> Table:
        rows = self.ip_rows
        return Table(
            len(rows),
            {
                "ip_number": [number(0, r[3], r[4]) for r in rows],
                "ip_type": [r[2] for r in rows],
                "title": [
                    "一种基于" + _SLOTS["c"][k % len(_SLOTS["c"])] + "的" + _SLOTS["e"][k % len(_SLOTS["e"])]
                    for k in range(len(rows))
                ],
                "holder_name": [r[1] for r in rows],
                "holder_uscc": [r[0] for r in rows],
                "application_date": np.array([r[3] for r in rows], dtype=np.int64),
                "grant_date": np.array([r[4] for r in rows], dtype=np.int64),
                "status": ["valid"] * len(rows),
                "acquisition": [r[5] for r in rows],
                "acquired_date": np.array([r[6] for r in rows], dtype=np.int64),
                "transferor_name": [r[7] for r in rows],
            },
        )

    def project_table(self) -> Table:
        rows = [
            (a.uscc, j, t) for a in sorted(self.apps.values(), key=lambda a: a.uscc) for j, t in enumerate(a.projects)
        ]
        return Table(
            len(rows),
            {
                "uscc": [r[0] for r in rows],
                "batch_year": np.full(len(rows), BATCH_YEAR, dtype=np.int64),
                "project_code": [f"RD{r[1] + 1:02d}" for r in rows],
                "project_name": [r[2][5 : 5 + 12] for r in rows],
                "project_text": [r[2] for r in rows],
            },
        )
