"""Installed, zhpile is one package: `zhpile`, with its models and word lists as package
data. Built as a wheel, installed into a fresh virtual environment and run from outside
the repository."""
import os
import shutil
import subprocess
import sys
import sysconfig
import venv

import pytest

from helpers import ROOT, RunOutput


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    """A new venv holding only the zhpile wheel; its dependencies come from the test
    environment's site-packages through a .pth line (no download, and .pth files there,
    such as this checkout's editable install, are not read)."""
    tmp = tmp_path_factory.mktemp("pkg")
    # setuptools builds in ROOT/build/ and would pack files left there by an earlier build
    shutil.rmtree(os.path.join(ROOT, "build"), ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), ROOT],
                   check=True, capture_output=True)
    shutil.rmtree(os.path.join(ROOT, "build"), ignore_errors=True)
    (wheel,) = os.listdir(tmp / "dist")
    env_dir = tmp / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    before = set(os.listdir(site))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(tmp / "dist" / wheel)],
                   check=True, capture_output=True)
    added = set(os.listdir(site)) - before
    with open(os.path.join(site, "deps.pth"), "w") as f:
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    return python, added, tmp


def test_the_wheel_adds_one_top_level_name(fresh_env):
    _, added, _ = fresh_env
    names = {n for n in added if not n.endswith((".dist-info", ".pth")) and n != "bin"}
    assert names == {"zhpile"}, added


def test_the_installed_package_runs_its_sample_job_from_outside_the_repo(fresh_env):
    python, _, tmp = fresh_env
    out = tmp / "out"
    code = ("import sys, zhpile, zhpile.filters.langid as l; "
            "assert 'site-packages' in zhpile.__file__, zhpile.__file__; "
            "assert l.bundled_model_path().startswith(zhpile.__path__[0]); "
            # the sample job ships: `zhpile engine flink up` warms a cluster with it
            "from zhpile.pipelines.engines.warmup import sample_config; import os; "
            "assert sample_config().startswith(zhpile.__path__[0]) and os.path.exists(sample_config()), sample_config(); "
            f"sys.exit(zhpile.pipelines.cli.main(['run', sample_config(), '--output', {str(out)!r}]))")
    result = subprocess.run([str(python), "-c", "import zhpile.pipelines.cli; " + code], cwd=tmp, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    run = RunOutput(str(out))
    assert run.report["accounting_ok"] is True and len(run.all_clean()) == 10
