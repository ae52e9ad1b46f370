"""Benchmark decontamination in the pipeline: the benchmark files read once by the driver
into a BenchmarkIndex (filters/decontam.py), which reaches the workers as a side input
(16 bytes an n-gram: C-Eval + CMMLU + GAOKAO-Bench, ~30,000 items, are a few tens of MB),
and the stage that checks every kept document against it."""
from __future__ import annotations

import csv
import io
import json
import os

from apache_beam.io.filesystems import FileSystems

from zhpile.filters.base import Drop
from zhpile.filters.decontam import BenchmarkIndex
from zhpile.schemas.config import Config, ConfigError

from .stage import StageDoFn


def _rows(path: str):
    """The rows of a benchmark file as dicts: JSONL, Parquet or CSV (by extension)."""
    with FileSystems.open(path) as f:  # compressed files by extension too
        data = f.read()
    name = path.lower()
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        yield from pq.read_table(io.BytesIO(data)).to_pylist()
    elif ".csv" in name:
        yield from csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    else:
        for line in data.decode("utf-8-sig").splitlines():
            if line.strip():
                yield json.loads(line)


def load_benchmarks(config: Config) -> BenchmarkIndex | None:
    """The index of every configured benchmark (None without any); `paths` are files by
    now (inputs.resolve_paths expanded the globs). A field missing from an item is a
    config error naming the file and row."""
    items = []
    for bench in config.decontaminate:
        for path in bench.paths:
            for number, row in enumerate(_rows(path), start=1):
                missing = [f for f in bench.fields.text if f not in row]
                if missing:
                    raise ConfigError(f"decontaminate {bench.name}: {path} row {number} has no field {missing[0]!r}")
                item = str(row[bench.fields.id]) if bench.fields.id and row.get(bench.fields.id) is not None \
                    else f"{os.path.basename(path)}:{number}"
                items.append((bench.name, item, [str(row[f]) for f in bench.fields.text if row[f] is not None]))
    if not items:
        return None
    d = config.decontam
    return BenchmarkIndex(items, d.ngram, d.max_item_share, d.min_evidence)


class Decontaminate(StageDoFn):
    """A document holding most of a test item (remove_share of its fields) is rejected
    `contaminated`; one quoting a part of it (mark_share) keeps its text and gets the match
    in its `contamination` column. The index is a side input, built once by the driver."""

    stage = "decontam"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg
        self.index = None

    def process(self, doc, index):
        self.index = index
        yield from super().process(doc)

    def apply(self, doc):
        found = self.index.matches(doc["text"], self.cfg.mark_share, simplify=False)
        best = found[0] if found else None
        if best is not None and best.share >= self.cfg.remove_share:
            return Drop("contaminated", f"{best.benchmark} item {best.item}: share={best.share} >= remove_share="
                                        f"{self.cfg.remove_share} of its fields, characters {best.start}-{best.end}")
        doc["contamination"] = [{"benchmark": m.benchmark, "item": m.item, "share": m.share, "start": m.start, "end": m.end}
                                for m in found] or None
        return doc
