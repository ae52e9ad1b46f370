"""A warm-up job for a cluster `zhpile engine flink up` has just started.

A fresh Flink cluster's first job pays for its JVMs loading Beam's runner and compiling it
(TaskManagers, JobManager and job server: ~100 CPU-s of a 1 GB job's ~450, ~70 once warm;
docs/engines.md). The runner is on the cluster's class path (install.py), so what a
job loads and compiles stays for the next one: `up` runs the packaged sample job once, and
the user's first job starts warm.
"""
from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from importlib.resources import files

from .install import FLINK, Engine


class WarmUpError(RuntimeError):
    pass


def sample_config() -> str:
    """The sample job's config, shipped in the package (sample_data/)."""
    return str(files("zhpile.sample_data") / "config.yaml")


def warm_up(engine: Engine, run_options: str) -> float | None:
    """Runs the sample job with `run_options` (a cluster's, from `up`); its seconds. The
    output is thrown away. A failure raises WarmUpError with the job's last log lines: the
    cluster is up, but does not run jobs. Flink only (None otherwise): Spark starts fresh
    executor JVMs for every application, so nothing stays warm between jobs."""
    if engine is not FLINK:
        return None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zhpile-warm-up-") as out:
        cmd = [sys.executable, "-m", "zhpile.pipelines.cli", "run", sample_config(), "--output", out, "--overwrite",
               *shlex.split(run_options)]
        result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise WarmUpError(f"the warm-up job (the sample) failed on the cluster, which is left up "
                          f"(`zhpile engine flink down` stops it):\n{tail}")
    return time.monotonic() - started
