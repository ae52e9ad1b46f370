"""Benchmark decontamination: exam items planted in pages are removed (verbatim, options
reordered, punctuation swapped, in Traditional) or marked (a fragment), real text does not
match, and the pipeline reports per benchmark."""
import csv
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.decontamination import FIELDS, KINDS, item_fields, load_items, plant, real_texts
from sample_data.articles import ZH
from zhpile.filters.decontam import BenchmarkIndex
from zhpile.schemas.config import DecontamConfig

from helpers import RunOutput, run_zhpile, shared_file, write_config

CFG = DecontamConfig()
ITEMS = load_items()
PROSE = "\n".join(p for _t, pars in ZH.values() for p in pars)


@pytest.fixture(scope="module")
def index():
    return BenchmarkIndex([("exam", it["id"], item_fields(it)) for it in ITEMS], CFG.ngram, CFG.max_item_share, CFG.min_evidence)


def _share(index, text, item_id):
    found = [m for m in index.matches(text, CFG.mark_share) if m.item == item_id]
    return found[0].share if found else 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_planted_items_are_found(index, kind):
    rng = random.Random(1)
    shares = {it["id"]: _share(index, plant(it, kind, rng, PROSE), it["id"]) for it in ITEMS}
    anchored = [i for i in shares if i != "law-2"]  # 我国的根本大法是: a question too short to be found (see docs)
    if kind == "fragment in an article":
        assert all(CFG.mark_share <= shares[i] < CFG.remove_share for i in anchored), shares
    else:
        assert all(shares[i] >= CFG.remove_share for i in anchored), shares


def test_a_match_spans_the_item_in_the_original_text(index):
    item = ITEMS[0]
    page = plant(item, "verbatim", random.Random(0), PROSE)
    (match,) = [m for m in index.matches(page, CFG.mark_share) if m.item == item["id"]]
    assert page[match.start:match.end].startswith(item["question"][:10])


def test_boilerplate_ngrams_are_no_evidence():
    """An n-gram in many items of a benchmark (下列说法正确的是) identifies none of them."""
    items = [("b", str(i), [f"下列关于第{i}号装置的说法正确的是哪一项", f"选项内容{i}"]) for i in range(200)]
    index = BenchmarkIndex(items, 8, 0.01, 3)
    assert index.boilerplate > 0
    assert index.matches("题目：下列关于装置的说法正确的是哪一项呢？请同学们思考。" * 3, 0.01) == []


def test_real_text_does_not_match(index):
    shared_file("07_uer-py_CLUECorpusSmall_sampled.txt")
    hits = [t[:60] for t in real_texts() if index.matches(t, CFG.mark_share)]
    assert hits == []


@pytest.mark.parametrize("side_input_max_ngrams", [20_000_000, 0], ids=["side input", "shuffle join"])
def test_the_pipeline_removes_marks_and_reports(tmp_path, side_input_max_ngrams):
    """Benchmark files in JSONL, CSV and Parquet; the planted pages of a curated source are
    rejected `contaminated`, the fragment is kept with its match in `contamination`; the
    same with the index as a side input and through the shuffle join."""
    bench = tmp_path / "bench"
    bench.mkdir()
    third = len(ITEMS) // 3
    with open(bench / "part1.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(it, ensure_ascii=False) + "\n" for it in ITEMS[:third])
    with open(bench / "part2.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["id", *FIELDS])
        writer.writeheader()
        writer.writerows(ITEMS[third:2 * third])
    pq.write_table(pa.Table.from_pylist(ITEMS[2 * third:]), bench / "part3.parquet")
    rng = random.Random(3)
    docs = [{"id": "verbatim", "text": plant(ITEMS[0], "verbatim", rng, PROSE)},
            {"id": "traditional", "text": plant(ITEMS[14], "Traditional", rng, PROSE)},
            {"id": "reordered", "text": plant(ITEMS[-1], "options reordered", rng, PROSE)},
            {"id": "fragment", "text": plant(ITEMS[4], "fragment in an article", rng, PROSE)},
            {"id": "clean", "text": PROSE}]
    with open(tmp_path / "docs.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    config = write_config(tmp_path, f"""
sources:
  - {{name: pages, format: jsonl, paths: ["docs.jsonl"]}}
decontaminate:
  - {{name: exam, paths: ["bench/*"], fields: {{text: [question, A, B, C, D, answer], id: id}}}}
dedup: {{exact: false, near: false, lines: false}}
decontam: {{side_input_max_ngrams: {side_input_max_ngrams}, join_shards: 8}}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    removed = {r["detail"].split(":")[0] for r in run.rejected if r["reason"] == "contaminated"}
    assert removed == {f"exam item {ITEMS[0]['id']}", f"exam item {ITEMS[14]['id']}", f"exam item {ITEMS[-1]['id']}"}
    marked = [r for r in run.clean["pages"] if r["contamination"]]
    assert len(run.clean["pages"]) == 2 and len(marked) == 1
    (m,) = marked[0]["contamination"]
    assert m["item"] == ITEMS[4]["id"] and ITEMS[4]["question"][:8] in marked[0]["text"][m["start"]:m["end"]]
    report = run.report["decontamination"]["exam"]
    assert report["items_found"] == 4 and report["sources"]["pages"] == {"removed": 3, "marked": 1}
    with open(tmp_path / "out" / "report" / "report.md", encoding="utf-8") as f:
        assert "## Decontamination" in f.read()
    assert not (tmp_path / "out" / "_work").exists()  # the join's index shards are gone
