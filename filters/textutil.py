"""Small helpers several filters share: code point arrays, lone surrogates, jieba."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np

SURROGATES = re.compile("[\ud800-\udfff]")


def codepoints(text: str) -> np.ndarray:
    """The text's code points as uint32 (lone surrogates kept, as ordinary values)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@lru_cache(maxsize=1)
def jieba():
    """jieba, with its dictionary loaded once per process and its log quiet."""
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    _jieba.initialize()
    return _jieba
