"""Does word order carry information here? Real Chinese against the same characters or
words in random order.

A character bigram model's fluency cannot tell: a document's own words shuffled lose only
about 0.5 of it, and 40 common characters at random score like prose. What shuffling
destroys is how well each unit predicts the next one where two units meet. So each signal
compares the document with itself: the mean pointwise mutual information,
log P(b | a) - log P(b), over the Han pairs where consecutive units join, in the
document's order minus the same in a few seeded random orders of the same units.
Text already in random order gains nothing from its order (about 0); real text gains a
lot. Units:
- characters (a character shuffle), and 2-character chunks at either alignment (a chunk
  shuffle): `char_order_gain`, the smallest of the three;
- jieba words (a word shuffle, keyword stuffing): `word_order_gain`;
- jieba's part-of-speech tags of the words (`pos_order_gain`): with ~55 tags the tag bigram
  table is dense, so grammar (a measure word before a noun, 的 between modifier and noun, a
  comma after a clause) is seen where a word pair never was. It separates word shuffles.
A chunk shuffle whose chunks are cut from each sentence shifts the chunk grid at every odd
sentence, so no fixed alignment sees it; what it loses is every dictionary word longer than
a chunk: `long_word_share`, the share of Han characters in jieba words of 3+ characters
(idioms, names, compounds), is about 0 in a 2-character chunk salad and 0.13 in prose.
`order_score` weighs the three; measured in benchmarks/word_order.py (docs/quality.md,
"Word order").
"""
from __future__ import annotations

from operator import itemgetter

import numpy as np

from .fluency import log_cond, shipped_model
from .textutil import codepoints, jieba_tags, jieba_words

MAX_CHARS = 2000  # the first 2,000 non-space characters: 3.3 ms a 6,000-character text (5,000: 11 ms)
SHUFFLES = 3  # random orders averaged per unit kind (2: real drops at the default 0.5% -> 0.9%)
MIN_JOINS = 20  # fewer Han-Han joins than this: no verdict (None)
_HAN_LO, _HAN_HI = 0x4E00, 0x9FFF
# order_score = word_order_gain x W_WORD + pos_order_gain x W_POS + long_word_share x W_LONG:
# chosen on the held-back table of benchmarks/word_order.py (docs/quality.md, "Word order").
W_WORD, W_POS, W_LONG = 0.5, 1.0, 0.75
LONG_WORD = 3  # characters of a "long" word: longer than any chunk of a 2-character salad


def _pmi(first: np.ndarray, second: np.ndarray, model: dict) -> np.ndarray:
    """log P(second | first) - log P(second), pair by pair."""
    keys = (first.astype(np.uint64) << np.uint64(21)) | second.astype(np.uint64)  # as pair_keys
    return log_cond(keys, second, model) - model["log_p"][np.minimum(second, len(model["log_p"]) - 1)]


class _Pairs:
    """Character pairs gathered from every unit kind and order of one text, looked up in
    the bigram model in one call (a lookup's fixed cost was most of the signal's time),
    then averaged segment by segment."""

    def __init__(self):
        self.first: list[np.ndarray] = []
        self.second: list[np.ndarray] = []
        self.values: list[np.ndarray] = []

    def add(self, first: np.ndarray, second: np.ndarray) -> int:
        self.first.append(first)
        self.second.append(second)
        return len(self.first) - 1

    def look_up(self, model: dict) -> None:
        pmi = _pmi(np.concatenate(self.first), np.concatenate(self.second), model)
        self.values = np.split(pmi, np.cumsum([len(f) for f in self.first])[:-1])

    def mean(self, segment: int) -> float:
        return float(self.values[segment].mean())


class _UnitOrders:
    """The joins of the units beginning at `starts`, in order and in SHUFFLES seeded random
    orders; gain() is the in-order mean PMI minus the shuffled orders' mean, None with fewer
    than MIN_JOINS Han joins. `in_order`: where the in-order joins sit among the adjacent
    pairs of `cps`, when those are looked up anyway (characters, chunks): no second lookup."""

    def __init__(self, cps: np.ndarray, starts: np.ndarray, han: np.ndarray, seed: int, pairs: _Pairs,
                 in_order: np.ndarray | None = None):
        ends = np.append(starts[1:], cps.size)
        self.last, self.first, self.cps, self.han, self.pairs = ends - 1, starts, cps, han, pairs
        self.in_order, self.base, self.shuffled = in_order, None, []
        if in_order is None:
            self.base = self._joins(np.arange(starts.size))
            if self.base is None:
                return
        elif in_order.size < MIN_JOINS:
            return
        rng = np.random.default_rng(seed)
        self.shuffled = [self._joins(rng.permutation(starts.size)) for _ in range(SHUFFLES)]
        self.shuffled = [segment for segment in self.shuffled if segment is not None]

    def _joins(self, order: np.ndarray) -> int | None:
        a, b = self.last[order[:-1]], self.first[order[1:]]
        keep = self.han[a] & self.han[b]
        if int(keep.sum()) < MIN_JOINS:
            return None
        return self.pairs.add(self.cps[a[keep]], self.cps[b[keep]])

    def gain(self, adjacent: np.ndarray | None = None) -> float | None:
        if not self.shuffled:
            return None
        base = float(adjacent[self.in_order].mean()) if self.in_order is not None else self.pairs.mean(self.base)
        return round(base - float(np.mean([self.pairs.mean(s) for s in self.shuffled])), 4)


def _tag_gain(tags: np.ndarray, pmi: np.ndarray, seed: int) -> float | None:
    """Mean tag-bigram PMI of the words in order minus its mean over SHUFFLES random orders."""
    if tags.size <= MIN_JOINS:
        return None
    base = float(pmi[tags[:-1], tags[1:]].mean())
    rng = np.random.default_rng(seed)
    shuffled = [pmi[t[:-1], t[1:]].mean() for t in (tags[rng.permutation(tags.size)] for _ in range(SHUFFLES))]
    return round(base - float(np.mean(shuffled)), 4)


def order_score(s: dict) -> float | None:
    """The weighted sum of word_order_gain, pos_order_gain and long_word_share; None when
    any of them is unmeasured."""
    parts = (s.get("word_order_gain"), s.get("pos_order_gain"), s.get("long_word_share"))
    if any(p is None for p in parts):
        return None
    return round(W_WORD * parts[0] + W_POS * parts[1] + W_LONG * parts[2], 4)


def order_signals(text: str, model: dict | None = None) -> dict:
    """char_order_gain, word_order_gain, pos_order_gain, long_word_share and order_score;
    None where the text has too few Han joins."""
    model = model or shipped_model()
    sample = "".join(text.split())[:MAX_CHARS]
    char_gain, word_gain, long_share = order_gains(sample, model)
    pos_gain = None
    if char_gain is not None:  # too few Han joins for the others: none for the tags either
        tags = tag_ids(sample, model["tag_index"])
        pos_gain = _tag_gain(tags, model["tag_pmi"], tags.size)
    s = {"char_order_gain": char_gain, "word_order_gain": word_gain, "pos_order_gain": pos_gain,
         "long_word_share": long_share}
    s["order_score"] = order_score(s)
    return s


def tag_ids(text: str, index: dict) -> np.ndarray:
    """The index of each jieba word's part-of-speech tag (an unknown tag: the last index)."""
    pairs = jieba_tags(text)
    # map() over C-level getters: a generator here cost as much as the tagging itself
    return np.fromiter(map(index.__getitem__, map(itemgetter(1), pairs)), dtype=np.int64, count=len(pairs))


def order_gains(text: str, model: dict | None = None) -> tuple[float | None, float | None, float | None]:
    """(char_order_gain, word_order_gain, long_word_share); None where the text has too
    few Han joins."""
    model = model or shipped_model()
    sample = "".join(text.split())[:MAX_CHARS]
    cps = codepoints(sample)
    if cps.size < 2 * MIN_JOINS:
        return None, None, None
    han = (cps >= _HAN_LO) & (cps <= _HAN_HI)
    seed = int(cps.size)  # deterministic per text
    positions = np.arange(cps.size)
    pairs = _Pairs()
    both = han[:-1] & han[1:]
    adjacent_segment = pairs.add(cps[:-1][both], cps[1:][both])
    # Where each unit kind's in-order joins sit among the Han-Han adjacent pairs.
    rank = np.cumsum(both) - 1
    chars = []
    for units in (positions, positions[::2], np.append(0, positions[1::2])):
        joins = units[1:] - 1
        chars.append(_UnitOrders(cps, units, han, seed, pairs, rank[joins[both[joins]]]))
    # Words of the Han characters alone: separators (spaces, commas) between keywords would
    # otherwise hide every join of a keyword list.
    han_cps = cps[han]
    lengths = np.fromiter(map(len, jieba_words(han_cps.tobytes().decode("utf-32-le"))), dtype=np.int64)
    word_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    words = _UnitOrders(han_cps, word_starts, np.ones(han_cps.size, dtype=bool), seed, pairs) if han_cps.size else None
    pairs.look_up(model)
    adjacent = pairs.values[adjacent_segment]
    char_gains = [g for g in (kind.gain(adjacent) for kind in chars) if g is not None]
    word_gain = words.gain() if words is not None else None
    long_share = round(float(lengths[lengths >= LONG_WORD].sum() / han_cps.size), 4) if han_cps.size >= 2 * MIN_JOINS else None
    return (min(char_gains) if char_gains else None), word_gain, long_share
