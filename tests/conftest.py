import json
import os

import pytest

from helpers import SAMPLE, RunOutput, run_zhpile


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> RunOutput:
    out = tmp_path_factory.mktemp("sample") / "out"
    assert run_zhpile("run", os.path.join(SAMPLE, "config.yaml"), "--output", out) == 0
    return RunOutput(str(out))


@pytest.fixture(scope="session")
def in_datasets(tmp_path_factory):
    """`in_datasets(code, root)`: runs `code` (with `out` = root) in a venv of its own with
    Hugging Face `datasets`, offline, and returns what its last line printed as JSON.
    (`datasets` pins pandas and dill versions that zhpile's Beam does not take, so it is not
    a test dependency of zhpile's environment.)"""
    import subprocess
    import venv

    env = tmp_path_factory.mktemp("datasets") / "env"
    venv.create(env, with_pip=True)
    python = str(env / "bin" / "python")
    try:
        subprocess.run([python, "-m", "pip", "install", "-q", "datasets"], check=True, capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        pytest.skip(f"could not install datasets from the package registry: {err}")

    def run(code: str, root: str):
        result = subprocess.run([python, "-c", "import datasets, json, sys; out = sys.argv[1]; " + code, root],
                                capture_output=True, text=True, env={**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"})
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    return run
