"""Benchmark decontamination in the pipeline: the benchmark files read once by the driver
into a BenchmarkIndex (filters/decontam.py) and every kept document checked against it.
Two ways, one verdict: the index as a side input (16 bytes an n-gram: C-Eval + CMMLU +
GAOKAO-Bench, ~30,000 items, are a few tens of MB), or, above
`decontam.side_input_max_ngrams`, a shuffle join of the documents' n-grams with the index's
by shard."""
from __future__ import annotations

import csv
import io
import json
import os

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.base import Drop
from zhpile.filters.decontam import BenchmarkIndex, lookup, match_form, ngram_keys, shard_of
from zhpile.schemas.config import Config, ConfigError

from ..io.records import REJECTED
from .stage import KEPT, StageDoFn


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


def _verdict(doc: dict, found: list, cfg):
    """`contaminated`, or the document with its partial matches recorded."""
    best = found[0] if found else None
    if best is not None and best.share >= cfg.remove_share:
        return Drop("contaminated", f"{best.benchmark} item {best.item}: share={best.share} >= remove_share="
                                    f"{cfg.remove_share} of its fields, characters {best.start}-{best.end}")
    doc["contamination"] = [{"benchmark": m.benchmark, "item": m.item, "share": m.share, "start": m.start, "end": m.end}
                            for m in found] or None
    return doc


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
        return _verdict(doc, self.index.matches(doc["text"], self.cfg.mark_share, simplify=False), self.cfg)


# --- the same check as a shuffle join, for benchmark sets too large for a side input ---

def _doc_shards(doc: dict, n: int, count: int):
    """(shard, (doc id, n-gram hashes, their positions)) for each shard the document's
    n-grams fall in: at most `count` elements a document."""
    grams = ngram_keys(match_form(doc["text"], simplify=False)[0], n)
    which = shard_of(grams, count)
    for shard in np.unique(which):
        mine = np.flatnonzero(which == shard)
        yield int(shard), ("doc", doc["id"], grams[mine], mine)


def _load_shard(path: str):
    with FileSystems.open(path, compression_type="uncompressed") as f:
        data = np.load(io.BytesIO(f.read()))
        yield int(data["shard"]), ("index", data["keys"], data["owners"])


def _join_shard(element):
    """One shard's index n-grams against the documents' n-grams of that shard. The group
    is read twice (an engine may hand it over lazily): first for the index part, then the
    documents stream past it."""
    _shard, values = element
    index = next((v for v in values if v[0] == "index"), None)
    if index is None:
        return
    _tag, keys, owners = index
    for value in values:
        if value[0] != "doc":
            continue
        _tag, doc_id, grams, where = value
        positions, fields, hit_keys = lookup(keys, owners, grams)
        if positions.size:
            yield doc_id, (where[positions], fields, hit_keys)


class DecideContamination(StageDoFn):
    """(id, {"doc": [doc], "hits": [...]}) -> the document's verdict from its hits in every
    shard; `meta` is the index without its n-grams (items and fields: a side input of
    O(items), not O(n-grams))."""

    stage = "decontam"

    def __init__(self, cfg, meta, **kw):
        super().__init__(**kw)
        self.cfg, self.meta = cfg, meta

    def process(self, element):
        _id, grouped = element
        for doc in grouped["doc"]:
            doc["_hits"] = list(grouped["hits"])
            yield from super().process(doc)

    def apply(self, doc):
        hits = doc.pop("_hits")
        if not hits:
            return _verdict(doc, [], self.cfg)
        positions, fields, keys = (np.concatenate(parts) for parts in zip(*hits))
        cps, offsets = match_form(doc["text"], simplify=False)
        return _verdict(doc, self.meta.decide(cps, offsets, positions, fields, keys, self.cfg.mark_share), self.cfg)


def write_index_shards(index: BenchmarkIndex, count: int, directory: str) -> tuple[BenchmarkIndex, list[str]]:
    """The index's n-grams written as `count` shard files (the driver built them; the
    workers read one each), and the index without them."""
    meta, parts = index.shards(count)
    paths = []
    for shard, (keys, owners) in enumerate(parts):
        path = f"{directory}/shard-{shard:05d}.npz"
        buf = io.BytesIO()
        np.savez(buf, shard=shard, keys=keys, owners=owners)
        with FileSystems.create(path) as f:
            f.write(buf.getvalue())
        paths.append(path)
    return meta, paths


class DecontaminateByJoin(beam.PTransform):
    """Documents -> (kept, rejected), as Decontaminate, through a shuffle: the documents'
    n-grams and the index's meet by shard (the index never whole on a worker), the hits
    go back to their documents by id. Linear in the documents' characters; a document
    crosses the shuffle once with its text and once as n-gram hashes."""

    def __init__(self, cfg, index: BenchmarkIndex, work_dir: str, prefix_chars: int):
        super().__init__()
        self.cfg, self.prefix_chars = cfg, prefix_chars
        self.meta, self.paths = write_index_shards(index, cfg.join_shards, work_dir)

    def expand(self, docs):
        n, count = self.meta.n, self.cfg.join_shards
        index_parts = (docs.pipeline | "IndexShards" >> beam.Create(self.paths) | "LoadShard" >> beam.FlatMap(_load_shard))
        doc_parts = docs | "DocShards" >> beam.FlatMap(_doc_shards, n, count)
        hits = ((index_parts, doc_parts) | "BothSides" >> beam.Flatten()
                | "ByShard" >> beam.GroupByKey() | "JoinShard" >> beam.FlatMap(_join_shard))
        by_id = docs | "DocById" >> beam.Map(lambda d: (d["id"], d))
        out = ({"doc": by_id, "hits": hits} | "HitsToDocs" >> beam.CoGroupByKey()
               | "Decide" >> beam.ParDo(DecideContamination(self.cfg, self.meta, prefix_chars=self.prefix_chars))
               .with_outputs(REJECTED, main=KEPT))
        return out[KEPT], out[REJECTED]
