import os

import pytest

from helpers import SAMPLE, RunOutput, run_zhpile


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> RunOutput:
    out = tmp_path_factory.mktemp("sample") / "out"
    assert run_zhpile("run", os.path.join(SAMPLE, "config.yaml"), "--output", out) == 0
    return RunOutput(str(out))


@pytest.fixture(scope="session")
def datasets_python(tmp_path_factory):
    """A venv of its own with Hugging Face `datasets` (it pins pandas and dill versions that
    zhpile's Beam does not take, so it is not a test dependency of zhpile's environment)."""
    import subprocess
    import venv

    env = tmp_path_factory.mktemp("datasets") / "env"
    venv.create(env, with_pip=True)
    python = str(env / "bin" / "python")
    try:
        subprocess.run([python, "-m", "pip", "install", "-q", "datasets"], check=True, capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        pytest.skip(f"could not install datasets from the package registry: {err}")
    return python
