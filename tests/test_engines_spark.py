"""The job on the standalone Spark cluster `zhpile engine spark up` starts (a master and two
workers): the sample, a generated crawl, eight sources of every format, and a worker
killed mid-job. See tests/engine_fixtures.py."""
import pytest

from engine_fixtures import (ENGINES_OFF, SAMPLE_CONFIG, WHY_OFF, big_crawl, cluster, crawl, formats,  # noqa: F401 - fixtures
                             kill_worker_mid_job, outcome_is_complete_or_clearly_failed, run_with)
from zhpile.pipelines import engines
from zhpile.pipelines.compare import compare_outputs

if ENGINES_OFF:
    pytest.skip(WHY_OFF, allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    yield from cluster(engines.SPARK)


def test_spark_cluster_gives_the_local_output(tmp_path, spark, sample_run, crawl):
    run_with(SAMPLE_CONFIG, tmp_path / "sample", spark)
    assert compare_outputs(sample_run.root, str(tmp_path / "sample")) == []
    config, local = crawl
    run_with(config, tmp_path / "crawl", spark)
    assert compare_outputs(local, str(tmp_path / "crawl")) == []


def test_eight_sources_of_every_format_on_the_spark_cluster(tmp_path, spark, formats):
    """The eight-source job of test_engines_flink.py, on Spark."""
    config, local = formats
    run_with(config, tmp_path / "spark", spark)
    assert compare_outputs(local, str(tmp_path / "spark")) == []


def test_spark_survives_a_worker_killed_mid_job(tmp_path, spark, big_crawl):
    """Spark re-runs the lost executor's tasks (and the stages whose shuffle files it held)
    on the new worker."""
    config, local = big_crawl
    done = kill_worker_mid_job(engines.SPARK, spark, config, tmp_path / "out", "worker-1",
                               lambda: engines.start_spark_worker(2, 1, "3g"), lambda: engines.spark_running_apps() > 0)
    assert outcome_is_complete_or_clearly_failed(done, tmp_path / "out", local) == "finished identical"
