"""Helpers the tests share: running zhpile in-process and reading its outputs."""
import json
import os
import shlex
import shutil

import pyarrow.parquet as pq
import pytest

from zhpile.pipelines.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "sample_data")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "realdata")


# Beam options added to every `zhpile run` that names no runner: tests/test_engines_embedded.py runs
# whole test files again on Flink this way.
ENGINE_ARGS = shlex.split(os.environ.get("ZHPILE_TEST_RUNNER_ARGS", ""))


def run_zhpile(*args: str) -> int:
    args = [str(a) for a in args]
    if args[:1] == ["run"] and not any(a.startswith("--runner") for a in args):
        args += ENGINE_ARGS
    return main(args)


def read_rows(path: str) -> list[dict]:
    """All rows of every Parquet file under `path` (empty list if none)."""
    if not os.path.exists(path):
        return []
    return pq.read_table(path).to_pylist()


class RunOutput:
    def __init__(self, root: str):
        self.root = root
        self.clean = {name: read_rows(os.path.join(root, "clean", name)) for name in sorted(os.listdir(os.path.join(root, "clean")))}
        self.rejected = read_rows(os.path.join(root, "rejected"))
        self.mixture = read_rows(os.path.join(root, "mixture"))
        with open(os.path.join(root, "report", "report.json"), encoding="utf-8") as f:
            self.report = json.load(f)

    def all_clean(self) -> list[dict]:
        return [row for rows in self.clean.values() for row in rows]


def shared_file(name: str) -> str:
    """A file of ../shared/realdata, or skip: a user's clone does not have it."""
    path = os.path.join(SHARED, name)
    if not os.path.exists(path):
        pytest.skip(f"{name} not available (../shared/realdata is only beside development checkouts and CI)")
    return path


def write_config(tmp_path, text: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def copy_sample(tmp_path) -> str:
    """A private copy of sample_data (tests that add files must not touch the repo)."""
    dst = tmp_path / "sample"
    shutil.copytree(SAMPLE, dst)
    return str(dst)
