"""The learned scorers in the job: documents in batches through the models (one call a
batch), then, for Nemotron-CC's bucket rule, each scorer's cut points over the whole corpus
through Beam's Combine, as a side input to the bucket step."""
from __future__ import annotations

import apache_beam as beam

from zhpile.filters.scorers import cut_points

from ..io.records import REJECTED
from .stage import KEPT, apply_stage
from .stages import AssignBucket, ScoreQuality


def _score_counts(doc: dict):
    return [((entry["name"], entry["score"]), 1) for entry in doc["quality_scores"]]


class ScoreDocuments(beam.PTransform):
    """docs -> (kept, rejected)."""

    def __init__(self, dofn: ScoreQuality, cfg, prefix_chars: int):
        super().__init__()
        self.dofn, self.cfg, self.prefix_chars = dofn, cfg, prefix_chars

    def expand(self, docs):
        size = self.dofn.batch_size()
        batches = docs | "Batch" >> beam.BatchElements(min_batch_size=size, max_batch_size=size)
        docs, rejected = apply_stage(batches, "Score", self.dofn)
        if self.cfg.mode != "buckets":
            return docs, rejected
        k = self.cfg.buckets
        # Counts of each distinct (rounded) score, summed anywhere in any order: the cut
        # points are exact and the same on 1 worker or 1000.
        cuts = (docs
                | "ScoreCounts" >> beam.FlatMap(_score_counts)
                | "SumScoreCounts" >> beam.CombinePerKey(sum)
                | "ByScorer" >> beam.Map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
                | "GroupByScorer" >> beam.GroupByKey()
                | "CutPoints" >> beam.MapTuple(lambda name, counts: (name, cut_points(counts, k))))
        out = docs | "Bucket" >> beam.ParDo(AssignBucket(self.cfg, prefix_chars=self.prefix_chars),
                                            beam.pvalue.AsDict(cuts)).with_outputs(REJECTED, main=KEPT)
        return out[KEPT], (rejected, out[REJECTED]) | "ScoreRejected" >> beam.Flatten()
