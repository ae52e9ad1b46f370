"""Formats people ship, each plain, compressed and cut short; bounded decoding of HTTP
content codings; resource records and ARC files. Every record is in clean/ or rejected/."""
import bz2
import glob
import gzip
import json
import os
import shutil
import tarfile
import zlib

import brotli
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sample_data.articles import ZH
from sample_data.make_sample import article_html, gzip_member, html_page, http_response, warc_record
from zhpile.pipelines.io.bounded_io import zstd

from helpers import RunOutput, run_zhpile, shared_file, write_config

TOPICS = list(ZH)
N_LINES = 500


def _line(i: int, key: str = "text") -> str:
    title, paragraphs = ZH[TOPICS[i % len(TOPICS)]]
    return json.dumps({"id": f"d{i}", key: "\n".join([title, *paragraphs])}, ensure_ascii=False)


COMPRESS = {
    ".jsonl": lambda b: b,
    ".jsonl.gz": gzip.compress,
    ".jsonl.bz2": bz2.compress,
    ".jsonl.zst": zstd.compress,
}


def _run(tmp_path, sources: str) -> RunOutput:
    config = write_config(tmp_path, f"sources:\n{sources}dedup: {{exact: false, near: false, lines: false}}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    return RunOutput(str(tmp_path / "out"))


def _by_file(run: RunOutput) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for r in run.all_clean() + run.rejected:
        rows.setdefault(os.path.basename(r["input_file"]), []).append(r)
    return rows


@pytest.fixture(scope="module")
def jsonl_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("jsonl")
    # 500 lines (~170 kB): more than one zstd block (128 kB), so a cut leaves whole blocks
    data = ("\n".join(_line(i) for i in range(N_LINES)) + "\n").encode()
    for ext, compress in COMPRESS.items():
        (tmp / f"full{ext}").write_bytes(compress(data))
        blob = compress(data)
        (tmp / f"cut{ext}").write_bytes(blob[: len(blob) - max(40, len(blob) // 20)])  # the last block or line
    return _run(tmp, '  - {name: cur, format: jsonl, paths: ["*.jsonl*"]}\n')


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_jsonl_plain_and_compressed_read_whole(jsonl_run, ext):
    rows = _by_file(jsonl_run)[f"full{ext}"]
    clean = sorted(r["text"][:12] for r in rows if r.get("reason") is None)
    assert len(rows) == N_LINES and not [r for r in rows if r.get("reason")]
    expected = sorted("\n".join([ZH[t][0], *ZH[t][1]])[:12] for t in TOPICS)
    assert sorted(set(clean)) == expected


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_jsonl_cut_short_keeps_the_lines_before_and_says_so(jsonl_run, ext):
    rows = _by_file(jsonl_run)[f"cut{ext}"]
    reasons = [r.get("reason") for r in rows]
    if ext == ".jsonl":  # a plain file cut mid-line: the partial last line is bad JSON
        assert reasons.count("bad_json") == 1 and "bad_record" not in reasons
    else:  # a compressed one ends inside its stream: the reader says where
        cut = [r for r in rows if r.get("reason") == "bad_record"]
        assert len(cut) == 1 and "unreadable after line" in cut[0]["detail"] and "EOFError" in cut[0]["detail"]
    # Lines before the cut are documents, but bzip2 decodes only whole 900 kB blocks: a
    # small file cut short has no line to give.
    assert reasons.count(None) >= (0 if ext == ".jsonl.bz2" else N_LINES // 2)


def test_a_long_line_is_rejected_unread_and_the_next_line_is_read(tmp_path):
    big = json.dumps({"id": "big", "text": "长" * 3_000_000}, ensure_ascii=False)
    lines = [_line(0), big, _line(1)]
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    run = _run(tmp_path, '  - {name: cur, format: jsonl, paths: ["a.jsonl.gz"]}\nread: {max_record_bytes: 1000000}\n')
    big_rows = [r for r in run.rejected if r["reason"] == "too_large"]
    assert len(big_rows) == 1 and f"line 2: {len(big.encode()) + 1} bytes > max_record_bytes=1000000" in big_rows[0]["detail"]
    assert len(run.clean["cur"]) == 2


def _hf_shard(path, rows: list[dict]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=3)


def test_parquet_as_hugging_face_ships_it(tmp_path):
    """data/train-0000k-of-0000n.parquet with a `content` column; a cut shard is one
    bad_record row; a row over the size limit is too_large."""
    docs = [json.loads(_line(i, "content")) for i in range(8)]
    _hf_shard(str(tmp_path / "data" / "train-00000-of-00003.parquet"), docs[:4])
    _hf_shard(str(tmp_path / "data" / "train-00001-of-00003.parquet"), docs[4:] + [{"id": "huge", "content": "大" * 400_000}])
    _hf_shard(str(tmp_path / "data" / "train-00002-of-00003.parquet"), docs[:2])
    shard = tmp_path / "data" / "train-00002-of-00003.parquet"
    shard.write_bytes(shard.read_bytes()[:-40])  # footer gone
    run = _run(tmp_path, '  - {name: hf, format: parquet, paths: ["data/train-*.parquet"], fields: {text: content}}\n'
                         "read: {max_record_bytes: 1000000}\n")
    assert len(run.clean["hf"]) == 8
    by_reason = {r["reason"]: r for r in run.rejected}
    assert set(by_reason) == {"too_large", "bad_record"}
    assert "text of 1200000 bytes" in by_reason["too_large"]["detail"]
    assert by_reason["bad_record"]["input_file"].endswith("train-00002-of-00003.parquet")
    assert run.report["accounting_ok"] is True


def _page_with(encoding: str, body: bytes) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: {encoding}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _response(url: str, http: bytes) -> bytes:
    return gzip_member(warc_record("response", url, http, "application/http; msgtype=response"))


ENCODERS = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress, "zstd": zstd.compress}


def test_content_codings_decode_within_the_limit(tmp_path):
    """Each coding decodes a page; a body inflating past max_record_bytes is too_large with
    the coding, its compressed size and where decoding stopped, and the next record is read."""
    page = html_page("tea").split(b"\r\n\r\n", 1)[1]
    bomb = b"<p>" + "中文".encode() * 2_000_000 + b"</p>"  # 12 MB of HTML
    members = []
    for name, encode in ENCODERS.items():
        members.append(_response(f"http://{name}.example.cn/", _page_with(name, encode(page))))
        members.append(_response(f"http://{name}-bomb.example.cn/", _page_with(name, encode(bomb))))
    members.append(_response("http://after.example.cn/", html_page("moon")))
    (tmp_path / "enc.warc.gz").write_bytes(b"".join(members))
    run = _run(tmp_path, '  - {name: cc, format: warc, paths: ["enc.warc.gz"]}\nread: {max_record_bytes: 5000000}\n')
    clean = {r["url"] for r in run.all_clean()}
    assert clean == {f"http://{n}.example.cn/" for n in ENCODERS} | {"http://after.example.cn/"}
    for name, encode in ENCODERS.items():
        (row,) = [r for r in run.rejected if r["url"] == f"http://{name}-bomb.example.cn/"]
        assert row["reason"] == "too_large"
        assert f"Content-Encoding {name}: {len(encode(bomb))} compressed bytes" in row["detail"]
        assert "stopped at" in row["detail"]


def test_resource_records_are_read_when_asked(tmp_path):
    html = article_html(*ZH["river"]).encode()
    data = (gzip_member(warc_record("resource", "http://wget.example.cn/", html, "text/html; charset=utf-8"))
            + _response("http://resp.example.cn/", html_page("rice")))
    (tmp_path / "wget.warc.gz").write_bytes(data)
    runs = {}
    for i, records in enumerate(("[response]", "[response, resource]")):
        (tmp_path / f"run{i}").mkdir()
        runs[records] = _run(tmp_path / f"run{i}", f'  - {{name: cc, format: warc, paths: ["{tmp_path}/wget.warc.gz"], records: {records}}}\n')
    default, both = runs.values()
    assert {r["url"] for r in default.all_clean() + default.rejected} == {"http://resp.example.cn/"}
    assert {r["url"] for r in both.all_clean()} == {"http://resp.example.cn/", "http://wget.example.cn/"}


def test_warcio_test_files_never_crash_a_run(tmp_path):
    """The 16 WARC and ARC files warcio tests itself with: one run, every file listed, every
    record accounted for, ARC pages read as documents."""
    with tarfile.open(shared_file("10_warcio_test_warc_arc.tar.gz")) as tar:
        tar.extractall(tmp_path, filter="data")
    data = glob.glob(str(tmp_path / "*" / "*"))
    files = [p for p in data if not p.endswith("LICENSE")]
    assert len(files) == 16
    for p in files:
        shutil.move(p, tmp_path / os.path.basename(p))
    run = _run(tmp_path, '  - {name: w, format: warc, paths: ["example*", "bad*", "post-test*"], records: [response, resource]}\n'
                         "quality: {min_chars: 0}\nlangid: {languages: [en, zh], min_score: 0}\n")
    assert run.report["accounting_ok"] is True
    assert len(run.report["files"]) == 16
    for path, f in run.report["files"].items():
        assert f["read"] == f["out"], path
    rows = _by_file(run)
    assert any(r["url"] == "http://example.com/" for r in rows["example.arc"])
    assert any(r["url"] == "http://example.com/" for r in rows["example.arc.gz"])
    assert any(r["url"] == "http://example.com/" for r in rows["example-resource.warc.gz"])
    # wget's <> around the target URI is not part of it
    assert {r["url"] for r in rows["example-wget-bad-target-uri.warc.gz"]} == {"http://example.com/"}
