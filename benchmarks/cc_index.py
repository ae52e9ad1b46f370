"""Reading only the Chinese part of a crawl, four ways, on one generated crawl with 5%
Chinese pages (CC-style request/response/metadata records with `languages-cld2`, pages of
~25 KB of HTML) and a columnar index for it:

  whole     whole WARC files, CLD2 pre-filter off (every page parsed and language-identified)
  cld2      whole WARC files, CLD2 pre-filter on (read.cld2: any)
  index     index + byte ranges from the local files
  http      index + byte ranges over loopback HTTP (Range requests, keep-alive)

    python benchmarks/cc_index.py [--pages 10000] [--workdir /tmp/zhpile-ccindex-bench]

Each run is `zhpile run` on one core (taskset). Prints wall time, bytes read and the clean
output, and whether each run's clean documents equal the whole-file run's.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import _encode, article, chinese_page, sentence_pool  # noqa: E402
from sample_data.articles import EN  # noqa: E402
from sample_data.make_sample import gzip_member, http_response, warc_record  # noqa: E402

WORDS = " ".join(" ".join(p) for _t, p in EN.values()).split()


def foreign_page(rng: random.Random, n: int) -> bytes:
    """~25 KB of English HTML: navigation, a long article, a footer."""
    nav = "".join(f"<li><a href='/{rng.choice(WORDS)}/'>{rng.choice(WORDS)}</a></li>" for _ in range(60))
    paragraphs = "".join("<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 160))) + ".</p>"
                         for _ in range(rng.randint(8, 14)))
    html = (f"<!DOCTYPE html><html><head><title>Page {n}</title><style>{'.x{color:red}' * 200}</style></head>"
            f"<body><ul>{nav}</ul><article>{paragraphs}</article><footer>{' '.join(rng.choice(WORDS) for _ in range(200))}</footer></body></html>")
    return http_response(html.encode(), "text/html; charset=utf-8")


def cld2(codes: list[str]) -> bytes:
    labels = {"reliable": True, "languages": [{"code": c[:2], "code-iso-639-3": c, "text-covered": 0.9} for c in codes]}
    return b"fetchTimeMs: 120\r\ncharset-detected: UTF-8\r\nlanguages-cld2: " + json.dumps(labels).encode() + b"\r\n"


def write_crawl(out: str, n_pages: int, n_files: int = 4, seed: int = 0) -> list[dict]:
    rng, pool = random.Random(seed), sentence_pool()
    seg = os.path.join(out, "crawl-data", "segments")
    os.makedirs(seg, exist_ok=True)
    files = [open(os.path.join(seg, f"CC-{i:05d}.warc.gz"), "wb") for i in range(n_files)]
    rows = []
    for n in range(n_pages):
        f = files[n % n_files]
        if rng.random() < 0.05:
            title, paragraphs = article(rng, pool)
            url, response, langs = f"http://site{n}.example.cn/{n}.html", _encode(rng, chinese_page(rng, pool, n % 3000, n, title, paragraphs)), ["zho", "eng"]
        else:
            url, response, langs = f"http://site{n}.example.com/{n}.html", foreign_page(rng, n), [rng.choice(["eng", "rus", "deu"])]
        f.write(gzip_member(warc_record("request", url, b"GET / HTTP/1.1\r\n\r\n", "application/http; msgtype=request")))
        member = gzip_member(warc_record("response", url, response, "application/http; msgtype=response"))
        rows.append({"url": url, "warc_filename": f"crawl-data/segments/{os.path.basename(f.name)}",
                     "warc_record_offset": f.tell(), "warc_record_length": len(member),
                     "content_languages": ",".join(langs), "fetch_status": 200, "content_mime_detected": "text/html",
                     "url_host_registered_domain": url.split("/")[2], "url_host_tld": url.split("/")[2].rsplit(".", 1)[1]})
        f.write(member)
        response_id = uuid.uuid5(uuid.NAMESPACE_URL, f"response:{url}")  # warc_record's id of the response
        f.write(gzip_member(warc_record("metadata", url, cld2(langs), "application/warc-fields",
                                        f"WARC-Concurrent-To: <urn:uuid:{response_id}>\r\n")))
    for f in files:
        f.close()
    rows.sort(key=lambda r: (r["url_host_tld"], r["url"]))
    pq.write_table(pa.Table.from_pylist(rows), os.path.join(out, "index.parquet"), row_group_size=2000)
    return rows


class RangeFiles(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP Range (206), for the loopback runs."""
    protocol_version = "HTTP/1.1"
    # Headers and body in one write: unbuffered, the body waits out the client's delayed ACK
    # (40 ms a request on loopback), which no real server makes a client pay.
    wbufsize = 1 << 16

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        spec = self.headers.get("Range")
        if not spec or not os.path.isfile(path):
            return super().do_GET()
        start, end = map(int, spec.split("=")[1].split("-"))
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Range", f"bytes {start}-{start + len(body) - 1}/{os.path.getsize(path)}")
        self.end_headers()
        self.wfile.write(body)


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client closing its keep-alive connection is not news


def run(config_text: str, workdir: str, name: str) -> tuple[float, str]:
    config, out = os.path.join(workdir, f"{name}.yaml"), os.path.join(workdir, f"out-{name}")
    with open(config, "w") as f:
        f.write(config_text)
    start = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", out, "--overwrite"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--workdir", default="/tmp/zhpile-ccindex-bench")
    args = parser.parse_args()
    crawl = os.path.join(args.workdir, f"crawl-{args.pages}")
    if not os.path.exists(os.path.join(crawl, "index.parquet")):
        write_crawl(crawl, args.pages)
    warcs = f"{crawl}/crawl-data/segments/*.warc.gz"
    warc_bytes = sum(os.path.getsize(os.path.join(crawl, "crawl-data", "segments", f))
                     for f in os.listdir(os.path.join(crawl, "crawl-data", "segments")))
    server = QuietServer(("127.0.0.1", 0), functools.partial(RangeFiles, directory=crawl))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    index = ('sources:\n  - name: cc\n    format: cc-index\n    paths: ["{crawl}/index.parquet"]\n'
             '    index: {{warc_prefix: "{prefix}", http: {{requests_per_second: 10000, max_concurrent: 4}}}}\n')
    configs = {
        "whole": f'sources:\n  - {{name: cc, format: warc, paths: ["{warcs}"]}}\nread: {{cld2: off}}\n',
        "cld2": f'sources:\n  - {{name: cc, format: warc, paths: ["{warcs}"]}}\n',
        "index": index.format(crawl=crawl, prefix=crawl + "/"),
        "http": index.format(crawl=crawl, prefix=f"http://127.0.0.1:{server.server_port}/"),
    }
    rows, reference = [], None
    for name, text in configs.items():
        seconds, out = run(text, args.workdir, name)
        clean = sorted((r["id"], r["text"]) for r in pq.read_table(os.path.join(out, "clean")).select(["id", "text"]).to_pylist())
        reference = reference if reference is not None else clean
        with open(os.path.join(out, "report", "report.json")) as f:
            funnel = json.load(f)["sources"]["cc"].get("index")
        read = funnel["bytes_fetched"] + os.path.getsize(os.path.join(crawl, "index.parquet")) if funnel else warc_bytes
        rows.append((name, seconds, read, len(clean), "same" if clean == reference else "DIFFERENT"))
        print(f"{name}: {seconds:.1f}s", flush=True)
    server.shutdown()
    print(f"\n{args.pages:,} pages, {warc_bytes / 1e6:.1f} MB of WARC.gz, 5% Chinese\n")
    print("| run | wall s (1 core) | speed-up vs whole | bytes read | clean documents | clean vs whole |")
    print("|---|---:|---:|---:|---:|---|")
    for name, seconds, read, n, same in rows:
        print(f"| {name} | {seconds:.1f} | {rows[0][1] / seconds:.1f}x | {read / 1e6:.1f} MB | {n:,} | {same} |")


if __name__ == "__main__":
    main()
