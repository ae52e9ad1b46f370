"""Per-stage throughput on a generated crawl, and each stage's share of a whole run.

    python benchmarks/stages.py [--pages 20000] [--workdir /tmp/zhpile-bench]

Each stage's pure function runs alone over every page (one core, in this process);
then the whole pipeline runs with `zhpile run` (local FnApiRunner, one worker) and
the table shows what share of that wall time each stage's own work accounts for.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import write_corpus  # noqa: E402
from benchmarks.runner import time_zhpile_run  # noqa: E402
from filters import quality  # noqa: E402
from filters.base import DropError  # noqa: E402
from filters.dedup import exact_key  # noqa: E402
from filters.extract import page_text  # noqa: E402
from filters.langid import LanguageIdentifier  # noqa: E402
from filters.mojibake import repair_mojibake  # noqa: E402
from filters.normalize import normalize_text, to_simplified  # noqa: E402


def read_payloads(paths):
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    out = []
    for path in paths:
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
                out.append((rec.reader.read(), rec.http_content_type, rec.http_charset))
    return out


def timed(fn, items):
    start = time.perf_counter()
    results = [fn(x) for x in items]
    return results, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--workdir", default="/tmp/zhpile-bench")
    args = parser.parse_args()
    corpus = os.path.join(args.workdir, f"corpus-{args.pages}")
    if not os.path.isdir(corpus):
        write_corpus(corpus, args.pages)
    paths = sorted(os.path.join(corpus, p) for p in os.listdir(corpus) if p.endswith(".warc.gz"))
    mb = sum(os.path.getsize(p) for p in paths) / 1e6

    rows = []
    start = time.perf_counter()
    payloads = read_payloads(paths)
    rows.append(("read (FastWARC)", len(payloads), time.perf_counter() - start))

    def extract(item):
        try:
            return page_text(*item)[0]
        except DropError:
            return None

    texts, t = timed(extract, payloads)
    rows.append(("extract (charset + HTML)", len(payloads), t))
    texts = [x for x in texts if x is not None]
    texts, t = timed(lambda x: normalize_text(repair_mojibake(x).text), texts)
    rows.append(("normalise + mojibake", len(texts), t))
    _, t = timed(quality.signals, texts)
    rows.append(("quality signals", len(texts), t))
    lid = LanguageIdentifier()
    _, t = timed(lid.predict, texts)
    rows.append(("language ID", len(texts), t))
    _, t = timed(to_simplified, texts)
    rows.append(("OpenCC t2s", len(texts), t))
    _, t = timed(exact_key, texts)
    rows.append(("exact-dedup key", len(texts), t))

    whole = time_zhpile_run(f'sources:\n  - {{name: cc, format: warc, paths: ["{corpus}/*.warc.gz"]}}\n',
                            os.path.join(args.workdir, "bench.yaml"), os.path.join(args.workdir, "out"))

    print(f"\ncorpus: {len(payloads)} pages, {mb:.1f} MB compressed WARC ({corpus})\n")
    print("| stage | docs | docs/s (1 core) | share of whole run |")
    print("|---|---:|---:|---:|")
    for name, n, t in rows:
        print(f"| {name} | {n} | {n / t:,.0f} | {100 * t / whole:.1f}% |")
    print(f"| **whole pipeline** (`zhpile run`, 1 worker) | {len(payloads)} | {len(payloads) / whole:,.0f} | 100% |")
    print(f"\nwhole run: {whole:.1f}s, {mb / whole:.2f} MB/s of compressed WARC; "
          f"peak RSS of this benchmark process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
