"""Documents parked in files of the work folder while only their ids are shuffled.

Beam's Flink batch runner translates a fused stage with several outputs into ONE data set
of tagged values that each output's consumer reads whole (`ExtractOutput[i]` filters;
FlinkBatchPortablePipelineTranslator: Flink's DataSet API has no side outputs). A stage
that emitted full documents beside fingerprints, rejections and statistics therefore
serialised and sent its documents once per output: at 250 MB of crawl the stage before
dedup's join wrote 1,175 MB for 131 MB of elements (docs/engines.md). Documents that wait
for a corpus-wide verdict are instead written once, a file per up to SPILL_DOCS of a
bundle, and only (id, file) references and one marker per file go on through the
shuffle; verdicts are grouped by file and applied where the file is read back
(`read_spilled`). A file name is random, so a retried bundle never overwrites a file a
committed one refers to; the work folder is removed when the run ends (run.py)."""
from __future__ import annotations

import pickle
import uuid

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

SPILL_DOCS = 1000  # documents a file at most
SPILL_CHARS = 4_000_000  # text characters a file at most (~12 MB of UTF-8), so a file is read whole
FILES = "files"  # the tagged output of written files' keys
_CODEC = pa.Codec("lz4")


def spill_path(folder: str, key: str) -> str:
    return f"{folder}/{key}.pickle.lz4"


def write_spilled(path: str, docs: list[dict]) -> None:
    data = pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL)
    with FileSystems.create(path) as f:
        f.write(len(data).to_bytes(8, "little"))
        f.write(_CODEC.compress(data, asbytes=True))


def read_spilled(path: str) -> list[dict]:
    with FileSystems.open(path, compression_type="uncompressed") as f:
        data = f.read()
    size = int.from_bytes(data[:8], "little")
    return pickle.loads(_CODEC.decompress(data[8:], decompressed_size=size, asbytes=True))


class SpillDocs(beam.DoFn):
    """doc -> (id, file key) on the main output; the documents into files of `folder`, and
    each file's key, once written, on output FILES."""

    def __init__(self, folder: str):
        self.folder = folder
        self.batch: list[dict] = []
        self.chars, self.key = 0, None

    def start_bundle(self):
        self.batch, self.chars, self.key = [], 0, None

    def process(self, doc):
        if self.key is None:
            self.key = uuid.uuid4().hex
        self.batch.append(doc)
        self.chars += len(doc["text"])
        yield doc["id"], self.key
        if len(self.batch) >= SPILL_DOCS or self.chars >= SPILL_CHARS:
            yield beam.pvalue.TaggedOutput(FILES, self._flush())

    def finish_bundle(self):
        if self.batch:
            yield beam.pvalue.TaggedOutput(FILES, GlobalWindows.windowed_value(self._flush()))

    def _flush(self) -> str:
        key = self.key
        write_spilled(spill_path(self.folder, key), self.batch)
        self.batch, self.chars, self.key = [], 0, None
        return key
