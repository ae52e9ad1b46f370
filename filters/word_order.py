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

import math
from functools import lru_cache
from operator import itemgetter

import numpy as np

from .fluency import shipped_model
from .kernels import HAN_LO, HAN_HI, MIN_JOINS, N_KINDS, order_round, pcg64_state
from .textutil import codepoints, jieba_tags, jieba_words

MAX_CHARS = 2000  # the first 2,000 non-space characters: 1.5 ms a 6,000-character text, every order (5,000: 4.9 ms)
SHUFFLES = 3  # random orders averaged per unit kind (2: real drops at the default 0.5% -> 0.9%)
# order_score = word_order_gain x W_WORD + pos_order_gain x W_POS + long_word_share x W_LONG:
# chosen on the held-back table of benchmarks/word_order.py (docs/quality.md, "Word order").
W_WORD, W_POS, W_LONG = 0.5, 1.0, 0.75
LONG_WORD = 3  # characters of a "long" word: longer than any chunk of a 2-character salad


def _gain(in_order: float, sums: list[float], counts: list[float]) -> float | None:
    """in_order minus the mean PMI over the random orders (their joins' PMI sums and
    numbers) with at least MIN_JOINS joins."""
    valid = [total / max(n, 1) for total, n in zip(sums, counts) if n >= MIN_JOINS]
    if not valid:
        return None
    return round(in_order - sum(valid) / len(valid), 4)  # as np.mean: a plain sum below 8 values


def _standard_error(total: float, squares: float, n: float) -> float:
    """Standard error of a mean PMI from its joins' sum, sum of squares and number."""
    n = max(int(n), 1)
    mean = total / n
    return math.sqrt(max(squares / n - mean * mean, 0.0) / n)


@lru_cache(maxsize=None)
def _fresh_state(seed: int) -> np.ndarray:
    """The stream state of np.random.default_rng(seed) as the kernels hold it (copy it
    before drawing): seeds are text lengths, few and small, and seeding costs ~20 us."""
    return pcg64_state(np.random.default_rng(seed).bit_generator.state)


class _OrderSample:
    """The word-order measurement of one text's sample, in rounds: `draw(n)` adds n random
    orders of every unit kind (kernels.order_round: one compiled call a round),
    `signals()` measures with the orders drawn so far."""

    def __init__(self, text: str, model: dict):
        self.model = model
        sample = "".join(text.split())[:MAX_CHARS]
        self.cps = codepoints(sample)
        n = int(self.cps.size)
        self.tags = None
        self.tag_error = np.inf  # the first random order's standard error of the tag PMI
        if n < 2 * MIN_JOINS:
            return
        # Words of the Han characters alone: separators (spaces, commas) between keywords
        # would otherwise hide every join of a keyword list.
        han_cps = self.cps[(self.cps >= HAN_LO) & (self.cps <= HAN_HI)]
        self.han_size = int(han_cps.size)
        self.lengths = np.fromiter(map(len, jieba_words(han_cps.tobytes().decode("utf-32-le"))), dtype=np.int64)
        self.tags = tag_ids(sample, model["tag_index"])
        # Every stream is seeded by the text (deterministic), the tags' by their number;
        # each kind keeps its own between rounds, so the first k orders are the same
        # whether k or all SHUFFLES are drawn.
        self.states = np.empty((N_KINDS + 1, 6), dtype=np.uint64)
        self.states[:N_KINDS], self.states[N_KINDS] = _fresh_state(n), _fresh_state(int(self.tags.size))
        self.shuffled = np.zeros((N_KINDS, 3, 0))  # per kind: sum, squares, joins of each order drawn
        self.tag_shuffled: list[float] = []

    def draw(self, n: int) -> None:
        if self.tags is None:
            return
        in_order, shuffled, self.active, tag_means, tag_error, tag_in_order = order_round(
            self.cps, self.lengths, self.tags, self.states, n, self.model["pair_table"].arrays, self.model["log_unigram"],
            self.model["log_p"], self.model["tag_pmi"])
        self.in_order = in_order
        self.shuffled = np.concatenate((self.shuffled, shuffled), axis=2)
        self.tag_in_order = None if np.isnan(tag_in_order) else float(tag_in_order)
        if not self.tag_shuffled:
            self.tag_error = float(tag_error)
        if self.tag_in_order is not None:
            self.tag_shuffled.extend(tag_means.tolist())

    def first_order_errors(self) -> dict:
        """The standard error of each signal's first random order (order_score's: its
        parts' weighted); a signal not measured has none (inf)."""
        first = self.shuffled[:, :, 0].tolist()
        char = [_standard_error(*first[kind]) for kind in range(3) if self.active[kind]]
        word = _standard_error(*first[3]) if self.active[3] else np.inf
        return {"char_order_gain": max(char, default=np.inf), "word_order_gain": word,
                "order_score": W_WORD * word + W_POS * self.tag_error}

    def signals(self) -> dict:
        s = {"char_order_gain": None, "word_order_gain": None, "pos_order_gain": None, "long_word_share": None}
        if self.tags is None:
            s["order_score"] = None
            return s
        (sums, _squares, counts), shuffled = self.in_order.tolist(), self.shuffled.tolist()
        # characters join at every adjacent pair, chunks from 0 at the odd ones, chunks from 1 at the even
        means = [total / max(n, 1) for total, n in zip(sums, counts)]
        in_order = [(sums[0] + sums[1]) / max(counts[0] + counts[1], 1), means[1], means[0]]
        char_gains = [_gain(in_order[kind], shuffled[kind][0], shuffled[kind][2]) for kind in range(3) if self.active[kind]]
        char_gains = [g for g in char_gains if g is not None]
        s["char_order_gain"] = min(char_gains) if char_gains else None
        if self.active[3]:
            s["word_order_gain"] = _gain(means[2], shuffled[3][0], shuffled[3][2])
        if self.han_size >= 2 * MIN_JOINS:
            s["long_word_share"] = round(float(self.lengths[self.lengths >= LONG_WORD].sum() / self.han_size), 4)
        if char_gains and self.tag_shuffled:  # too few Han joins for the others: none for the tags either
            # a plain sum is np.mean's below 8 values (SHUFFLES is 3)
            s["pos_order_gain"] = round(self.tag_in_order - sum(self.tag_shuffled) / len(self.tag_shuffled), 4)
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
