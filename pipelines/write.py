"""Parquet sinks: clean/<source>/, rejected/, and the shuffled mixture shards."""
from __future__ import annotations

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.mixture import epoch_copies, shard_of, shuffle_key
from zhpile.schemas.tables import CLEAN_SCHEMA, MIXTURE_SCHEMA, REJECTED_SCHEMA, project


def _parquet_sink(prefix: str, schema: pa.Schema, num_shards: int = 0):
    return beam.io.WriteToParquet(prefix, schema=schema, file_name_suffix=".parquet",
                                  num_shards=num_shards, codec="zstd")


class WriteClean(beam.PTransform):
    """Kept documents, one folder per source."""

    def __init__(self, output: str, config):
        super().__init__()
        self.output = output
        self.names = [s.name for s in config.sources]
        self.num_shards = config.output.clean_shards

    def expand(self, docs):
        index = {name: i for i, name in enumerate(self.names)}
        parts = docs | "BySource" >> beam.Partition(lambda d, _n: index[d["source"]], len(self.names))
        for name, part in zip(self.names, parts):
            (part
             | f"CleanRow[{name}]" >> beam.Map(project, CLEAN_SCHEMA)
             | f"WriteClean[{name}]" >> _parquet_sink(f"{self.output}/clean/{name}/part", CLEAN_SCHEMA, self.num_shards))
        return parts


class WriteRejected(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, rejected):
        return (rejected
                | "RejectedRow" >> beam.Map(project, REJECTED_SCHEMA)
                | "WriteRejected" >> _parquet_sink(f"{self.output}/rejected/part", REJECTED_SCHEMA))


def _write_table(path: str, table: pa.Table, row_group_rows: int) -> None:
    """Write to a temporary name, then rename: a reader never sees a half-written shard."""
    tmp = f"{path}.inprogress"
    with FileSystems.create(tmp) as f:
        pq.write_table(table, f, compression="zstd", row_group_size=row_group_rows)
    FileSystems.rename([tmp], [path])


class _WriteShard(beam.DoFn):
    def __init__(self, output: str, n_shards: int, row_group_rows: int):
        self.output, self.n_shards, self.row_group_rows = output, n_shards, row_group_rows

    def process(self, element):
        shard, grouped = element
        rows = sorted(grouped["rows"], key=lambda kr: kr[0])
        table = pa.Table.from_pylist([r for _k, r in rows], schema=MIXTURE_SCHEMA)
        path = f"{self.output}/mixture/part-{shard:05d}-of-{self.n_shards:05d}.parquet"
        _write_table(path, table, self.row_group_rows)
        for _k, row in rows:
            yield row["source"], len(row["text"].encode("utf-8", "surrogatepass")), len(row["text"])


class WriteMixture(beam.PTransform):
    """Every clean document `epochs` times (fractions kept deterministically), spread over
    N shards and shuffled inside each with the config's seed. Emits (source, text bytes,
    characters) for every row written, for the report."""

    def __init__(self, output: str, config, epochs: dict[str, float], n_shards: int):
        super().__init__()
        self.output, self.config, self.epochs, self.n_shards = output, config, epochs, n_shards

    def expand(self, docs):
        cfg, seed, epochs = self.config, self.config.seed, self.epochs
        n = self.n_shards

        def copies(doc):
            for epoch in epoch_copies(doc["id"], epochs[doc["source"]], seed):
                row = {"id": doc["id"], "source": doc["source"], "epoch": epoch, "url": doc.get("url"), "text": doc["text"]}
                yield shard_of(doc["id"], epoch, n, seed), (shuffle_key(doc["id"], epoch, seed), row)

        rows = docs | "Copies" >> beam.FlatMap(copies)
        shards = docs.pipeline | "ShardIndexes" >> beam.Create([(i, None) for i in range(n)])
        return ({"rows": rows, "shard": shards}
                | "GroupByShard" >> beam.CoGroupByKey()
                | "WriteShard" >> beam.ParDo(_WriteShard(self.output, n, cfg.output.row_group_rows)))
