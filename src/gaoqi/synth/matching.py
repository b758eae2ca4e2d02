"""A labelled synthetic set for 供需对接: demands and products written from field-and-topic word pools
(``data/matching_pools.json``) with planted true matches, to measure the matcher's precision@5 and recall@20.

Each demand is written on one topic of one technical field from four key terms of that topic. For each demand
``true_per_demand`` products are planted as its true matches: same field and topic, each sharing two or three of
the demand's key terms plus other terms of the topic, in the demand's district more often than not, priced
within its budget more often than not. Every other product (the distractors) is written on a random topic of a
random field — some of the demand's own topic, sharing terms by chance, which is what makes the task hard.
Everything is drawn from one seeded generator: the same arguments give the same set."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

DISTRICTS = ("110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "110112", "110113",
             "110114", "110115", "110116", "110117", "110118", "110119")  # fmt: skip


@cache
def pools() -> dict[str, Any]:
    text = resources.files("gaoqi.synth").joinpath("data", "matching_pools.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


@dataclass(frozen=True)
class Item:
    text: str
    field: str
    topic: str
    district: str
    money: float  # a demand's budget ceiling or a product's price (万元)
    credit_clean: bool = True


@dataclass
class LabelledSet:
    demands: list[Item] = field(default_factory=list)
    products: list[Item] = field(default_factory=list)
    truth: list[set[int]] = field(default_factory=list)  # per demand: indexes of its true products


def _fill(rng: random.Random, template: str, topic: str, terms: list[str], unit: str = "") -> str:
    generic = pools()["generic"]
    a, b, c, d = terms[:4]
    text = template.format(unit=unit, topic=topic, a=a, b=b, c=c, d=d)
    return text + "".join(rng.sample(generic, 2)) + "。"


def _product(rng: random.Random, fld: str, topic: str, terms: list[str], district: str, price: float) -> Item:
    text = _fill(rng, rng.choice(pools()["product_templates"]), topic, terms)
    return Item(text, fld, topic, district, round(price, 2), credit_clean=rng.random() > 0.05)


def generate(demands: int, products: int, *, true_per_demand: int = 5, seed: int = 14) -> LabelledSet:
    """``demands`` demands and ``products`` products in all (of which ``demands × true_per_demand`` planted
    true matches, so ``products`` must be at least that), the products shuffled."""
    if products < demands * true_per_demand:
        raise ValueError("products must be ≥ demands × true_per_demand")
    rng = random.Random(seed)
    p = pools()
    topics = [(f, t, list(ts)) for f, by_topic in p["fields"].items() for t, ts in by_topic.items()]
    out = LabelledSet()
    planted: list[tuple[int, Item]] = []
    for i in range(demands):
        fld, topic, pool = rng.choice(topics)
        key = rng.sample(pool, 4)
        district = rng.choice(DISTRICTS)
        budget = float(rng.choice((50, 100, 200, 500, 1000)))
        text = _fill(rng, rng.choice(p["demand_templates"]), topic, key, rng.choice(p["units"]))
        out.demands.append(Item(text, fld, topic, district, budget))
        for _ in range(true_per_demand):
            shared = rng.sample(key, rng.choice((2, 3)))
            others = rng.sample([t for t in pool if t not in shared], 4 - len(shared))
            terms = shared + others
            rng.shuffle(terms)
            near = district if rng.random() < 0.6 else rng.choice(DISTRICTS)
            price = budget * (rng.uniform(0.3, 1.0) if rng.random() < 0.7 else rng.uniform(1.01, 2.0))
            planted.append((i, _product(rng, fld, topic, terms, near, price)))
    rest = [
        (-1, _product(rng, fld, topic, rng.sample(pool, 4), rng.choice(DISTRICTS), rng.uniform(10, 1500)))
        for fld, topic, pool in (rng.choice(topics) for _ in range(products - len(planted)))
    ]
    everything = planted + rest
    rng.shuffle(everything)
    out.truth = [set() for _ in range(demands)]
    for j, (owner, item) in enumerate(everything):
        out.products.append(item)
        if owner >= 0:
            out.truth[owner].add(j)
    return out


@dataclass(frozen=True)
class BenchFigures:
    demands: int
    products: int
    precision_at_5: float
    recall_at_20: float
    segment_seconds: float  # all texts into terms (done once per item when it is registered)
    index_seconds: float  # TF-IDF fitted on the products
    rank_seconds: float  # every demand's top 20 among all products
    peak_mib: float  # the process's peak resident memory after the run
    segment_cpu: float = 0.0  # the same three steps in CPU seconds of this process (a shared machine's wall
    index_cpu: float = 0.0  # clock counts the other jobs too)
    rank_cpu: float = 0.0


def bench(demands: int, products: int, *, seed: int = 14, k: int = 20, block: int = 256) -> BenchFigures:
    """Generate the labelled set, segment it, index the products, rank every demand's top ``k``, and measure."""
    import resource
    import time

    from gaoqi.matching import Demand, Index, Supply, precision_at, recall_at, terms

    data = generate(demands, products, seed=seed)
    c0, t0 = time.process_time(), time.perf_counter()
    dterms = [terms(d.text) for d in data.demands]
    pterms = [terms(p.text) for p in data.products]
    c1, t1 = time.process_time(), time.perf_counter()
    index = Index([Supply(str(j), p.field, t, p.district, p.money, p.credit_clean)
                   for j, (p, t) in enumerate(zip(data.products, pterms, strict=True))])  # fmt: skip
    c2, t2 = time.process_time(), time.perf_counter()
    ranked = index.rank([Demand(str(i), d.field, t, d.district, d.money)
                         for i, (d, t) in enumerate(zip(data.demands, dterms, strict=True))], k=k, block=block)  # fmt: skip
    c3, t3 = time.process_time(), time.perf_counter()
    lists = [[int(x) for x in r] for r in ranked.items]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return BenchFigures(demands, products, precision_at(lists, data.truth, 5), recall_at(lists, data.truth, 20),
                        t1 - t0, t2 - t1, t3 - t2, peak, c1 - c0, c2 - c1, c3 - c2)  # fmt: skip
