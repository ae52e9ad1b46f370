"""`zhpile engine flink up`'s warm-up job (pipelines/engines/warmup.py): the packaged sample job run
once with a cluster's options. Here with the local runner's; the Flink engine tests warm
their cluster with it (engine_fixtures.cluster)."""
import pytest

from zhpile.pipelines.engines import FLINK
from zhpile.pipelines.engines.warmup import WarmUpError, warm_up


def test_the_warm_up_runs_the_packaged_sample_job():
    assert warm_up(FLINK, "") > 0


def test_a_failing_warm_up_says_why_and_that_the_cluster_is_left_up():
    with pytest.raises(WarmUpError) as err:
        warm_up(FLINK, "--runner NoSuchRunner")
    message = str(err.value)
    assert "Unexpected pipeline runner: NoSuchRunner" in message
    assert "zhpile engine flink down" in message
