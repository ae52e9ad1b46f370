"""Parquet sinks: clean/<source>/, rejected/, and the shuffled mixture shards (text, and
token ids as Parquet and as Megatron's .bin/.idx)."""
from __future__ import annotations

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.ids import unit_hash
from zhpile.filters.mixture import epoch_copies, rehydrate_copies, shard_of, shuffle_key
from zhpile.schemas.config import mixture_key
from zhpile.schemas.tables import CLEAN_SCHEMA, MIXTURE_SCHEMA, REJECTED_SCHEMA, TOKENS_SCHEMA, project

from .parts import PART_INPUT_BYTES, FileSet, MegatronFormat, ParquetFormat, WriteInParts, part_count


def _parquet_sink(prefix: str, schema: pa.Schema, num_shards: int = 0):
    return beam.io.WriteToParquet(prefix, schema=schema, file_name_suffix=".parquet",
                                  num_shards=num_shards, codec="zstd")


# clean/<source>/ gets a file per this many input bytes of the source (output.clean_shards: 0)
CLEAN_SHARD_INPUT_BYTES = 256_000_000
MAX_CLEAN_SHARDS = 1024
# A clean file's rows are grouped in parts of about this many input bytes (~1 MB of rows),
# a mixture shard's in parts of about this many bytes of text (~2 MB of rows with token
# ids): a group crosses to the Python worker as one message, and Beam's Flink data plane
# sends up to 100 messages before it checks the stream is ready, all in direct memory
# (384 MB besides the network buffers): 16 MB parts ran out of it at 4 GB of crawl
# (pipelines/job/parts.py, docs/engines.md).
CLEAN_PART_INPUT_BYTES = PART_INPUT_BYTES
MIXTURE_PART_BYTES = 1_000_000


def clean_layout(config, files: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """(files, parts of a file) of each clean/<source>/: output.clean_shards files, or one
    per 256 MB of the source's input (1 to 1,024); parts by the input a file is expected to
    hold. Known before the job runs, so the files are the same on any runner."""
    layout = {}
    for source in config.sources:
        paths = files.get(source.name) or []
        size = sum(m.size_in_bytes for r in FileSystems.match(paths) for m in r.metadata_list) if paths else 0
        shards = config.output.clean_shards or min(MAX_CLEAN_SHARDS, max(1, -(-size // CLEAN_SHARD_INPUT_BYTES)))
        layout[source.name] = (shards, part_count(size / shards, CLEAN_PART_INPUT_BYTES))
    return layout


class CleanFiles(FileSet):
    """clean/<source>/<component>-SSSSS-of-NNNNN.parquet: every shard of every component a
    source can have, rows or not; a document's shard is a hash of its id."""

    def __init__(self, output: str, work: str, config, layout: dict[str, tuple[int, int]]):
        self.output, self.work, self.layout = output, work, layout
        self.components = {s.name: s.components() for s in config.sources}
        self.format = ParquetFormat(CLEAN_SCHEMA, config.output.row_group_rows)

    def keys(self):
        return [(source, component, i) for source, (n, _p) in sorted(self.layout.items())
                for component in self.components[source] for i in range(n)]

    def parts(self, key):
        return self.layout[key[0]][1]

    def outputs(self, key):
        source, component, shard = key
        return [(self.format, f"{self.output}/clean/{source}/{component}-{shard:05d}-of-{self.layout[source][0]:05d}.parquet")]

    def part_stem(self, key, part, output):
        source, component, shard = key
        return f"{self.work}/parts/clean/{source}/{component}-{shard:05d}-part-{part:05d}"


class WriteClean(beam.PTransform):
    """Kept documents, one folder per source and files per component, through one sink for
    all sources (the job graph does not grow with them), rows in a hash order of their ids."""

    def __init__(self, files: CleanFiles):
        super().__init__()
        self.files = files

    def expand(self, docs):
        layout = self.files.layout

        def keyed(doc):
            source = doc["source"]
            return ((source, doc["component"], unit_hash("clean", doc["id"]) % layout[source][0]),
                    unit_hash("clean order", doc["id"]), project(doc, CLEAN_SCHEMA))

        return docs | "CleanRow" >> beam.Map(keyed) | "CleanFiles" >> WriteInParts(self.files)


class WriteRejected(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, rejected):
        return (rejected
                | "RejectedRow" >> beam.Map(project, REJECTED_SCHEMA)
                | "WriteRejected" >> _parquet_sink(f"{self.output}/rejected/part", REJECTED_SCHEMA))


class MixtureShards(FileSet):
    """mixture/part-SSSSS-of-NNNNN.parquet, and with output.tokenize the same rows' token
    ids in tokens/ (Parquet) and megatron/ (.bin/.idx)."""

    def __init__(self, output: str, work: str, config, n_shards: int, n_parts: int):
        self.output, self.work, self.n_shards, self.n_parts = output, work, n_shards, n_parts
        row_group_rows, tokenize = config.output.row_group_rows, config.output.tokenize
        # tokenize.dtype is "uint16" or "int32" here: resolve_paths (inputs.py) settled "auto".
        formats = tokenize.formats if tokenize else ()
        self.formats = [("mixture", ".parquet", ParquetFormat(MIXTURE_SCHEMA, row_group_rows))]
        if "parquet" in formats:
            self.formats.append(("tokens", ".parquet", ParquetFormat(TOKENS_SCHEMA, row_group_rows)))
        if "megatron" in formats:
            self.formats.append(("megatron", "", MegatronFormat(tokenize.dtype)))

    def _name(self, shard):
        return f"part-{shard:05d}-of-{self.n_shards:05d}"

    def keys(self):
        return list(range(self.n_shards))

    def parts(self, key):
        return self.n_parts

    def outputs(self, shard):
        return [(fmt, f"{self.output}/{folder}/{self._name(shard)}{ext}") for folder, ext, fmt in self.formats]

    def part_stem(self, shard, part, output):
        return f"{self.work}/parts/{self.formats[output][0]}/{self._name(shard)}-part-{part:05d}"

    def counted(self, shard, rows):
        for row in rows:
            ids = row.get("input_ids")
            yield (mixture_key(row["source"], row["component"]), len(row["text"].encode("utf-8", "surrogatepass")),
                   len(row["text"]), len(ids) if ids else 0)


class WriteMixture(beam.PTransform):
    """Every clean document `epochs` times (times its rehydration copies, by its duplicate
    cluster's size, where the mixture entry has a table; fractions kept deterministically), spread over
    the shards and shuffled inside each with the config's seed; with output.tokenize, each
    shard's token ids too, in the same order. `epochs` is per mixture group
    (source/component, schemas/config.py mixture_key). Emits (group, text bytes, characters,
    tokens) for every row written, for the report."""

    def __init__(self, config, epochs: dict[str, float], shards: MixtureShards):
        super().__init__()
        self.config, self.epochs, self.shards = config, epochs, shards

    def expand(self, docs):
        cfg, seed, epochs = self.config, self.config.seed, self.epochs
        n = self.shards.n_shards

        rehydrate = {key: cfg.mixture_entry(key).rehydrate for key in epochs}

        def copies(doc):
            key = mixture_key(doc["source"], doc["component"])
            for epoch in epoch_copies(doc["id"], epochs[key] * rehydrate_copies(rehydrate[key], doc.get("dup_cluster_size")), seed):
                row = {"id": doc["id"], "source": doc["source"], "component": doc["component"], "epoch": epoch,
                       "url": doc.get("url"), "text": doc["text"], "input_ids": doc.get("input_ids")}
                yield shard_of(doc["id"], epoch, n, seed), shuffle_key(doc["id"], epoch, seed), row

        return docs | "Copies" >> beam.FlatMap(copies) | "Shards" >> WriteInParts(self.shards)
