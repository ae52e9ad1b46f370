"""What the engine tests share (tests/test_engines_*.py): the generated inputs and their
local runs, a cluster per engine, killing a worker mid-job.

The same job on real engines: Flink (embedded, and a standalone cluster of a JobManager and
two TaskManagers, each its own JVM) and a standalone Spark master with two workers, all
started by `zhpile engine` on loopback, on free ports. Each run's clean rows, rejections,
mixture shards and report must equal the local runner's (pipelines/compare.py). One file
per engine setup, so that `make test`'s processes (pytest-xdist, loadfile) run them side by
side; an engine's cluster lives in one file, as the engine's directory holds one cluster.

Needs java and mvn (and the registries, the first time: the engines are cached under
$ZHPILE_ENGINES); skipped without them, or with ZHPILE_SKIP_ENGINES=1.
"""
import fcntl
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pytest

from benchmarks.corpus import write_corpus
from benchmarks.formats import write_sources
from zhpile.pipelines import engines
from zhpile.pipelines.compare import compare_outputs
from zhpile.pipelines.engines.warmup import warm_up

from helpers import ROOT, SAMPLE, run_zhpile

ENGINES_OFF = os.environ.get("ZHPILE_SKIP_ENGINES") == "1" or not all(map(shutil.which, ("java", "javac", "mvn")))
WHY_OFF = "engine tests need java, javac and mvn (or were switched off with ZHPILE_SKIP_ENGINES=1)"

SAMPLE_CONFIG = os.path.join(SAMPLE, "config.yaml")


def run_with(config, output, options: str) -> None:
    assert run_zhpile("run", config, "--output", output, *shlex.split(options)) == 0


def _built_once(tmp_path_factory, name: str, build) -> tuple[str, str]:
    """`build(directory)` -> (config, local output), done once per test session: also once
    for all of pytest-xdist's processes (their base directories share a parent), the first
    to take the lock building it and the others reading its result."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    target, done = root / f"engine-input-{name}", root / f"engine-input-{name}.json"
    with open(root / f"engine-input-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            done.write_text(json.dumps(build(target)))
    return tuple(json.loads(done.read_text()))


def _crawl(mb: float, seed: int):
    def build(tmp):
        write_corpus(str(tmp / "warc"), mb=mb, seed=seed)
        config = tmp / "crawl.yaml"
        config.write_text(f'sources:\n  - {{name: cc, format: warc, paths: ["{tmp}/warc/*.warc.gz"]}}\n')
        run_with(config, tmp / "local", "")
        return str(config), str(tmp / "local")
    return build


@pytest.fixture(scope="session")
def crawl(tmp_path_factory):
    """A generated crawl (duplicates, near-duplicates, English, junk; 4 files) and its
    local run."""
    return _built_once(tmp_path_factory, "crawl", _crawl(6, 0))


@pytest.fixture(scope="session")
def big_crawl(tmp_path_factory):
    """Long enough on a cluster (~30 s of cleaning) to kill a worker in the middle."""
    return _built_once(tmp_path_factory, "big-crawl", _crawl(12, 1))


@pytest.fixture(scope="session")
def formats(tmp_path_factory):
    """Eight sources, one of every input format (benchmarks/formats.py), and their local run:
    a job graph as big as a real job's."""
    def build(tmp):
        config = write_sources(str(tmp / "in"), mb=3)
        run_with(config, tmp / "local", "")
        return config, str(tmp / "local")
    return _built_once(tmp_path_factory, "formats", build)


def cluster(engine):
    """A cluster of two workers for one test file, started as `zhpile engine ... up` starts
    it (Flink warmed up with the packaged sample job); its `zhpile run` options."""
    engines.fetch(engine)
    engines.down(engine)  # a cluster left over from an interrupted session
    options = engines.up(engine, workers=2, slots=1)
    warm_up(engine, options)  # Flink's; raises if the sample job fails on the cluster
    yield options
    engines.down(engine)


def kill_worker_mid_job(engine, options: str, config: str, output, victim: str, replace, running) -> subprocess.CompletedProcess:
    """Starts `zhpile run` in its own process, kills one worker (its JVM and the Python
    workers under it) once the cleaning job has run for a while, starts a fresh one."""
    cmd = [sys.executable, "-m", "zhpile.pipelines.cli", "run", config, "--output", str(output), *shlex.split(options)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 300
    while not running() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
    time.sleep(10)  # into the job: reading and extraction are under way
    assert proc.poll() is None, "the job ended before the fault could be injected"
    engines.stop_process(engine, victim, signal.SIGKILL)
    replace()
    out, _ = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(cmd, proc.returncode, out)


def outcome_is_complete_or_clearly_failed(done, output, local) -> str:
    if done.returncode == 0:
        assert compare_outputs(local, str(output)) == [], done.stdout[-3000:]
        return "finished identical"
    assert not os.path.exists(os.path.join(output, "_SUCCESS"))
    assert "failed" in done.stdout.lower(), done.stdout[-3000:]
    return "failed clearly"
