"""What every reader and stage emits besides documents: the tag of the rejected output,
its rows, and the Beam counters. The job's stages (job/stage.py) use the same, so a
rejection looks alike whichever step made it."""
from __future__ import annotations

from functools import lru_cache

import apache_beam as beam
from apache_beam.metrics import Metrics

from zhpile.filters.base import Drop
from zhpile.schemas.config import OutputConfig
from zhpile.schemas.tables import REJECTED_SCHEMA

REJECTED = "rejected"  # the tagged output every reader and stage sends rejection rows to
STATS = "stats"  # a reader's statistics pairs for the report (cc-index's selection funnel)
# Where a document was read (file and position): unique by construction, it names a
# document whose id another record also carries (see sources.UniqueIds).
ORIGIN = "origin"
PREFIX_CHARS = OutputConfig.model_fields["text_prefix_chars"].default  # the default lives in the config


@lru_cache(maxsize=None)
def counter(namespace: str, name: str):
    """A Beam counter, made once per process: Metrics.counter() builds a new one on every
    call (about 2 us, per document and stage). The counter finds the running bundle's
    metrics container when it is incremented, so sharing it is safe."""
    return Metrics.counter(namespace, name)


def rejection_row(doc: dict, stage: str, drop: Drop, prefix_chars: int = PREFIX_CHARS) -> dict:
    """A row of rejected/*.parquet for `doc` (a document dict at any stage)."""
    text = doc.get("text")
    if text is None and doc.get("payload") is not None:
        text = doc["payload"][: prefix_chars * 4].decode("utf-8", errors="replace")
    row = {name: doc.get(name) for name in REJECTED_SCHEMA.names}
    row.update(stage=stage, reason=drop.reason, detail=drop.detail,
               text_prefix=(text or "")[:prefix_chars], raw_bytes=doc.get("raw_bytes", 0))
    return row


def read_rejection(doc: dict, reason: str, detail: str, prefix_chars: int):
    """A record a reader could not turn into a document: counted `read.<reason>`, and sent
    to the rejected output as a row of stage `read`."""
    counter("zhpile.rejected", f"read.{reason}").inc()
    return beam.pvalue.TaggedOutput(REJECTED, rejection_row(doc, "read", Drop(reason, detail), prefix_chars))
