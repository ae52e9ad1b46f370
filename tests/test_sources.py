"""Source formats beyond the sample (WET, Parquet with renamed fields) and Beam options
passing through."""
import os

import pyarrow as pa
import pyarrow.parquet as pq

from zhpile.filters.ids import doc_id
from sample_data.articles import ZH
from sample_data.make_sample import article_text, gzip_member, warc_record

from helpers import SAMPLE, RunOutput, run_zhpile, write_config


def _write_wet(path):
    members = [warc_record("warcinfo", "urn:wet", b"software: test\r\n", "application/warc-fields")]
    for key in ("tea", "rice"):
        members.append(warc_record("conversion", f"http://{key}.example.cn/", article_text(*ZH[key]).encode("utf-8"), "text/plain"))
    members.append(warc_record("conversion", "http://en.example.com/", ("English only text. " * 30).encode(), "text/plain"))
    with open(path, "wb") as f:
        for m in members:
            f.write(gzip_member(m))


def test_wet_and_parquet_sources(tmp_path):
    _write_wet(tmp_path / "crawl.warc.wet.gz")
    table = pa.table({
        "content": [article_text(*ZH["moon"]), None, article_text(*ZH["code"])],
        "doc_id": ["m-1", "n-1", "c-1"],
        "link": ["https://books.example/m", None, None],
    })
    pq.write_table(table, tmp_path / "books.parquet")
    config = write_config(tmp_path, """
sources:
  - {name: wet, format: wet, paths: ["crawl.warc.wet.gz"]}
  - name: books
    format: parquet
    paths: ["*.parquet"]
    fields: {text: content, id: doc_id, url: link}
""")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    wet = {r["url"]: r for r in run.clean["wet"]}
    assert set(wet) == {"http://tea.example.cn/", "http://rice.example.cn/"}
    assert wet["http://tea.example.cn/"]["text"].startswith("喝茶的学问")  # taken as text, not parsed as HTML
    assert [r["reason"] for r in run.rejected if r["source"] == "wet"] == ["lang"]
    books = {r["id"]: r for r in run.clean["books"]}
    assert set(books) == {doc_id("books", "m-1"), doc_id("books", "c-1")}
    assert books[doc_id("books", "m-1")]["url"] == "https://books.example/m"
    null = [r for r in run.rejected if r["source"] == "books"]
    assert [(r["reason"], r["id"]) for r in null] == [("no_text", doc_id("books", "n-1"))]
    assert run.report["accounting_ok"]


def test_beam_options_pass_through(tmp_path, sample_run):
    out = tmp_path / "out"
    code = run_zhpile("run", os.path.join(SAMPLE, "config.yaml"), "--output", out,
                      "--direct_num_workers", "2", "--direct_running_mode", "multi_threading")
    assert code == 0
    threaded = RunOutput(str(out))
    assert sorted(r["id"] for r in threaded.all_clean()) == sorted(r["id"] for r in sample_run.all_clean())
    assert sorted((r["id"], r["epoch"]) for r in threaded.mixture) == sorted((r["id"], r["epoch"]) for r in sample_run.mixture)
