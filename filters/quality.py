"""Quality and pathological-sample signals of a text, and the rules that decide over them.

`signals(text)` measures; each rule compares one signal with a threshold from
`schemas.config.QualityConfig` and returns a Drop naming itself. Signals are
stored with every document, so thresholds can be re-tuned without re-running.
"""
from __future__ import annotations

import numpy as np

from .base import Drop

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extensions B-F.
_HAN_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF))
_SPACE_CODES = np.array([0x20, 0x0A, 0x09, 0x3000], dtype=np.uint32)


def _codepoints(text: str) -> np.ndarray:
    # Surrogates cannot be encoded; they are counted as ordinary characters here.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def max_run(cps: np.ndarray) -> int:
    """Length of the longest run of one identical character."""
    if cps.size == 0:
        return 0
    change = np.flatnonzero(cps[1:] != cps[:-1])
    bounds = np.concatenate(([-1], change, [cps.size - 1]))
    return int(np.diff(bounds).max())


def han_ratio(cps: np.ndarray) -> float:
    visible = cps[~np.isin(cps, _SPACE_CODES)]
    if visible.size == 0:
        return 0.0
    han = np.zeros(visible.size, dtype=bool)
    for lo, hi in _HAN_RANGES:
        han |= (visible >= lo) & (visible <= hi)
    return float(han.mean())


def signals(text: str) -> dict:
    """Every quality signal of `text`: vectorised, linear in its length."""
    cps = _codepoints(text)
    return {
        "n_chars": int(cps.size),
        "han_ratio": round(han_ratio(cps), 4),
        "max_char_run": max_run(cps),
    }


# Rules, in the order they are applied. Pathological rules come before language ID,
# so a page of slashes is explained as what it is, not as "not Chinese". Length comes
# after it: a short page in another language is explained as `lang`.
def too_long(s: dict, cfg) -> Drop | None:
    if s["n_chars"] > cfg.max_chars:
        return Drop("too_long", f"n_chars={s['n_chars']} > max_chars={cfg.max_chars}")
    return None


def char_run(s: dict, cfg) -> Drop | None:
    if s["max_char_run"] >= cfg.max_char_run:
        return Drop("char_run", f"max_char_run={s['max_char_run']} >= {cfg.max_char_run}")
    return None


def too_short(s: dict, cfg) -> Drop | None:
    if s["n_chars"] < cfg.min_chars:
        return Drop("too_short", f"n_chars={s['n_chars']} < min_chars={cfg.min_chars}")
    return None


def low_han(s: dict, cfg) -> Drop | None:
    if s["han_ratio"] < cfg.min_han_ratio:
        return Drop("low_han", f"han_ratio={s['han_ratio']:.3f} < min_han_ratio={cfg.min_han_ratio}")
    return None


PATHOLOGICAL_RULES = (too_long, char_run)
CONTENT_RULES = (too_short, low_han)


def first_drop(s: dict, cfg, rules) -> Drop | None:
    """The first rule that drops the document, or None to keep it."""
    for rule in rules:
        drop = rule(s, cfg)
        if drop is not None:
            return drop
    return None
