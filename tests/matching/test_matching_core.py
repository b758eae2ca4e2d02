"""The framework-free matching core (gaoqi.matching): segmentation with the domain word list, the score's parts
at their boundaries, the reasons, the blocked top-k against a brute-force ranking, and the precision measured on
a small labelled synthetic set."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gaoqi.matching import (
    DEFAULT_WEIGHTS,
    Demand,
    Index,
    Supply,
    Weights,
    budget_fit,
    location_fit,
    parts,
    precision_at,
    reasons,
    recall_at,
    terms,
    words,
)
from gaoqi.synth.matching import generate


def test_the_domain_word_list_keeps_technical_terms_whole() -> None:
    assert "人工智能" in words("人工智能与集成电路融合发展")
    assert "集成电路" in words("人工智能与集成电路融合发展")
    # without the domain list jieba splits these two; with it they are one word each
    assert words("钙钛矿光伏组件") == ["钙钛矿", "光伏组件"]
    assert "质子交换膜" in words("研制质子交换膜燃料电池")
    assert "计算机视觉" in words("基于计算机视觉的目标检测")


def test_terms_drop_stop_words_punctuation_and_single_characters() -> None:
    got = terms("本产品基于深度学习技术，集成知识图谱与语音识别，适用于人工智能等场景，提供123项服务。")
    assert got == ["深度学习", "集成", "知识图谱", "语音识别", "人工智能"]
    assert terms("") == []
    assert terms("的了和，。！") == []


def test_the_default_weights_are_the_reference_s_and_sum_to_100() -> None:
    w = DEFAULT_WEIGHTS
    assert (w.field, w.keywords, w.location, w.budget, w.credit) == (40, 30, 10, 10, 10)
    assert w.total() == 100
    with pytest.raises(ValueError):
        Weights(field=-1)
    with pytest.raises(ValueError):
        Weights(keywords=math.nan)


def test_budget_fits_at_the_ceiling_not_a_cent_above_and_half_when_unknown() -> None:
    assert budget_fit(100.0, 100.0) == 1.0  # equal to the ceiling: fits
    assert budget_fit(100.01, 100.0) == 0.0
    assert budget_fit(0.0, 100.0) == 1.0
    assert budget_fit(None, 100.0) == 0.5
    assert budget_fit(50.0, None) == 0.5


def test_location_fits_the_same_district_or_a_demand_open_to_all() -> None:
    assert location_fit("110108", "110108") == 1.0
    assert location_fit("110108", "110105") == 0.0
    assert location_fit("", "110105") == 1.0


def _pair(**over: object) -> tuple[Demand, Supply]:
    d = Demand("d", "electronic_information", ["人工智能", "目标检测", "边缘计算"], "110108", 100.0)
    s = Supply("s", "electronic_information", ["目标检测", "人工智能", "芯片设计"], "110108", 80.0, True, 2)
    return d, s


def test_each_part_at_its_boundary_and_the_total() -> None:
    d, s = _pair()
    full = parts(d, s, 1.0)
    assert (full.field, full.keywords, full.location, full.budget, full.credit) == (40, 30, 10, 10, 10)
    assert full.total == 100
    none = parts(
        Demand("d", "new_energy", [], "110105", 10.0), Supply("s", "aerospace", [], "110108", 10.01, False), 0.0
    )
    assert (none.field, none.keywords, none.location, none.budget, none.credit) == (0, 0, 0, 0, 0)
    assert parts(d, s, 0.5).keywords == 15
    assert parts(d, s, 1.7).keywords == 30  # clipped
    assert parts(d, Supply("s", "x", [], "110108", None, None), 0.0).budget == 5  # price unknown: half
    assert parts(d, Supply("s", "x", [], "110108", None, None), 0.0).credit == 0  # credit unknown: nothing


def test_reasons_name_the_shared_terms_field_location_budget_credit_and_past_delivery() -> None:
    d, s = _pair()
    rs = reasons(d, s, parts(d, s, 0.6))
    kinds = [r["kind"] for r in rs]
    assert kinds == ["shared_terms", "field", "location", "budget", "credit", "past_delivery"]
    assert rs[0]["terms"] == ["人工智能", "目标检测"]  # in the demand's order
    assert rs[0]["points"] == 18.0
    assert rs[-1]["count"] == 2
    no_overlap = Supply("t", "aerospace", ["卫星遥感"], "110105", 500.0, None)
    assert reasons(d, no_overlap, parts(d, no_overlap, 0.0)) == []


def test_blocked_top_k_equals_a_brute_force_ranking() -> None:
    data = generate(30, 600, seed=3)
    ds = [Demand(str(i), x.field, terms(x.text), x.district, x.money) for i, x in enumerate(data.demands)]
    ss = [
        Supply(str(j), x.field, terms(x.text), x.district, x.money, x.credit_clean) for j, x in enumerate(data.products)
    ]
    index = Index(ss)
    ranked = index.rank(ds, k=10, block=7)  # blocks that do not divide the demands
    cos = (index.demand_matrix(ds) @ index.matrix.T).toarray()
    for i, d in enumerate(ds):
        scores = np.array([parts(d, s, float(cos[i, j])).total if cos[i, j] > 0 else -1 for j, s in enumerate(ss)])
        best = sorted(range(len(ss)), key=lambda j: (-scores[j], j))[:10]
        best = [j for j in best if scores[j] >= 0]
        assert np.allclose(ranked.scores[i], [scores[j] for j in best], atol=1e-3)  # float32 against float64
        assert set(map(int, ranked.items[i])) <= {j for j in range(len(ss)) if cos[i, j] > 0}


def test_an_item_sharing_no_term_is_never_proposed_and_an_empty_catalogue_proposes_nothing() -> None:
    d = Demand("d", "aerospace", ["卫星遥感"], "110108", 100.0)
    index = Index([Supply("s", "aerospace", ["锂离子电池"], "110108", 50.0, True)])
    assert index.rank([d]).items[0].tolist() == []
    assert Index([]).rank([d]).items[0].tolist() == []


def test_precision_at_5_and_recall_at_20_on_a_small_labelled_set() -> None:
    """Measured, not asserted from hope: 200 demands with 5 planted matches each among 5,000 products gives
    precision@5 = 0.583 and recall@20 = 0.863 (seed 14; ``gaoqi-web bench_matching`` prints the same); the
    thresholds sit just below. The text alone (weights 0/30/0/0/0) gives 0.270 and 0.710."""
    data = generate(200, 5000, seed=14)
    ds = [Demand(str(i), x.field, terms(x.text), x.district, x.money) for i, x in enumerate(data.demands)]
    ss = [
        Supply(str(j), x.field, terms(x.text), x.district, x.money, x.credit_clean) for j, x in enumerate(data.products)
    ]
    ranked = [[int(j) for j in r] for r in Index(ss).rank(ds, k=20).items]
    p5, r20 = precision_at(ranked, data.truth, 5), recall_at(ranked, data.truth, 20)
    assert p5 >= 0.57, p5
    assert r20 >= 0.85, r20
    # and far above chance (5 true among 5,000: 0.1%)
    assert p5 > 100 * 5 / 5000


def test_precision_and_recall_arithmetic() -> None:
    assert precision_at([[1, 2, 3, 4, 5]], [{1, 9}], 5) == 0.2
    assert recall_at([[1, 2, 3]], [{1, 9}], 20) == 0.5
    assert recall_at([[1]], [set()], 20) == 0.0
