"""Parquet sinks: clean/<source>/, rejected/, and the shuffled mixture shards (text, and
token ids as Parquet and as Megatron's .bin/.idx)."""
from __future__ import annotations

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.ids import unit_hash
from zhpile.filters.mixture import epoch_copies, rehydrate_copies, shard_of, shuffle_key
from zhpile.schemas.config import mixture_key
from zhpile.schemas.megatron import index_bytes
from zhpile.schemas.tables import CLEAN_SCHEMA, MIXTURE_SCHEMA, REJECTED_SCHEMA, TOKENS_SCHEMA, project


def _parquet_sink(prefix: str, schema: pa.Schema, num_shards: int = 0):
    return beam.io.WriteToParquet(prefix, schema=schema, file_name_suffix=".parquet",
                                  num_shards=num_shards, codec="zstd")


# clean/<source>/ gets a file per this many input bytes of the source (output.clean_shards: 0)
CLEAN_SHARD_INPUT_BYTES = 256_000_000
MAX_CLEAN_SHARDS = 1024


def clean_shard_counts(config, files: dict[str, list[str]]) -> dict[str, int]:
    """Files of each clean/<source>/: output.clean_shards, or one per 256 MB of the source's
    input (1 to 1,024). Known before the job runs, so the files are the same on any runner."""
    if config.output.clean_shards:
        return {s.name: config.output.clean_shards for s in config.sources}
    counts = {}
    for source in config.sources:
        paths = files.get(source.name) or []
        size = sum(m.size_in_bytes for r in FileSystems.match(paths) for m in r.metadata_list) if paths else 0
        counts[source.name] = min(MAX_CLEAN_SHARDS, max(1, -(-size // CLEAN_SHARD_INPUT_BYTES)))
    return counts


def _batches(rows, n: int):
    batch = []
    for row in rows:
        if row is not None:  # the shard's marker (WriteClean)
            batch.append(row)
            if len(batch) == n:
                yield batch
                batch = []
    if batch:
        yield batch


class _WriteCleanShard(beam.DoFn):
    """((source, component, shard), rows) -> clean/<source>/<component>-SSSSS-of-NNNNN.parquet,
    written a row group at a time (a shard is never held whole) under a temporary name, then
    renamed."""

    def __init__(self, output: str, counts: dict[str, int], row_group_rows: int):
        self.output, self.counts, self.row_group_rows = output, counts, row_group_rows

    def process(self, element):
        (source, component, shard), rows = element
        path = f"{self.output}/clean/{source}/{component}-{shard:05d}-of-{self.counts[source]:05d}.parquet"
        tmp = f"{path}.inprogress"
        with FileSystems.create(tmp) as f:
            with pq.ParquetWriter(f, CLEAN_SCHEMA, compression="zstd") as writer:
                written = False
                for batch in _batches(rows, self.row_group_rows):
                    writer.write_table(pa.Table.from_pylist(batch, schema=CLEAN_SCHEMA))
                    written = True
                if not written:  # an empty shard is a file with the schema and no rows
                    writer.write_table(CLEAN_SCHEMA.empty_table())
        FileSystems.rename([tmp], [path])
        yield path


class WriteClean(beam.PTransform):
    """Kept documents, one folder per source and files per component, through one sink for
    all sources (the job graph does not grow with them): a document's shard is a hash of its
    id, and every shard of every component a source can have gets its file, rows or not."""

    def __init__(self, output: str, config, counts: dict[str, int]):
        super().__init__()
        self.output, self.counts, self.row_group_rows = output, counts, config.output.row_group_rows
        self.components = {s.name: s.components() for s in config.sources}

    def expand(self, docs):
        counts = self.counts

        def keyed(doc):
            source = doc["source"]
            return (source, doc["component"], unit_hash("clean", doc["id"]) % counts[source]), project(doc, CLEAN_SCHEMA)

        rows = docs | "CleanRow" >> beam.Map(keyed)
        markers = docs.pipeline | "CleanShards" >> beam.Create(
            [((source, component, i), None) for source, n in sorted(counts.items())
             for component in self.components[source] for i in range(n)])
        return ((rows, markers)
                | "CleanAndShards" >> beam.Flatten()
                | "ByCleanShard" >> beam.GroupByKey()
                | "WriteCleanShard" >> beam.ParDo(_WriteCleanShard(self.output, counts, self.row_group_rows)))


class WriteRejected(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, rejected):
        return (rejected
                | "RejectedRow" >> beam.Map(project, REJECTED_SCHEMA)
                | "WriteRejected" >> _parquet_sink(f"{self.output}/rejected/part", REJECTED_SCHEMA))


def write_table(path: str, table: pa.Table, row_group_rows: int) -> None:
    """Write to a temporary name, then rename: a reader never sees a half-written shard."""
    tmp = f"{path}.inprogress"
    with FileSystems.create(tmp) as f:
        pq.write_table(table, f, compression="zstd", row_group_size=row_group_rows)
    FileSystems.rename([tmp], [path])


def write_megatron(prefix: str, rows: list[dict], dtype: str) -> None:
    """prefix.bin and prefix.idx (schemas/megatron.py), the .idx last: its presence means the
    pair is whole."""
    with FileSystems.create(f"{prefix}.bin.inprogress") as f:
        for row in rows:
            f.write(np.asarray(row["input_ids"], dtype=dtype).tobytes())
    FileSystems.rename([f"{prefix}.bin.inprogress"], [f"{prefix}.bin"])
    with FileSystems.create(f"{prefix}.idx.inprogress") as f:
        f.write(index_bytes([len(row["input_ids"]) for row in rows], dtype))
    FileSystems.rename([f"{prefix}.idx.inprogress"], [f"{prefix}.idx"])


class _WriteShard(beam.DoFn):
    def __init__(self, output: str, n_shards: int, row_group_rows: int, tokenize=None):
        # tokenize.dtype is "uint16" or "int32" here: resolve_paths (inputs.py) settled "auto".
        self.output, self.n_shards, self.row_group_rows, self.tokenize = output, n_shards, row_group_rows, tokenize

    def process(self, element):
        shard, grouped = element
        rows = [r for _k, r in sorted(grouped["rows"], key=lambda kr: kr[0])]
        name = f"part-{shard:05d}-of-{self.n_shards:05d}"
        write_table(f"{self.output}/mixture/{name}.parquet", pa.Table.from_pylist(rows, schema=MIXTURE_SCHEMA),
                     self.row_group_rows)
        formats = self.tokenize.formats if self.tokenize else ()
        if "parquet" in formats:
            write_table(f"{self.output}/tokens/{name}.parquet", pa.Table.from_pylist(rows, schema=TOKENS_SCHEMA),
                         self.row_group_rows)
        if "megatron" in formats:
            write_megatron(f"{self.output}/megatron/{name}", rows, self.tokenize.dtype)
        for row in rows:
            ids = row.get("input_ids")
            yield (mixture_key(row["source"], row["component"]), len(row["text"].encode("utf-8", "surrogatepass")), len(row["text"]),
                   len(ids) if ids else 0)


class WriteMixture(beam.PTransform):
    """Every clean document `epochs` times (times its rehydration copies, by its duplicate
    cluster's size, where the mixture entry has a table; fractions kept deterministically), spread over
    N shards and shuffled inside each with the config's seed; with output.tokenize, each
    shard's token ids too, in the same order. `epochs` is per mixture group
    (source/component, schemas/config.py mixture_key). Emits (group, text bytes, characters,
    tokens) for every row written, for the report."""

    def __init__(self, output: str, config, epochs: dict[str, float], n_shards: int):
        super().__init__()
        self.output, self.config, self.epochs, self.n_shards = output, config, epochs, n_shards

    def expand(self, docs):
        cfg, seed, epochs = self.config, self.config.seed, self.epochs
        n = self.n_shards

        rehydrate = {key: cfg.mixture_entry(key).rehydrate for key in epochs}

        def copies(doc):
            key = mixture_key(doc["source"], doc["component"])
            for epoch in epoch_copies(doc["id"], epochs[key] * rehydrate_copies(rehydrate[key], doc.get("dup_cluster_size")), seed):
                row = {"id": doc["id"], "source": doc["source"], "component": doc["component"], "epoch": epoch,
                       "url": doc.get("url"), "text": doc["text"], "input_ids": doc.get("input_ids")}
                yield shard_of(doc["id"], epoch, n, seed), (shuffle_key(doc["id"], epoch, seed), row)

        rows = docs | "Copies" >> beam.FlatMap(copies)
        shards = docs.pipeline | "ShardIndexes" >> beam.Create([(i, None) for i in range(n)])
        return ({"rows": rows, "shard": shards}
                | "GroupByShard" >> beam.CoGroupByKey()
                | "WriteShard" >> beam.ParDo(_WriteShard(self.output, n, cfg.output.row_group_rows, cfg.output.tokenize)))
