"""The same job on each engine at several crawl sizes: wall time and peak memory of
every process involved.

    python benchmarks/engines.py [--mb 25 100 300] [--only local1 local2 flink1 flink2 spark2]

For each size, a generated crawl (benchmarks/corpus.py) runs through `zhpile run`:
- local1 / local2: Beam's local runner with 1 worker / 2 worker processes;
- flink1 / flink2: the standalone Flink cluster of `zhpile engine flink up` (a JobManager
  and two TaskManagers with one slot each) at --parallelism 1 / 2;
- spark2: the standalone Spark cluster of `zhpile engine spark up` (two workers, one core each).
Peak RSS is the peak, sampled every 0.5 s, of the sum over the zhpile process, everything
it started (the job server, the local runner's workers) and the engine's processes with
their children (JVMs and Python SDK workers); CPU-seconds are summed over the same processes
(user + system time used during the run). Crawls grow by files of ~125 MB. Each run's output
is compared with local1's (`zhpile compare`); the table says whether it was identical. Every
run's accounting is also checked from the corpus labels (every page once in clean or
rejected; of a page and its exact copies, spread over files, at most one kept): what a run
too big for a local reference shows. Engines are started and stopped by the script; their
idle memory is part of their figures. Flink is warmed up with the sample job after it starts,
as `zhpile engine flink up` does (--no-warm-up: the first job finds cold JVMs).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import write_corpus  # noqa: E402
from zhpile.pipelines import engines  # noqa: E402
from zhpile.pipelines.compare import compare_outputs  # noqa: E402
from zhpile.pipelines.engines.warmup import warm_up  # noqa: E402

FILE_MB = 125
RUNS = ("local1", "local2", "flink1", "flink2", "spark2")


_TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, int, float]]:
    """pid -> (parent pid, RSS in KB, CPU seconds so far) of every process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                # after the command's closing parenthesis: state ppid ... utime(12th) stime(13th)
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ppid, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS
        table[int(name)] = (ppid, int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024, cpu)
    return table


def process_tree(roots: list[int]) -> dict[int, tuple[int, int, float]]:
    """The table's rows for the roots and all their descendants."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _rss, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, stack = set(), [r for r in roots if r in table]
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return {pid: table[pid] for pid in seen}


# What a process is, from its command line: the CPU breakdown's columns.
_KINDS = (("TaskManagerRunner", "TaskManagers"), ("StandaloneSessionClusterEntrypoint", "JobManager"),
          ("spark.deploy.worker", "Spark workers"), ("spark.deploy.master", "Spark master"),
          ("CoarseGrainedExecutorBackend", "Spark executors"), ("job-server", "job server"),
          ("zhpile.pipelines.cli", "zhpile driver"))


def process_kind(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if "python" in cmdline.split(" ", 1)[0] and "zhpile.pipelines.cli" not in cmdline:
        return "Python workers"
    return next((kind for needle, kind in _KINDS if needle in cmdline), "other")


def measured_run(cmd: list[str], log: str, engine_roots) -> tuple[float, float, float, dict[str, float]]:
    """(seconds, peak RSS MB, CPU seconds, CPU seconds by process kind) of a command, summed
    with the engine's processes. CPU: each process's last sampled CPU time less what it had
    used when the run started (the engine's JVMs were up before); a process that ends between
    two samples loses at most its last 0.5 s."""
    before = {pid: cpu for pid, (_p, _r, cpu) in process_tree(engine_roots()).items()}
    cpu_seen: dict[int, float] = {}
    kinds: dict[int, str] = {}
    with open(log, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        peak = 0.0
        while proc.poll() is None:
            tree = process_tree([proc.pid, *engine_roots()])
            peak = max(peak, sum(rss for _p, rss, _c in tree.values()) / 1024)
            cpu_seen.update({pid: cpu for pid, (_p, _r, cpu) in tree.items()})
            kinds.update({pid: process_kind(pid) for pid in tree if pid not in kinds})
            time.sleep(0.5)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:6])} ... failed; see {log}")
    for pid, (_p, _r, cpu) in process_tree(engine_roots()).items():  # the engine's, counted to the end
        cpu_seen[pid] = cpu
    used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in cpu_seen.items()}
    by_kind: dict[str, float] = {}
    for pid, cpu in used.items():
        kind = kinds.get(pid) or process_kind(pid)
        by_kind[kind] = by_kind.get(kind, 0.0) + cpu
    return seconds, peak, sum(used.values()), by_kind


def accounting(out: str, corpus: str) -> str:
    """What a run without a local reference can be checked for, from the corpus labels: every
    page is in clean or rejected exactly once, and of each page and its exact copies (which
    the generator spreads over the files) at most one is kept."""
    import glob
    import json
    from collections import Counter

    import pyarrow.parquet as pq

    with open(os.path.join(corpus, "labels.json")) as f:
        labels = json.load(f)
    kept = pq.read_table(glob.glob(f"{out}/clean/*/*.parquet"), columns=["url"]).column("url").to_pylist()
    dropped = pq.read_table(glob.glob(f"{out}/rejected/*.parquet"), columns=["url"]).column("url").to_pylist()
    urls = kept + dropped
    once = len(urls) == len(set(urls)) and set(urls) == set(labels)
    # kept pages per group of a page and its exact copies
    copies = Counter(labels[url][1] for url in kept if labels[url][0] in ("zh", "dup"))
    twice = sum(n > 1 for n in copies.values())
    n_files = len(glob.glob(os.path.join(corpus, "*.warc.gz")))
    files_of: dict[int, set[int]] = {}  # write_corpus deals page i to file i % n_files; a group is its first page's i
    for i, (kind, group) in enumerate(labels.values()):
        if kind == "dup":
            files_of.setdefault(group, {group % n_files}).add(i % n_files)
    across = sum(len(f) > 1 for f in files_of.values())
    return (f"{len(labels):,} pages: {len(kept):,} clean + {len(dropped):,} rejected, each page once: {once}; "
            f"exact copies in {len(files_of):,} groups ({across:,} spread over several files), "
            f"groups with more than one page kept: {twice}")


def options(run: str) -> list[str]:
    if run == "local1":
        return []
    if run == "local2":
        return ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]
    if run.startswith("flink"):
        return engines.run_options(engines.FLINK, int(run[-1])).split()
    return engines.run_options(engines.SPARK, 2).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[25, 100, 300])
    parser.add_argument("--only", nargs="+", choices=RUNS, default=list(RUNS))
    parser.add_argument("--workdir", default="/tmp/zhpile-engines-bench")
    parser.add_argument("--no-warm-up", action="store_true", help="Flink's first job on a cold cluster (as `up --no-warm-up`)")
    args = parser.parse_args()
    rows = []
    up = None
    try:
        for run in [r for r in RUNS if r in args.only]:
            engine = engines.FLINK if run.startswith("flink") else engines.SPARK if run.startswith("spark") else None
            if engine is not up:
                if up:
                    engines.down(up)
                if engine:
                    engines.down(engine)
                    cluster_options = engines.up(engine, workers=2, slots=1, log=lambda m: None)
                    seconds = None if args.no_warm_up else warm_up(engine, cluster_options)  # as `up` does
                    if seconds is not None:
                        print(f"{engine.name}: warmed up in {seconds:.1f}s", flush=True)
                up = engine
            for size in args.mb:
                corpus = os.path.join(args.workdir, f"crawl-{size:g}mb")
                if not os.path.exists(os.path.join(corpus, "labels.json")):
                    # files of ~125 MB at every size, as a crawl grows by files (a reading
                    # bundle holds one file's documents on Flink, docs/engines.md)
                    write_corpus(corpus, mb=size, n_files=max(2, round(size / FILE_MB)))
                mb = sum(os.path.getsize(os.path.join(corpus, f)) for f in os.listdir(corpus) if f.endswith(".warc.gz")) / 1e6
                config = os.path.join(args.workdir, f"crawl-{size:g}mb.yaml")
                with open(config, "w") as f:
                    f.write(f'sources:\n  - {{name: cc, format: warc, paths: ["{corpus}/*.warc.gz"]}}\n')
                out = os.path.join(args.workdir, f"out-{size:g}mb-{run}")
                cmd = [sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", out, "--overwrite", *options(run)]
                seconds, peak, cpu, by_kind = measured_run(cmd, out + ".log",
                                             lambda: list(engines.processes(engine).values()) if engine else [])
                reference = os.path.join(args.workdir, f"out-{size:g}mb-local1")
                same = "-" if run == "local1" else "no local run" if not os.path.exists(reference) else \
                    ("identical" if not compare_outputs(reference, out) else "DIFFERENT")
                print(f"{run} {size:g} MB: {accounting(out, corpus)}", flush=True)
                rows.append((run, size, mb, seconds, cpu, peak, same))
                print(f"{run} {mb:.0f} MB: {seconds:.1f}s, {cpu:.0f} CPU-s, peak {peak:,.0f} MB, {same}", flush=True)
                print(f"{run} {mb:.0f} MB: CPU-s by process: "
                      + ", ".join(f"{kind} {sec:.0f}" for kind, sec in sorted(by_kind.items(), key=lambda kv: -kv[1])), flush=True)
    finally:
        if up:
            engines.down(up)
    print("\n| run | engine, parallelism | WARC.gz MB | wall s | MB/s | CPU-s per MB | peak RSS, all processes (MB) | output vs local1 |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    names = {"local1": "local runner, 1 worker", "local2": "local runner, 2 workers", "flink1": "Flink cluster, parallelism 1",
             "flink2": "Flink cluster, parallelism 2", "spark2": "Spark cluster, 2 cores"}
    for run, _size, mb, seconds, cpu, peak, same in rows:
        print(f"| {run} | {names[run]} | {mb:.1f} | {seconds:.1f} | {mb / seconds:.2f} | {cpu / mb:.2f} | {peak:,.0f} | {same} |")


if __name__ == "__main__":
    main()
