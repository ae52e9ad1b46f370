"""The whole pipeline at two input sizes, beside datatrove on the same WARC files.

    python benchmarks/compare.py [--pages 10000 40000] [--datatrove-python /path/to/python]

For each size: generates a crawl (benchmarks/corpus.py, labelled pages), runs `zhpile run`
(local runner, one worker) and, if given a Python with datatrove installed (a benchmark-only
extra: datatrove[processing], spacy, jieba, trafilatura, warcio, faust-cchardet, python-magic,
orjson), benchmarks/datatrove_pipeline.py with the comparable steps. Prints wall time,
documents and MB per second, peak RSS (GNU time), and what each kept, by page kind.
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import write_corpus  # noqa: E402


def timed(cmd: list[str], log: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command, from GNU time."""
    stats = log + ".time"
    with open(log, "w") as out:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats, *cmd], check=True, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    seconds, rss_kb = open(stats).read().split()[-2:]
    return float(seconds), int(rss_kb) / 1024


def zhpile_kept(out: str) -> set[str]:
    import pyarrow.parquet as pq

    return {u for u in pq.read_table(os.path.join(out, "clean")).column("url").to_pylist() if u}


def datatrove_kept(out: str) -> set[str]:
    urls = set()
    for path in glob.glob(os.path.join(out, "final", "*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            urls.update(json.loads(line)["metadata"].get("url") for line in f)
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[10000, 40000])
    parser.add_argument("--workdir", default="/tmp/zhpile-bench")
    parser.add_argument("--datatrove-python")
    args = parser.parse_args()
    rows = []
    for pages in args.pages:
        corpus = os.path.join(args.workdir, f"compare-{pages}")
        if not os.path.exists(os.path.join(corpus, "labels.json")):
            write_corpus(corpus, pages, n_files=4)
        labels = json.load(open(os.path.join(corpus, "labels.json")))
        mb = sum(os.path.getsize(p) for p in glob.glob(os.path.join(corpus, "*.warc.gz"))) / 1e6
        config = os.path.join(args.workdir, f"compare-{pages}.yaml")
        with open(config, "w") as f:
            f.write(f'sources:\n  - {{name: cc, format: warc, paths: ["{corpus}/*.warc.gz"]}}\n')
        out = os.path.join(args.workdir, f"compare-{pages}-zhpile")
        seconds, rss = timed([sys.executable, "-m", "pipelines.cli", "run", config, "--output", out, "--overwrite"], out + ".log")
        rows.append(("zhpile", pages, mb, seconds, rss, zhpile_kept(out)))
        if args.datatrove_python:
            out = os.path.join(args.workdir, f"compare-{pages}-datatrove")
            shutil.rmtree(out, ignore_errors=True)
            model = os.path.join(ROOT, "filters", "data", "lid.176.ftz")
            seconds, rss = timed([args.datatrove_python, os.path.join(ROOT, "benchmarks", "datatrove_pipeline.py"), corpus, out, model],
                                 out + ".log")
            rows.append(("datatrove", pages, mb, seconds, rss, datatrove_kept(out)))
        kinds = collections.Counter(labels.values())
    print(f"\npages by kind (last size): {dict(kinds)}\n")
    print("| system | pages | MB (WARC.gz) | seconds | docs/s (1 core) | MB/s | peak RSS MB | kept zh | kept dup | kept en | kept short | kept junk |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, pages, mb, seconds, rss, kept in rows:
        labels = json.load(open(os.path.join(args.workdir, f"compare-{pages}", "labels.json")))
        by_kind = collections.Counter(labels[u] for u in kept if u in labels)
        print(f"| {name} | {pages} | {mb:.1f} | {seconds:.1f} | {pages / seconds:,.0f} | {mb / seconds:.2f} | {rss:,.0f} | "
              + " | ".join(str(by_kind[k]) for k in ("zh", "dup", "en", "short", "junk")) + " |")


if __name__ == "__main__":
    main()
