"""Peak memory of a run over a crawl with decompression bombs between good pages, and of
the same crawl without them.

    python benchmarks/bombs.py [--gib 1]

The bombs: a response sent with Content-Encoding gzip whose body inflates to N GiB of
ordinary HTML, the same with brotli, and a .jsonl.gz line of N GiB. tests/test_bombs.py
builds the same crawl and asserts the bound.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import zlib

import brotli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sample_data.articles import ZH  # noqa: E402
from sample_data.make_sample import gzip_member, html_page, warc_record  # noqa: E402

GOOD = list(ZH)
_PIECE = ("<p>" + "这是一个普通的网页段落，内容没有任何特别之处。" * 20 + "</p>\n").encode() * 64  # ~40 KB of HTML


def _stream(compressor, size: int, flush) -> bytes:
    """`size` bytes of repeated HTML through a streaming compressor, never held whole."""
    parts, done = [], 0
    while done < size:
        parts.append(compressor(_PIECE))
        done += len(_PIECE)
    parts.append(flush())
    return b"".join(parts)


def gzip_bomb(size: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return _stream(c.compress, size, c.flush)


def brotli_bomb(size: int) -> bytes:
    c = brotli.Compressor(quality=5)
    return _stream(c.process, size, c.finish)


def _response(url: str, body: bytes, encoding: str | None = None) -> bytes:
    head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    head += f"Content-Encoding: {encoding}\r\n" if encoding else ""
    http = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    return gzip_member(warc_record("response", url, http, "application/http; msgtype=response"))


def make_crawl(directory: str, bomb_bytes: int, bombs: bool = True) -> str:
    """A WARC of good pages (with the gzip and brotli bombs between them) and a .jsonl.gz of
    good lines (with a bomb line between them); returns the config's path."""
    members = []
    for i, key in enumerate(GOOD):
        members.append(_response(f"http://good{i}.example.cn/", html_page(key).split(b"\r\n\r\n", 1)[1]))
        if bombs and i == 2:
            members.append(_response("http://gzip-bomb.example.cn/", gzip_bomb(bomb_bytes), "gzip"))
        if bombs and i == 5:
            members.append(_response("http://br-bomb.example.cn/", brotli_bomb(bomb_bytes), "br"))
    with open(os.path.join(directory, "crawl.warc.gz"), "wb") as f:
        f.write(b"".join(members))
    lines = [json.dumps({"id": f"line{i}", "text": "\n".join([ZH[k][0], *ZH[k][1]])}, ensure_ascii=False).encode()
             for i, k in enumerate(GOOD)]
    with gzip.open(os.path.join(directory, "books.jsonl.gz"), "wb", compresslevel=1) as f:
        for i, line in enumerate(lines):
            f.write(line + b"\n")
            if bombs and i == 3:  # {"id": "bomb", "text": "<p>...<p>..."} of bomb_bytes
                f.write(b'{"id": "bomb", "text": "')
                for _ in range(bomb_bytes // len(_PIECE)):
                    f.write(_PIECE.replace(b"\n", b" "))
                f.write(b'"}\n')
    config = os.path.join(directory, "config.yaml")
    with open(config, "w") as f:
        f.write("sources:\n  - {name: cc, format: warc, paths: [crawl.warc.gz]}\n"
                "  - {name: books, format: jsonl, paths: [books.jsonl.gz]}\n"
                # the books repeat the pages: dedup would keep one of each
                "dedup: {exact: false, near: false, lines: false}\n")
    return config


def peak_rss_run(config: str, output: str) -> tuple[int, int]:
    """(exit code, peak RSS in bytes) of `zhpile run` in a fresh process. Call it from a
    process that has run no other child: RUSAGE_CHILDREN is a maximum over all of them."""
    code = subprocess.run([sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", output, "--overwrite"],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def isolated_peak_rss(config: str, output: str) -> tuple[int, int]:
    """peak_rss_run from a process of its own, so no earlier child counts."""
    code = (f"import json, sys; sys.path.insert(0, {ROOT!r}); from benchmarks.bombs import peak_rss_run; "
            f"print(json.dumps(peak_rss_run({config!r}, {output!r})))")
    return tuple(json.loads(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0, help="decoded size of each bomb")
    args = parser.parse_args()
    size = int(args.gib * 2**30)
    print("| crawl | compressed input | exit | peak RSS |\n|---|---:|---:|---:|")
    for bombs in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            config = make_crawl(tmp, size, bombs)
            inputs = sum(os.path.getsize(os.path.join(tmp, n)) for n in ("crawl.warc.gz", "books.jsonl.gz"))
            code, rss = isolated_peak_rss(config, os.path.join(tmp, "out"))
            label = f"with 3 bombs of {args.gib:g} GiB" if bombs else "without bombs"
            print(f"| {label} | {inputs / 1e6:.1f} MB | {code} | {rss / 2**20:.0f} MiB |")


if __name__ == "__main__":
    main()
