"""Benchmark decontamination: does a document contain an evaluation item (C-Eval, CMMLU,
GAOKAO-Bench, ...), whole or in part?

Chinese has no spaces, so items and documents are compared on character n-grams of a
matching form: full-width and half-width forms agree, Traditional converted to
Simplified, lower case, and only letters, digits and Han characters kept (punctuation and
spacing differ between copies of one question). Each field of an item (question, options)
is looked for on its own, so options in another order or with other labels still match; a
field's evidence is its distinct n-grams minus those shared by `max_item_share` of the
benchmark's items or more (the boilerplate of a question bank: 以下说法正确的是, 下列选项中).
Measured in benchmarks/decontamination.py.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .normalize import to_simplified
from .quality import NgramHashes
from .textutil import SURROGATES, codepoints


@lru_cache(maxsize=1)
def _alnum_table() -> np.ndarray:
    """Whether each BMP code point is a letter or digit (str.isalnum), built once."""
    return np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)


def match_form(text: str, simplify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(code points of the matching form, the offset in `text` of each of them): full-width
    letters and digits as ASCII, ASCII in lower case, Traditional as Simplified (unless the
    text already is: the pipeline converts before), and only letters, digits and Han
    characters kept. Offsets let a match be reported on the original text."""
    if simplify:
        converted, _ = to_simplified(SURROGATES.sub("\ufffd", text))  # OpenCC needs encodable text
        if len(converted) == len(text):  # OpenCC's t2s maps character for character almost always
            text = converted
    cps = codepoints(text).astype(np.int64)
    wide = (cps >= 0xFF01) & (cps <= 0xFF5E)  # full-width forms of ASCII
    cps[wide] -= 0xFEE0
    upper = (cps >= 0x41) & (cps <= 0x5A)
    cps[upper] += 0x20
    keep = np.where(cps < 0x10000, _alnum_table()[np.minimum(cps, 0xFFFF)], cps >= 0x20000)  # astral: Han extensions
    offsets = np.flatnonzero(keep)
    return cps[offsets].astype(np.uint32), offsets


def ngram_keys(cps: np.ndarray, n: int) -> np.ndarray:
    """The n-gram hashes of a matching form (uint64; empty when shorter than n)."""
    if cps.size < n:
        return np.zeros(0, dtype=np.uint64)
    return NgramHashes(cps).of(n)


@dataclass(frozen=True)
class Match:
    benchmark: str
    item: str
    share: float  # of the item's fields found in the document
    start: int  # span of the document holding the matched fields (original offsets)
    end: int


class BenchmarkIndex:
    """The items of every benchmark, field by field. A field long enough for min_evidence
    n-grams (in the matching form) is found by its evidence n-grams: half of them, and at
    least min_evidence, in the document. A shorter one (an option like 黄河) is found as a
    substring near a found long field, so a common word alone never matches; an item none
    of whose fields is long (a question of a few characters) cannot be found. An item's share is the share of its fields found:
    all of a question and its options is 1, the question alone 1/5. The n-grams live in two
    parallel sorted arrays (hash, field number): 16 bytes an n-gram, searched with numpy."""

    FIELD_SHARE = 0.5  # of a long field's evidence n-grams, to count it found
    WINDOW = 300  # characters around the found long fields where short fields are looked for

    def __init__(self, items: list[tuple[str, str, list[str]]], n: int, max_item_share: float = 0.01, min_evidence: int = 3):
        """items: (benchmark, item id, its field texts)."""
        self.n, self.min_evidence = n, min_evidence
        self.names: list[tuple[str, str]] = []
        self.n_fields: list[int] = []  # fields of 2+ characters per item
        self.short: list[list[str]] = []  # the short fields' matching forms per item
        field_item: list[int] = []  # long field number -> item number
        keys, owners = [], []
        per_benchmark: dict[str, int] = {}
        for benchmark, _item, _fields in items:
            per_benchmark[benchmark] = per_benchmark.get(benchmark, 0) + 1
        for benchmark, item, fields in items:
            number = len(self.names)
            self.names.append((benchmark, item))
            shorts, count = [], 0
            for field in fields:
                cps = match_form(str(field))[0]
                if cps.size < 2:  # an answer letter is no evidence
                    continue
                count += 1
                if cps.size < n + min_evidence - 1:  # too few n-grams to be found by them
                    shorts.append(cps.tobytes().decode("utf-32-le"))
                    continue
                grams = np.unique(ngram_keys(cps, n))
                keys.append(grams)
                owners.append(np.full(grams.size, len(field_item), dtype=np.int64))
                field_item.append(number)
            self.short.append(shorts)
            self.n_fields.append(count)
        self.field_item = np.array(field_item, dtype=np.int64)
        all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        all_owners = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
        # Boilerplate: an n-gram in many items of one benchmark is evidence of none.
        if all_keys.size:
            item_of = self.field_item[all_owners]
            pairs = np.unique(np.stack([all_keys.view(np.int64), item_of], axis=1), axis=0)
            uniq, counts = np.unique(pairs[:, 0], return_counts=True)
            items_with = counts[np.searchsorted(uniq, all_keys.view(np.int64))]
            size = np.array([per_benchmark[self.names[i][0]] for i in item_of], dtype=np.float64)
            keep = items_with < np.maximum(2, max_item_share * size)
        else:
            keep = np.zeros(0, dtype=bool)
        self.boilerplate = int((~keep).sum())
        all_keys, all_owners = all_keys[keep], all_owners[keep]
        order = np.argsort(all_keys, kind="stable")
        self.keys, self.owners = all_keys[order], all_owners[order]
        self.evidence = np.bincount(self.owners, minlength=len(field_item))

    def __len__(self) -> int:
        return int(self.keys.size)

    def matches(self, text: str, min_share: float, simplify: bool = True) -> list[Match]:
        """Items of which the text holds at least `min_share` of the fields, best first.
        `simplify`: convert Traditional first (the pipeline's texts already are Simplified)."""
        cps, offsets = match_form(text, simplify)
        positions, fields, keys = lookup(self.keys, self.owners, ngram_keys(cps, self.n))
        return self.decide(cps, offsets, positions, fields, keys, min_share)

    def decide(self, cps: np.ndarray, offsets: np.ndarray, positions: np.ndarray, fields: np.ndarray,
               keys: np.ndarray, min_share: float) -> list[Match]:
        """The matches from the n-gram hits of one document (lookup's three arrays, from
        this index or from its shards in a shuffle join)."""
        if positions.size == 0:
            return []
        found_fields: dict[int, list[tuple[int, int]]] = {}  # item -> spans of its found long fields
        for field in np.unique(fields):
            mine = fields == field
            distinct = np.unique(keys[mine]).size
            if distinct >= self.min_evidence and distinct >= self.FIELD_SHARE * self.evidence[field]:
                pos = positions[mine]
                found_fields.setdefault(int(self.field_item[field]), []).append((int(pos.min()), int(pos.max()) + self.n))
        out = []
        doc = None
        for item, spans in found_fields.items():
            start, end = min(s for s, _e in spans), max(e for _s, e in spans)
            found = len(spans)
            if self.short[item]:
                doc = doc if doc is not None else cps.tobytes().decode("utf-32-le")
                window = doc[max(start - self.WINDOW, 0):end + self.WINDOW]
                found += sum(1 for short in self.short[item] if short in window)
            share = found / max(self.n_fields[item], 1)
            if share >= min_share:
                benchmark, name = self.names[item]
                out.append(Match(benchmark, name, round(share, 4), int(offsets[start]), int(offsets[end - 1]) + 1))
        return sorted(out, key=lambda m: (-m.share, m.benchmark, m.item))

    def shards(self, count: int) -> tuple["BenchmarkIndex", list[tuple[np.ndarray, np.ndarray]]]:
        """(this index without its n-grams, the n-grams split into `count` shards by
        shard_of): for a shuffle join, where each worker holds one shard."""
        which = shard_of(self.keys, count)
        parts = [(self.keys[which == i], self.owners[which == i]) for i in range(count)]
        meta = copy.copy(self)
        meta.keys, meta.owners = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        return meta, parts


def shard_of(keys: np.ndarray, count: int) -> np.ndarray:
    """The shard of each n-gram hash (its top bits: the low bits of a polynomial hash of
    similar n-grams are correlated)."""
    return ((keys >> np.uint64(40)) % np.uint64(count)).astype(np.int64)


def lookup(keys: np.ndarray, owners: np.ndarray, grams: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions in the document, field numbers, n-gram hashes) of every hit of the
    document's n-grams `grams` in the sorted (keys, owners) arrays; an n-gram several fields
    share counts for each."""
    if grams.size == 0 or keys.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.uint64)
    lo = np.searchsorted(keys, grams, side="left")
    hi = np.searchsorted(keys, grams, side="right")
    hit = np.flatnonzero(hi > lo)
    if hit.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.uint64)
    positions = np.repeat(hit, (hi - lo)[hit])
    idx = np.concatenate([np.arange(a, b) for a, b in zip(lo[hit], hi[hit])])
    return positions, owners[idx], keys[idx]
