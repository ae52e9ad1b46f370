"""The same pipeline on Beam's portable path (Runner API + Fn API, as Flink and Dataflow
run it), on an external worker pool, and in several local processes: same output."""
import os
import socket
import subprocess
import sys
import time

import pytest

from helpers import SAMPLE, RunOutput, run_zhpile


def _signature(run: RunOutput):
    return (sorted(r["id"] for r in run.all_clean()),
            sorted((r["id"], r["reason"]) for r in run.rejected),
            sorted((r["id"], r["epoch"], r["source"]) for r in run.mixture))


def _run(tmp_path, name, *args) -> RunOutput:
    assert run_zhpile("run", os.path.join(SAMPLE, "config.yaml"), "--output", tmp_path / name, *args) == 0
    return RunOutput(str(tmp_path / name))


def test_portable_runner_loopback(tmp_path, sample_run):
    run = _run(tmp_path, "portable", "--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK")
    assert _signature(run) == _signature(sample_run)


def test_multi_process_local_run(tmp_path, sample_run):
    run = _run(tmp_path, "multi", "--direct_num_workers=2", "--direct_running_mode=multi_processing")
    assert _signature(run) == _signature(sample_run)


@pytest.fixture
def worker_pool():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    pool = subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", f"--service_port={port}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("localhost", port)) == 0:
                break
        time.sleep(0.2)
    yield f"localhost:{port}"
    pool.terminate()
    pool.wait(timeout=30)


def test_external_worker_pool(tmp_path, sample_run, worker_pool):
    run = _run(tmp_path, "external", "--runner=PortableRunner", "--job_endpoint=embed",
               "--environment_type=EXTERNAL", f"--environment_config={worker_pool}")
    assert _signature(run) == _signature(sample_run)


def _graph_size(n_copies: int) -> tuple[int, int]:
    """(transforms, GroupByKeys) of the cleaning pipeline for the eight-format job's sources,
    each repeated n_copies times under new names (nothing is run)."""
    import apache_beam as beam

    from zhpile.pipelines.job.pipeline import build_clean_pipeline
    from zhpile.schemas.config import parse_config

    formats = [{"name": "warc", "format": "warc"}, {"name": "wet", "format": "wet"}, {"name": "idx", "format": "cc-index"},
               {"name": "jsonl", "format": "jsonl"}, {"name": "pq", "format": "parquet"}]
    sources = [{**f, "name": f"{f['name']}{i}", "paths": [f"/nowhere/{f['name']}{i}"]} for i in range(n_copies) for f in formats]
    config = parse_config({"sources": sources})
    p = beam.Pipeline()
    build_clean_pipeline(p, config, {s["name"]: [s["paths"][0]] for s in sources}, "/nowhere/out")
    transforms = p.to_runner_api().components.transforms.values()
    return len(transforms), sum(t.spec.urn == "beam:transform:group_by_key:v1" for t in transforms)


def test_the_job_graph_does_not_grow_with_the_number_of_sources():
    """An engine deploys the whole graph at once (Flink's network buffers, Spark's stages):
    one read transform serves every file source, one chain every cc-index source."""
    # (a Create of one element has no Reshuffle: compare 2 copies with 20)
    assert _graph_size(2) == _graph_size(20)


def test_flink_runs_get_a_bounded_bundle_size_unless_one_is_given():
    """zhpile's Flink job server honours --max_bundle_size in batch (pipelines/engines/install.py);
    without it a stage's whole partition is one bundle held in memory."""
    from zhpile.pipelines.run import FLINK_BUNDLE_ELEMENTS, runner_and_options

    def bundle_size(args):
        # unknown to the Python SDK (the job server defines it): kept as given, a string
        return runner_and_options(args)[1].get_all_options(retain_unknown_options=True).get("max_bundle_size")

    assert bundle_size(["--runner=FlinkRunner", "--job_endpoint=127.0.0.1:8099"]) == str(FLINK_BUNDLE_ELEMENTS)
    assert bundle_size(["--runner", "FlinkRunner", "--max_bundle_size=25"]) == "25"
    assert bundle_size([]) is None  # the local runner: untouched


def test_the_local_runner_skips_type_inference_and_pickles_with_cloudpickle():
    """The local runner's pipeline is built without Beam's type inference and its
    transforms pickled with cloudpickle (engines/beam_worker.py: LOCAL_DEFAULT_ARGS);
    engines keep Beam's defaults."""
    from apache_beam.options.pipeline_options import SetupOptions, TypeOptions

    from zhpile.pipelines.run import runner_and_options

    def chosen(args):
        options = runner_and_options(args)[1]
        return options.view_as(TypeOptions).pipeline_type_check, options.view_as(SetupOptions).pickle_library

    assert chosen([]) == (False, "cloudpickle")
    assert chosen(["--pickle_library=dill"]) == (False, "dill")  # the user's flag comes last and wins
    assert chosen(["--runner=FlinkRunner", "--job_endpoint=127.0.0.1:8099"]) == (True, "default")


def test_a_failed_attempts_temporary_rejected_files_are_removed(tmp_path, sample_run):
    """An engine's restart can leave a temporary file of Beam's rejected/ sink behind
    (docs/engines.md); read as a folder, rejected/ would then hold some rows twice."""
    import shutil

    import pyarrow.parquet as pq

    from zhpile.pipelines.run import remove_sink_leftovers

    out = tmp_path / "out"
    shutil.copytree(sample_run.root, out)
    rejected = sorted((out / "rejected").glob("*.parquet"))
    temp = out / "rejected" / "beam-temp-part-0123"
    temp.mkdir()
    shutil.copy(rejected[0], temp / "0123.part.parquet")
    assert pq.read_table(out / "rejected").num_rows > len(sample_run.rejected)
    assert remove_sink_leftovers(str(out)) == 1
    assert not temp.exists() and sorted((out / "rejected").glob("*.parquet")) == rejected
    assert pq.read_table(out / "rejected").num_rows == len(sample_run.rejected)
