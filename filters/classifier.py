"""GPT-3's quality classifier: fastText on jieba-segmented text, curated text as the
positive class and raw crawl as the negative; documents kept by a threshold on its score
or by the Pareto rule (keep if np.random.pareto(alpha) > 1 - score), seeded per document."""
from __future__ import annotations

import math
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


# ------------------------------------------------------------------ labels (train-quality)

_LABEL_CHARS = re.compile(r"[^\w.-]+")


def label_name(value) -> str | None:
    """A label of a labels file as a fastText label: a number (an LLM's score, 0-5 say) is
    rounded to its class, `__label__3`; a string is its class, `__label__good`. None for a
    value that is neither (the line is rejected)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if math.isnan(value) or math.isinf(value) else f"__label__{int(round(value))}"
    if isinstance(value, str) and value.strip():
        return "__label__" + _LABEL_CHARS.sub("_", value.strip().removeprefix("__label__"))
    return None


_NUMERIC_LABEL = re.compile(r"__label__(-?\d+(?:\.\d+)?)$")


def grade_values(labels) -> dict[str, float] | None:
    """label -> its grade when every label is numeric (`__label__0` .. `__label__5`), else None."""
    matches = [_NUMERIC_LABEL.match(label) for label in labels]
    return {m.string: float(m.group(1)) for m in matches} if matches and all(matches) else None


def training_line(text: str, label: str, max_chars: int = MAX_CHARS) -> str:
    return f"{label} {segment(text, max_chars)}"


def evaluate(pairs, graded: bool) -> dict:
    """Held-out evaluation from (true label, predicted label, score) triples: accuracy, per
    class precision / recall / F1, macro F1 and the confusion table (true -> predicted ->
    documents); for graded (numeric) labels also the Pearson and Spearman correlations of
    the expected score with the true grade."""
    confusion: dict[str, dict[str, int]] = {}
    truth, scores = [], []
    for true, predicted, score in pairs:
        row = confusion.setdefault(true, {})
        row[predicted] = row.get(predicted, 0) + 1
        if graded:
            truth.append(float(true.removeprefix("__label__")))
            scores.append(score)
    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    total = sum(sum(row.values()) for row in confusion.values())
    per_class = {}
    for label in labels:
        tp = confusion.get(label, {}).get(label, 0)
        predicted = sum(row.get(label, 0) for row in confusion.values())
        actual = sum(confusion.get(label, {}).values())
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        per_class[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                            "documents": actual}
    present = [v for k, v in per_class.items() if v["documents"]]
    result = {"documents": total,
              "accuracy": round(sum(confusion.get(k, {}).get(k, 0) for k in labels) / total, 4) if total else None,
              "macro_f1": round(sum(v["f1"] for v in present) / len(present), 4) if present else None,
              "per_class": per_class,
              "confusion": {t: {p: confusion.get(t, {}).get(p, 0) for p in labels} for t in labels}}
    if graded and len(truth) > 1:
        result["pearson"] = _correlation(truth, scores)
        result["spearman"] = _correlation(_ranks(truth), _ranks(scores))
    return result


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):  # ties share their mean rank
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def _correlation(x: list[float], y: list[float]) -> float | None:
    a, b = np.asarray(x), np.asarray(y)
    if a.std() == 0 or b.std() == 0:
        return None
    return round(float(np.corrcoef(a, b)[0, 1]), 4)
