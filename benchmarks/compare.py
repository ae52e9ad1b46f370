"""The crawl-scale benchmark, one command: zhpile's whole pipeline beside datatrove on the
same WARC files, both at the same time, each pinned to its own core; then each zhpile
stage alone.

    python benchmarks/compare.py [--profile default|small|mixed] [--mb 100 400 | --pages 20000]
                                 [--repeat 2] [--datatrove-python /path/to/python]

Profiles (each generated once into --workdir, labelled page by page):
  default  benchmarks/corpus.py: ~30 KB pages in real-size site chrome, 5% exact and 3% near
           copies, English, short and junk pages (sized by --mb)
  small    the same generator's small-page, duplicate-heavy profile (--small: light chrome,
           short articles, 15% exact and 15% near copies; sized by --pages)
  mixed    a crawl as Common Crawl's WARC files are (benchmarks/cc_index.py): 5% Chinese,
           ~25 KB pages, `languages-cld2` metadata records (sized by --pages)

Each repeat starts `zhpile run` (local runner) on core 0 and, given a Python with datatrove
(a benchmark-only extra: datatrove[processing], spacy, jieba, trafilatura, warcio,
faust-cchardet, python-magic, orjson, requests, aiohttp, and lxml_html_clean, without which
trafilatura fails on import), benchmarks/datatrove_pipeline.py on core 1, together: the two
share the machine's memory bandwidth and caches, as they would in use, and a machine that
drifts drifts for both. Prints every run's wall time, documents
per second per core, peak RSS (GNU time), what each system kept by page kind, and each
same-time pair's ratio of documents per second; then the per-stage table
(benchmarks/stages.py) on the first corpus.
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
from benchmarks.stages import print_stage_table, stage_rows  # noqa: E402

KINDS = ("zh", "en", "short", "junk")


def kept_summary(labels: dict, kept: set[str]) -> list[int]:
    """Kept pages by kind (a duplicate copy counts as the kind it copies), then the copies
    kept beyond one per group of an article and its exact or near duplicates."""
    by_kind = collections.Counter("zh" if labels[u][0] in ("dup", "near") else labels[u][0] for u in kept if u in labels)
    per_group = collections.Counter(labels[u][1] for u in kept if u in labels)
    copies = sum(n - 1 for n in per_group.values() if n > 1)
    return [by_kind[k] for k in KINDS] + [copies]


def start(cmd: list[str], log: str, core: int) -> subprocess.Popen:
    """A command pinned to one core (taskset) under GNU time; figures are per core."""
    out = open(log, "w")
    return subprocess.Popen(["/usr/bin/time", "-f", "%e %M", "-o", log + ".time", "taskset", "-c", str(core), *cmd],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def finish(proc: subprocess.Popen, log: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a started command."""
    if proc.wait() != 0:
        raise SystemExit(f"{' '.join(proc.args)} failed: see {log}")
    seconds, rss_kb = open(log + ".time").read().split()[-2:]
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


def make_corpus(profile: str, workdir: str, mb: float | None, pages: int) -> tuple[str, str]:
    """(folder with labels.json, folder of its WARC files) of a generated crawl."""
    name = f"crawl-{mb:g}mb" if profile == "default" else f"{profile}-{pages}"
    corpus = os.path.join(workdir, name)
    if profile == "mixed":
        warcs = os.path.join(corpus, "crawl-data", "segments")
        if not os.path.exists(os.path.join(corpus, "labels.json")):
            from benchmarks.cc_index import write_crawl

            rows = write_crawl(corpus, pages)
            labels = {r["url"]: ["zh" if "zho" in r["content_languages"] else "en", i] for i, r in enumerate(rows)}
            with open(os.path.join(corpus, "labels.json"), "w") as f:
                json.dump(labels, f)
        return corpus, warcs
    if not os.path.exists(os.path.join(corpus, "labels.json")):
        write_corpus(corpus, n_pages=None if profile == "default" else pages, mb=mb if profile == "default" else None,
                     small=profile == "small")
    return corpus, corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("default", "small", "mixed"), default="default")
    parser.add_argument("--mb", type=float, nargs="+", default=[200], help="default profile: compressed WARC sizes")
    parser.add_argument("--pages", type=int, default=20000, help="small and mixed profiles: pages")
    parser.add_argument("--workdir", default="/tmp/zhpile-bench")
    parser.add_argument("--datatrove-python")
    parser.add_argument("--repeat", type=int, default=1, help="same-time runs per corpus (a shared machine drifts by tens of percent)")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage table")
    args = parser.parse_args()
    rows, ratios = [], []
    corpora = [make_corpus(args.profile, args.workdir, mb, args.pages) for mb in (args.mb if args.profile == "default" else [None])]
    for corpus, warcs in corpora:
        labels = json.load(open(os.path.join(corpus, "labels.json")))
        mb = sum(os.path.getsize(p) for p in glob.glob(os.path.join(warcs, "*.warc.gz"))) / 1e6
        config = corpus + ".yaml"
        with open(config, "w") as f:
            f.write(f'sources:\n  - {{name: cc, format: warc, paths: ["{warcs}/*.warc.gz"]}}\n')
        for run in range(args.repeat):
            out_z, out_d = corpus + "-zhpile", corpus + "-datatrove"
            shutil.rmtree(out_d, ignore_errors=True)
            procs = [("zhpile", out_z, start([sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", out_z,
                                              "--overwrite"], out_z + ".log", 0))]
            if args.datatrove_python:
                model = os.path.join(ROOT, "filters", "data", "lid.176.ftz")
                procs.append(("datatrove", out_d, start([args.datatrove_python, os.path.join(ROOT, "benchmarks", "datatrove_pipeline.py"),
                                                         warcs, out_d, model], out_d + ".log", 1)))
            seconds = {}
            for name, out, proc in procs:
                seconds[name], rss = finish(proc, out + ".log")
                kept = zhpile_kept(out) if name == "zhpile" else datatrove_kept(out)
                rows.append((name, run + 1, labels, mb, seconds[name], rss, kept))
                print(f"{name} {mb:.0f} MB run {run + 1}: {seconds[name]:.1f}s", flush=True)
            if "datatrove" in seconds:
                ratios.append((len(labels), run + 1, seconds["datatrove"] / seconds["zhpile"]))

    kinds = collections.Counter(kind for kind, _group in rows[-1][2].values())
    groups = len({group for kind, group in rows[-1][2].values() if kind == "zh"})
    print(f"\npages by kind (last corpus): {dict(kinds)}; {groups} distinct Chinese pages or articles\n")
    print("| system | run | pages | MB (WARC.gz) | seconds | docs/s (1 core) | MB/s | peak RSS MB | "
          + " | ".join(f"kept {k}" for k in KINDS) + " | duplicate copies kept |")
    print("|---|---:|" + "---:|" * (7 + len(KINDS)))
    for name, run, labels, mb, seconds, rss, kept in rows:
        print(f"| {name} | {run} | {len(labels):,} | {mb:.1f} | {seconds:.1f} | {len(labels) / seconds:,.1f} | {mb / seconds:.2f} | {rss:,.0f} | "
              + " | ".join(map(str, kept_summary(labels, kept))) + " |")
    for pages, run, ratio in ratios:
        print(f"\n{pages:,} pages, run {run}: zhpile {ratio:.1f}x datatrove's documents per second per core (same-time run)")
    if not args.no_stages:
        print()
        print_stage_table(stage_rows(corpora[0][1]))


if __name__ == "__main__":
    main()
