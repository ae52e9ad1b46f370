"""Builds filters/data/zh_char_bigram.npz, the character bigram model behind the
`fluency` signal, from CLUECorpusSmall_sampled.txt (UER-py, Apache-2.0).

    python tools/build_fluency_model.py ../shared/realdata/07_uer-py_CLUECorpusSmall_sampled.txt

Only counts are stored (characters with count >= 1, bigrams with count >= 2), never text.
"""
from __future__ import annotations

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from zhpile.filters.fluency import count_bigrams  # noqa: E402

OUT = os.path.join(ROOT, "filters", "data", "zh_char_bigram.npz")


def main(corpus: str) -> None:
    counts = count_bigrams(open(corpus, encoding="utf-8"))
    np.savez_compressed(OUT, **counts)
    print(f"{len(counts['unigram_keys'])} characters, {len(counts['bigram_keys'])} bigrams (count >= 2), "
          f"{int(counts['unigram_counts'].sum())} characters of text -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
