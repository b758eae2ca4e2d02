"""The opt-in applications world (ADR 0035): the review-signal patterns planted with their truth, the default world
untouched, and the signals' precision and recall on the planted truth above floors (a test that can fail)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from gaoqi.engine.signals import REVIEW_SIGNAL_KINDS
from gaoqi.synth import SynthConfig, SynthSummary, generate
from gaoqi.synth.signals_bench import negatives, planted, run_signals_benchmark, score

# A small world with many applicants, so that every pattern is planted several times.
CONFIG = SynthConfig(applications=True, application_share=0.3, chunk_size=1500)
N = 3000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return generate(tmp_path_factory.mktemp("apps") / "feeds", N, seed=11, config=CONFIG)


def test_default_world_has_no_applications_world(tmp_path: Path) -> None:
    s = generate(tmp_path, 120, seed=3)
    assert not (tmp_path / "_truth" / "signals.csv").exists()
    assert "hte_rd_project" not in {f.feed for f in s.files}
    header = (tmp_path / "hte_application_高企认定系统.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "申报代理机构" not in header


def test_every_pattern_is_planted_with_negatives(world: SynthSummary) -> None:
    with (world.out_dir / "_truth" / "signals.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    counts = Counter((r["kind"], r["expected"]) for r in rows)
    for kind in REVIEW_SIGNAL_KINDS:
        assert counts[(kind, "1")] >= 3, (kind, counts)
        assert counts[(kind, "0")] >= 2, (kind, counts)
    assert "hte_rd_project" in {f.feed for f in world.files}
    header = (world.out_dir / "hte_application_高企认定系统.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("申报代理机构")


def test_same_seed_same_applications_world(world: SynthSummary, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", N, seed=11, config=CONFIG)
    for name in ("_truth/signals.csv", "hte_rd_project_高企认定系统.csv", "hte_application_高企认定系统.csv"):
        assert (again.out_dir / name).read_bytes() == (world.out_dir / name).read_bytes(), name


def test_score_counts_true_positives() -> None:
    rows = score({"a": {"1", "2", "3", "4"}}, {"a": {"1", "2", "9"}, "b": {"5"}}, ["a", "b"])
    assert rows[0] == {"kind": "a", "planted": 4, "raised": 3, "true_positives": 2,
                       "precision": 0.6667, "recall": 0.5}  # fmt: skip
    assert rows[1]["precision"] == 0.0 and rows[1]["recall"] is None


def test_signals_precision_and_recall_on_the_planted_truth(world: SynthSummary, tmp_path: Path) -> None:
    figures = run_signals_benchmark(enterprises=N, seed=11, data_dir=world.out_dir, workspace=tmp_path / "ws")
    assert figures["applicants"] > 500
    by = {r["kind"]: r for r in figures["by_kind"]}
    assert set(by) == set(REVIEW_SIGNAL_KINDS)
    for r in by.values():
        assert r["planted"] >= 3, r
        assert r["precision"] is not None and r["precision"] >= 0.95, r
        assert r["recall"] is not None and r["recall"] >= 0.9, r
        assert r["negatives_raised"] <= 0.05 * r["negatives_planted"], r
    assert sum(len(v) for v in planted(world.out_dir).values()) == sum(r["planted"] for r in by.values())
    assert set(negatives(world.out_dir)) == set(REVIEW_SIGNAL_KINDS)
