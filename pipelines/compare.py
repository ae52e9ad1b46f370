"""`zhpile compare A B`: are two runs' outputs the same?

What an engine may change is only the order of rows inside the clean and rejected
files and how they are split into files; so those are compared as sets of rows. The
mixture shards (text, token-id Parquet, and Megatron's files byte for byte) are compared
shard by shard, row by row (their order is part of the contract), and the report as a whole, without what depends on the run and not the
data (the output path, times).
"""
from __future__ import annotations

import json
import os

import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from .io.inputs import read_bytes

# Report fields that name where a run was, not what it found.
RUN_FIELDS = ("files",)  # input paths: the same files may sit elsewhere


def _files(root: str, sub: str, pattern: str = "**.parquet") -> list[str]:
    found = FileSystems.match([f"{root}/{sub}/{pattern}"])[0].metadata_list if FileSystems.exists(f"{root}/{sub}") else []
    return sorted(m.path for m in found)


def _shard_diffs(a: str, b: str, sub: str, pattern: str, same) -> list[str]:
    """Shard by shard: the same file names, and `same(path_a, path_b)` for each."""
    shards_a, shards_b = _files(a, sub, pattern), _files(b, sub, pattern)
    names = [os.path.basename(p) for p in shards_a]
    if names != [os.path.basename(p) for p in shards_b]:
        return [f"{sub}: shards {names} against {[os.path.basename(p) for p in shards_b]}"]
    return [f"{sub}/{name}: different rows or order" for name, pa, pb in zip(names, shards_a, shards_b) if not same(pa, pb)]


def _rows(paths: list[str]) -> list[str]:
    rows = []
    for path in paths:
        with FileSystems.open(path) as f:
            rows.extend(json.dumps(r, sort_keys=True, ensure_ascii=False, default=str) for r in pq.read_table(f).to_pylist())
    return rows


def _report(root: str) -> dict:
    with FileSystems.open(f"{root}/report/report.json") as f:
        report = json.load(f)
    for key in RUN_FIELDS:
        report.pop(key, None)
    return report


def _row_sets(name: str, a: list[str], b: list[str]) -> list[str]:
    if sorted(a) == sorted(b):
        return []
    only_a, only_b = set(a) - set(b), set(b) - set(a)
    return [f"{name}: {len(a)} rows against {len(b)}; {len(only_a)} only in the first, {len(only_b)} only in the second"
            + (f" (e.g. {sorted(only_a or only_b)[0][:200]})" if only_a or only_b else " (the same rows, other multiplicities)")]


def _report_diffs(a, b, path: str = "report") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            out += _report_diffs(a.get(key), b.get(key), f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _report_diffs(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {json.dumps(a, ensure_ascii=False)[:120]} against {json.dumps(b, ensure_ascii=False)[:120]}"]


def compare_outputs(a: str, b: str) -> list[str]:
    """The differences between two finished runs' outputs; empty when they are the same."""
    diffs = []
    for root in (a, b):
        if not FileSystems.exists(f"{root}/_SUCCESS"):
            diffs.append(f"{root}: no _SUCCESS (not a finished run)")
    if diffs:
        return diffs
    sources = sorted({os.path.basename(os.path.dirname(p)) for root in (a, b) for p in _files(root, "clean")})
    for source in sources:
        diffs += _row_sets(f"clean/{source}", _rows(_files(a, f"clean/{source}")), _rows(_files(b, f"clean/{source}")))
    diffs += _row_sets("rejected", _rows(_files(a, "rejected")), _rows(_files(b, "rejected")))
    same_rows = lambda pa, pb: _rows([pa]) == _rows([pb])  # noqa: E731
    diffs += _shard_diffs(a, b, "mixture", "*.parquet", same_rows)
    diffs += _shard_diffs(a, b, "tokens", "*.parquet", same_rows)
    diffs += _shard_diffs(a, b, "megatron", "*.*", lambda pa, pb: read_bytes(pa) == read_bytes(pb))
    return diffs + _report_diffs(_report(a), _report(b))
