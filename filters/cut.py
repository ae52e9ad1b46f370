"""Cut, don't drop: the pathological spans inside otherwise good text.

A Zhihu answer with a line of 120 dashes between its sections, a post with a run of
slashes, a page with a block of one line repeated 60 times: what is wrong is the span, not
the document. The spans the pathological rules look for (a run of one character, a
periodic stretch, a line repeated max_line_repeat times or more) are removed, and the
document is judged on what remains. When the spans are most of it (more than
`max_cut_share` of its characters, the slash sample's tens of thousands of slashes among
a few lines), nothing is cut: the document is dropped under the rule that found them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .textutil import codepoints

_MAX_PERIOD = 8  # as filters/quality.py: patterns of 2..8 characters


@dataclass(frozen=True)
class Cut:
    text: str
    chars: int  # characters removed
    spans: int  # runs and periodic stretches removed
    lines: int  # repeated lines removed


def _true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths) of the runs of True in `mask`."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return edges[::2], edges[1::2] - edges[::2]


def long_spans(cps: np.ndarray, min_run: int, min_periodic: int) -> list[tuple[int, int]]:
    """[start, end) of every run of one character at least `min_run` long and of every
    stretch repeating a 2..8-character pattern at least `min_periodic` long, merged."""
    spans = []
    if cps.size > 1:
        starts, lengths = _true_runs(cps[1:] == cps[:-1])
        keep = lengths + 1 >= min_run
        spans += [(int(s), int(s + n + 1)) for s, n in zip(starts[keep], lengths[keep])]
    for period in range(2, _MAX_PERIOD + 1):
        if cps.size <= period:
            break
        starts, lengths = _true_runs(cps[period:] == cps[:-period])
        keep = lengths + period >= min_periodic
        spans += [(int(s), int(s + n + period)) for s, n in zip(starts[keep], lengths[keep])]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def cut_pathological(text: str, min_run: int, min_periodic: int, min_line_repeat: int) -> Cut:
    """`text` without its long runs and periodic stretches, and with a line repeated
    `min_line_repeat` times or more kept once (its first occurrence)."""
    spans = long_spans(codepoints(text), min_run, min_periodic)
    if spans:
        pieces, pos = [], 0
        for start, end in spans:  # code point offsets are string offsets in Python
            pieces.append(text[pos:start])
            pos = end
        pieces.append(text[pos:])
        cut_text = "".join(pieces)
    else:
        cut_text = text
    lines = cut_text.split("\n")
    counts: dict[str, int] = {}
    for line in lines:
        key = line.strip()
        if key:
            counts[key] = counts.get(key, 0) + 1
    repeated = {key for key, n in counts.items() if n >= min_line_repeat}
    removed_lines = 0
    if repeated:
        seen: set[str] = set()
        kept = []
        for line in lines:
            key = line.strip()
            if key in repeated:
                if key in seen:
                    removed_lines += 1
                    continue
                seen.add(key)
            kept.append(line)
        lines = kept
    result = "\n".join(lines) if removed_lines else cut_text
    return Cut(result, len(text) - len(result), len(spans), removed_lines)


def cut_repeated_lines(text: str) -> Cut:
    """`text` with every line that already occurred (stripped) removed: a page holding its
    article twice, a forum thread quoting earlier replies."""
    seen: set[str] = set()
    kept, removed = [], 0
    for line in text.split("\n"):
        key = line.strip()
        if key and key in seen:
            removed += 1
            continue
        seen.add(key)
        kept.append(line)
    result = "\n".join(kept) if removed else text
    return Cut(result, len(text) - len(result), 0, removed)
