"""Corpus-wide deduplication through Beam's shuffle."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from filters.base import Drop
from filters.dedup import exact_key

from .stage import KEPT, REJECTED, rejection_row


class _ResolveExact(beam.DoFn):
    """One text hash: keep the winner, reject the rest. Streams over the group; the
    winner was found beforehand by a combiner, so nothing is buffered."""

    def process(self, element, prefix_chars):
        _key, grouped = element
        winner = next(iter(grouped["winner"]))
        for doc in grouped["docs"]:
            if doc["id"] == winner[1]:
                yield doc
            else:
                Metrics.counter("zhpile.rejected", "dedup.dup_exact").inc()
                drop = Drop("dup_exact", f"duplicate of {winner[1]}")
                yield beam.pvalue.TaggedOutput(REJECTED, rejection_row(doc, "dedup", drop, prefix_chars))


class ExactDedup(beam.PTransform):
    """Documents with the same normalised-text hash: one survives, chosen by source
    priority (curated before crawl by default) and then the smallest id."""

    def __init__(self, config):
        super().__init__()
        self.rank = config.source_rank()
        self.prefix_chars = config.output.text_prefix_chars

    def expand(self, docs):
        rank = self.rank
        keyed = docs | "HashText" >> beam.Map(lambda d: (exact_key(d["text"]), d))
        winners = (
            keyed
            | "Candidate" >> beam.Map(lambda kv: (kv[0], (rank[kv[1]["source"]], kv[1]["id"])))
            | "Winner" >> beam.CombinePerKey(min)
        )
        out = (
            {"docs": keyed, "winner": winners}
            | "GroupByHash" >> beam.CoGroupByKey()
            | "Resolve" >> beam.ParDo(_ResolveExact(), self.prefix_chars).with_outputs(REJECTED, main=KEPT)
        )
        return out[KEPT], out[REJECTED]
