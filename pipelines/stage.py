"""The one mechanism every filtering stage uses: kept documents on the main output,
rejected ones on a tagged output, a Beam counter per reason, and no exception
ever escaping for a single bad document."""
from __future__ import annotations

from functools import lru_cache

import apache_beam as beam
from apache_beam.metrics import Metrics

from zhpile.filters.base import Drop, DropError
from zhpile.schemas.config import OutputConfig
from zhpile.schemas.tables import REJECTED_SCHEMA

REJECTED = "rejected"
KEPT = "kept"
_PREFIX_CHARS = OutputConfig.model_fields["text_prefix_chars"].default  # the default lives in the config


@lru_cache(maxsize=None)
def counter(namespace: str, name: str):
    """A Beam counter, made once per process: Metrics.counter() builds a new one on every
    call (about 2 us, per document and stage). The counter finds the running bundle's
    metrics container when it is incremented, so sharing it is safe."""
    return Metrics.counter(namespace, name)


def rejection_row(doc: dict, stage: str, drop: Drop, prefix_chars: int = _PREFIX_CHARS) -> dict:
    """A row of rejected/*.parquet for `doc` (a document dict at any stage)."""
    text = doc.get("text")
    if text is None and doc.get("payload") is not None:
        text = doc["payload"][: prefix_chars * 4].decode("utf-8", errors="replace")
    row = {name: doc.get(name) for name in REJECTED_SCHEMA.names}
    row.update(stage=stage, reason=drop.reason, detail=drop.detail,
               text_prefix=(text or "")[:prefix_chars], raw_bytes=doc.get("raw_bytes", 0))
    return row


class StageDoFn(beam.DoFn):
    """Subclasses implement `apply(doc) -> doc | Drop` (or raise DropError)."""

    stage = "stage"

    def __init__(self, prefix_chars: int = _PREFIX_CHARS):
        self.prefix_chars = prefix_chars

    def apply(self, doc: dict):  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, doc):
        try:
            result = self.apply(doc)
        except DropError as err:
            result = err.drop
        except Exception as err:  # noqa: BLE001 - one bad document must not kill the run
            result = self.error(err)
        yield from self.outcome(doc, result)

    def error(self, err: Exception) -> Drop:
        """An unexpected exception on one document, as its rejection."""
        return Drop("error", f"{self.stage}: {type(err).__name__}: {str(err)[:200]}")

    def outcome(self, doc: dict, result):
        """`result` (the kept document) on the main output, or, if it is a Drop, the
        rejection row of `doc` on the rejected one."""
        if isinstance(result, Drop):
            counter("zhpile.rejected", f"{self.stage}.{result.reason}").inc()
            yield beam.pvalue.TaggedOutput(REJECTED, rejection_row(doc, self.stage, result, self.prefix_chars))
        else:
            counter("zhpile.kept", self.stage).inc()
            yield result


def apply_stage(pcoll, label: str, dofn: StageDoFn):
    """(kept, rejected) PCollections of a stage."""
    out = pcoll | label >> beam.ParDo(dofn).with_outputs(REJECTED, main=KEPT)
    return out[KEPT], out[REJECTED]
