"""The technical-field classifier (gaoqi.ai.fields, ADR 0034): the annex as data, the synthetic corpus, the model,
its quality floors on the hand-written and synthetic held-out sets, and that it runs offline."""

from __future__ import annotations

import json
import socket
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from gaoqi.ai.fields import (
    PREDICTION_SCHEMA,
    LinearFieldClassifier,
    classify_record_batches,
    corpus_key,
    evaluate,
    load_or_train,
    load_taxonomy,
    read_labelled_csv,
)
from gaoqi.ai.fields.corpus import (
    HELDOUT_SEED,
    field_classifier,
    generate_field_corpus,
    load_field_vocabulary,
    training_corpus,
)
from gaoqi.ai.fields.model import _normalise
from gaoqi.web.certification.panels import FIELDS

HELDOUT = Path(__file__).parent / "data" / "fields_heldout.csv"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def clf(models: Path) -> LinearFieldClassifier:
    return field_classifier(models)


# -- the annex as data --------------------------------------------------------------------------------------


def test_the_annex_has_8_fields_and_52_sub_fields() -> None:
    tax = load_taxonomy()
    assert len(tax.fields) == 8
    assert [len(f.sub_fields) for f in tax.fields] == [8, 7, 2, 6, 8, 4, 8, 9]
    assert len(tax.sub_fields) == 52
    assert [f.name for f in tax.fields] == list(FIELDS)  # the platform's names
    assert tax.sub_field("1.2").name == "微电子技术"
    assert tax.sub_field("8.9").items[0].name == "乐器制造技术"
    assert tax.sub_field("5.4").items == ()  # 高技术专业化服务 has no numbered items
    codes = [s.code for s in tax.sub_fields] + [i.code for s in tax.sub_fields for i in s.items]
    assert len(codes) == len(set(codes))
    assert all(i.code.startswith(s.code + ".") for s in tax.sub_fields for i in s.items)


def test_the_fields_keys_are_the_generators() -> None:
    industries = json.loads(resources.files("gaoqi.synth").joinpath("data", "industries.json").read_text("utf-8"))
    assert [f.synth_key for f in load_taxonomy().fields] == industries["tech_fields"]


# -- the synthetic corpus -----------------------------------------------------------------------------------


def test_the_vocabulary_covers_every_sub_field() -> None:
    voc = load_field_vocabulary()
    assert set(voc.sub_fields) == {s.code for s in load_taxonomy().sub_fields}
    assert all(w.terms and w.products and w.ipc and w.scope and w.rd for w in voc.sub_fields.values())


def test_the_corpus_is_deterministic_and_noisy() -> None:
    a = generate_field_corpus(20, seed=3)
    assert a == generate_field_corpus(20, seed=3)
    assert a != generate_field_corpus(20, seed=4)
    texts, labels = a
    assert Counter(labels) == {s.code: 20 for s in load_taxonomy().sub_fields}
    lengths = [len(t) for t in texts]
    assert min(lengths) < 40 and max(lengths) > 250  # short and long texts
    assert sum("技术开发" in t or "技术咨询" in t for t in texts) > len(texts) // 4  # generic scope items


def test_the_hand_written_set_is_not_the_generators() -> None:
    docs, labels = read_labelled_csv(HELDOUT)
    assert len(docs) >= 160
    fields = Counter(c.split(".")[0] for c in labels)
    assert len(fields) == 8 and min(fields.values()) >= 20
    assert len(set(labels)) == 52
    generated = set(generate_field_corpus(300, 16)[0]) | set(generate_field_corpus(40, HELDOUT_SEED)[0])
    assert not generated & set(docs)


# -- the model ----------------------------------------------------------------------------------------------


def test_a_clear_text_is_classified_with_its_evidence(clf: LinearFieldClassifier) -> None:
    p = clf.classify(["集成电路设计；集成电路芯片设计及服务", "一种低功耗蓝牙SoC芯片；集成电路布图设计"])
    assert (p.field_code, p.field_name, p.sub_field_code, p.sub_field_name) == ("1", "电子信息", "1.2", "微电子技术")
    assert p.confidence > 0.8
    assert any("芯片" in e or "集成电路" in e for e in p.evidence[:3])
    assert len(p.alternatives) == 3 and all(a.sub_field_code != "1.2" for a in p.alternatives)
    assert p.alternatives[0].probability >= p.alternatives[1].probability >= p.alternatives[2].probability
    assert p.model_version == clf.version and p.as_dict()["sub_field_code"] == "1.2"


def test_the_fast_features_equal_the_direct_tf_idf(clf: LinearFieldClassifier) -> None:
    from scipy.sparse import hstack

    docs = generate_field_corpus(3, seed=5)[0] + ["", "技术开发。"]
    norm = [_normalise(d) for d in docs]
    direct = hstack(
        [clf._words_idf.transform(clf._words.transform(norm)), clf._chars_idf.transform(clf._chars.transform(norm))],
        format="csr",
    )
    assert abs(direct - clf._features(docs)).max() == 0


def test_training_is_cached_and_deterministic(clf: LinearFieldClassifier, models: Path) -> None:
    texts, labels = training_corpus()
    assert clf.key == corpus_key(texts, labels)
    assert (models / f"fields-{clf.key}.pkl").exists()
    again = load_or_train((texts, labels), cache_dir=models)  # loaded, not trained
    docs = generate_field_corpus(2, seed=9)[0]
    assert np.array_equal(again.probabilities(docs), clf.probabilities(docs))
    assert corpus_key(texts[:-1], labels[:-1]) != clf.key


def test_it_runs_offline(models: Path, clf: LinearFieldClassifier, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access during classification")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9))
    loaded = field_classifier(models)  # from the disk cache
    assert loaded.classify(["污水处理及其再生利用；一种MBR膜组件的清洗方法"]).field_code == "7"


def test_batches_of_arrow_records(clf: LinearFieldClassifier) -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "uscc": ["A", "B", "C"],
            "business_scope": ["光伏设备及元器件制造；太阳能发电技术服务。", None, "技术开发。"],
            "ip_titles": [None, "一种运载火箭贮箱的焊接方法；一种液氧甲烷发动机", None],
        }
    )
    out = list(classify_record_batches(clf, [batch], batch_size=2))
    assert [b.num_rows for b in out] == [2, 1]
    assert out[0].schema == PREDICTION_SCHEMA
    table = pa.Table.from_batches(out)
    assert table.column("uscc").to_pylist() == ["A", "B", "C"]
    assert table.column("field_code").to_pylist()[:2] == ["6", "3"]
    assert table.column("sub_field_code").to_pylist()[:2] == ["6.1", "3.2"]
    conf = table.column("confidence").to_pylist()
    assert all(0 < c <= 1 for c in conf) and conf[2] < conf[0]  # "技术开发" alone says little


# -- quality floors (just under what was measured; docs/benchmarks.md) -----------------------------------------


def test_quality_on_the_hand_written_held_out_set(clf: LinearFieldClassifier) -> None:
    docs, labels = read_labelled_csv(HELDOUT)
    r = evaluate(clf, docs, labels)
    assert r.n == 217
    assert r.field_accuracy >= 0.92  # measured 0.945
    assert r.field_macro_f1 >= 0.92  # measured 0.945
    assert r.sub_field_accuracy >= 0.90  # measured 0.926
    assert sum(map(sum, r.confusion)) == r.n
    assert all(s.f1 >= 0.85 for s in r.by_field)  # lowest measured 0.912
    boundary = evaluate(clf, *read_labelled_csv(HELDOUT, kind="boundary"))
    assert boundary.n == 40 and boundary.field_accuracy >= 0.72  # measured 0.775


def test_quality_on_the_synthetic_held_out_set(clf: LinearFieldClassifier) -> None:
    r = evaluate(clf, *generate_field_corpus(40, HELDOUT_SEED))
    assert r.field_accuracy >= 0.99  # measured 0.997
    assert r.sub_field_accuracy >= 0.96  # measured 0.975


# -- the commands ---------------------------------------------------------------------------------------------


def test_the_commands(
    clf: LinearFieldClassifier, models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    from gaoqi.cli import main
    from gaoqi.engine import Workspace
    from gaoqi.synth import generate

    assert main(["fields", "suggest", "--models", str(models), "光伏组件；光伏逆变器的最大功率点跟踪方法"]) == 0
    suggested = json.loads(capsys.readouterr().out)
    assert (suggested["field_name"], suggested["sub_field_code"]) == ("新能源与节能", "6.1")
    assert len(suggested["alternatives"]) == 3 and suggested["evidence"]

    generate(tmp_path / "feeds", enterprises=120, seed=3)
    with Workspace.open(tmp_path / "ws") as ws:
        ws.ingest(tmp_path / "feeds")
        ws.resolve()
        ws.checkpoint()
    out = tmp_path / "fields.parquet"
    assert main(["fields", "classify", "-w", str(tmp_path / "ws"), "--out", str(out), "--models", str(models)]) == 0
    table = pq.read_table(out)
    with Workspace.open(tmp_path / "ws", read_only=True) as ws:
        usccs = [r["uscc"] for b in ws.field_texts() for r in b.to_pylist()]
    assert table.schema == PREDICTION_SCHEMA and table.column("uscc").to_pylist() == usccs
    assert set(table.column("field_code").to_pylist()) <= {f.code for f in load_taxonomy().fields}
    assert main(["fields", "classify", "-w", str(tmp_path / "none"), "--out", str(tmp_path / "x.parquet")]) == 1
    assert not (tmp_path / "x.parquet").exists()
