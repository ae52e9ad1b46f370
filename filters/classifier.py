"""GPT-3's quality classifier: fastText on jieba-segmented text, curated text as the
positive class and raw crawl as the negative; documents kept by a threshold on its score
or by the Pareto rule (keep if np.random.pareto(alpha) > 1 - score), seeded per document."""
from __future__ import annotations

import os
import random
import re
import tempfile

import numpy as np

from .ids import unit_hash
from .textutil import jieba_words

POSITIVE, NEGATIVE = "__label__curated", "__label__crawl"
MAX_CHARS = 2000  # characters of each document the classifier reads (jieba is the cost)
_WS = re.compile(r"\s+")


def segment(text: str, max_chars: int = MAX_CHARS) -> str:
    """One line of space-separated jieba words (fastText's input form)."""
    words = jieba_words(_WS.sub(" ", text[:max_chars]))
    return " ".join(w for w in words if w.strip())


def train(positives: list[str], negatives: list[str], output: str, seed: int = 0, epoch: int = 10,
          word_ngrams: int = 2, dim: int = 64, max_chars: int = MAX_CHARS):
    """Train and save a classifier; single-threaded with a fixed seed, so it is reproducible."""
    import fasttext

    lines = [f"{POSITIVE} {segment(t, max_chars)}" for t in positives] + [f"{NEGATIVE} {segment(t, max_chars)}" for t in negatives]
    random.Random(seed).shuffle(lines)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        model = fasttext.train_supervised(path, epoch=epoch, wordNgrams=word_ngrams, dim=dim, thread=1, seed=seed,
                                          minCount=1, verbose=0)
    finally:
        os.unlink(path)
    model.save_model(output)
    return model


class QualityClassifier:
    def __init__(self, model_path: str, max_chars: int = MAX_CHARS):
        import fasttext

        self.model = fasttext.load_model(model_path)
        self.max_chars = max_chars

    def score(self, text: str) -> float:
        """Probability that `text` is curated-like."""
        labels, probs = self.model.predict(segment(text, self.max_chars), k=2)
        return float(dict(zip(labels, probs)).get(POSITIVE, 0.0))


def pareto_keep(doc_id: str, score: float, alpha: float = 9.0, seed: int = 0) -> bool:
    """GPT-3's rule: keep if np.random.pareto(alpha) > 1 - score, the draw seeded by the
    document id so every run keeps the same documents."""
    rng = np.random.default_rng(unit_hash(seed, "pareto", doc_id))
    return bool(rng.pareto(alpha) > 1.0 - score)
