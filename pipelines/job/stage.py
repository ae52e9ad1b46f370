"""The one mechanism every filtering stage uses: kept documents on the main output,
rejected ones on a tagged output, a Beam counter per reason, and no exception
ever escaping for a single bad document."""
from __future__ import annotations

import apache_beam as beam

from zhpile.filters.base import Drop, DropError

from ..io.records import PREFIX_CHARS, REJECTED, counter, rejection_row

KEPT = "kept"


class StageDoFn(beam.DoFn):
    """Subclasses implement `apply(doc) -> doc | Drop` (or raise DropError)."""

    stage = "stage"

    def __init__(self, prefix_chars: int = PREFIX_CHARS):
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
