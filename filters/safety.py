"""Porn, gambling and spam terms scored as a share of the text, and a domain blocklist.

Lists ship in filters/data/ (built by tools/build_wordlists.py; sources and licences in
filters/data/NOTICE.md). A share, not a count: one flagged word in a long news article
is nothing; an SEO page is made of them.
"""
from __future__ import annotations

import importlib.resources
from functools import lru_cache
from urllib.parse import urlsplit

import numpy as np

from .fluency import pair_keys
from .kernels import FIBONACCI, holds_pair_or_triple
from .textutil import codepoints

CATEGORIES = ("porn", "gambling", "spam")


def _data(name: str) -> str:
    return importlib.resources.files(__package__).joinpath(f"data/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[int, ...]]:
    """term (lower case: texts are matched lower-cased) -> its category indexes (a few
    terms are listed under two)."""
    terms: dict[str, tuple[int, ...]] = {}
    for line in _data("zh_flagged_terms.tsv").splitlines():
        category, term = line.split("\t")
        terms[term.lower()] = tuple(sorted({*terms.get(term.lower(), ()), CATEGORIES.index(category)}))
    return terms


@lru_cache(maxsize=1)
def _automaton():
    import ahocorasick  # Aho-Corasick: all terms in one pass over the text

    automaton = ahocorasick.Automaton()
    for term, categories in _terms().items():
        automaton.add_word(term, (categories, len(term)))
    automaton.make_automaton()
    return automaton


def _triple_keys(cps: np.ndarray) -> np.ndarray:
    """One uint64 per three adjacent characters (21 bits each)."""
    return (pair_keys(cps[:-1]) << np.uint64(21)) | cps[2:].astype(np.uint64)


class _KeySet:
    """A fixed set of uint64 keys (sorted) and a table of their hashed bits: asked whether
    any key of a text is in it (kernels.holds_pair_or_triple), most keys are answered by
    the table (a binary search per key costs five times more); the few that pass it are
    checked exactly."""

    BITS = 20  # a 1 MB table: ~0.1% of absent keys pass it, for a set of ~400
    SHIFT = np.uint64(64 - BITS)

    def __init__(self, keys: np.ndarray):
        self.keys = np.unique(keys)
        self.table = np.zeros(1 << self.BITS, dtype=bool)
        # Fibonacci hashing: the top bits of key * 2**64/phi (uint64 arithmetic wraps).
        self.table[((self.keys * FIBONACCI) >> self.SHIFT).astype(np.intp)] = True


@lru_cache(maxsize=1)
def _term_heads() -> tuple[_KeySet, _KeySet]:
    """The keys of the two-character terms, and of the first three characters of the
    longer ones (every term has two or more)."""
    terms = list(_terms())
    return (_KeySet(np.concatenate([pair_keys(codepoints(t)) for t in terms if len(t) == 2])),
            _KeySet(np.concatenate([_triple_keys(codepoints(t[:3])) for t in terms if len(t) > 2])))


def _may_hold_term(lowered: str) -> bool:
    """Whether the text holds a two-character term or the head of a longer one: most
    texts hold none, and this compiled check costs a fraction of the automaton's scan."""
    cps = codepoints(lowered)
    if cps.size < 2:
        return False
    pairs, triples = _term_heads()
    return holds_pair_or_triple(cps, pairs.table, pairs.keys, triples.table, triples.keys, _KeySet.SHIFT)


@lru_cache(maxsize=1)
def _blocked_domains() -> frozenset:
    return frozenset(d for d in _data("blocked_domains.txt").split() if d)


def flagged_shares(text: str) -> dict[str, float]:
    """Per category, the share of the text's characters inside flagged terms (overlapping
    terms count their characters once)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; keep offsets exact
        lowered = text
    marks = [bytearray(len(text)) for _ in CATEGORIES] if _may_hold_term(lowered) else []
    for end, (categories, length) in _automaton().iter(lowered) if marks else ():
        for category in categories:
            marks[category][end - length + 1:end + 1] = b"\x01" * length
    n = max(len(text), 1)
    return {f"{c}_share": round(marks[i].count(1) / n, 4) if marks else 0.0 for i, c in enumerate(CATEGORIES)}


# Words of the contexts that mention sex or gambling without selling them: medicine and
# health education, law and policing, news and research. A text holding several of them is
# judged against a higher flagged-term share (QualityConfig.context_factor).
COUNTER_TERMS = (
    "医生", "医院", "医学", "医师", "患者", "病人", "治疗", "症状", "疾病", "健康", "诊断", "检查", "药物", "感染",
    "炎症", "激素", "细胞", "发育", "妇科", "泌尿", "生殖", "怀孕", "避孕", "预防", "青春期", "性教育", "心理",
    "法院", "法律", "判决", "起诉", "犯罪", "案件", "警方", "民警", "公安", "涉嫌", "刑事", "拘留", "嫌疑人", "打击",
    "记者", "报道", "新闻", "据悉", "研究", "专家", "教授", "调查", "统计", "学者",
)


def safety_context(text: str) -> int:
    """How many distinct counter-terms the text holds."""
    return sum(1 for term in COUNTER_TERMS if term in text)


def url_host(url: str | None) -> str:
    """The URL's host, lower-cased, without a trailing dot; "" if none or unparsable."""
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower().strip(".")
    except ValueError:
        return ""


def blocked_domain(url: str | None) -> str | None:
    """The blocklisted domain `url` belongs to (the host or a parent), or None."""
    host = url_host(url)
    if not host:
        return None
    parts = host.split(".")
    blocked = _blocked_domains()
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in blocked:
            return candidate
    return None
