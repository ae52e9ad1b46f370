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
their children (JVMs and Python SDK workers). Each run's output is compared with local1's
(`zhpile compare`); the table says whether it was identical. Engines are started and
stopped by the script; their idle memory is part of their figures.
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

RUNS = ("local1", "local2", "flink1", "flink2", "spark2")


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, RSS in KB) of every process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        rss = int(fields.get("VmRSS", "0 kB").split()[0])
        table[int(name)] = (int(fields["PPid"]), rss)
    return table


def tree_rss_mb(roots: list[int]) -> float:
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _rss) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, stack = set(), [r for r in roots if r in table]
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return sum(table[p][1] for p in seen) / 1024


def measured_run(cmd: list[str], log: str, engine_roots) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a command, summed with the engine's processes."""
    with open(log, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb([proc.pid, *engine_roots()]))
            time.sleep(0.5)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:6])} ... failed; see {log}")
    return seconds, peak


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
                    engines.up(engine, workers=2, slots=1, log=lambda m: None)
                up = engine
            for size in args.mb:
                corpus = os.path.join(args.workdir, f"crawl-{size:g}mb")
                if not os.path.exists(os.path.join(corpus, "labels.json")):
                    write_corpus(corpus, mb=size)
                mb = sum(os.path.getsize(os.path.join(corpus, f)) for f in os.listdir(corpus) if f.endswith(".warc.gz")) / 1e6
                config = os.path.join(args.workdir, f"crawl-{size:g}mb.yaml")
                with open(config, "w") as f:
                    f.write(f'sources:\n  - {{name: cc, format: warc, paths: ["{corpus}/*.warc.gz"]}}\n')
                out = os.path.join(args.workdir, f"out-{size:g}mb-{run}")
                cmd = [sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", out, "--overwrite", *options(run)]
                seconds, peak = measured_run(cmd, out + ".log",
                                             lambda: list(engines.processes(engine).values()) if engine else [])
                reference = os.path.join(args.workdir, f"out-{size:g}mb-local1")
                same = "-" if run == "local1" or not os.path.exists(reference) else \
                    ("identical" if not compare_outputs(reference, out) else "DIFFERENT")
                rows.append((run, size, mb, seconds, peak, same))
                print(f"{run} {mb:.0f} MB: {seconds:.1f}s, peak {peak:,.0f} MB, {same}", flush=True)
    finally:
        if up:
            engines.down(up)
    print("\n| run | engine, parallelism | WARC.gz MB | wall s | MB/s | peak RSS, all processes (MB) | output vs local1 |")
    print("|---|---|---:|---:|---:|---:|---|")
    names = {"local1": "local runner, 1 worker", "local2": "local runner, 2 workers", "flink1": "Flink cluster, parallelism 1",
             "flink2": "Flink cluster, parallelism 2", "spark2": "Spark cluster, 2 cores"}
    for run, _size, mb, seconds, peak, same in rows:
        print(f"| {run} | {names[run]} | {mb:.1f} | {seconds:.1f} | {mb / seconds:.2f} | {peak:,.0f} | {same} |")


if __name__ == "__main__":
    main()
