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


class _Joins:
    """Every join whose PMI one text's signals average, gathered into one set of arrays
    (a numpy call costs microseconds and a 500-character text has a few hundred joins:
    per-order calls were most of the time), then looked up and averaged per segment with
    one bincount. A segment is one order of one unit kind; `units` adds a kind's orders."""

    def __init__(self, cps: np.ndarray, han: np.ndarray):
        self.cps, self.han = cps, han
        self.first: list[np.ndarray] = []
        self.second: list[np.ndarray] = []
        self.segment: list[np.ndarray] = []
        self.n_segments = 0

    def add(self, first: np.ndarray, second: np.ndarray, segment: np.ndarray, n_segments: int) -> int:
        """Joins (indexes into cps) with their segment (0..n_segments-1 within this call);
        returns the first segment's global number."""
        base = self.n_segments
        self.first.append(first)
        self.second.append(second)
        self.segment.append(segment + base)
        self.n_segments += n_segments
        return base

    def units(self, starts: np.ndarray, end: int, orders: np.ndarray) -> int:
        """The joins of the units beginning at `starts` (indexes into cps, ascending; the
        last unit ends before `end`) in each row of `orders` (permutations of the units);
        one segment per row."""
        n_orders, n_units = orders.shape
        last = np.append(starts[1:], end) - 1
        flat = orders.ravel()
        a, b = last[flat[:-1]], starts[flat[1:]]
        segment = np.arange(a.size) // n_units
        inside = (np.arange(a.size) % n_units) != n_units - 1  # not the step from one order to the next
        return self.add(a[inside], b[inside], segment[inside], n_orders)

    def means(self, model: dict) -> tuple[np.ndarray, np.ndarray]:
        """(mean PMI, number of Han-Han joins) of each segment; joins touching a non-Han
        character count in neither."""
        first, second, segment = (np.concatenate(x) for x in (self.first, self.second, self.segment))
        keep = self.han[first] & self.han[second]
        segment = segment[keep]
        pmi = _pmi(self.cps[first[keep]], self.cps[second[keep]], model)
        counts = np.bincount(segment, minlength=self.n_segments)
        sums = np.bincount(segment, weights=pmi, minlength=self.n_segments)
        return sums / np.maximum(counts, 1), counts


def _gain(means: np.ndarray, counts: np.ndarray, in_order: float, shuffled: range) -> float | None:
    """in_order minus the mean over the shuffled segments with at least MIN_JOINS joins."""
    valid = [means[i] for i in shuffled if counts[i] >= MIN_JOINS]
    if not valid:
        return None
    return round(float(in_order) - float(np.mean(valid)), 4)


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
    n = int(cps.size)
    if n < 2 * MIN_JOINS:
        return None, None, None
    han = (cps >= _HAN_LO) & (cps <= _HAN_HI)
    # Words of the Han characters alone: separators (spaces, commas) between keywords would
    # otherwise hide every join of a keyword list. They follow the text in one array.
    han_cps = cps[han]
    lengths = np.fromiter(map(len, jieba_words(han_cps.tobytes().decode("utf-32-le"))), dtype=np.int64)
    joins = _Joins(np.concatenate((cps, han_cps)), np.concatenate((han, np.ones(han_cps.size, dtype=bool))))
    # In order, characters and both alignments of 2-character chunks join where adjacent
    # characters meet: chunks at 0 (units 0, 2, 4...) at the odd pairs, chunks at 1 (units
    # 0, 1, 3, 5...) at the even ones.
    pair = np.arange(n - 1)
    adjacent = joins.add(pair, pair + 1, pair & 1, 2)  # segments: even pairs, odd pairs
    # Each kind's random orders come from the same seeded generator (deterministic per text).
    rng = np.random.default_rng(n)
    fresh = rng.bit_generator.state
    positions = np.arange(n)
    char_kinds = [positions, positions[::2], np.append(0, positions[1::2])]
    char_segments = []
    both = han[:-1] & han[1:]
    in_order_counts = [int(both.sum()), int(both[1::2].sum()), int(both[::2].sum())]
    for units, count in zip(char_kinds, in_order_counts):
        if count < MIN_JOINS:
            char_segments.append(None)
            continue
        rng.bit_generator.state = fresh
        char_segments.append(joins.units(units, n, np.stack([rng.permutation(units.size) for _ in range(SHUFFLES)])))
    word_segment = None
    if lengths.size - 1 >= MIN_JOINS:  # every word join is Han-Han
        rng.bit_generator.state = fresh
        starts = n + np.concatenate(([0], np.cumsum(lengths)[:-1]))
        orders = np.stack([np.arange(lengths.size), *(rng.permutation(lengths.size) for _ in range(SHUFFLES))])
        word_segment = joins.units(starts, n + han_cps.size, orders)
    means, counts = joins.means(model)
    sums = means[adjacent:adjacent + 2] * counts[adjacent:adjacent + 2]
    in_order = [sums.sum() / max(counts[adjacent:adjacent + 2].sum(), 1), means[adjacent + 1], means[adjacent]]
    char_gains = [_gain(means, counts, mean, range(seg, seg + SHUFFLES))
                  for seg, mean in zip(char_segments, in_order) if seg is not None]
    char_gains = [g for g in char_gains if g is not None]
    word_gain = (_gain(means, counts, means[word_segment], range(word_segment + 1, word_segment + 1 + SHUFFLES))
                 if word_segment is not None else None)
    long_share = round(float(lengths[lengths >= LONG_WORD].sum() / han_cps.size), 4) if han_cps.size >= 2 * MIN_JOINS else None
    return (min(char_gains) if char_gains else None), word_gain, long_share
