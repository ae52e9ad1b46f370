"""`format: cc-index`: an index Parquet written here from WARC files also written here (the
offsets are the files' own), read from local paths and through a loopback HTTP server
that honours Range and injects 503s, connection resets and short bodies."""
import http.server
import os
import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sample_data.articles import EN, ZH
from sample_data.make_sample import gzip_member, html_page, http_response, warc_record
from zhpile.pipelines.io.ranges import plan_ranges

from helpers import RunOutput, run_zhpile, write_config


def _write_warc(path, pages):
    """CC-style records (request, response, metadata); returns an index row per response."""
    rows, data = [], b""
    for url, response, langs, status in pages:
        data += gzip_member(warc_record("request", url, b"GET / HTTP/1.1\r\n\r\n", "application/http; msgtype=request"))
        member = gzip_member(warc_record("response", url, response, "application/http; msgtype=response"))
        host = url.split("/")[2]
        rows.append({"url": url, "warc_filename": f"crawl-data/segments/{os.path.basename(path)}",
                     "warc_record_offset": len(data), "warc_record_length": len(member), "content_languages": langs,
                     "fetch_status": status, "content_mime_detected": "text/html",
                     "url_host_registered_domain": host, "url_host_tld": host.rsplit(".", 1)[1]})
        data += member
        data += gzip_member(warc_record("metadata", url, b"fetchTimeMs: 100\r\n", "application/warc-fields"))
    path.write_bytes(data)
    return rows


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ccindex")
    seg = tmp / "crawl-data" / "segments"
    seg.mkdir(parents=True)
    zh, en = sorted(ZH), sorted(EN)
    rows = []
    for f in range(3):
        pages = []
        for i, key in enumerate(zh):
            pages.append((f"http://zh{f}-{i}.example.cn/{key}", html_page(key), "zho,eng" if i % 2 else "zho", 200))
            pages.append((f"http://en{f}-{i}.example.com/", html_page(en[i % len(en)]), "eng", 200))
        pages.append((f"http://gone{f}.example.cn/", http_response(b"<p>\xe6\xb2\xa1</p>", "text/html", "404 Not Found"), "zho", 404))
        rows += _write_warc(seg / f"CC-{f}.warc.gz", pages)
    # A row whose offset is wrong (its record is elsewhere) and one claiming a huge record.
    bad = dict(rows[0], url="http://wrong-offset.example.cn/", warc_record_offset=rows[0]["warc_record_offset"] + 7)
    huge = dict(rows[2], url="http://huge.example.cn/", warc_record_length=500_000_000)
    table = pa.Table.from_pylist(sorted(rows + [bad, huge], key=lambda r: (r["fetch_status"], r["url"])))
    # Small row groups: the 404 rows sort last, into row groups their statistics skip.
    pq.write_table(table, tmp / "index.parquet", row_group_size=4)
    selected = [r for r in rows + [bad, huge] if "zho" in r["content_languages"] and r["fetch_status"] == 200]
    return tmp, table.num_rows, selected


class _FaultyRanges(http.server.BaseHTTPRequestHandler):
    """Serves files under `root` with Range; the first three requests of every range get a
    503, a reset, and a short body. `/missing/` paths are 404."""
    protocol_version = "HTTP/1.1"
    root = ""
    seen: dict = {}
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def _file(self):
        return os.path.join(self.root, self.path.lstrip("/"))

    def do_HEAD(self):
        path = self._file()
        if not os.path.exists(path):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.end_headers()

    def do_GET(self):
        path = self._file()
        if not os.path.exists(path):
            self.send_error(404)
            return
        with self.lock:
            n = self.seen[(self.path, self.headers.get("Range"))] = self.seen.get((self.path, self.headers.get("Range")), 0) + 1
        assert "zhpile" in self.headers.get("User-Agent", "")
        if n == 1:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        if n == 2:  # a reset: the connection closes with no response
            self.close_connection = True
            self.connection.shutdown(2)
            return
        start, end = map(int, self.headers["Range"].split("=")[1].split("-"))
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        if n == 3:
            body = body[: len(body) // 2]  # a short body: says it is whole, but is not
        self.send_response(206)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{os.path.getsize(path)}")
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(crawl):
    tmp, _n, _selected = crawl
    handler = type("Handler", (_FaultyRanges,), {"root": str(tmp), "seen": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/", handler
    httpd.shutdown()


def _config(tmp, name, prefix, extra=""):
    return write_config(tmp / name, f"""
sources:
  - name: cc
    format: cc-index
    paths: ["{tmp}/index.parquet"]
    index:
      warc_prefix: "{prefix}"
      http: {{backoff_seconds: 0.01, requests_per_second: 1000, retries: 4, timeout_seconds: 10}}
{extra}""")


def _run(tmp, name, config) -> RunOutput:
    assert run_zhpile("run", config, "--output", tmp / name / "out") == 0
    return RunOutput(str(tmp / name / "out"))


@pytest.fixture(scope="module")
def local_run(crawl):
    tmp, _n, _selected = crawl
    (tmp / "local").mkdir()
    return _run(tmp, "local", _config(tmp, "local", f"{tmp}/"))


def _docs(run):
    return sorted((r["id"], r["text"]) for r in run.all_clean())


def test_every_selected_row_ends_somewhere_and_the_funnel_says_how(crawl, local_run):
    _tmp, n_rows, selected = crawl
    run = local_run
    assert run.report["accounting_ok"]
    assert len(run.all_clean()) + len(run.rejected) == len(selected)
    reasons = [r["reason"] for r in run.rejected]
    assert reasons.count("bad_record") == 1  # the wrong offset
    assert reasons.count("too_large") == 1  # never fetched
    assert "dup_exact" in reasons  # each page is in all three files
    assert {r["url"] for r in run.all_clean()} <= {r["url"] for r in selected}
    assert not any(".example.com" in (r["url"] or "") for r in run.all_clean())  # English rows never fetched
    funnel = run.report["sources"]["cc"]["index"]
    assert funnel["rows_scanned"] == n_rows
    assert funnel["rows_selected"] == len(selected)
    assert funnel["row_groups_skipped"] >= 1  # the 404 rows' groups, by their statistics
    assert funnel["warc_files"] == 3 and funnel["ranges_failed"] == 0
    assert 0 < funnel["bytes_fetched"] < funnel["warc_bytes"]


def test_http_with_faults_gives_the_same_documents(crawl, local_run, server):
    tmp, _n, _selected = crawl
    url, handler = server
    (tmp / "http").mkdir()
    run = _run(tmp, "http", _config(tmp, "http", url))
    assert _docs(run) == _docs(local_run)
    assert sorted((r["id"], r["reason"]) for r in run.rejected) == sorted((r["id"], r["reason"]) for r in local_run.rejected)
    assert max(handler.seen.values()) >= 4  # every fault was met and got through
    funnel = run.report["sources"]["cc"]["index"]
    assert funnel["requests"] > funnel["ranges_fetched"] and funnel["ranges_failed"] == 0


def test_same_documents_as_reading_the_whole_warcs(crawl, local_run):
    tmp, _n, selected = crawl
    (tmp / "whole").mkdir()
    config = write_config(tmp / "whole", f"""
sources:
  - {{name: cc, format: warc, paths: ["{tmp}/crawl-data/segments/*.warc.gz"]}}
read: {{cld2: off}}
""")
    whole = _run(tmp, "whole", config)
    wanted = {r["url"] for r in selected}
    assert sorted((r["id"], r["text"]) for r in whole.all_clean() if r["url"] in wanted) == _docs(local_run)


def test_a_range_that_keeps_failing_is_a_fetch_error(crawl, server):
    tmp, _n, selected = crawl
    url, _handler = server
    (tmp / "missing").mkdir()
    run = _run(tmp, "missing", _config(tmp, "missing", url + "missing/"))
    assert run.all_clean() == []
    assert len(run.rejected) == len(selected)
    fetch_errors = [r for r in run.rejected if r["reason"] == "fetch_error"]
    assert len(fetch_errors) == len(selected) - 1  # the huge one is rejected before fetching
    assert all("HTTP 404 after 1 attempts" in r["detail"] for r in fetch_errors)
    assert run.report["sources"]["cc"]["index"]["ranges_failed"] > 0


def test_ranges_merge_nearby_records_only():
    records = [(0, 100), (150, 50), (10_000, 10), (10_020, 5), (10_020, 5)]
    ranges = plan_ranges(records, gap=64, max_bytes=1_000)
    assert [(r.start, r.end) for r in ranges] == [(0, 200), (10_000, 10_025)]
    assert sum(len(r.members) for r in ranges) == len(records)  # a row listed twice is kept twice
    assert len(plan_ranges(records, gap=0, max_bytes=1_000)) == 4
    assert len(plan_ranges(records, gap=100_000, max_bytes=150)) == 3
