"""The sample job end to end: WARC and JSONL in, Parquet and a report out."""
import collections
import filecmp
import gzip
import json
import os
import re

import pyarrow.parquet as pq
import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from zhpile.filters.ids import doc_id
from zhpile.schemas.tables import CLEAN_SCHEMA, MIXTURE_SCHEMA, REJECTED_SCHEMA

from helpers import SAMPLE


def _expected():
    with open(os.path.join(SAMPLE, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


def _outcomes(run):
    """url-or-wiki-key -> 'clean' or rejection reason, from the output files."""
    out = {}
    for row in run.all_clean():
        out[row["id"]] = "clean"
    for row in run.rejected:
        out[row["id"]] = row["reason"]
    return out


def _key_to_id(key: str, run) -> str:
    if key.startswith("wiki:line"):
        return doc_id("wiki", f"wiki-00000.jsonl:{key.removeprefix('wiki:line')}")
    if key.startswith("wiki:"):
        return doc_id("wiki", key.removeprefix("wiki:"))
    ids = [r["id"] for r in run.all_clean() + run.rejected if r["url"] == key]
    assert len(ids) == 1, (key, ids)
    return ids[0]


def test_every_sample_document_has_its_expected_outcome(sample_run):
    outcomes = _outcomes(sample_run)
    groups = collections.defaultdict(list)
    for key, want in _expected().items():
        got = outcomes[_key_to_id(key, sample_run)]
        if want.startswith("one_of:"):
            groups[want].append(got)
        else:
            assert got == want, key
    # Crawl copies of one text (the tea page in GBK and in UTF-8, the park page on two
    # sites): exactly one survives.
    assert groups and all(sorted(g) == ["clean", "dup_exact"] for g in groups.values()), groups


def _response_records(path):
    with open(path, "rb") as f:
        return sum(1 for _ in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=False))


def test_accounting_identity_against_independent_count(sample_run):
    clean_ids = [r["id"] for r in sample_run.all_clean()]
    rejected_ids = [r["id"] for r in sample_run.rejected]
    assert len(clean_ids) == len(set(clean_ids)), "a document twice in clean"
    assert len(rejected_ids) == len(set(rejected_ids)), "a document twice in rejected"
    assert not set(clean_ids) & set(rejected_ids), "a document both kept and rejected"

    warcs = [os.path.join(SAMPLE, "cc", f) for f in sorted(os.listdir(os.path.join(SAMPLE, "cc")))]
    read = {
        "cc": sum(_response_records(p) for p in warcs),
        "wiki": sum(1 for line in open(os.path.join(SAMPLE, "wiki", "wiki-00000.jsonl"), encoding="utf-8") if line.strip()),
    }
    for source, n in read.items():
        kept = len(sample_run.clean[source])
        dropped = sum(1 for r in sample_run.rejected if r["source"] == source)
        assert kept + dropped == n, source
        entry = sample_run.report["sources"][source]
        assert entry["read"]["docs"] == n
        assert entry["clean"]["docs"] == kept and entry["rejected_docs"] == dropped
    assert sample_run.report["accounting_ok"] is True
    # Per input file too.
    for path, f in sample_run.report["files"].items():
        assert f["read"] == f["out"], path


def test_request_metadata_warcinfo_are_not_documents(sample_run):
    urls = [r["url"] for r in sample_run.all_clean() + sample_run.rejected if r["source"] == "cc"]
    assert "urn:zhpile:sample" not in urls  # warcinfo
    assert len(urls) == len(set(urls)) == 19  # one row per response, none for request/metadata


def test_output_contract_schemas(sample_run):
    root = sample_run.root
    for source in ("cc", "wiki"):
        files = os.listdir(os.path.join(root, "clean", source))
        assert files and all(f.endswith(".parquet") for f in files)
        schema = pq.read_schema(os.path.join(root, "clean", source, files[0]))
        assert schema.names == CLEAN_SCHEMA.names
    assert pq.read_table(os.path.join(root, "rejected")).schema.names == REJECTED_SCHEMA.names
    assert pq.read_table(os.path.join(root, "mixture")).schema.names == MIXTURE_SCHEMA.names
    assert os.path.exists(os.path.join(root, "_SUCCESS"))
    md = open(os.path.join(root, "report", "report.md"), encoding="utf-8").read()
    assert "| component | raw size | weight | epochs | effective size | mean doc size | documents |" in md


def test_clean_rows_carry_provenance_and_signals(sample_run):
    cc = {r["url"]: r for r in sample_run.clean["cc"]}
    river = cc["http://news.example.cn/river/gbk-meta-only.html"]
    assert river["input_file"].endswith("crawl-00000.warc.gz")
    assert river["warc_record_id"].startswith("<urn:uuid:") and river["warc_date"] == "2024-03-01T12:00:00Z"
    assert river["charset"] == "gb18030" and river["lang"] == "zh" and river["lang_score"] >= 0.9
    assert river["text"].split("\n")[:2] == ["长江的地理", "长江是中国第一长河，全长约六千三百公里，发源于青藏高原，自西向东流经十多个省、自治区和直辖市，最后在上海附近注入东海。"]
    # Navigation, footer, script and style are not in the text.
    for chrome in ("首页", "相关阅读", "京ICP备", "脚本不是正文", "font-size"):
        assert chrome not in river["text"]
    assert river["quality"]["han_ratio"] > 0.8
    # jieba's word statistics are measured on every kept document.
    assert all(r["quality"]["est_words"] > 0 and r["quality"]["mean_word_chars"] > 1 for r in sample_run.all_clean())
    big5 = cc["http://tw.example.com/big5.html"]
    assert big5["converted_t2s"] is True and big5["text"].startswith("台湾的夜市文化")
    assert cc["http://www.nongye.gov.cn/declared-utf8-but-gbk.html"]["text"].startswith("稻田里的一年")


def test_rejections_explain_themselves(sample_run):
    by_url = {r["url"]: r for r in sample_run.rejected if r["url"]}
    slash = by_url["http://junk.example.com/slashes.html"]
    assert slash["reason"] == "char_run" and "30000" in slash["detail"] and slash["text_prefix"].startswith("////")
    assert by_url["http://garden.example.com/tomatoes.html"]["detail"].startswith("lang=en")
    assert by_url["http://jp.example.jp/shiki.html"]["lang"] == "ja"
    kept_ids = {r["id"] for r in sample_run.all_clean()}
    for row in sample_run.rejected:
        if row["reason"] == "dup_exact":
            assert row["detail"].removeprefix("duplicate of ") in kept_ids


def test_curated_source_wins_exact_duplicates(sample_run):
    wiki_ids = {r["id"] for r in sample_run.clean["wiki"]}
    by_url = {r["url"]: r for r in sample_run.rejected if r["url"]}
    for url in ("http://data.example.cn/copy-of-wiki.html", "http://moon.example.cn/tidal-lock.html"):
        assert by_url[url]["detail"].removeprefix("duplicate of ") in wiki_ids


def test_mixture_repeats_sources_by_epochs(sample_run):
    rows = sample_run.mixture
    copies = collections.Counter((r["source"], r["id"]) for r in rows)
    for r in sample_run.clean["wiki"]:
        assert copies[("wiki", r["id"])] == 2  # epochs: 2
    for r in sample_run.clean["cc"]:
        assert copies[("cc", r["id"])] == 1
    assert len(rows) == len(sample_run.clean["cc"]) + 2 * len(sample_run.clean["wiki"])
    # The two copies of a document are in different shards.
    root = os.path.join(sample_run.root, "mixture")
    shard_of = collections.defaultdict(set)
    for name in os.listdir(root):
        for r in pq.read_table(os.path.join(root, name), columns=["id", "epoch"]).to_pylist():
            shard_of[r["id"]].add(name)
    for r in sample_run.clean["wiki"]:
        assert len(shard_of[r["id"]]) == 2
    table = {row["component"]: row for row in sample_run.report["mixture_table"]}
    assert table["wiki"]["effective_size_bytes"] == 2 * table["wiki"]["raw_size_bytes"]
    assert abs(sum(row["weight"] for row in table.values()) - 1) < 1e-3


def test_sample_generator_is_deterministic(tmp_path):
    from sample_data.make_sample import main as make_sample

    make_sample(str(tmp_path))
    for rel in ("cc/crawl-00000.warc.gz", "cc/crawl-00001.warc.gz", "wiki/wiki-00000.jsonl", "expected.json"):
        assert filecmp.cmp(tmp_path / rel, os.path.join(SAMPLE, rel), shallow=False), rel
    # and the WARC really is multi-member gzip that a stock reader accepts
    with gzip.open(tmp_path / "cc/crawl-00000.warc.gz") as f:
        assert f.read().startswith(b"WARC/1.0")


def test_the_output_has_a_dataset_card_that_describes_it(sample_run):
    """DIR/README.md: Hugging Face's YAML header names every table with files that exist,
    the features of their Parquet schema and their row counts; the summary has the mixture
    table, the funnel and the config hash."""
    import glob

    import yaml

    with open(os.path.join(sample_run.root, "README.md"), encoding="utf-8") as f:
        card = f.read()
    _, header, body = card.split("---\n", 2)
    meta = yaml.safe_load(header)
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    from zhpile.filters.component import COMPONENTS

    present = {r["component"] for r in sample_run.clean["cc"]}
    assert {"news", "government", "forum"} <= present  # the sample's hosts: news., .gov.cn, bbs.
    assert [c["config_name"] for c in meta["configs"]] == ["mixture", "tokens", *(f"clean_cc_{c}" for c in COMPONENTS if c in present),
                                                            "clean_wiki", "rejected"]
    for entry in meta["configs"]:
        (files,) = entry["data_files"]
        paths = glob.glob(os.path.join(sample_run.root, files["path"]))
        table = pq.read_table(paths)
        info = infos[entry["config_name"]]
        assert [f["name"] for f in info["features"]] == table.schema.names
        assert info["splits"][0]["num_examples"] == table.num_rows
    assert "| component | raw size |" in body and "| source | read | clean |" in body
    assert re.search(r"with config `[0-9a-f]{16}`", body)


def test_hugging_face_datasets_loads_the_output(sample_run, in_datasets):
    mix, via_card, clean_cc, quality_fields = in_datasets(
        "a = datasets.load_dataset('parquet', data_files={'train': out + '/mixture/*.parquet'}, split='train'); "
        "b = datasets.load_dataset(out, split='train'); "
        "c = datasets.load_dataset(out, 'clean_cc_news', split='train'); "
        "print(json.dumps([a.num_rows, b.num_rows, c.num_rows, sorted(c.features['quality'])]))", sample_run.root)
    assert mix == via_card == len(sample_run.mixture)
    assert clean_cc == sum(r["component"] == "news" for r in sample_run.clean["cc"]) > 0
    assert "word_order_gain" in quality_fields
