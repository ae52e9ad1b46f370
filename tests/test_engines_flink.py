"""The job on the standalone Flink cluster `zhpile engine flink up` starts (a JobManager and
two TaskManagers, parallelism 2): the sample, a generated crawl, eight sources of every
format, and a TaskManager killed mid-job. See tests/engine_fixtures.py."""
import pytest

from engine_fixtures import (ENGINES_OFF, SAMPLE_CONFIG, WHY_OFF, big_crawl, cluster, crawl, formats,  # noqa: F401 - fixtures
                             kill_worker_mid_job, outcome_is_complete_or_clearly_failed, run_with)
from zhpile.pipelines import engines
from zhpile.pipelines.compare import compare_outputs

if ENGINES_OFF:
    pytest.skip(WHY_OFF, allow_module_level=True)


@pytest.fixture(scope="module")
def flink():
    yield from cluster(engines.FLINK)


def test_flink_cluster_gives_the_local_output(tmp_path, flink, sample_run, crawl):
    assert "--parallelism 2" in flink
    run_with(SAMPLE_CONFIG, tmp_path / "sample", flink)
    assert compare_outputs(sample_run.root, str(tmp_path / "sample")) == []
    config, local = crawl
    run_with(config, tmp_path / "crawl", flink)
    assert compare_outputs(local, str(tmp_path / "crawl")) == []


def test_eight_sources_of_every_format_on_the_flink_cluster(tmp_path, flink, formats):
    """WARC, WET, ARC, cc-index, JSONL, JSONL.gz, JSONL.zst and Parquet in one job, on the
    cluster `engine up` starts, as shipped: the output is the local run's."""
    config, local = formats
    run_with(config, tmp_path / "flink", flink)
    assert compare_outputs(local, str(tmp_path / "flink")) == []


def test_flink_survives_a_taskmanager_killed_mid_job(tmp_path, flink, big_crawl):
    """The cluster's restart strategy (pipelines/engines/cluster.py) restarts the job on the new
    TaskManager; Beam's file sinks only publish a finished attempt's files."""
    config, local = big_crawl
    before = engines.flink_restarts()
    done = kill_worker_mid_job(engines.FLINK, flink, config, tmp_path / "out", "taskmanager-1",
                               lambda: engines.start_taskmanager(2), lambda: engines.flink_running_jobs() > 0)
    assert engines.flink_restarts() > before  # the loss was seen, and recovered from
    assert outcome_is_complete_or_clearly_failed(done, tmp_path / "out", local) == "finished identical"


def test_flink_runs_a_partition_in_bundles_of_max_bundle_size(tmp_path, flink):
    """Beam's Flink batch translation ran each partition of a stage as one bundle, whose output
    waits in memory until it closes; the job server's patch (pipelines/engines/install.py)
    splits it by --max_bundle_size. Each bundle here writes a file with its element count."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    bundles = tmp_path / "bundles"
    bundles.mkdir()

    class CountBundle(beam.DoFn):  # local, and cloudpickle below: pickled by value for the workers
        def start_bundle(self):
            self.n = 0

        def process(self, element):
            self.n += 1
            yield element

        def finish_bundle(self):
            import uuid
            (bundles / uuid.uuid4().hex).write_text(str(self.n))

    options = [*flink.split(), "--max_bundle_size=25", "--pickle_library=cloudpickle"]
    with beam.Pipeline(options=PipelineOptions(options)) as p:
        _ = p | beam.Create(range(400)) | beam.Reshuffle() | beam.ParDo(CountBundle())
    counts = [int(f.read_text()) for f in bundles.iterdir()]
    assert sum(counts) == 400
    assert max(counts) <= 25 and len(counts) >= 16
