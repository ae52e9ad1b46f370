"""`zhpile train-quality`'s pipeline: labelled documents of any size (JSONL or Parquet with
a text and a label or score, as an LLM annotates; or GPT-3's recipe, curated documents
against crawl) -> fastText training lines, jieba-segmented on the workers, split into
training and held-out lines by a hash of the text, and written in a seeded shuffled order
(fastText learns by SGD: lines grouped by label would teach it the last label).

Writes WORK/train-NNNNN.txt, WORK/holdout-NNNNN.txt and WORK/counts.json."""
from __future__ import annotations

import json

import apache_beam as beam

from zhpile.filters.classifier import label_name, training_line
from zhpile.filters.ids import text_digest, unit_float, unit_hash

from ..io.records import counter
from .parts import FileSet, TextLinesFormat, WriteInParts


def _rows(p, label: str, pattern: str, fields: list[str]):
    """Rows of one input glob as dicts: Parquet columns, JSON lines, or a text line each."""
    if pattern.endswith(".parquet"):
        return p | f"Read{label}" >> beam.io.ReadFromParquet(pattern, columns=fields)
    lines = p | f"Read{label}" >> beam.io.ReadFromText(pattern)
    if ".json" in pattern:
        return lines | f"Parse{label}" >> beam.Map(_json_row)
    return lines | f"AsRow{label}" >> beam.Map(lambda line: {fields[0]: line})


def _json_row(line: str) -> dict:
    try:
        row = json.loads(line)
    except ValueError:
        return {}
    return row if isinstance(row, dict) else {}


class _TrainingLines(beam.DoFn):
    """row -> ((split, shard), order key, {"text": line}); a row without text or label is counted."""

    def __init__(self, text_field: str, label_field: str | None, fixed_label: str | None, holdout: float, seed: int,
                 shards: int):
        self.text_field, self.label_field, self.fixed_label = text_field, label_field, fixed_label
        self.holdout, self.seed, self.shards = holdout, seed, shards

    def process(self, row):
        text = row.get(self.text_field)
        label = self.fixed_label or label_name(row.get(self.label_field))
        if not isinstance(text, str) or not text.strip() or label is None:
            counter("zhpile.train", "rejected").inc()
            yield "rejected", "no text" if label else "no label"
            return
        line = training_line(text, label)
        if len(line.split(" ", 1)) < 2:  # nothing left after segmentation
            counter("zhpile.train", "rejected").inc()
            yield "rejected", "no words"
            return
        digest = text_digest(text)
        split = "holdout" if unit_float(self.seed, "holdout", digest) < self.holdout else "train"
        yield "kept", (split, label)
        yield beam.pvalue.TaggedOutput("lines", ((split, unit_hash(self.seed, "shard", digest) % self.shards),
                                                 unit_hash(self.seed, "order", digest), {"text": line}))


class _ShardFiles(FileSet):
    """WORK/{split}-NNNNN.txt, each written in `parts` parts (pipelines/job/parts.py): a
    shard's lines as one group would be one element of 256 MB of input on Flink or Spark."""

    SPLITS = ("train", "holdout")

    def __init__(self, work: str, shards: int, parts: int):
        self.work, self.shards, self.n_parts = work, shards, parts

    def keys(self) -> list:
        return [(split, shard) for split in self.SPLITS for shard in range(self.shards)]

    def parts(self, key) -> int:
        return self.n_parts

    def outputs(self, key) -> list:
        split, shard = key
        return [(TextLinesFormat(), f"{self.work}/{split}-{shard:05d}.txt")]

    def part_stem(self, key, part: int, output: int) -> str:
        split, shard = key
        return f"{self.work}/parts/{split}-{shard:05d}-{part:05d}"


def _counts_json(pairs) -> str:
    kept: dict = {}
    rejected: dict = {}
    for (outcome, value), n in pairs:
        if outcome == "kept":
            split, label = value
            kept.setdefault(split, {})[label] = kept.setdefault(split, {}).get(label, 0) + n
        else:
            rejected[value] = rejected.get(value, 0) + n
    return json.dumps({"lines": kept, "rejected": rejected}, sort_keys=True)


def build_label_pipeline(p, inputs: list[tuple[str, str, str | None]], text_field: str, label_field: str | None,
                         holdout: float, seed: int, shards: int, work: str, n_parts: int = 1) -> None:
    """`inputs`: (glob, the label of all its rows or None: each row's label_field)."""
    fields = [text_field] + ([label_field] if label_field else [])
    parts = []
    for i, (pattern, fixed) in enumerate(inputs):
        rows = _rows(p, str(i), pattern, fields if fixed is None else [text_field])
        parts.append(rows | f"Lines{i}" >> beam.ParDo(_TrainingLines(text_field, label_field, fixed, holdout, seed, shards))
                     .with_outputs("lines", main="outcomes"))
    outcomes = [part["outcomes"] for part in parts] | "Outcomes" >> beam.Flatten()
    lines = [part["lines"] for part in parts] | "AllLines" >> beam.Flatten()
    lines | "WriteShards" >> WriteInParts(_ShardFiles(work, shards, n_parts))
    (outcomes
     | "Count" >> beam.combiners.Count.PerElement()
     | "AllCounts" >> beam.combiners.ToList()
     | "CountsJson" >> beam.Map(_counts_json)
     | "WriteCounts" >> beam.io.WriteToText(f"{work}/counts", file_name_suffix=".json", shard_name_template=""))
