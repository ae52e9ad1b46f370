"""Builds filters/data/zh_char_bigram.npz, the character bigram model behind the
`fluency` signal, from CLUECorpusSmall_sampled.txt (UER-py, Apache-2.0).

    python tools/build_fluency_model.py ../shared/realdata/07_uer-py_CLUECorpusSmall_sampled.txt

Only counts are stored (characters with count >= 1, bigrams with count >= 2), never text.
"""
from __future__ import annotations

import collections
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from zhpile.filters.normalize import normalize_text  # noqa: E402
from zhpile.filters.fluency import pair_keys  # noqa: E402

OUT = os.path.join(ROOT, "filters", "data", "zh_char_bigram.npz")


def main(corpus: str) -> None:
    unigrams: collections.Counter = collections.Counter()
    bigrams: collections.Counter = collections.Counter()
    for line in open(corpus, encoding="utf-8"):
        text = normalize_text(line)
        if not text:
            continue
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        unigrams.update(cps.tolist())
        bigrams.update(pair_keys(cps).tolist())
    uni = np.array(sorted(unigrams), dtype=np.uint32)
    bi = np.array(sorted(k for k, c in bigrams.items() if c >= 2), dtype=np.uint64)
    np.savez_compressed(OUT, unigram_keys=uni, unigram_counts=np.array([unigrams[k] for k in uni.tolist()], dtype=np.uint32),
                        bigram_keys=bi, bigram_counts=np.array([bigrams[k] for k in bi.tolist()], dtype=np.uint32))
    print(f"{len(uni)} characters, {len(bi)} bigrams (count >= 2), {sum(unigrams.values())} characters of text -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
