"""Deduplication through Beam: exact and near duplicates across files and sources, chains,
oversized buckets, recurring lines, and the same result on the portable runner."""
import json
import random

import pytest

from zhpile.filters.connected_components import large_star, small_star
from zhpile.filters.ids import doc_id
from zhpile.filters import minhash
from zhpile.filters.minhash import MinHasher, estimated_jaccard
from sample_data.articles import ZH

from helpers import RunOutput, run_zhpile, write_config

SENTENCES = sorted({s + "。" for _t, pars in ZH.values() for p in pars for s in p.split("。") if len(s) > 8})


def _compose(rng, n=10):
    return "".join(rng.sample(SENTENCES, n))


def _star_components(edges, rounds=10):
    """The pure star functions iterated in memory, as the pipeline does round by round."""
    for _ in range(rounds):
        for step, smaller_only in ((large_star, False), (small_star, True)):
            nbrs = {}
            for u, v in edges:
                for a, b in ((u, v), (v, u)):
                    if not smaller_only or b < a:
                        nbrs.setdefault(a, set()).add(b)
            edges = {e for node, ns in nbrs.items() for e in step(node, ns)}
    return {max(e): min(e) for e in edges}


def test_precomputed_lsh_params_are_datasketchs():
    from datasketch import MinHashLSH

    for (threshold, num_perm, fp_weight, fn_weight), params in minhash._DEFAULT_PARAMS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(fp_weight, fn_weight))
        assert params == (lsh.b, lsh.r)
    assert minhash.lsh_params(0.8, 64) == (MinHashLSH(threshold=0.8, num_perm=64).b, MinHashLSH(threshold=0.8, num_perm=64).r)


def test_star_rounds_make_one_root_per_component():
    chain = [(i, i + 1) for i in range(50)] + [(100, 101), (101, 102)]
    parents = _star_components(set(chain))
    assert set(parents.values()) == {0, 100}
    assert set(parents) == set(range(1, 51)) | {101, 102}


@pytest.fixture(scope="module")
def dedup_run(tmp_path_factory):
    """A corpus built to exercise every dedup path; runs on the local runner and on the
    portable runner."""
    tmp = tmp_path_factory.mktemp("dedup")
    rng = random.Random(7)
    distinct = [_compose(rng, 12) for _ in range(40)]
    # Chain: B shares 8 of A's 10 sentences, C shares 8 of B's, A and C only 6.
    a = rng.sample(SENTENCES, 14)
    chain = ["".join(a[0:10]), "".join(a[2:10] + a[10:12]), "".join(a[4:10] + a[10:14])]
    footer = "本网站所有内容均由用户上传，如有侵权请联系管理员删除，联系邮箱见页面底部说明。"
    # Twelve documents on disjoint sentences sharing only a footer line.
    shuffled = rng.sample(SENTENCES, len(SENTENCES))
    footed = ["".join(shuffled[5 * i:5 * i + 5]) + "\n" + footer for i in range(12)]
    hot = _compose(rng, 12)
    rows = [{"id": f"d{i}", "text": t} for i, t in enumerate(distinct)]
    rows += [{"id": f"chain{i}", "text": t} for i, t in enumerate(chain)]
    rows += [{"id": f"foot{i}", "text": t} for i, t in enumerate(footed)]
    half = len(rows) // 2
    (tmp / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:half]), encoding="utf-8")
    (tmp / "b.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[half:]), encoding="utf-8")
    # An oversized bucket: 1,500 identical copies and 200 light edits of one text, in a second source.
    hot_rows = [{"id": f"hot{i}", "text": hot} for i in range(1500)]
    hot_rows += [{"id": f"hotedit{i}", "text": hot[:-3] + rng.choice(SENTENCES)[:3]} for i in range(200)]
    hot_rows.append({"id": "copy-of-d0", "text": distinct[0]})  # exact duplicate across sources
    (tmp / "hot.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in hot_rows), encoding="utf-8")
    config = write_config(tmp, """
sources:
  - {name: main, format: jsonl, paths: ["a.jsonl", "b.jsonl"]}
  - {name: forum, format: jsonl, paths: ["hot.jsonl"], kind: crawl}
quality: {min_chars: 50}
""")
    runs = {}
    for name, extra in (("local", []), ("portable", ["--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK"])):
        assert run_zhpile("run", config, "--output", tmp / name, *extra) == 0
        runs[name] = RunOutput(str(tmp / name))
    return runs, {"chain": chain, "footer": footer, "distinct": distinct}


def _outcome(run):
    out = {r["id"]: "clean" for r in run.all_clean()}
    out.update({r["id"]: r["reason"] for r in run.rejected})
    return out


def test_chain_ends_in_one_component(dedup_run):
    runs, corpus = dedup_run
    h = MinHasher(128, 3)
    sig = [h.signature(t) for t in corpus["chain"]]
    assert estimated_jaccard(sig[0], sig[2]) < 0.5 <= min(estimated_jaccard(sig[0], sig[1]), estimated_jaccard(sig[1], sig[2]))
    outcome = _outcome(runs["local"])
    ids = [doc_id("main", f"chain{i}") for i in range(3)]
    assert sorted(outcome[i] for i in ids) == ["clean", "dup_near", "dup_near"]
    kept = next(i for i in ids if outcome[i] == "clean")
    details = {r["id"]: r["detail"] for r in runs["local"].rejected}
    assert all(details[i] == f"near-duplicate of {kept}" for i in ids if i != kept)


def test_oversized_bucket_and_cross_source_duplicates(dedup_run):
    runs, _ = dedup_run
    outcome = _outcome(runs["local"])
    hot = [outcome[doc_id("forum", f"hot{i}")] for i in range(1500)]
    edits = [outcome[doc_id("forum", f"hotedit{i}")] for i in range(200)]
    assert hot.count("clean") + edits.count("clean") == 1
    assert hot.count("dup_exact") >= 1499 and set(edits) <= {"dup_near", "dup_exact", "clean"}
    # The curated copy wins over the crawl copy of the same text.
    assert outcome[doc_id("main", "d0")] == "clean" and outcome[doc_id("forum", "copy-of-d0")] == "dup_exact"
    assert runs["local"].report["dedup"]["cc_unconverged"] == 0


def test_distinct_documents_are_all_kept(dedup_run):
    runs, _ = dedup_run
    outcome = _outcome(runs["local"])
    assert all(outcome[doc_id("main", f"d{i}")] == "clean" for i in range(40))


def test_recurring_lines_are_removed_and_counted(dedup_run):
    runs, corpus = dedup_run
    foot_ids = {doc_id("main", f"foot{i}") for i in range(12)}
    kept = [r for r in runs["local"].clean["main"] if r["id"] in foot_ids]
    assert len(kept) == 12 and all(corpus["footer"] not in r["text"] for r in kept)
    assert all(corpus["footer"] not in r["text"] for r in runs["local"].all_clean())
    assert runs["local"].report["sources"]["main"]["lines_removed"]["lines"] == 12


def test_portable_runner_gives_the_same_result(dedup_run):
    runs, _ = dedup_run
    local, portable = runs["local"], runs["portable"]
    assert sorted((r["id"], r["text"]) for r in local.all_clean()) == sorted((r["id"], r["text"]) for r in portable.all_clean())
    assert sorted((r["id"], r["reason"], r["detail"]) for r in local.rejected) == \
        sorted((r["id"], r["reason"], r["detail"]) for r in portable.rejected)
