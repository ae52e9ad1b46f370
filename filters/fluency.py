"""Fluency without a downloaded model: log-probability per character under a character
bigram model of real Chinese (counts from CLUECorpusSmall, shipped as
filters/data/zh_char_bigram.npz, built by tools/build_fluency_model.py).

A unigram word model (jieba's dictionary frequencies) cannot see order, so keyword salad
made of common words scores as well as prose under it; bigrams across word boundaries are
what salad gets wrong. Measured separation: docs/quality.md ("Fluency").
"""
from __future__ import annotations

import importlib.resources
from functools import lru_cache

import numpy as np

from .kernels import FIBONACCI, pair_lookup
from .textutil import codepoints, jieba_tags

# Interpolation of bigram and unigram estimates, and add-k smoothing of the unigram.
BIGRAM_WEIGHT = 0.6
UNIGRAM_K = 0.5
TAG_K = 0.5
MAX_CHARS = 5000  # fluency of the first 5,000 characters
DENSE = 0x30000


def pair_keys(cps: np.ndarray) -> np.ndarray:
    """One uint64 per adjacent character pair."""
    return (cps[:-1].astype(np.uint64) << np.uint64(21)) | cps[1:].astype(np.uint64)


def count_bigrams(texts) -> dict:
    """The model's counts from texts (one document each): every character, each bigram
    seen at least twice, and jieba's part-of-speech tags and tag pairs (word_order.py).
    tools/build_fluency_model.py stores them."""
    import collections

    from .normalize import normalize_text

    unigrams: collections.Counter = collections.Counter()
    bigrams: collections.Counter = collections.Counter()
    tags: collections.Counter = collections.Counter()  # part-of-speech tags of jieba's words
    tag_pairs: collections.Counter = collections.Counter()
    for text in texts:
        text = normalize_text(text)
        if not text:
            continue
        cps = codepoints(text)
        unigrams.update(cps.tolist())
        bigrams.update(pair_keys(cps).tolist())
        tagged = [tag for _w, tag in jieba_tags("".join(text.split()))]
        tags.update(tagged)
        tag_pairs.update(zip(tagged, tagged[1:]))
    uni = np.array(sorted(unigrams), dtype=np.uint32)
    bi = np.array(sorted(k for k, c in bigrams.items() if c >= 2), dtype=np.uint64)
    names = sorted(tags)
    return {"unigram_keys": uni, "unigram_counts": np.array([unigrams[k] for k in uni.tolist()], dtype=np.uint32),
            "bigram_keys": bi, "bigram_counts": np.array([bigrams[k] for k in bi.tolist()], dtype=np.uint32),
            "tag_names": np.array(names), "tag_counts": np.array([tags[t] for t in names], dtype=np.uint32),
            "tag_pair_counts": np.array([[tag_pairs[a, b] for b in names] for a in names], dtype=np.uint32)}


def build_tables(counts: dict) -> dict:
    """Log-probability tables from counts (unigram_keys/counts, bigram_keys/counts, as
    tools/build_fluency_model.py stores them): of each known pair (bigram and unigram
    interpolated), of a character after an unknown pair (its unigram share alone), and of
    each character on its own (log_p, for pointwise mutual information: word_order.py)."""
    model = dict(counts)
    total = float(model["unigram_counts"].sum())
    vocab = len(model["unigram_keys"])
    # Tables over code points below DENSE (the model's characters all are), so a lookup is
    # one indexing operation.
    keys = model["unigram_keys"].astype(np.int64)
    count = np.zeros(DENSE, dtype=np.float64)
    count[keys] = model["unigram_counts"]
    p = np.full(DENSE, UNIGRAM_K / (total + UNIGRAM_K * 2 * vocab))
    p[keys] = (model["unigram_counts"] + UNIGRAM_K) / (total + UNIGRAM_K * 2 * vocab)
    first = (model["bigram_keys"] >> np.uint64(21)).astype(np.int64)
    second = (model["bigram_keys"] & np.uint64(0x1FFFFF)).astype(np.int64)
    p_bi = model["bigram_counts"] / count[first]
    model["log_pair"] = np.log(BIGRAM_WEIGHT * p_bi + (1 - BIGRAM_WEIGHT) * p[second])
    model["log_unigram"] = np.log((1 - BIGRAM_WEIGHT) * p)
    model["log_p"] = np.log(p)
    model["pair_table"] = PairTable(model["bigram_keys"], model["log_pair"])
    # Tag bigram PMI, add-TAG_K smoothed; one more row and column for a tag the counts lack.
    names = [str(t) for t in model["tag_names"]]
    pairs = np.full((len(names) + 1, len(names) + 1), TAG_K)
    pairs[:-1, :-1] += model["tag_pair_counts"]
    tag_p = np.append(model["tag_counts"], 0) + TAG_K
    model["tag_index"] = TagIndex({t: i for i, t in enumerate(names)})
    model["tag_pmi"] = np.log(pairs / pairs.sum(1, keepdims=True)) - np.log(tag_p / tag_p.sum())[None, :]
    return model


class TagIndex(dict):
    """Tag -> row of tag_pmi; a tag the counts lack is the last row."""

    def __missing__(self, tag: str) -> int:
        return len(self)


@lru_cache(maxsize=1)
def shipped_model():
    """The shipped character-bigram model (filters/data/zh_char_bigram.npz), loaded once."""
    with importlib.resources.files(__package__).joinpath("data/zh_char_bigram.npz").open("rb") as f:
        data = np.load(f)
        return build_tables({k: data[k] for k in data.files})


class PairTable:
    """Hash table from pair keys to a float value each (a pair's log-probability), laid out
    for a lookup bound by memory latency: a key's home is one slot of a flat key array at
    load ~0.13, and its value sits at the same index of a flat value array, so a lookup is
    two independent loads (kernels.pair_lookup keeps many in flight: ~11 ns a key). A key
    whose home another key took (about 6%) goes to a small sorted overflow array,
    binary-searched for the keys whose home holds another."""

    SLOTS_PER_KEY = 4  # at least: the load factor is at most 1/4
    EMPTY = np.uint64(2**64 - 1)  # no pair key: code points are 21 bits, keys 42
    _MULT = FIBONACCI  # the lookup kernel hashes with the same constant

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        if keys.size > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            raise ValueError("PairTable: keys must be sorted and distinct")
        values = np.asarray(values, dtype=np.float64)
        self.bits = max(4, (len(keys) * self.SLOTS_PER_KEY - 1).bit_length())
        home = self._home(keys)
        # The smallest key homing to a slot takes it (keys are sorted: np.unique's first).
        _, first = np.unique(home, return_index=True)
        fits = np.zeros(len(keys), dtype=bool)
        fits[first] = True
        self.slot_keys = np.full(1 << self.bits, self.EMPTY, dtype=np.uint64)
        self.slot_values = np.zeros(1 << self.bits, dtype=np.float64)
        self.slot_keys[home[fits]] = keys[fits]
        self.slot_values[home[fits]] = values[fits]
        self.overflow_keys, self.overflow_values = keys[~fits], values[~fits]  # sorted, as keys are
        # The arrays as filters/kernels.py's lookups take them.
        self.arrays = (self.slot_keys, self.slot_values, self.overflow_keys, self.overflow_values, np.uint64(64 - self.bits))

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * self._MULT) >> np.uint64(64 - self.bits)).astype(np.intp)

    def get(self, keys: np.ndarray, default: np.ndarray) -> np.ndarray:
        """The value of each key, default[i] where keys[i] is not in the table."""
        return pair_lookup(np.ascontiguousarray(keys, dtype=np.uint64), np.ascontiguousarray(default, dtype=np.float64), *self.arrays)


def log_cond(pairs: np.ndarray, second: np.ndarray, model: dict | None = None) -> np.ndarray:
    """log P(second | first) of each pair key (pair_keys) under the model."""
    m = model or shipped_model()
    # Beyond the dense table a character is unseen (the table's last slot is no character).
    return m["pair_table"].get(pairs, m["log_unigram"][np.minimum(second, DENSE - 1)])


def fluency(text: str) -> float:
    """Mean natural-log probability per character (higher is more fluent; real Chinese
    prose is around -5.5, keyword salad around -8, random Han characters -13)."""
    sample = text[:MAX_CHARS]
    if len(sample) < 2:
        return 0.0
    cps = codepoints(sample)
    return float(log_cond(pair_keys(cps), cps[1:]).mean())
