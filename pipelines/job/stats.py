"""Pipeline statistics: summed counters keyed by tuples, token counts, and the file the
driver reads them from."""
from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.tokens import load_tokenizer

from .buckets import PerBundle
from ..io.inputs import read_bytes


def sum_lists(values):
    total = [0, 0, 0, 0]
    for v in values:
        for i, x in enumerate(v):
            total[i] += x
    return total


class SumPerBundle(PerBundle):
    """element -> the (key, [4 numbers]) pairs of `items(element)`, summed per key over a
    bundle: a few hundred statistics elements instead of ~10 a document, each of which the
    runner would encode, buffer and combine on its own."""

    limit = 10_000  # keys

    def add(self, key, value) -> None:
        total = self.held.get(key)
        if total is None:
            self.held[key] = list(value)
            self.size += 1
        else:
            for i, x in enumerate(value):
                total[i] += x


class CountTokens(beam.DoFn):
    """Per kept document: its jieba word count (estimated by the quality stage from one
    segmentation of its first characters) and, with a tokenizer configured, its tokens: the
    ids written (EOS included) under output.tokenize, else report.tokenizer's count."""

    def __init__(self, cfg, ids_given: bool = False):
        self.cfg, self.ids_given = cfg, ids_given  # ids_given: the Tokenize stage's input_ids are counted
        self.tokenizer = None

    def setup(self):
        if self.cfg.tokenizer and not self.ids_given:
            self.tokenizer = load_tokenizer(self.cfg.tokenizer, eos=False, read=read_bytes).tokenizer

    def process(self, doc):
        where = (doc["source"], doc["component"])
        yield ("words", *where), [1, (doc.get("quality") or {}).get("est_words") or 0, 0, 0]
        if self.ids_given:
            yield ("tokens", *where), [len(doc["input_ids"]), 0, 0, 0]
        elif self.tokenizer is not None:
            yield ("tokens", *where), [len(self.tokenizer.encode(doc["text"], add_special_tokens=False).ids), 0, 0, 0]


def _write(path: str, counts, samples) -> None:
    body = {"counts": sorted([list(k), v] for k, v in counts),
            "samples": sorted([list(k), [list(x) for x in v]] for k, v in (samples or []))}
    with FileSystems.create(path) as f:
        f.write(json.dumps(body, ensure_ascii=False).encode("utf-8"))


class WriteStats(beam.PTransform):
    """Sums (key, [4 numbers]) pairs and writes them, with optional samples, as one JSON
    file (a few thousand keys at most: small)."""

    def __init__(self, path: str, samples=None):
        super().__init__()
        self.path, self.samples = path, samples

    def expand(self, pairs):
        counts = (pairs
                  | "Sum" >> beam.CombinePerKey(sum_lists)
                  | "ToList" >> beam.combiners.ToList())
        if self.samples is None:
            return counts | "Write" >> beam.Map(lambda c: _write(self.path, c, None))
        return counts | "Write" >> beam.Map(lambda c, s: _write(self.path, c, s), beam.pvalue.AsSingleton(self.samples))


def read_stats(path: str) -> dict:
    with FileSystems.open(path) as f:
        data = json.load(f)
    return {"counts": [(tuple(k), v) for k, v in data["counts"]], "samples": data["samples"]}
