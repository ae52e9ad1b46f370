"""Gambling and porn SEO injection: a betting brand or porn phrase grafted onto the title or
the first lines of an unrelated page ("德邦物流能否成功代替快递巨头顺丰？【欧宝体育app】"), and
generated hosts (335.3355703.com) serving such text.

The share rules (filters/safety.py) count flagged characters over the whole text, so one
brand in the title of a harmless article stays under them; here the title and the head of
the text decide. Terms and patterns: filters/data/zh_seo_injection.tsv (its header says where
they come from). Thresholds: QualityConfig (seo_*, max_host_digits).
"""
from __future__ import annotations

import importlib.resources
import re
from functools import lru_cache

from .base import Drop
from .safety import safety_context, url_host

HEAD_LINES = 3  # the title of a crawled text is usually its first line
HEAD_CHARS = 300


@lru_cache(maxsize=1)
def _matchers():
    """(Aho-Corasick automaton, [(category, regex)]): one regex alternation of everything
    costs ~3 us a character; the automaton finds, in one pass, the literal terms and the
    anchor literals of the regexes, and a regex runs only on a text holding one of its
    anchors. A key's value: ((category, term) or None, the regexes it anchors)."""
    import ahocorasick

    keys: dict[str, list] = {}
    regexes = []
    text = importlib.resources.files(__package__).joinpath("data/zh_seo_injection.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, kind, pattern, *anchors = line.split("\t")
        if kind == "term":
            keys.setdefault(pattern.lower(), [None, []])[0] = (category, pattern.lower())
        else:
            for anchor in set(anchors[0].split("|")):  # as written: the text it meets is lower-cased
                keys.setdefault(anchor, [None, []])[1].append(len(regexes))
            regexes.append((category, re.compile(pattern)))
    automaton = ahocorasick.Automaton()
    for key, (term, anchored) in keys.items():
        automaton.add_word(key, (term, tuple(anchored)))
    automaton.make_automaton()
    return automaton, regexes


def injection_terms(text: str) -> list[tuple[str, str]]:
    """(category, matched text) of every injection term in `text`, in text order."""
    lowered = text.lower()
    automaton, regexes = _matchers()
    found, anchored = [], set()
    for end, (term, regex_ids) in automaton.iter(lowered):
        if term is not None:
            found.append((end - len(term[1]) + 1, -len(term[1]), *term))
        anchored.update(regex_ids)
    for i in sorted(anchored):
        category, regex = regexes[i]
        found.extend((m.start(), -len(m.group()), category, m.group()) for m in regex.finditer(lowered))
    terms, end = [], 0
    for start, length, category, term in sorted(found):  # a match inside an earlier one is the same graft
        if start >= end:
            terms.append((category, term))
            end = start - length
    return terms


def head(text: str) -> str:
    """The first HEAD_LINES non-empty lines, at most HEAD_CHARS characters."""
    lines = []
    for line in text.split("\n", 32)[:32]:
        if line.strip():
            lines.append(line.strip())
            if len(lines) == HEAD_LINES:
                break
    return "\n".join(lines)[:HEAD_CHARS]


def host_digits(url: str | None) -> int:
    """The most digits in one label of the URL's host: generated SEO hosts (3355703.com,
    1422058.cn) have six or more; real sites' numeric names (163, 12306, 17173) fewer."""
    host = url_host(url)
    if re.fullmatch(r"[\d.]+", host):  # an IP address is not a generated name
        return 0
    return max((sum(c.isdigit() for c in label) for label in host.split(".")), default=0)


def seo_signals(text: str, title: str | None = None, url: str | None = None) -> tuple[dict, tuple[str, str]]:
    """({seo_head_hits: distinct injection terms in the title and the head of the text,
    seo_hits: their occurrences in title and text, host_digits}, the first (category, term))."""
    title = (title or "").strip()
    body = injection_terms(text)
    in_title = injection_terms(title) if title else []
    head_hits = {t for _c, t in in_title} | {t for _c, t in injection_terms(head(text))} if body or in_title else set()
    return ({"seo_head_hits": len(head_hits), "seo_hits": len(body) + len(in_title), "host_digits": host_digits(url)},
            (in_title or body or [("", "")])[0])


def seo_injection(s: dict, cfg, text: str, first: tuple[str, str] = ("", "")) -> Drop | None:
    """Drops a page whose title or first lines hold an injection term (unless it reads as
    health, law or news and the term is alone: crime news names the brand it is about),
    whose text repeats injection terms, or whose generated host serves any of them."""
    hits, head_hits = s["seo_hits"], s["seo_head_hits"]
    if not hits and not (s["host_digits"] >= cfg.max_host_digits and (s.get("gambling_share") or s.get("porn_share"))):
        return None
    category, term = first
    # quality.signals counted it where the text has a flagged term; otherwise count it here
    context = (s.get("safety_context") or safety_context(text)) if hits else 0
    in_context = context >= cfg.min_context_terms
    if head_hits >= 1 and (not in_context or head_hits >= 2 or hits >= cfg.seo_max_body_hits):
        return Drop("seo_injection", f"{category} term {term!r} in the title or first lines (seo_head_hits={head_hits}, "
                                     f"seo_hits={hits}, safety_context={context} < min_context_terms={cfg.min_context_terms} "
                                     f"or a repeat)")
    if hits >= cfg.seo_max_body_hits and not in_context:
        return Drop("seo_injection", f"{category} term {term!r}: seo_hits={hits} >= seo_max_body_hits={cfg.seo_max_body_hits}")
    if s["host_digits"] >= cfg.max_host_digits:
        what = f"{category} term {term!r}" if hits else "flagged gambling/porn terms"
        return Drop("seo_injection", f"host_digits={s['host_digits']} >= max_host_digits={cfg.max_host_digits} "
                                     f"(a generated host) and the text holds {what}")
    return None
