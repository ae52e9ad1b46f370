import os

import pytest

from helpers import SAMPLE, RunOutput, run_zhpile


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> RunOutput:
    out = tmp_path_factory.mktemp("sample") / "out"
    assert run_zhpile("run", os.path.join(SAMPLE, "config.yaml"), "--output", out) == 0
    return RunOutput(str(out))
