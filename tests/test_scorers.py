"""Learned quality scorers (classifier.models): ONNX models built here (tests/onnx_models.py)
scored batched in the pipeline and checked against direct onnxruntime calls; the threshold
and bucket rules; broken models stopping the run before any work; duplicate-cluster sizes
and rehydration in the mixture."""
import collections
import math
import os

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from helpers import SAMPLE, RunOutput, run_zhpile, write_config  # noqa: E402
from onnx_models import direct_scores, write_model, write_scorer  # noqa: E402
from zhpile.filters.scorers import ScorerError, ScorerSpec, bucket_of, cut_points, load_scorer  # noqa: E402

TEXTS = ["今天天气很好，我们去公园散步。", "", "abc 数据 123", "长" * 5000, "机器学习是人工智能的一个分支。" * 30, "ü ñ 😀"]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("classes", [1, 2, 6])
def test_batched_onnx_scores_equal_direct_onnxruntime_calls(tmp_path, classes):
    """Regression (1 output), binary (class 1's probability), graded (expected class):
    a batch with padding gives each text the score of its own unpadded call."""
    model = write_scorer(str(tmp_path / "m"), classes=classes, seed=classes)
    scorer = load_scorer(ScorerSpec("s", model, "onnx", max_tokens=64, batch_size=4))
    got = np.array(scorer.score(TEXTS))
    logits = direct_scores(model, TEXTS, max_tokens=64)
    if classes == 1:
        want = logits[:, 0]
    elif classes == 2:
        want = _softmax(logits)[:, 1]
    else:
        want = _softmax(logits) @ np.arange(classes)
    assert np.allclose(got, want, atol=1e-6), (got, want)
    assert len(set(np.round(got, 4))) > 3  # the texts are told apart


@pytest.mark.parametrize("broken, message", [
    ("missing", "no model.onnx"),
    ("corrupt", "cannot load"),
    ("input names", "takes inputs"),
    ("vocabulary", "fails on the tokenizer's ids"),
    ("label", "not a class index"),
])
def test_a_broken_model_stops_the_run_before_any_work(tmp_path, capsys, broken, message):
    model = str(tmp_path / "m")
    write_scorer(model)
    label = ""
    if broken == "missing":
        os.remove(os.path.join(model, "model.onnx"))
    elif broken == "corrupt":
        with open(os.path.join(model, "model.onnx"), "wb") as f:
            f.write(os.urandom(5000))
    elif broken == "input names":
        write_model(os.path.join(model, "model.onnx"), 21_000, inputs=("token_ids", "attention_mask"))
    elif broken == "vocabulary":  # an embedding of 100 rows behind a 21,000-id tokenizer
        write_model(os.path.join(model, "model.onnx"), 100)
    else:
        label = ", label: 5"
    config = write_config(tmp_path, f"""
sources:
  - {{name: cc, format: warc, paths: ["{SAMPLE}/cc/*.warc.gz"]}}
classifier: {{models: [{{name: edu, path: m, kind: onnx{label}}}]}}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zhpile: error: classifier.models[0]: edu:") and message in err[0], err
    assert not os.path.exists(tmp_path / "out" / "clean")


def _scored_run(tmp_path, classifier: str, mixture: str = "") -> RunOutput:
    write_scorer(str(tmp_path / "edu"), seed=1)
    write_scorer(str(tmp_path / "fluent"), classes=1, seed=2)
    config = write_config(tmp_path, f"""
sources:
  - {{name: cc, format: warc, paths: ["{SAMPLE}/cc/*.warc.gz"]}}
  - {{name: wiki, format: jsonl, paths: ["{SAMPLE}/wiki/*.jsonl"]}}
classifier: {classifier}
{mixture}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    return RunOutput(str(tmp_path / "out"))


def _unchanged_after_scoring(row) -> bool:
    return not any((row["pii"] or {}).values())  # PII redaction is the one later change of the text


def test_threshold_rule_with_two_scorers_on_warc_and_jsonl(tmp_path):
    """Every clean row holds both scores, equal to a direct call on its text; a row is
    dropped exactly when a scorer with a threshold scores it below it."""
    run = _scored_run(tmp_path, """
  mode: threshold
  models:
    - {name: edu, path: edu, kind: onnx, threshold: 0.73, batch_size: 3}
    - {name: fluent, path: fluent, kind: onnx}
""")
    clean = run.all_clean()
    dropped = [r for r in run.rejected if r["reason"] == "quality_score"]
    assert clean and dropped
    checked = [r for r in clean if _unchanged_after_scoring(r)]
    assert len(checked) >= 3
    edu = _softmax(direct_scores(str(tmp_path / "edu"), [r["text"] for r in checked]))[:, 1]
    fluent = direct_scores(str(tmp_path / "fluent"), [r["text"] for r in checked])[:, 0]
    for row, e, f in zip(checked, edu, fluent):
        scores = {s["name"]: s["score"] for s in row["quality_scores"]}
        assert scores == {"edu": round(float(e), 4), "fluent": round(float(f), 4)}
        assert row["quality_score"] == scores["edu"] and row["quality_bucket"] is None
    assert all({s["name"]: s["score"] for s in r["quality_scores"]}["edu"] >= 0.73 for r in clean)
    for row in dropped:
        assert row["stage"] == "classifier" and "quality_scores.edu=" in row["detail"]
        assert {s["name"]: s["score"] for s in row["quality_scores"]}["edu"] < 0.73
    summary = run.report["scorers"]
    assert summary["edu"]["documents"] == summary["fluent"]["documents"] == len(clean) + len(dropped)
    assert summary["edu"]["clean"] == len(clean)
    assert "## Learned quality scorers" in open(os.path.join(run.root, "report", "report.md"), encoding="utf-8").read()


def test_bucket_rule_cuts_each_scorer_over_the_corpus_and_keeps_the_highest(tmp_path):
    run = _scored_run(tmp_path, """
  mode: buckets
  buckets: 4
  min_bucket: 2
  models:
    - {name: edu, path: edu, kind: onnx}
    - {name: fluent, path: fluent, kind: onnx}
""")
    clean = run.all_clean()
    dropped = [r for r in run.rejected if r["reason"] == "quality_bucket"]
    scored = clean + dropped
    assert clean and dropped
    for name in ("edu", "fluent"):
        counts = collections.Counter(s["score"] for r in scored for s in r["quality_scores"] if s["name"] == name)
        cuts = cut_points(counts.items(), 4)
        for row in scored:
            entry = next(s for s in row["quality_scores"] if s["name"] == name)
            assert entry["bucket"] == bucket_of(entry["score"], cuts)
        buckets = collections.Counter(next(s["bucket"] for s in r["quality_scores"] if s["name"] == name) for r in scored)
        assert max(buckets.values()) <= math.ceil(len(scored) / 4) + 1  # equal-count buckets
    for row in scored:
        assert row["quality_bucket"] == max(s["bucket"] for s in row["quality_scores"])
    assert all(r["quality_bucket"] >= 2 for r in clean) and all(r["quality_bucket"] < 2 for r in dropped)
    table = run.report["quality_buckets"]
    assert sum(v["clean"] for v in table.values()) == len(clean)
    assert sum(v["rejected"] for v in table.values()) == len(dropped)


def test_cut_points_give_equal_count_buckets_and_ties_share_one():
    counts = [(i / 100, 1) for i in range(100)]
    cuts = cut_points(counts, 20)
    assert [bucket_of(i / 100, cuts) for i in range(100)] == [i // 5 for i in range(100)]
    assert cut_points([(0.3, 7), (0.3, 3)], 5) == [] and bucket_of(0.3, []) == 0
    # Summed in any order (any bundle split), the same cuts.
    assert cut_points(list(reversed(counts)), 20) == cuts


def test_fasttext_scorer_graded_labels_give_the_expected_value(tmp_path):
    from zhpile.filters.classifier import segment

    import fasttext

    lines = [f"__label__{g} {segment(t)}" for g, t in [(0, "赌博 彩票 注册 送 金"), (5, "光合作用 是 植物 利用 光能 的 过程")] * 50]
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = fasttext.train_supervised(str(tmp_path / "train.txt"), epoch=20, thread=1, seed=0, verbose=0)
    model.save_model(str(tmp_path / "graded.bin"))
    scorer = load_scorer(ScorerSpec("graded", str(tmp_path / "graded.bin"), "fasttext"))
    low, high = scorer.score(["赌博彩票注册送金", "光合作用是植物利用光能的过程"])
    assert 0 <= low < 1.5 and 3.5 < high <= 5
    with pytest.raises(ScorerError, match="not one of the model's"):
        load_scorer(ScorerSpec("graded", str(tmp_path / "graded.bin"), "fasttext", label="curated"))


def test_dup_cluster_size_counts_every_copy_and_rehydration_multiplies_rows(tmp_path):
    """Each clean document's cluster size is 1 + the duplicates dropped in its favour (their
    rejection names it); the mixture writes epochs x the rehydrate table's copies of it."""
    config = write_config(tmp_path, f"""
sources:
  - {{name: cc, format: warc, paths: ["{SAMPLE}/cc/*.warc.gz"]}}
  - {{name: wiki, format: jsonl, paths: ["{SAMPLE}/wiki/*.jsonl"]}}
mixture:
  cc: {{epochs: 1, rehydrate: {{1: 1, 2: 3, 5: 5}}}}
  wiki: {{epochs: 2}}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    favoured = collections.Counter(r["detail"].rsplit(" ", 1)[1] for r in run.rejected if r["reason"] in ("dup_exact", "dup_near"))
    clean = run.all_clean()
    assert sum(favoured.values()) >= 3 and any(r["dup_cluster_size"] > 1 for r in clean)
    for row in clean:
        assert row["dup_cluster_size"] == 1 + favoured.get(row["id"], 0)
    rows = collections.Counter(r["id"] for r in run.mixture)
    for row in clean:
        copies = 2 if row["source"] == "wiki" else {1: 1, 2: 3, 3: 3, 4: 3}.get(row["dup_cluster_size"], 5)
        assert rows[row["id"]] == copies, row["id"]
    table = {r["component"]: r for r in run.report["mixture_table"]}
    assert all(table[k]["rehydration"] >= 1 for k in table if k.startswith("cc"))
    assert sum(v["docs"] for v in run.report["dedup"]["clean_by_cluster_size"].values()) == len(clean)


def test_train_quality_distils_graded_labels_through_beam(tmp_path, capsys):
    """LLM-style 0-5 scores in a JSONL file -> a fastText scorer (its evaluation beside it),
    which the pipeline then runs as a `fasttext` scorer whose score is the expected grade."""
    import json
    import random

    from test_quality import ZH

    rng = random.Random(0)
    paragraphs = [p for _t, pars in ZH.values() for p in pars]
    vocab = sorted({p[i:i + 2] for p in paragraphs for i in range(0, 40, 2)})
    rows = []
    for i in range(600):
        if i % 2:
            rows.append({"text": "".join(rng.sample(paragraphs, 3)), "score": rng.choice([4, 5, 4.6])})
        else:
            rows.append({"text": " | ".join(rng.choice(vocab) + rng.choice(vocab) for _ in range(40)), "score": rng.choice([0, 1, 0.4])})
    rows += [{"text": "", "score": 3}, {"text": "没有分数"}, {"score": 2}]
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n",
                                           encoding="utf-8")
    model = tmp_path / "graded.bin"
    assert run_zhpile("train-quality", "--labels", tmp_path / "labels.jsonl", "--label-field", "score",
                      "--output", model, "--epoch", "5") == 0
    report = json.loads((tmp_path / "graded.bin.eval.json").read_text(encoding="utf-8"))
    held = report["held_out"]
    assert held["graded"] and held["documents"] > 30 and held["pearson"] > 0.9
    # Within each side the grades are drawn at random: the sides, not the grades, are learnable.
    side = {"__label__0": 0, "__label__1": 0, "__label__4": 1, "__label__5": 1}
    right = sum(n for t, row in held["confusion"].items() for p, n in row.items() if side[t] == side[p])
    assert right >= 0.95 * held["documents"]
    assert sum(report["rejected"].values()) == 4  # no text, no score, no text, not JSON
    assert sum(n for split in report["lines"].values() for n in split.values()) == 600
    assert "Pearson" in capsys.readouterr().out

    config = write_config(tmp_path, f"""
sources:
  - {{name: cc, format: warc, paths: ["{SAMPLE}/cc/*.warc.gz"]}}
classifier: {{models: [{{name: grade, path: graded.bin, kind: fasttext, threshold: 2.5}}], mode: threshold}}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    assert run.clean["cc"] and all(2.5 <= r["quality_score"] <= 5 for r in run.clean["cc"])


def test_training_lines_written_in_many_parts_are_the_lines_of_one_part(tmp_path):
    """train-quality's shards go through pipelines/job/parts.py: a shard cut into many parts
    (each a group of bounded size on Flink or Spark) is byte for byte the shard of one part."""
    import glob
    import json
    import os
    import pathlib
    import random

    import apache_beam as beam
    from test_quality import ZH

    from zhpile.pipelines.job.labels import build_label_pipeline
    from zhpile.pipelines.run import runner_and_options

    rng = random.Random(1)
    paragraphs = [p for _t, pars in ZH.values() for p in pars]
    rows = [{"text": "".join(rng.sample(paragraphs, 2)), "score": i % 3} for i in range(300)]
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    shards = {}
    for parts in (1, 9):
        work = str(tmp_path / f"work{parts}")
        os.makedirs(work)
        runner, options = runner_and_options([])
        with beam.Pipeline(runner=runner, options=options) as p:
            build_label_pipeline(p, [(str(tmp_path / "labels.jsonl"), None)], "text", "score", 0.2, 7, 2, work, parts)
        shards[parts] = {os.path.basename(f): pathlib.Path(f).read_bytes() for f in sorted(glob.glob(f"{work}/*-*.txt"))}
        assert not glob.glob(f"{work}/parts/*"), parts
    assert sorted(shards[1]) == ["holdout-00000.txt", "holdout-00001.txt", "train-00000.txt", "train-00001.txt"]
    assert shards[9] == shards[1]
    lines = b"".join(shards[1].values()).decode("utf-8").splitlines()
    assert len(lines) == 300 and all(line.startswith("__label__") for line in lines)
