"""All of a job's sources -> documents, read rejections and reading statistics, through
one read path.

Each format is a row of READERS: its Reader (reader.py: an item -> documents and
rejections) and, when its items are not simply its files, a plan (a transform from
(source, path) pairs to (source, item) pairs: cc-index turns index files into byte ranges
of WARC files). Every item of every source then goes through one Reshuffle and one read
DoFn, so the job graph is the same for 1 source or 100 (an engine's network buffers grow
with the graph, docs/engines.md). Adding a format: one module with its Reader, one row.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import apache_beam as beam

from zhpile.filters.ids import doc_id
from zhpile.schemas.config import Config, SourceConfig

from .cc_index import PlanIndexRanges, ReadIndexedRange
from .jsonl import ReadJsonl
from .parquet import ReadParquet
from .reader import Reader
from .records import ORIGIN, REJECTED, STATS, counter
from .warc import ReadWarc


@dataclass(frozen=True)
class Format:
    reader: type[Reader]
    # (source, path) pairs -> (source, item) pairs, rejections, statistics; built as
    # plan(sources, max_record_bytes, prefix_chars). None: a file is the reader's item.
    plan: type[beam.PTransform] | None = None


READERS: dict[str, Format] = {
    "warc": Format(ReadWarc),  # ARC files too (sniffed by ReadWarc)
    "wet": Format(ReadWarc),
    "jsonl": Format(ReadJsonl),
    "parquet": Format(ReadParquet),
    "cc-index": Format(ReadIndexedRange, plan=PlanIndexRanges),
}


class ReadItems(beam.DoFn):
    """(source, item) -> that source's reader's documents, rejections and statistics."""

    def __init__(self, config: Config):
        reader_args = (config.read, config.output.text_prefix_chars, tuple(config.langid.languages))
        self.readers = {source.name: READERS[source.format].reader(source, *reader_args) for source in config.sources}

    def process(self, element):
        name, item = element
        yield from self.readers[name].process(item)


class ReadSources(beam.PTransform):
    """All sources -> (documents, read rejections, [reading statistics]). Items are spread
    across workers first; the pipeline reshuffles the documents again once their HTML has
    become text (see job/pipeline.py)."""

    def __init__(self, config: Config, files: dict[str, list[str]]):
        super().__init__()
        self.config = config
        self.files = files

    def _pairs(self, sources: list[SourceConfig]) -> list[tuple[str, str]]:
        return [(source.name, path) for source in sources for path in self.files[source.name]]

    def expand(self, pbegin):
        items, rejected, stats = [], [], []
        direct = [s for s in self.config.sources if READERS[s.format].plan is None]
        if direct:
            items.append(pbegin | "Files" >> beam.Create(self._pairs(direct)))
        plans = sorted({READERS[s.format].plan for s in self.config.sources} - {None}, key=lambda plan: plan.__name__)
        for plan in plans:  # one per format that has a plan, never one per source
            sources = [s for s in self.config.sources if READERS[s.format].plan is plan]
            planned, dropped, funnel = (pbegin
                                        | f"{plan.__name__}Paths" >> beam.Create(self._pairs(sources))
                                        | plan.__name__ >> plan(sources, self.config.read.max_record_bytes,
                                                                self.config.output.text_prefix_chars))
            items.append(planned)
            rejected.append(dropped)
            stats.append(funnel)
        out = (items
               | "AllItems" >> beam.Flatten()
               | "SpreadItems" >> beam.Reshuffle()
               | "ReadItems" >> beam.ParDo(ReadItems(self.config)).with_outputs(REJECTED, STATS, main="docs"))
        rejected.append(out[REJECTED])
        stats.append(out[STATS])
        return out["docs"], rejected | "FlattenReadRejected" >> beam.Flatten(), stats


def _unique_ids(item):
    _id, docs = item
    docs = iter(docs)
    first, second = next(docs), next(docs, None)
    if second is None:
        first.pop(ORIGIN, None)
        yield first
        return
    counter("zhpile.read", "repeated_ids").inc()
    for doc in itertools.chain((first, second), docs):  # the rest streams, never listed
        doc["id"] = doc_id(doc["source"], doc.pop(ORIGIN))
        yield doc


class UniqueIds(beam.PTransform):
    """Documents grouped by id, which also spreads them over workers (it is the shuffle
    after extraction). An id that several records carry (a JSONL with repeated ids, a
    WARC with a copied record) is replaced, for each of them, by an id of where it was
    read, so every input record keeps its own row in clean/ or rejected/. Groups stream:
    only the first two members are looked at before the rest is iterated."""

    def expand(self, docs):
        return (docs
                | "ById" >> beam.Map(lambda d: (d["id"], d))
                | "GroupById" >> beam.GroupByKey()
                | "OneIdEach" >> beam.FlatMap(_unique_ids))
