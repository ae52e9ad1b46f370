"""The same job on real engines: Flink (embedded, and a standalone cluster of a JobManager
and two TaskManagers, each its own JVM) and a standalone Spark master with two workers,
all started by `zhpile engine` on loopback. Each run's clean rows, rejections, mixture
shards and report must equal the local runner's (pipelines/compare.py).

Needs java and mvn (and the registries, the first time: the engines are cached under
$ZHPILE_ENGINES); skipped without them, or with ZHPILE_SKIP_ENGINES=1.
"""
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

from helpers import ROOT, SAMPLE, run_zhpile

if os.environ.get("ZHPILE_SKIP_ENGINES") == "1" or not (shutil.which("java") and shutil.which("mvn")):
    pytest.skip("engine tests need java and mvn (or were switched off with ZHPILE_SKIP_ENGINES=1)", allow_module_level=True)

SAMPLE_CONFIG = os.path.join(SAMPLE, "config.yaml")


def _run(config, output, options: str) -> None:
    assert run_zhpile("run", config, "--output", output, *shlex.split(options)) == 0


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """A generated crawl (duplicates, near-duplicates, English, junk; 4 files) and its
    local run."""
    tmp = tmp_path_factory.mktemp("crawl")
    write_corpus(str(tmp / "warc"), mb=6)
    config = tmp / "crawl.yaml"
    config.write_text(f'sources:\n  - {{name: cc, format: warc, paths: ["{tmp}/warc/*.warc.gz"]}}\n')
    _run(config, tmp / "local", "")
    return str(config), str(tmp / "local")


@pytest.fixture(scope="module")
def big_crawl(tmp_path_factory):
    """Long enough on the cluster (a minute) to kill a worker in the middle."""
    tmp = tmp_path_factory.mktemp("bigcrawl")
    write_corpus(str(tmp / "warc"), mb=20, seed=1)
    config = tmp / "crawl.yaml"
    config.write_text(f'sources:\n  - {{name: cc, format: warc, paths: ["{tmp}/warc/*.warc.gz"]}}\n')
    _run(config, tmp / "local", "")
    return str(config), str(tmp / "local")


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    """Eight sources, one of every input format (benchmarks/formats.py), and their local run:
    a job graph as big as a real job's."""
    tmp = tmp_path_factory.mktemp("formats")
    config = write_sources(str(tmp / "in"), mb=3)
    _run(config, tmp / "local", "")
    return config, str(tmp / "local")


def _cluster(engine):
    engines.fetch(engine)
    engines.down(engine)  # a cluster left over from an interrupted session
    options = engines.up(engine, workers=2, slots=1)
    return options


@pytest.fixture(scope="module")
def flink():
    options = _cluster(engines.FLINK)
    yield options
    engines.down(engines.FLINK)


@pytest.fixture(scope="module")
def spark():
    options = _cluster(engines.SPARK)
    yield options
    engines.down(engines.SPARK)


def test_flink_embedded_gives_the_local_output(tmp_path, sample_run):
    engines.fetch(engines.FLINK)
    _run(SAMPLE_CONFIG, tmp_path / "out", engines.embedded_options(engines.FLINK, 2))
    assert compare_outputs(sample_run.root, str(tmp_path / "out")) == []


def test_flink_cluster_gives_the_local_output(tmp_path, flink, sample_run, crawl):
    assert "--parallelism 2" in flink
    _run(SAMPLE_CONFIG, tmp_path / "sample", flink)
    assert compare_outputs(sample_run.root, str(tmp_path / "sample")) == []
    config, local = crawl
    _run(config, tmp_path / "crawl", flink)
    assert compare_outputs(local, str(tmp_path / "crawl")) == []


def test_eight_sources_of_every_format_on_both_clusters(tmp_path, flink, spark, formats):
    """WARC, WET, ARC, cc-index, JSONL, JSONL.gz, JSONL.zst and Parquet in one job, on the
    clusters `engine up` starts, as shipped: the output is the local run's."""
    config, local = formats
    for name, options in (("flink", flink), ("spark", spark)):
        _run(config, tmp_path / name, options)
        assert compare_outputs(local, str(tmp_path / name)) == [], name


def test_spark_cluster_gives_the_local_output(tmp_path, spark, sample_run, crawl):
    _run(SAMPLE_CONFIG, tmp_path / "sample", spark)
    assert compare_outputs(sample_run.root, str(tmp_path / "sample")) == []
    config, local = crawl
    _run(config, tmp_path / "crawl", spark)
    assert compare_outputs(local, str(tmp_path / "crawl")) == []


def _kill_worker_mid_job(engine, options: str, config: str, output, victim: str, replace, running) -> subprocess.CompletedProcess:
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


def _outcome_is_complete_or_clearly_failed(done, output, local) -> str:
    if done.returncode == 0:
        assert compare_outputs(local, str(output)) == [], done.stdout[-3000:]
        return "finished identical"
    assert not os.path.exists(os.path.join(output, "_SUCCESS"))
    assert "failed" in done.stdout.lower(), done.stdout[-3000:]
    return "failed clearly"


def test_flink_survives_a_taskmanager_killed_mid_job(tmp_path, flink, big_crawl):
    """The cluster's restart strategy (pipelines/engines/cluster.py) restarts the job on the new
    TaskManager; Beam's file sinks only publish a finished attempt's files."""
    config, local = big_crawl
    before = engines.flink_restarts()
    done = _kill_worker_mid_job(engines.FLINK, flink, config, tmp_path / "out", "taskmanager-1",
                                lambda: engines.start_taskmanager(2), lambda: engines.flink_running_jobs() > 0)
    assert engines.flink_restarts() > before  # the loss was seen, and recovered from
    assert _outcome_is_complete_or_clearly_failed(done, tmp_path / "out", local) == "finished identical"


def test_spark_survives_a_worker_killed_mid_job(tmp_path, spark, big_crawl):
    """Spark re-runs the lost executor's tasks (and the stages whose shuffle files it held)
    on the new worker."""
    config, local = big_crawl
    done = _kill_worker_mid_job(engines.SPARK, spark, config, tmp_path / "out", "worker-1",
                                lambda: engines.start_spark_worker(2, 1, "3g"), lambda: engines.spark_running_apps() > 0)
    assert _outcome_is_complete_or_clearly_failed(done, tmp_path / "out", local) == "finished identical"


def test_hot_keys_and_bad_input_on_flink():
    """The dedup suite (one text copied 1,500 times, one footer line on every page) and the
    bad-input suite (truncated gzip, a 50 MB record, random bytes, ...) again, every
    `zhpile run` in them on embedded Flink."""
    engines.fetch(engines.FLINK)
    env = dict(os.environ, ZHPILE_TEST_RUNNER_ARGS=engines.embedded_options(engines.FLINK, 2))
    done = subprocess.run([sys.executable, "-m", "pytest", "-s", "-n", "0", "-p", "no:cacheprovider", "-p", "no:logging",
                           "tests/test_dedup.py", "tests/test_bad_input.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-5000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout and "deselected" not in done.stdout
    # Every pipeline went to the Flink job server (the local runner logs no job ids): the
    # dedup and bad-input fixtures and the content-encoding test, two pipelines a run.
    assert (done.stdout + done.stderr).count("zhpile cleaning: job BeamApp-") >= 3
