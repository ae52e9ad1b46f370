"""Small helpers several filters share: code point arrays, lone surrogates, jieba words."""
from __future__ import annotations

import re

import numpy as np

SURROGATES = re.compile("[\ud800-\udfff]")


def codepoints(text: str) -> np.ndarray:
    """The text's code points as uint32 (lone surrogates kept, as ordinary values)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def jieba_words(text: str) -> list[str]:
    """jieba's segmentation of `text` without its HMM for unknown words, from jieba-rs
    (rjieba): the same dictionary and algorithm as the Python jieba 0.42.1, the same
    words (checked on 5,000 crawl documents), 13x faster, and no dictionary load."""
    import rjieba

    try:
        return rjieba.cut(text, hmm=False)
    except UnicodeEncodeError:  # lone surrogates: the Rust side needs valid UTF-8
        return rjieba.cut(SURROGATES.sub("\ufffd", text), hmm=False)
