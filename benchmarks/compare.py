"""The crawl-scale benchmark, one command: zhpile's whole pipeline at each input size,
beside datatrove on the same WARC files, then each zhpile stage alone.

    python benchmarks/compare.py [--mb 100 400] [--repeat 3] [--datatrove-python /path/to/python]

For each size: generates a crawl of about that many MB of compressed WARC
(benchmarks/corpus.py, labelled pages), runs `zhpile run` (local runner, one worker) and,
if given a Python with datatrove installed (a benchmark-only extra: datatrove[processing],
spacy, jieba, trafilatura, warcio, faust-cchardet, python-magic, orjson),
benchmarks/datatrove_pipeline.py with the comparable steps. Prints wall time, documents and
MB per second per core, peak RSS (GNU time), what each system kept by page kind, and the
ratio of documents per second; then the per-stage table (benchmarks/stages.py) on the
smallest corpus.
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import write_corpus  # noqa: E402
from benchmarks.stages import print_stage_table, stage_rows  # noqa: E402

KINDS = ("zh", "en", "short", "junk")


def kept_summary(labels: dict, kept: set[str]) -> list[int]:
    """Kept pages by kind (a duplicate copy counts as the kind it copies), then the copies
    kept beyond one per group of an article and its exact or near duplicates."""
    by_kind = collections.Counter("zh" if labels[u][0] in ("dup", "near") else labels[u][0] for u in kept if u in labels)
    per_group = collections.Counter(labels[u][1] for u in kept if u in labels)
    copies = sum(n - 1 for n in per_group.values() if n > 1)
    return [by_kind[k] for k in KINDS] + [copies]


def timed(cmd: list[str], log: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command, from GNU time; one core (taskset) so the
    figures are per core whatever the machine."""
    stats = log + ".time"
    with open(log, "w") as out:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats, "taskset", "-c", "0", *cmd],
                       check=True, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
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
    parser.add_argument("--mb", type=float, nargs="+", default=[200], help="compressed WARC sizes to generate and run")
    parser.add_argument("--workdir", default="/tmp/zhpile-bench")
    parser.add_argument("--datatrove-python")
    parser.add_argument("--repeat", type=int, default=1,
                        help="zhpile runs per size; the table shows the median (a shared machine drifts by tens of percent)")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage table")
    parser.add_argument("--reuse-datatrove", action="store_true",
                        help="take datatrove's figures from an earlier run on the same corpus when present (it takes ~35 s per MB)")
    args = parser.parse_args()
    rows = []
    for size in args.mb:
        corpus = os.path.join(args.workdir, f"crawl-{size:g}mb")
        if not os.path.exists(os.path.join(corpus, "labels.json")):
            write_corpus(corpus, mb=size)
        labels = json.load(open(os.path.join(corpus, "labels.json")))
        mb = sum(os.path.getsize(p) for p in glob.glob(os.path.join(corpus, "*.warc.gz"))) / 1e6
        config = os.path.join(args.workdir, f"crawl-{size:g}mb.yaml")
        with open(config, "w") as f:
            f.write(f'sources:\n  - {{name: cc, format: warc, paths: ["{corpus}/*.warc.gz"]}}\n')
        out = corpus + "-zhpile"
        runs = [timed([sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", out, "--overwrite"], out + ".log")
                for _ in range(args.repeat)]
        seconds, rss = statistics.median(s for s, _ in runs), statistics.median(r for _, r in runs)
        rows.append(("zhpile", labels, mb, seconds, rss, zhpile_kept(out)))
        print(f"zhpile {mb:.0f} MB: {seconds:.1f}s (runs: {', '.join(f'{s:.1f}' for s, _ in runs)} s)", flush=True)
        if args.datatrove_python:
            out = corpus + "-datatrove"
            if args.reuse_datatrove and os.path.exists(out + ".log.time") and os.path.isdir(os.path.join(out, "final")):
                seconds, rss_kb = open(out + ".log.time").read().split()[-2:]
                seconds, rss = float(seconds), int(rss_kb) / 1024
            else:
                shutil.rmtree(out, ignore_errors=True)
                model = os.path.join(ROOT, "filters", "data", "lid.176.ftz")
                seconds, rss = timed([args.datatrove_python, os.path.join(ROOT, "benchmarks", "datatrove_pipeline.py"), corpus, out, model],
                                     out + ".log")
            rows.append(("datatrove", labels, mb, seconds, rss, datatrove_kept(out)))
            print(f"datatrove {mb:.0f} MB: {seconds:.1f}s", flush=True)

    kinds = collections.Counter(kind for kind, _group in rows[-1][1].values())
    groups = len({group for kind, group in rows[-1][1].values() if kind == "zh"})
    print(f"\npages by kind (last size): {dict(kinds)}; {groups} distinct Chinese articles\n")
    print("| system | pages | MB (WARC.gz) | seconds | docs/s (1 core) | MB/s | peak RSS MB | "
          + " | ".join(f"kept {k}" for k in KINDS) + " | duplicate copies kept |")
    print("|---|" + "---:|" * (7 + len(KINDS)))
    rate = {}
    for name, labels, mb, seconds, rss, kept in rows:
        rate[name, len(labels)] = len(labels) / seconds
        print(f"| {name} | {len(labels):,} | {mb:.1f} | {seconds:.1f} | {len(labels) / seconds:,.1f} | {mb / seconds:.2f} | {rss:,.0f} | "
              + " | ".join(map(str, kept_summary(labels, kept))) + " |")
    for (name, pages), r in rate.items():
        if name == "datatrove":
            print(f"\n{pages:,} pages: zhpile {rate['zhpile', pages] / r:.1f}x datatrove's documents per second per core")
    if not args.no_stages:
        print()
        print_stage_table(stage_rows(os.path.join(args.workdir, f"crawl-{min(args.mb):g}mb")))


if __name__ == "__main__":
    main()
