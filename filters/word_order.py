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

from functools import lru_cache
from operator import itemgetter

import numpy as np

from .fluency import shipped_model
from .kernels import adjacent_pmi, order_pmi, pcg64_state, permutations, shuffled_pmi
from .textutil import codepoints, jieba_tags, jieba_words

MAX_CHARS = 2000  # the first 2,000 non-space characters: 3.3 ms a 6,000-character text (5,000: 11 ms)
SHUFFLES = 3  # random orders averaged per unit kind (2: real drops at the default 0.5% -> 0.9%)
MIN_JOINS = 20  # fewer Han-Han joins than this: no verdict (None)
_HAN_LO, _HAN_HI = 0x4E00, 0x9FFF
# order_score = word_order_gain x W_WORD + pos_order_gain x W_POS + long_word_share x W_LONG:
# chosen on the held-back table of benchmarks/word_order.py (docs/quality.md, "Word order").
W_WORD, W_POS, W_LONG = 0.5, 1.0, 0.75
LONG_WORD = 3  # characters of a "long" word: longer than any chunk of a 2-character salad


class _Segments:
    """Sum, sum of squares and number of the Han-Han join PMIs of each measured segment (one
    order of one unit kind), numbered in the order they are measured; the sums come from
    filters/kernels.py, one call per unit kind and round."""

    def __init__(self):
        self.parts: list[np.ndarray] = []  # (3, k) arrays: sums, squares, counts of k segments
        self.n_segments = 0
        self.stats = np.zeros((3, 0))

    def add(self, stats: np.ndarray) -> int:
        """Appends the (3, k) stats of k segments; returns the first one's number."""
        first = self.n_segments
        self.parts.append(stats)
        self.n_segments += stats.shape[1]
        return first

    def means(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean PMI, number of Han-Han joins) of each segment."""
        if self.parts:
            self.stats = np.concatenate([self.stats, *self.parts], axis=1)
            self.parts = []
        sums, counts = self.stats[0], self.stats[2]
        return sums / np.maximum(counts, 1), counts

    def standard_error(self, segment: int) -> float:
        """Standard error of a segment's mean PMI (its joins' spread over their number)."""
        self.means()
        sums, squares, counts = self.stats
        n = max(int(counts[segment]), 1)
        mean = sums[segment] / n
        return float(np.sqrt(max(squares[segment] / n - mean * mean, 0.0) / n))


def _gain(means: np.ndarray, counts: np.ndarray, in_order: float, shuffled: list[int]) -> float | None:
    """in_order minus the mean over the shuffled segments with at least MIN_JOINS joins."""
    valid = [float(means[i]) for i in shuffled if counts[i] >= MIN_JOINS]
    if not valid:
        return None
    return round(float(in_order) - sum(valid) / len(valid), 4)  # as np.mean: a plain sum below 8 values


@lru_cache(maxsize=None)
def _fresh_state(seed: int) -> np.ndarray:
    """The stream state of np.random.default_rng(seed) as the kernels hold it (copy it
    before drawing): seeds are text lengths, few and small, and seeding costs ~20 us."""
    return pcg64_state(np.random.default_rng(seed).bit_generator.state)


class _Kind:
    """One unit kind of a text: its units' starts and end, its random orders' segments,
    and its random stream (seeded by the text, kept between rounds, so the first k orders
    are the same whether k or all SHUFFLES are drawn)."""

    def __init__(self, starts: np.ndarray, end: int, state: np.ndarray):
        self.starts, self.state = starts, state.copy()
        self.last = np.append(starts[1:], end) - 1
        self.shuffled: list[int] = []

    def in_order(self, sample: "_OrderSample") -> int:
        """Measures the joins of the units in their order; returns the segment's number."""
        return sample.segments.add(order_pmi(sample.cps, sample.han, self.starts, self.last,
                                             np.arange(self.starts.size)[None, :], *sample.tables))

    def draw(self, sample: "_OrderSample", n: int) -> None:
        """Measures n more random orders of the units, one segment each."""
        first = sample.segments.add(shuffled_pmi(sample.cps, sample.han, self.starts, self.last, n, self.state, *sample.tables))
        self.shuffled.extend(range(first, first + n))


class _OrderSample:
    """The word-order measurement of one text's sample, in rounds: `draw(n)` adds n random
    orders of every unit kind, `signals()` measures with the orders drawn so far."""

    def __init__(self, text: str, model: dict):
        self.model = model
        sample = "".join(text.split())[:MAX_CHARS]
        cps = codepoints(sample)
        n = int(cps.size)
        self.kinds: list[_Kind | None] = []
        self.word: _Kind | None = None
        self.tags = None
        self.tag_error = np.inf  # the first random order's standard error of the tag PMI
        if n < 2 * MIN_JOINS:
            return
        han = (cps >= _HAN_LO) & (cps <= _HAN_HI)
        # Words of the Han characters alone: separators (spaces, commas) between keywords
        # would otherwise hide every join of a keyword list. They follow the text in one array.
        self.han_size = int(han.sum())
        han_cps = cps[han]
        self.lengths = np.fromiter(map(len, jieba_words(han_cps.tobytes().decode("utf-32-le"))), dtype=np.int64)
        self.cps, self.han = np.concatenate((cps, han_cps)), np.concatenate((han, np.ones(han_cps.size, dtype=bool)))
        self.tables = (model["pair_table"].arrays, model["log_unigram"], model["log_p"])
        self.segments = _Segments()
        # In order, characters and both alignments of 2-character chunks join where adjacent
        # characters meet: chunks at 0 (units 0, 2, 4...) at the odd pairs, chunks at 1 (units
        # 0, 1, 3, 5...) at the even ones.
        self.adjacent = self.segments.add(adjacent_pmi(cps, han, *self.tables))  # segments: even pairs, odd pairs
        fresh = _fresh_state(n)  # deterministic per text
        both = han[:-1] & han[1:]
        positions = np.arange(n)
        for units, in_order_joins in ((positions, both.sum()), (positions[::2], both[1::2].sum()),
                                      (np.append(0, positions[1::2]), both[::2].sum())):
            self.kinds.append(_Kind(units, n, fresh) if in_order_joins >= MIN_JOINS else None)
        if self.lengths.size - 1 >= MIN_JOINS:  # every word join is Han-Han
            self.word = _Kind(n + np.concatenate(([0], np.cumsum(self.lengths)[:-1])), n + han_cps.size, fresh)
            self.word_in_order = self.word.in_order(self)
        self.tags = tag_ids(sample, model["tag_index"])
        self.tag_state, self.tag_shuffled = _fresh_state(int(self.tags.size)).copy(), []
        self.tag_in_order = float(model["tag_pmi"][self.tags[:-1], self.tags[1:]].mean()) if self.tags.size > MIN_JOINS else None

    def draw(self, n: int) -> None:
        if self.tags is None:
            return
        for kind in (*self.kinds, self.word):
            if kind is not None:
                kind.draw(self, n)
        if self.tags.size > MIN_JOINS:
            tags = self.tags[permutations(self.tags.size, n, self.tag_state)]
            values = self.model["tag_pmi"][tags[:, :-1], tags[:, 1:]]
            if not self.tag_shuffled:
                self.tag_error = float(values[0].std() / np.sqrt(values.shape[1]))
            self.tag_shuffled.extend(values.mean(axis=1).tolist())

    def first_order_errors(self) -> dict:
        """The standard error of each signal's first random order (order_score's: its
        parts' weighted); a signal not measured has none (inf)."""
        char = [self.segments.standard_error(kind.shuffled[0]) for kind in self.kinds if kind is not None and kind.shuffled]
        word = self.segments.standard_error(self.word.shuffled[0]) if self.word is not None and self.word.shuffled else np.inf
        return {"char_order_gain": max(char, default=np.inf), "word_order_gain": word,
                "order_score": W_WORD * word + W_POS * self.tag_error}

    def signals(self) -> dict:
        s = {"char_order_gain": None, "word_order_gain": None, "pos_order_gain": None, "long_word_share": None}
        if self.tags is None:
            s["order_score"] = None
            return s
        means, counts = self.segments.means()
        a, sums = self.adjacent, self.segments.stats[0]
        in_order = [(sums[a] + sums[a + 1]) / max(counts[a] + counts[a + 1], 1), means[a + 1], means[a]]
        char_gains = [_gain(means, counts, mean, kind.shuffled) for kind, mean in zip(self.kinds, in_order) if kind is not None]
        char_gains = [g for g in char_gains if g is not None]
        s["char_order_gain"] = min(char_gains) if char_gains else None
        if self.word is not None:
            s["word_order_gain"] = _gain(means, counts, means[self.word_in_order], self.word.shuffled)
        if self.han_size >= 2 * MIN_JOINS:
            s["long_word_share"] = round(float(self.lengths[self.lengths >= LONG_WORD].sum() / self.han_size), 4)
        if char_gains and self.tag_shuffled:  # too few Han joins for the others: none for the tags either
            s["pos_order_gain"] = round(self.tag_in_order - float(np.mean(self.tag_shuffled)), 4)
        s["order_score"] = order_score(s)
        return s


def order_score(s: dict) -> float | None:
    """The weighted sum of word_order_gain, pos_order_gain and long_word_share; None when
    any of them is unmeasured."""
    parts = (s.get("word_order_gain"), s.get("pos_order_gain"), s.get("long_word_share"))
    if any(p is None for p in parts):
        return None
    return round(W_WORD * parts[0] + W_POS * parts[1] + W_LONG * parts[2], 4)


def order_signals(text: str, model: dict | None = None, clear=None) -> dict:
    """char_order_gain, word_order_gain, pos_order_gain, long_word_share and order_score;
    None where the text has too few Han joins. Averaged over SHUFFLES random orders of
    each unit kind. `clear(signals, errors)`: a test of the signals measured from the
    first random order alone, given each one's standard error (first_order_errors): when
    it passes, those signals are returned and the other orders are not drawn."""
    sample = _OrderSample(text, model or shipped_model())
    sample.draw(1)
    s = sample.signals()
    if SHUFFLES > 1 and not (clear is not None and sample.tags is not None and clear(s, sample.first_order_errors())):
        sample.draw(SHUFFLES - 1)
        s = sample.signals()
    return s


def tag_ids(text: str, index: dict) -> np.ndarray:
    """The index of each jieba word's part-of-speech tag (an unknown tag: the last index)."""
    pairs = jieba_tags(text)
    # map() over C-level getters: a generator here cost as much as the tagging itself
    return np.fromiter(map(index.__getitem__, map(itemgetter(1), pairs)), dtype=np.int64, count=len(pairs))
