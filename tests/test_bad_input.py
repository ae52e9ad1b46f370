"""Bad input never crashes a run or loses a document silently: every fault is a counted
rejection with a reason and its input file."""
import gzip
import json
import os
import random

import pytest

from sample_data.articles import ZH
from sample_data.make_sample import gzip_member, html_page, http_response, warc_record

from helpers import SAMPLE, RunOutput, run_zhpile, write_config


def _response(url: str, response: bytes) -> bytes:
    return warc_record("response", url, response, "application/http; msgtype=response")


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    good = open(os.path.join(SAMPLE, "cc", "crawl-00000.warc.gz"), "rb").read()
    (tmp / "truncated.warc.gz").write_bytes(good[: len(good) // 2])
    (tmp / "random.warc.gz").write_bytes(random.Random(0).randbytes(50_000))
    (tmp / "empty.warc.gz").write_bytes(b"")
    bad_len = _response("http://badlen.example.cn/", http_response(b"<p>x</p>", "text/html")).replace(
        b"Content-Length: ", b"Content-Length: 9", 1)  # claims ~10x its real length
    after = _response("http://after-badlen.example.cn/", html_page("river"))
    (tmp / "badlen.warc.gz").write_bytes(gzip_member(bad_len) + gzip_member(after))
    huge = http_response(b"<html><body>" + b"a" * (50 * 1024 * 1024) + b"</body></html>", "text/html")
    after_huge = _response("http://after-huge.example.cn/", html_page("moon"))
    (tmp / "huge.warc.gz").write_bytes(gzip_member(_response("http://huge.example.cn/", huge)) + gzip_member(after_huge))
    binary = http_response(b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 40, "text/html; charset=utf-8")
    (tmp / "binary.warc.gz").write_bytes(gzip_member(_response("http://binary.example.cn/", binary)))
    lines = [json.dumps({"id": "ok", "text": "\n".join(ZH["tea"][1])}, ensure_ascii=False), "{not json", "[1, 2]",
             json.dumps({"id": "null", "text": None}), json.dumps({"id": "missing"}), json.dumps({"id": "number", "text": 5}),
             "\xff\xfe garbage"]
    (tmp / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogateescape")
    (tmp / "cut.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines[:1] * 50)).encode())[:-30])
    config = write_config(tmp, """
sources:
  - {name: cc, format: warc, paths: ["*.warc.gz"]}
  - {name: cur, format: jsonl, paths: ["lines.jsonl", "cut.jsonl.gz"]}
""")
    assert run_zhpile("run", config, "--output", tmp / "out") == 0
    return RunOutput(str(tmp / "out")), tmp


def _rows(run, name):
    return [r for r in run.rejected if os.path.basename(r["input_file"] or "") == name]


def test_truncated_gzip_keeps_records_before_the_cut_and_reports_it(bad_run):
    run, _ = bad_run
    rows = [r for r in run.all_clean() + run.rejected if os.path.basename(r["input_file"]) == "truncated.warc.gz"]
    urls = {r["url"] for r in rows if r["url"]}
    assert "http://park.example.cn/a/1.html" in urls and "http://tw.example.com/big5.html" in urls  # before the cut
    tail = [r for r in _rows(run, "truncated.warc.gz") if r["reason"] == "bad_record"]
    assert len(tail) == 1 and "truncated" in tail[0]["detail"] and tail[0]["raw_bytes"] > 0


def test_random_bytes_and_empty_files(bad_run):
    run, _ = bad_run
    rows = _rows(run, "random.warc.gz")
    assert [r["reason"] for r in rows] == ["bad_record"] and "rest of file skipped" in rows[0]["detail"]
    files = run.report["files"]
    empty = next(f for path, f in files.items() if path.endswith("empty.warc.gz"))
    assert empty["read"] == 0 and empty["out"] == 0


def test_wrong_content_length_is_reported_and_reading_resumes(bad_run):
    run, _ = bad_run
    rows = _rows(run, "badlen.warc.gz")
    assert any(r["reason"] == "bad_record" and "resumed" in r["detail"] for r in rows)
    seen = {r["url"] for r in run.all_clean() + run.rejected}
    assert "http://after-badlen.example.cn/" in seen


def test_50mb_record_is_rejected_unread_and_the_file_goes_on(bad_run):
    run, _ = bad_run
    huge = [r for r in run.rejected if r["url"] == "http://huge.example.cn/"]
    assert [r["reason"] for r in huge] == ["too_large"] and "max_record_bytes" in huge[0]["detail"]
    assert "http://after-huge.example.cn/" in {r["url"] for r in run.all_clean() + run.rejected}


def test_binary_declared_as_html(bad_run):
    run, _ = bad_run
    assert [r["reason"] for r in run.rejected if r["url"] == "http://binary.example.cn/"] == ["non_text"]


def test_bad_json_lines(bad_run):
    run, _ = bad_run
    reasons = sorted(r["reason"] for r in _rows(run, "lines.jsonl") if r["stage"] == "read")
    assert reasons == ["bad_json", "bad_json", "bad_json", "no_text", "no_text", "no_text"]
    # The cut file's lines before the cut are documents (here copies of one another);
    # the cut itself is one row.
    cut = [r["reason"] for r in _rows(run, "cut.jsonl.gz") if r["stage"] == "read"]
    assert cut == ["bad_record"]
    assert any(r["source"] == "cur" for r in run.all_clean())


def test_accounting_holds_per_file_with_faults(bad_run):
    run, _ = bad_run
    ids = [r["id"] for r in run.all_clean()] + [r["id"] for r in run.rejected]
    assert len(ids) == len(set(ids))
    assert run.report["accounting_ok"] is True
    for path, f in run.report["files"].items():
        assert f["read"] == f["out"], path


def test_content_encoded_payloads_are_decoded(tmp_path):
    """Some crawlers store payloads as sent, gzip-encoded or chunked: read as the page."""
    body = html_page("tea").split(b"\r\n\r\n", 1)[1]
    encoded = gzip.compress(body)
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(encoded)}\r\n\r\n").encode()
    broken = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n\r\n"
              + b"\x1f\x8b\x08\x00garbage-not-gzip")
    (tmp_path / "enc.warc.gz").write_bytes(gzip_member(_response("http://gz.example.cn/", head + encoded))
                                           + gzip_member(_response("http://badgz.example.cn/", broken)))
    config = write_config(tmp_path, 'sources:\n  - {name: cc, format: warc, paths: ["enc.warc.gz"]}\n')
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    assert [r["url"] for r in run.clean["cc"]] == ["http://gz.example.cn/"]
    assert run.clean["cc"][0]["text"].startswith("喝茶的学问")
    # raw_bytes is the HTTP body as stored (here gzip-encoded), without the HTTP headers.
    assert run.clean["cc"][0]["raw_bytes"] == len(encoded)
    bad = [r for r in run.rejected if r["url"]]
    assert [(r["url"], r["reason"]) for r in bad] == [("http://badgz.example.cn/", "bad_record")]
