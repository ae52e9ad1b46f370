"""Two checkouts of zhpile on the same job at the same time, one per core, then the cores
swapped: on a shared machine that drifts by tens of percent within an hour, a change is
only seen against its parent run beside it.

    git worktree add /tmp/old <commit>
    python benchmarks/paired.py --old /tmp/old --config job.yaml [--rounds 2]

Each round prints both wall times (GNU time) and the new run's change; outputs go to
temporary folders and are compared (`zhpile compare`): a speed change must not change them.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(pythonpath: str | None, core: int, config: str, output: str, timing: str) -> subprocess.Popen:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath  # `zhpile` imports from the old checkout
    cmd = ["/usr/bin/time", "-f", "%e", "-o", timing, "taskset", "-c", str(core), sys.executable, "-m",
           "zhpile.pipelines.cli", "run", config, "--output", output, "--overwrite"]
    return subprocess.Popen(cmd, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="a checkout of the commit to compare with (git worktree)")
    parser.add_argument("--config", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="zhpile-paired-")
    os.symlink(os.path.abspath(args.old), os.path.join(work, "zhpile"))  # the old code as package `zhpile`
    config = os.path.abspath(args.config)
    print("| round | old core | old s | new s | new vs old |\n|---:|---:|---:|---:|---:|")
    for i in range(args.rounds):
        old_core = i % 2
        runs = {name: (start(path, core, config, f"{work}/{name}-out", f"{work}/{name}.time"), f"{work}/{name}.time")
                for name, path, core in (("old", work, old_core), ("new", None, 1 - old_core))}
        codes = {name: proc.wait() for name, (proc, _t) in runs.items()}
        if any(codes.values()):
            sys.exit(f"a run failed: {codes}")
        old_s, new_s = (float(open(runs[n][1]).read().split()[-1]) for n in ("old", "new"))
        print(f"| {i + 1} | {old_core} | {old_s:.2f} | {new_s:.2f} | {new_s / old_s - 1:+.1%} |", flush=True)
    same = subprocess.run([sys.executable, "-m", "zhpile.pipelines.cli", "compare", f"{work}/old-out", f"{work}/new-out"],
                          capture_output=True, text=True)
    print(f"\noutputs (zhpile compare, exit {same.returncode}): {same.stdout.strip().splitlines()[-1] if same.stdout.strip() else same.stderr.strip()[-300:]}")


if __name__ == "__main__":
    main()
