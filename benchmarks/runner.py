"""Runs `zhpile run` as a user would, for the benchmarks that time whole runs."""
from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def time_zhpile_run(config_text: str, config_path: str, output: str) -> float:
    """Writes the config, runs `zhpile run CONFIG --output OUTPUT --overwrite` in a fresh
    process, and returns its wall time in seconds."""
    with open(config_path, "w") as f:
        f.write(config_text)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhpile.pipelines.cli", "run", config_path, "--output", output, "--overwrite"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start
