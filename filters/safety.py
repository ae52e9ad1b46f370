"""Porn, gambling and spam terms scored as a share of the text, and a domain blocklist.

Lists ship in filters/data/ (built by tools/build_wordlists.py; sources and licences in
filters/data/NOTICE.md). A share, not a count: one flagged word in a long news article
is nothing; an SEO page is made of them.
"""
from __future__ import annotations

import importlib.resources
from functools import lru_cache
from urllib.parse import urlsplit

CATEGORIES = ("porn", "gambling", "spam")


def _data(name: str) -> str:
    return importlib.resources.files("filters").joinpath(f"data/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _automaton():
    import ahocorasick  # Aho-Corasick: all terms in one pass over the text

    automaton = ahocorasick.Automaton()
    for line in _data("zh_flagged_terms.tsv").splitlines():
        category, term = line.split("\t")
        automaton.add_word(term, (CATEGORIES.index(category), len(term)))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def _blocked_domains() -> frozenset:
    return frozenset(d for d in _data("blocked_domains.txt").split() if d)


def flagged_shares(text: str) -> dict[str, float]:
    """Per category, the share of the text's characters inside flagged terms (overlapping
    terms count their characters once)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; keep offsets exact
        lowered = text
    marks = [bytearray(len(text)) for _ in CATEGORIES] if text else []
    for end, (category, length) in _automaton().iter(lowered) if text else ():
        marks[category][end - length + 1:end + 1] = b"\x01" * length
    n = max(len(text), 1)
    return {f"{c}_share": round(marks[i].count(1) / n, 4) if marks else 0.0 for i, c in enumerate(CATEGORIES)}


def blocked_domain(url: str | None) -> str | None:
    """The blocklisted domain `url` belongs to (the host or a parent), or None."""
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower().strip(".")
    except ValueError:
        return None
    parts = host.split(".")
    blocked = _blocked_domains()
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in blocked:
            return candidate
    return None
