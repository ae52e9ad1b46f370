"""The job on embedded Flink (Beam's runner starts a job server per pipeline, Flink inside
its JVM): the sample, and the dedup and bad-input suites again. No cluster, so these run
beside the cluster files. See tests/engine_fixtures.py."""
import os
import subprocess
import sys

import pytest

from engine_fixtures import ENGINES_OFF, SAMPLE_CONFIG, WHY_OFF, run_with
from helpers import ROOT
from zhpile.pipelines import engines
from zhpile.pipelines.compare import compare_outputs

if ENGINES_OFF:
    pytest.skip(WHY_OFF, allow_module_level=True)


def test_flink_embedded_gives_the_local_output(tmp_path, sample_run):
    engines.fetch(engines.FLINK)
    run_with(SAMPLE_CONFIG, tmp_path / "out", engines.embedded_options(engines.FLINK, 2))
    assert compare_outputs(sample_run.root, str(tmp_path / "out")) == []


def test_hot_keys_bad_input_and_scorers_on_flink():
    """The dedup suite (one text copied 1,500 times, one footer line on every page), the
    bad-input suite (truncated gzip, a 50 MB record, random bytes, ...) and the ONNX
    scorers' bucket rule (batches, a corpus-wide Combine, a side input) again, every
    `zhpile run` in them on embedded Flink."""
    engines.fetch(engines.FLINK)
    env = dict(os.environ, ZHPILE_TEST_RUNNER_ARGS=engines.embedded_options(engines.FLINK, 2))
    env.pop("PYTEST_ADDOPTS", None)  # the outer run's options (durations, -q) are not the inner run's
    done = subprocess.run([sys.executable, "-m", "pytest", "-s", "-n", "0", "-p", "no:cacheprovider", "-p", "no:logging",
                           "tests/test_dedup.py", "tests/test_bad_input.py",
                           "tests/test_scorers.py::test_bucket_rule_cuts_each_scorer_over_the_corpus_and_keeps_the_highest"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-5000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "deselected" not in summary, summary
    # Every pipeline went to the Flink job server (the local runner logs no job ids): the
    # dedup and bad-input fixtures and the content-encoding test, two pipelines a run.
    assert (done.stdout + done.stderr).count("zhpile cleaning: job BeamApp-") >= 3
