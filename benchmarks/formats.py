"""A job of eight sources, one of every input format zhpile reads, made from one generated crawl
(benchmarks/corpus.py): WARC, WET, ARC, cc-index (an index Parquet over a WARC, offsets its
own), and the pages' text as JSONL, JSONL.gz, JSONL.zst and Parquet.

    python benchmarks/formats.py OUT_DIR [--mb 4] [--seed 0]

Writes OUT_DIR/config.yaml. Pages repeat across sources the way they do in a crawl (exact
and near duplicates), so dedup works across formats. Same arguments, same bytes.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import crawl_records, pages  # noqa: E402
from sample_data.make_sample import gzip_member, warc_record  # noqa: E402

TEXT_FORMATS = ("jsonl", "jsonl.gz", "jsonl.zst", "parquet")
SOURCES = ("warc", "wet", "arc", "ccindex", *(f.replace(".", "_") for f in TEXT_FORMATS))
DATE_14 = "20240101000000"


def _http_parts(response: bytes) -> tuple[str, bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    ctype = next((line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n") if line.lower().startswith(b"content-type:")),
                 "text/html")
    return ctype, body


def page_text(response: bytes) -> str:
    """The page's visible text as Common Crawl's WET conversion gives it (title first)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    from zhpile.filters.charset import decode_page

    ctype, body = _http_parts(response)
    html = decode_page(body, ctype.partition("charset=")[2] or None)[0]
    title = (HTMLTree.parse(html).title or "").strip()
    text = extract_plain_text(html, main_content=False, alt_texts=False, links=False, list_bullets=False)
    return f"{title}\n{text}" if title else text


def _arc_record(url: str, response: bytes) -> bytes:
    """An ARC v1 record: the URL line (URL, IP, date, type, length), then the HTTP response."""
    ctype, _body = _http_parts(response)
    return f"{url} 127.0.0.1 {DATE_14} {ctype.split(';')[0]} {len(response)}\n".encode() + response + b"\n"


def _arc_header(name: str) -> bytes:
    body = b"1 0 zhpile\nURL IP-address Archive-date Content-type Archive-length\n"
    return f"filedesc://{name} 127.0.0.1 {DATE_14} text/plain {len(body)}\n".encode() + body + b"\n"


def write_sources(out_dir: str, mb: float = 4, seed: int = 0) -> str:
    """Writes the eight sources and config.yaml into out_dir; returns the config's path.
    Pages are dealt round-robin to the sources until `mb` MB of crawl records are made."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    os.makedirs(out_dir, exist_ok=True)
    segments = os.path.join(out_dir, "crawl-data", "segments")
    os.makedirs(segments, exist_ok=True)
    warc = open(os.path.join(out_dir, "crawl.warc.gz"), "wb")
    wet = open(os.path.join(out_dir, "crawl.warc.wet.gz"), "wb")
    arc = open(os.path.join(out_dir, "crawl.arc.gz"), "wb")
    indexed = open(os.path.join(segments, "CC-indexed.warc.gz"), "wb")
    wet.write(gzip_member(warc_record("warcinfo", "urn:wet", b"software: zhpile benchmarks/formats.py\r\n", "application/warc-fields")))
    arc.write(gzip_member(_arc_header("crawl.arc.gz")))
    index_rows, texts = [], {f: [] for f in TEXT_FORMATS}
    written = 0
    try:
        for i, (url, response, _kind, _group) in enumerate(pages(None, seed)):
            if written >= mb * 1e6:
                break
            target = SOURCES[i % len(SOURCES)]
            records = crawl_records(url, response)
            written += len(records)
            if target == "warc":
                warc.write(records)
            elif target == "wet":
                wet.write(gzip_member(warc_record("conversion", url, page_text(response).encode("utf-8"), "text/plain")))
            elif target == "arc":
                arc.write(gzip_member(_arc_record(url, response)))
            elif target == "ccindex":
                request = gzip_member(warc_record("request", url, b"GET / HTTP/1.1\r\n\r\n", "application/http; msgtype=request"))
                member = gzip_member(warc_record("response", url, response, "application/http; msgtype=response"))
                indexed.write(request)
                host = url.split("/")[2]
                index_rows.append({"url": url, "warc_filename": "crawl-data/segments/CC-indexed.warc.gz",
                                   "warc_record_offset": indexed.tell(), "warc_record_length": len(member),
                                   "content_languages": "zho", "fetch_status": 200, "content_mime_detected": "text/html",
                                   "url_host_registered_domain": host, "url_host_tld": host.rsplit(".", 1)[1]})
                indexed.write(member)
            else:
                fmt = TEXT_FORMATS[SOURCES.index(target) - 4]
                texts[fmt].append({"id": f"{fmt}-{i}", "url": url, "text": page_text(response)})
    finally:
        for f in (warc, wet, arc, indexed):
            f.close()
    pq.write_table(pa.Table.from_pylist(index_rows), os.path.join(out_dir, "index.parquet"))
    lines = {fmt: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8") for fmt, rows in texts.items()}
    with open(os.path.join(out_dir, "pages.jsonl"), "wb") as f:
        f.write(lines["jsonl"])
    with gzip.GzipFile(os.path.join(out_dir, "pages.jsonl.gz"), "wb", mtime=0) as f:
        f.write(lines["jsonl.gz"])
    with open(os.path.join(out_dir, "pages.jsonl.zst"), "wb") as f:
        f.write(zstandard.ZstdCompressor().compress(lines["jsonl.zst"]))
    pq.write_table(pa.Table.from_pylist(texts["parquet"]), os.path.join(out_dir, "pages.parquet"))
    config = os.path.join(out_dir, "config.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(f"""# {os.path.basename(__file__)}: eight sources, one of every input format
sources:
  - {{name: warc, format: warc, paths: ["crawl.warc.gz"]}}
  - {{name: wet, format: wet, paths: ["crawl.warc.wet.gz"]}}
  - {{name: arc, format: warc, paths: ["crawl.arc.gz"]}}
  - {{name: ccindex, format: cc-index, paths: ["index.parquet"], index: {{warc_prefix: "{out_dir}/"}}}}
  - {{name: jsonl, format: jsonl, kind: crawl, paths: ["pages.jsonl"]}}
  - {{name: jsonl_gz, format: jsonl, kind: crawl, paths: ["pages.jsonl.gz"]}}
  - {{name: jsonl_zst, format: jsonl, kind: crawl, paths: ["pages.jsonl.zst"]}}
  - {{name: parquet, format: parquet, kind: crawl, paths: ["pages.parquet"]}}
""")
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--mb", type=float, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    config = write_sources(os.path.abspath(args.out), args.mb, args.seed)
    print(f"wrote {config}")


if __name__ == "__main__":
    main()
