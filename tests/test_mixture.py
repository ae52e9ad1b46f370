"""Mixture shards and the report: epochs and weights, fractional epochs, shard sizing,
readers, token counts, report.html, `zhpile report` and `zhpile inspect`."""
import collections
import json
import os

import duckdb
import pyarrow.parquet as pq
import pytest

from zhpile.filters.ids import doc_id
from zhpile.filters.mixture import MixtureError, epoch_copies, plan_epochs

from helpers import SAMPLE, RunOutput, run_zhpile, write_config

CONFIG = """
sources:
  - {{name: cc, format: warc, paths: ["{sample}/cc/*.warc.gz"]}}
  - {{name: wiki, format: jsonl, paths: ["{sample}/wiki/*.jsonl"]}}
{extra}
"""


def by_source(report: dict) -> dict[str, dict]:
    """The Pile-style table's rows (one per component) summed per source."""
    out: dict = {}
    for r in report["mixture_table"]:
        slot = out.setdefault(r["source"], {"effective_size_bytes": 0, "weight": 0.0, "tokens": 0, "jieba_words": 0.0})
        for key in slot:
            slot[key] += r[key] or 0
    return out


def _run(tmp_path, extra: str, *args) -> RunOutput:
    config = write_config(tmp_path, CONFIG.format(sample=SAMPLE, extra=extra))
    assert run_zhpile("run", config, "--output", tmp_path / "out", *args) == 0
    return RunOutput(str(tmp_path / "out"))


def test_plan_epochs_rules():
    sizes = {"a": 100.0, "b": 50.0}
    assert plan_epochs(sizes, {"a": 1, "b": 2}, {"a": None, "b": None}) == {"a": 1, "b": 2}
    assert plan_epochs(sizes, {"a": 1, "b": 2}, {"a": None, "b": None}, target=400) == {"a": 2.0, "b": 4.0}
    assert plan_epochs(sizes, {"a": None, "b": None}, {"a": 0.5, "b": 0.5}) == {"a": 0.75, "b": 1.5}
    assert plan_epochs(sizes, {"a": 1, "b": None}, {"a": None, "b": 0.5}) == {"a": 1, "b": 2.0}
    with pytest.raises(MixtureError, match="no clean documents"):
        plan_epochs({"a": 100.0, "b": 0.0}, {"a": 1, "b": None}, {"a": None, "b": 0.5})


def test_fractional_epochs_are_deterministic_shares():
    ids = [f"doc{i}" for i in range(10_000)]
    copies = [len(epoch_copies(i, 2.5, 3)) for i in ids]
    assert set(copies) == {2, 3} and 4800 < copies.count(3) < 5200
    half = [len(epoch_copies(i, 0.5, 3)) for i in ids]
    assert 4800 < sum(half) < 5200 and half == [len(epoch_copies(i, 0.5, 3)) for i in ids]


def test_weights_target_size_and_shard_size(tmp_path):
    run = _run(tmp_path, """mixture:
  cc: {weight: 0.5}
  wiki: {weight: 0.5}
mixture_size: {bytes: 40000}
output: {shard_bytes: 8000, row_group_rows: 4}
""")
    table = by_source(run.report)
    total = sum(r["effective_size_bytes"] for r in table.values())
    assert 30000 < total < 50000  # fractional epochs: close to the target, not exact
    assert abs(table["cc"]["weight"] - 0.5) < 0.15 and abs(table["wiki"]["weight"] - 0.5) < 0.15
    shards = sorted(os.listdir(os.path.join(run.root, "mixture")))
    assert len(shards) == run.report["run"]["mixture_shards"] >= 4
    meta = pq.ParquetFile(os.path.join(run.root, "mixture", shards[0])).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD" and meta.row_group(0).num_rows <= 4
    # Copies of one document are spread over different shards (as far as there are shards).
    where = collections.defaultdict(list)
    for shard in shards:
        for row in pq.read_table(os.path.join(run.root, "mixture", shard), columns=["id"]).to_pylist():
            where[row["id"]].append(shard)
    assert all(len(set(v)) == min(len(v), len(shards)) for v in where.values())


def test_shards_read_with_pyarrow_and_duckdb(sample_run):
    pattern = os.path.join(sample_run.root, "mixture", "*.parquet")
    arrow_rows = sorted((r["source"], r["id"], r["epoch"]) for r in sample_run.mixture)
    duck_rows = sorted(duckdb.sql(f"select source, id, epoch from read_parquet('{pattern}')").fetchall())
    assert arrow_rows == duck_rows and len(arrow_rows) == 14
    counts = dict(duckdb.sql(f"select source, count(*) from read_parquet('{pattern}') group by source").fetchall())
    assert counts == {"cc": 6, "wiki": 8}


def test_impossible_mixture_fails_with_the_reason(tmp_path, capsys):
    config = write_config(tmp_path, CONFIG.format(sample=SAMPLE, extra="mixture:\n  cc: {weight: 0.7}\n  wiki: {weight: 0.7}\n"))
    assert run_zhpile("run", config, "--output", tmp_path / "o1") == 2
    assert "sum to 1" in capsys.readouterr().err
    # A weight for a source with no clean documents: found once cleaning has run.
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"text": "太短"}\n', encoding="utf-8")
    config = write_config(tmp_path, f"""
sources:
  - {{name: cc, format: warc, paths: ["{SAMPLE}/cc/*.warc.gz"]}}
  - {{name: tiny, format: jsonl, paths: ["{empty}"]}}
mixture:
  cc: {{epochs: 1}}
  tiny: {{weight: 0.2}}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "o2") == 2
    err = capsys.readouterr().err
    assert "mixture.tiny" in err and "no clean documents" in err
    assert not os.path.exists(tmp_path / "o2" / "_SUCCESS") and not os.listdir(tmp_path / "o2" / "mixture") if os.path.exists(tmp_path / "o2" / "mixture") else True


def test_token_counts_with_a_local_tokenizer(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    from sample_data.articles import ZH

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator([p for _t, pars in ZH.values() for p in pars], trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]"]))
    tok.save(str(tmp_path / "tok.json"))
    run = _run(tmp_path, "report: {tokenizer: tok.json}\nmixture_size: {tokens: 3000}\n")
    table = by_source(run.report)
    assert table["cc"]["tokens"] > 0 and table["wiki"]["tokens"] > 0
    assert run.report["run"]["planned_in"] == "tokens"
    assert table["cc"]["jieba_words"] > 100


def test_report_files_and_rerender(sample_run, capsys):
    root = sample_run.root
    page = open(os.path.join(root, "report", "report.html"), encoding="utf-8").read()
    for part in ("<svg", "Mixture", "Funnel", "Distributions", "Deduplication", "char_run", "/////"):
        assert part in page, part
    assert "http://" not in page.split("<body>")[0] and "<script" not in page  # self-contained, no network
    md = os.path.join(root, "report", "report.md")
    os.remove(md)
    assert run_zhpile("report", root) == 0
    assert os.path.exists(md) and "## Funnel" in capsys.readouterr().out
    report = json.load(open(os.path.join(root, "report", "report.json"), encoding="utf-8"))
    assert report["samples"]["cc"]["char_run"][0]["text_prefix"].startswith("////")


def test_inspect_by_reason_and_by_id(sample_run, capsys):
    assert run_zhpile("inspect", sample_run.root, "--reason", "lang", "--n", "2") == 0
    out = capsys.readouterr().out
    assert out.startswith("3 documents rejected `lang`") and out.count("\nid ") == 2
    wiki_id = doc_id("wiki", "wiki-moon")
    assert run_zhpile("inspect", sample_run.root, "--id", wiki_id) == 0
    out = capsys.readouterr().out
    assert "KEPT in clean/wiki/" in out and "(epoch 0)" in out and "(epoch 1)" in out
    dup = next(r["id"] for r in sample_run.rejected if r["reason"] == "dup_exact")
    assert run_zhpile("inspect", sample_run.root, "--id", dup) == 0
    assert "REJECTED by stage `dedup`, reason `dup_exact`" in capsys.readouterr().out
    assert run_zhpile("inspect", sample_run.root, "--id", "nope") == 0
    assert "not found" in capsys.readouterr().out
