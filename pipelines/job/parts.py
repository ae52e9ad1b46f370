"""Output files written in parts of bounded size, then joined.

A GroupByKey hands each group to one worker as ONE element: Flink and Spark materialise it
as a list and send it to the Python worker as one gRPC message. A whole output file as one
group therefore grows with the crawl, and at 4 GB a Flink TaskManager failed sending
~150 MB groups (docs/engines.md). So rows are grouped by (file, part), where a part is a
range of the row's order key: each part is sorted and written alone, and a second,
small GroupByKey joins a file's parts in order, streaming a row group at a time. The file
is the one a single sorted group would have written (rows and their order), on any runner.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from zhpile.schemas.megatron import index_header


def _move(src: str, dst: str) -> None:
    """Rename into a folder that may not exist yet (FileSystems.create makes folders,
    rename does not)."""
    parent = dst.rsplit("/", 1)[0]
    if not FileSystems.exists(parent):
        try:
            FileSystems.mkdirs(parent)
        except OSError:  # another worker made it first
            pass
    FileSystems.rename([src], [dst])


def _concatenate(paths: list[str], out) -> None:
    """The bytes of `paths`, in order, onto `out`, 16 MB at a time."""
    for path in paths:
        with FileSystems.open(path, compression_type="uncompressed") as part:
            while chunk := part.read(1 << 24):
                out.write(chunk)


PART_INPUT_BYTES = 2_000_000  # input bytes whose rows make one part, ~1 MB of rows (pipelines/job/write.py says why)


def part_count(expected_bytes: float, part_bytes: int) -> int:
    """Parts of a file expected to hold `expected_bytes`, each about `part_bytes`."""
    return max(1, math.ceil(expected_bytes / part_bytes))


def part_of(order: int, parts: int) -> int:
    """The range of 64-bit order keys a row falls in: parts joined in order are sorted."""
    return (order * parts) >> 64


class _OneFileFormat:
    """A format whose output is one file and whose part is one file (`{stem}{suffix}`);
    parts are joined into the output, or, where a part is already an output file
    (`part_is_output`), a file of one part is moved."""

    suffix = ""
    part_is_output = True

    def part_file(self, stem: str) -> str:
        return f"{stem}{self.suffix}"

    def final_file(self, path: str) -> str:
        return path

    def join(self, stems: list[str], path: str) -> None:
        if len(stems) == 1 and self.part_is_output:
            _move(self.part_file(stems[0]), path)
            return
        self.join_parts(stems, path)
        FileSystems.delete([self.part_file(stem) for stem in reversed(stems)])  # see _JoinParts

    def join_parts(self, stems: list[str], path: str) -> None:
        raise NotImplementedError


class ParquetFormat(_OneFileFormat):
    """One Parquet file of `schema`, row groups of `row_group_rows` across parts. A part is
    an Arrow IPC stream (LZ4): encoding rows as Parquet (dictionaries, statistics, zstd) to
    decode them again in the join cost more than the rows' own work on a small file, and
    a component of a few rows a part was ~5 ms a part. The join writes the Parquet file."""

    suffix = ".arrow"
    part_is_output = False
    _OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")

    def __init__(self, schema: pa.Schema, row_group_rows: int):
        self.schema, self.row_group_rows = schema, row_group_rows

    def write_part(self, stem: str, rows: list[dict]) -> None:
        with FileSystems.create(self.part_file(stem)) as f, pa.ipc.new_stream(f, self.schema, options=self._OPTIONS) as writer:
            writer.write_table(pa.Table.from_pylist(rows, schema=self.schema), max_chunksize=self.row_group_rows)

    def join_parts(self, stems: list[str], path: str) -> None:
        """The parts' rows in order, cut into full row groups; no part read whole."""
        tmp = f"{path}.inprogress"
        with FileSystems.create(tmp) as f, pq.ParquetWriter(f, self.schema, compression="zstd") as writer:
            carry = self.schema.empty_table()
            for stem in stems:
                with FileSystems.open(self.part_file(stem), compression_type="uncompressed") as part:
                    for batch in pa.ipc.open_stream(part):
                        carry = pa.concat_tables([carry, pa.Table.from_batches([batch], schema=self.schema)])
                        while carry.num_rows >= self.row_group_rows:
                            writer.write_table(carry.slice(0, self.row_group_rows), row_group_size=self.row_group_rows)
                            carry = carry.slice(self.row_group_rows)
            if carry.num_rows or not stems:  # an empty file still has the schema
                writer.write_table(carry, row_group_size=self.row_group_rows)
        FileSystems.rename([tmp], [path])


class TextLinesFormat(_OneFileFormat):
    """A UTF-8 text file, one row's `text` a line; the join concatenates the parts."""

    suffix = ".txt"

    def write_part(self, stem: str, rows: list[dict]) -> None:
        with FileSystems.create(self.part_file(stem)) as f:
            for row in rows:
                f.write(row["text"].encode("utf-8") + b"\n")

    def join_parts(self, stems: list[str], path: str) -> None:
        with FileSystems.create(f"{path}.inprogress") as out:
            _concatenate([self.part_file(stem) for stem in stems], out)
        FileSystems.rename([f"{path}.inprogress"], [path])


class MegatronFormat:
    """Megatron's .bin/.idx pair (schemas/megatron.py) of the rows' `input_ids`; a part is
    its .bin and its lengths, the join streams both, the .idx last (its presence means the
    pair is whole)."""

    CHUNK = 1 << 20  # lengths per write when joining

    def __init__(self, dtype: str):
        self.dtype = dtype

    def part_file(self, stem: str) -> str:
        return f"{stem}.lens"

    def final_file(self, prefix: str) -> str:
        return f"{prefix}.idx"

    def write_part(self, stem: str, rows: list[dict]) -> None:
        with FileSystems.create(f"{stem}.bin") as f:
            for row in rows:
                f.write(np.asarray(row["input_ids"], dtype=self.dtype).tobytes())
        with FileSystems.create(f"{stem}.lens") as f:
            f.write(np.asarray([len(row["input_ids"]) for row in rows], dtype=np.int32).tobytes())

    def _lengths(self, stem: str) -> np.ndarray:
        with FileSystems.open(f"{stem}.lens") as f:
            return np.frombuffer(f.read(), dtype=np.int32)

    def join(self, stems: list[str], prefix: str) -> None:
        with FileSystems.create(f"{prefix}.bin.inprogress") as out:
            _concatenate([f"{stem}.bin" for stem in stems], out)
        FileSystems.rename([f"{prefix}.bin.inprogress"], [f"{prefix}.bin"])
        # .idx: header, every length, every byte offset, then document indices 0..n.
        # One part's lengths in memory at a time (4 bytes a document).
        n = sum(len(self._lengths(stem)) for stem in stems)
        itemsize = np.dtype(self.dtype).itemsize
        with FileSystems.create(f"{prefix}.idx.inprogress") as out:
            out.write(index_header(n, self.dtype))
            for stem in stems:
                out.write(self._lengths(stem).tobytes())
            offset = 0
            for stem in stems:
                lens = self._lengths(stem).astype(np.int64) * itemsize
                ends = np.cumsum(lens) + offset
                out.write((ends - lens).tobytes())
                offset = int(ends[-1]) if len(ends) else offset
            for start in range(0, n + 1, self.CHUNK):
                out.write(np.arange(start, min(n + 1, start + self.CHUNK), dtype=np.int64).tobytes())
        FileSystems.rename([f"{prefix}.idx.inprogress"], [f"{prefix}.idx"])
        FileSystems.delete([f"{stem}.{ext}" for stem in reversed(stems) for ext in ("lens", "bin")])


class FileSet:
    """What WriteInParts writes: every file's key, how many parts it has, where its parts
    and its outputs go. `outputs(key)` lists (format, final path) pairs: all of a key's
    outputs are cut from the same sorted rows."""

    def keys(self) -> list:
        raise NotImplementedError

    def parts(self, key) -> int:
        raise NotImplementedError

    def outputs(self, key) -> list[tuple[Any, str]]:
        raise NotImplementedError

    def part_stem(self, key, part: int, output: int) -> str:
        raise NotImplementedError

    def counted(self, key, rows: list[dict]) -> Iterable:
        """What the part writer emits for its rows (the report's counts); nothing by default."""
        return ()


class _WritePart(beam.DoFn):
    def __init__(self, files: FileSet):
        self.files = files

    def process(self, element):
        (key, part), keyed_rows = element
        # Sorted by order key; ties (never for hashed keys of distinct rows) by id, if rows
        # have one, and text.
        rows = [row for _o, row in sorted(keyed_rows, key=lambda o_row: (o_row[0], o_row[1].get("id", ""), o_row[1]["text"]))]
        for i, (fmt, _path) in enumerate(self.files.outputs(key)):
            fmt.write_part(self.files.part_stem(key, part, i), rows)
        yield beam.pvalue.TaggedOutput("parts", (key, part))
        yield from self.files.counted(key, rows)


class _JoinParts(beam.DoFn):
    def __init__(self, files: FileSet):
        self.files = files

    def process(self, element):
        key, parts = element
        parts = sorted(p for p in parts if p is not None)  # None: the file's marker
        for i, (fmt, path) in enumerate(self.files.outputs(key)):
            stems = [self.files.part_stem(key, p, i) for p in parts]
            if stems and not FileSystems.exists(fmt.part_file(stems[-1])) and FileSystems.exists(fmt.final_file(path)):
                continue  # a retried bundle: joined before (parts are removed last part first)
            fmt.join(stems, path)
        yield key


class WriteInParts(beam.PTransform):
    """(file key, 64-bit order key, row) -> every file of `files`, rows sorted by order key,
    through groups of one part each; a file with no rows is written empty. Returns what
    `files.counted` emits."""

    def __init__(self, files: FileSet):
        super().__init__()
        self.files = files

    def expand(self, rows):
        files = self.files
        written = (rows
                   | "ByPart" >> beam.Map(lambda kor: ((kor[0], part_of(kor[1], files.parts(kor[0]))), (kor[1], kor[2])))
                   | "GroupPart" >> beam.GroupByKey()
                   | "WritePart" >> beam.ParDo(_WritePart(files)).with_outputs("parts", main="counted"))
        markers = rows.pipeline | "Files" >> beam.Create([(key, None) for key in files.keys()])
        ((written.parts, markers)
         | "PartsAndFiles" >> beam.Flatten()
         | "GroupFile" >> beam.GroupByKey()
         | "JoinParts" >> beam.ParDo(_JoinParts(files)))
        return written.counted
