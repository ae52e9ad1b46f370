"""Language ID: fastText lid.176 (shipped as filters/data/lid.176.ftz), with a script
check for Han text.

lid.176 splits words on spaces, so unspaced Chinese reaches it as a few huge tokens:
short or colloquial Chinese without kana is often labelled ja/ko/en with a low score
(measured on CLUECorpusSmall, see docs/extraction.md), and it is slow on them. Scripts settle what
the model cannot, first and cheaply: text whose letters are mostly Han, with almost no
kana and no Hangul, is Chinese (Japanese always writes kana, Korean Hangul). fastText
judges everything else: mixed-script, Latin, Cyrillic, ... text.
"""
from __future__ import annotations

import importlib.resources
import re

import numpy as np

from .textutil import SURROGATES, codepoints, is_code_line

_WS = re.compile(r"\s+")
# Script of a code point: interval bounds (sorted) and the script of each interval.
_SCRIPT_RANGES = sorted([
    (0x41, 0x5A, "latin"), (0x61, 0x7A, "latin"), (0xC0, 0x24F, "latin"),
    (0x1100, 0x11FF, "hangul"), (0x3040, 0x30FF, "kana"), (0x3130, 0x318F, "hangul"), (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xAC00, 0xD7AF, "hangul"), (0xF900, 0xFAFF, "han"),
    (0xFF66, 0xFF9F, "kana"), (0x20000, 0x2EBEF, "han"),
])
_SCRIPTS = ("other", "latin", "han", "kana", "hangul")
_BOUNDS = np.array([b for lo, hi, _s in _SCRIPT_RANGES for b in (lo, hi + 1)], dtype=np.uint32)
# searchsorted(side="right") gives an odd index inside an interval, even outside.
_CATEGORY = np.zeros(len(_BOUNDS) + 1, dtype=np.int64)
_CATEGORY[1::2] = [_SCRIPTS.index(s) for _lo, _hi, s in _SCRIPT_RANGES]

# Script rule thresholds (shares of the sample's letters).
MIN_HAN_CHARS = 5  # too little Han text to judge by script
MAX_KANA_SHARE = 0.05  # of Han + kana: Japanese, even kanji-heavy, writes far more kana
MAX_HANGUL_SHARE = 0.05  # of Han + Hangul
MIN_HAN_SHARE = 0.7  # of all letters (Han, kana, Hangul, Latin)
MIN_PROSE_CHARS = 50  # fewer characters outside code lines: the code itself is judged


def bundled_model_path() -> str:
    """Path of lid.176.ftz, package data of zhpile (no download)."""
    return str(importlib.resources.files(__package__) / "data" / "lid.176.ftz")


def script_counts(sample: str) -> dict[str, int]:
    """Letters of each script in `sample` (one vectorised pass)."""
    cps = codepoints(sample)
    counts = np.bincount(_CATEGORY[np.searchsorted(_BOUNDS, cps, side="right")], minlength=len(_SCRIPTS))
    return dict(zip(_SCRIPTS, counts.tolist()))


def han_script_share(sample: str) -> float | None:
    """Han share of the letters if the script rule says "Chinese", else None."""
    c = script_counts(sample)
    han, kana, hangul = c["han"], c["kana"], c["hangul"]
    if han < MIN_HAN_CHARS:
        return None
    if kana > MAX_KANA_SHARE * (han + kana) or hangul > MAX_HANGUL_SHARE * (han + hangul):
        return None
    share = han / (han + kana + hangul + c["latin"])
    return share if share >= MIN_HAN_SHARE else None


def prose_lines(text: str, max_chars: int) -> str:
    """The first `max_chars` characters of the text's lines that are not code, or of the
    text itself when they are nearly all code: a Chinese post around a Python block is
    judged by its Chinese, a code file by its code."""
    head = text[: 4 * max_chars]
    prose = "\n".join(line for line in head.split("\n") if not is_code_line(line))
    return (prose if len(prose) >= min(MIN_PROSE_CHARS, len(head) // 4) else head)[:max_chars]


class LanguageIdentifier:
    """Loads the model once; `predict` returns (language code, confidence)."""

    def __init__(self, model_path: str | None = None, max_chars: int = 1000):
        import fasttext  # fasttext-community: numpy-2-safe

        self.model = fasttext.load_model(model_path or bundled_model_path())
        self.max_chars = max_chars

    def predict(self, text: str) -> tuple[str, float]:
        """("zh", Han share of the letters) when the script rule decides; otherwise
        fastText's top label and its probability."""
        # fastText rejects '\n' and judges word-like units: one line of single spaces.
        sample = _WS.sub(" ", SURROGATES.sub("", prose_lines(text, self.max_chars))).strip()
        if not sample:
            return "und", 0.0
        share = han_script_share(sample)
        if share is not None:
            return "zh", round(share, 4)
        labels, scores = self.model.predict(sample, k=1)
        return labels[0].removeprefix("__label__"), min(float(scores[0]), 1.0)  # fastText can exceed 1 by 1e-5
