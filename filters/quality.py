"""Quality and pathological-sample signals of a text, and the rules that decide over them.

`signals(text)` measures (vectorised with numpy, linear or n log n in the text); each
rule compares one signal with a threshold of `zhpile.schemas.config.QualityConfig` and returns
a Drop naming itself, with the value and the threshold. Signals are stored with every
document, so thresholds can be re-tuned later without re-running anything upstream.

Chinese-aware: no rule counts space-separated words (Chinese has none). Repetition is
measured on characters (Gopher's word n-gram rules, transposed), lines end in `。！？…`,
stop words are Chinese function characters.
"""
from __future__ import annotations

import operator
import re

import numpy as np

from .base import Drop
from .cut import cut_pathological, cut_repeated_lines
from .fluency import fluency
from .kernels import NGRAM_BASE, ngram_shares, repeat_runs
from .safety import flagged_shares, safety_context
from .textutil import HAN_CHAR, codepoints, is_code_line, jieba_words
from .word_order import order_signals

# Code point classes, as sorted interval bounds (see _classify).
_CLASSES = ("other", "space", "digit", "latin", "han", "cjk_punct", "ascii_punct", "letter")
_RANGES = sorted([
    (0x09, 0x0A, "space"), (0x20, 0x20, "space"), (0x3000, 0x3000, "space"),
    (0x30, 0x39, "digit"),
    (0x41, 0x5A, "latin"), (0x61, 0x7A, "latin"), (0xC0, 0x24F, "latin"),
    (0x21, 0x2F, "ascii_punct"), (0x3A, 0x40, "ascii_punct"), (0x5B, 0x60, "ascii_punct"), (0x7B, 0x7E, "ascii_punct"),
    (0x370, 0x52F, "letter"), (0x3040, 0x30FF, "letter"), (0xAC00, 0xD7AF, "letter"),
    (0x3001, 0x303F, "cjk_punct"), (0xFF01, 0xFF0F, "cjk_punct"), (0xFF1A, 0xFF20, "cjk_punct"),
    (0xFF3B, 0xFF40, "cjk_punct"), (0xFF5B, 0xFF65, "cjk_punct"), (0x2010, 0x2027, "cjk_punct"),
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"), (0x20000, 0x2EBEF, "han"),
])
_BOUNDS = np.array([b for lo, hi, _c in _RANGES for b in (lo, hi + 1)], dtype=np.uint32)
_CLASS_OF = np.zeros(len(_BOUNDS) + 1, dtype=np.int8)
_CLASS_OF[1::2] = [_CLASSES.index(c) for _lo, _hi, c in _RANGES]
_SPACE, _DIGIT, _LATIN, _HAN = (_CLASSES.index(c) for c in ("space", "digit", "latin", "han"))
_OTHER = _CLASSES.index("other")

# Chinese function characters (particles, pronouns, prepositions, conjunctions, copula):
# prose is full of them, keyword lists and link farms are not.
STOP_CHARS = "的了是在和有也不就都而及与着或这那你我他她它们个为以于之其但被把从对向所将很会要能还又吗呢吧啊呀"
_IS_STOP = np.zeros(0x10000, dtype=bool)  # lookup table over the BMP
_IS_STOP[[ord(c) for c in STOP_CHARS]] = True
_LINE_END = tuple("。！？…!?；;」』”\"）)】")
# Citation marks and similar tails after a sentence's punctuation: 雄安新区。[2][5]
_MARK_CLOSERS = tuple("]］】)）")  # how a citation mark ends; other lines skip the regex
_INNER_PUNCT = re.compile("[。！？；，]")
_TRAILING_MARKS = re.compile(r"(\s*[\[［【(（]\s*(?:\d+|注\d*|图)\s*[\]］】)）])+\s*$")
# Base64 or hex: long runs of their alphabets without spaces.
_BLOB = re.compile(r"[A-Za-z0-9+/]{80,}={0,2}|[0-9a-fA-F]{64,}")
_MIN_BLOB = 64
_ASCII_TOKEN = re.compile(r"[!-~]+")
_PARAGRAPH = re.compile(r"\n\s*\n")
# What a soft error page says (a 404 or a deleted post served with status 200, a redirect
# notice): counted in the first ERROR_SCAN_CHARS characters, judged only in short texts.
# (An announcement's 本公告内容不存在任何虚假记载 is not one.)
_ERROR_PAGE = re.compile(
    r"(?:页面|网页|文章|内容|帖子|主题|资源)(?:已经)?不存在(?!任何|虚假)|页面已(?:经)?(?:删除|被删除|失效|过期|下线)"
    r"|(?:您|你)(?:所|要)?访问的(?:页面|网页|地址|链接|内容)|(?:页面|网页|内容)(?:找不到|未找到|无法找到|无法访问|走丢)"
    r"|找不到(?:该|此|您要的|你要的)?(?:页面|网页)|(?:该|此)(?:帖子|文章|内容|页面)已被删除|秒后(?:自动)?(?:跳转|返回)"
    r"|正在(?:为您)?跳转|404 Not Found|\bNot Found\b|Page Not Found|Internal Server Error|403 Forbidden|Access Denied")
ERROR_SCAN_CHARS = 1000
# A literal every alternative of _ERROR_PAGE holds: most texts hold none, and a substring
# test per literal costs a fifth of the regex's scan (tests/test_quality.py checks them).
ERROR_LITERALS = ("不存在", "页面已", "访问的", "找不到", "未找到", "无法找到", "无法访问", "走丢", "已被删除", "秒后", "跳转",
                  "Not Found", "Internal Server Error", "403 Forbidden", "Access Denied")
TOP_NGRAMS = (4, 6, 8)  # Gopher's top word 2/3/4-grams
DUP_NGRAMS = (10, 14, 20)  # Gopher's duplicate word 5/7/10-grams
_MAX_PERIOD = 8  # a "short pattern" repeats with a period of at most this many characters
_MIN_REPORTED_SPAN = 16  # periodic stretches shorter than this are reported as 0 (they are everywhere)


# The classes of the Basic Multilingual Plane as one lookup table: an indexing operation
# per text instead of a binary search per character.
_BMP_CLASS = _CLASS_OF[np.searchsorted(_BOUNDS, np.arange(0x10000, dtype=np.uint32), side="right")]


def _classify(cps: np.ndarray) -> np.ndarray:
    cls = _BMP_CLASS[np.minimum(cps, 0xFFFF)]
    astral = cps > 0xFFFF
    if astral.any():
        cls[astral] = _CLASS_OF[np.searchsorted(_BOUNDS, cps[astral], side="right")]
    return cls


def _periodic_span(runs: np.ndarray) -> int:
    """max_periodic_span from kernels.repeat_runs' runs per period: the longest stretch that
    repeats a pattern of 2..8 characters (`\\/\\/\\/`, `-=-=`, `哈哈嘿哈哈嘿`), 0 if none reaches 16."""
    spans = [int(run) + period for period, run in enumerate(runs.tolist()) if run and run + period >= _MIN_REPORTED_SPAN]
    return max(spans, default=0)


class NgramHashes:
    """Polynomial hashes (wrap-around, modulo 2**64) of every n-gram of a code point
    array, for any n, from one pass of prefix sums: with Q[i] = sum of c[j] * base**-j
    for j < i, the n-gram at i hashes to base**(i+n-1) * (Q[i+n] - Q[i])."""

    BASE = NGRAM_BASE  # kernels.ngram_shares hashes with the same base
    _BASE_INV = np.uint64(pow(int(NGRAM_BASE), -1, 2**64))  # the base is odd: invertible modulo 2**64

    def __init__(self, cps: np.ndarray):
        self.size = int(cps.size)
        inv_powers = np.full(self.size, self._BASE_INV, dtype=np.uint64)
        inv_powers[:1] = 1
        self.powers = np.full(self.size + 1, self.BASE, dtype=np.uint64)
        self.powers[0] = 1
        np.cumprod(self.powers, dtype=np.uint64, out=self.powers)
        self.prefix = np.zeros(self.size + 1, dtype=np.uint64)
        np.cumsum(cps.astype(np.uint64) * np.cumprod(inv_powers, dtype=np.uint64), dtype=np.uint64, out=self.prefix[1:])

    def of(self, n: int) -> np.ndarray:
        m = self.size - n + 1
        return self.powers[n - 1:n - 1 + m] * (self.prefix[n:] - self.prefix[:m])


def char_entropy(cps: np.ndarray) -> float:
    if cps.size == 0:
        return 0.0
    _, counts = np.unique(cps, return_counts=True)
    p = counts / cps.size
    return float(-(p * np.log2(p)).sum())


_TOP_SIZES, _DUP_SIZES = np.array(TOP_NGRAMS), np.array(DUP_NGRAMS)


def ngram_share_signals(han_cps: np.ndarray) -> dict:
    """Gopher's top and duplicate n-gram shares, on characters (kernels.ngram_shares: the
    same hashes as NgramHashes, compiled): top_{n}gram_share, dup_{n}gram_share."""
    top, dup = ngram_shares(han_cps, _TOP_SIZES, _DUP_SIZES)
    return {**{f"top_{n}gram_share": round(v, 4) for n, v in zip(TOP_NGRAMS, top.tolist())},
            **{f"dup_{n}gram_share": round(v, 4) for n, v in zip(DUP_NGRAMS, dup.tolist())}}


WORD_SAMPLE_CHARS = 64  # jieba reads this much of each kept document (it is the slowest signal)


def word_stats(text: str) -> tuple[float, float, int]:
    """From one jieba segmentation of the first WORD_SAMPLE_CHARS characters: mean length
    of the words with a Han character, their share of one-character words, and the
    document's word count estimated by scaling the sample's count to the whole text."""
    sample = text[:WORD_SAMPLE_CHARS]
    tokens = [w for w in jieba_words(sample) if w.strip()]
    words = [w for w in tokens if HAN_CHAR.search(w)]
    estimate = round(len(tokens) * len(text) / len(sample)) if sample else 0
    if not words:
        return 0.0, 0.0, estimate
    return sum(map(len, words)) / len(words), sum(1 for w in words if len(w) == 1) / len(words), estimate


def error_phrases(text: str) -> int:
    """How many soft-error phrases (_ERROR_PAGE) the first ERROR_SCAN_CHARS characters hold."""
    head = text[:ERROR_SCAN_CHARS]
    return len(_ERROR_PAGE.findall(head)) if any(literal in head for literal in ERROR_LITERALS) else 0


def _is_sentence_line(line: str) -> bool:
    return (line.endswith(_LINE_END) or _INNER_PUNCT.search(line) is not None
            or (line.endswith(_MARK_CLOSERS) and _TRAILING_MARKS.sub("", line).endswith(_LINE_END)))


def _punct_line_share(lines: list[str]) -> float:
    """Share of the characters of the text that are in lines of sentences: lines ending
    like one, or holding Chinese sentence punctuation. Weighted by characters, not lines:
    an article with many short captions and menu lines around long prose paragraphs is
    prose (C4/FineWeb count lines, which drops such pages). Punctuation inside a line
    counts too: old essays and BBS posts are hard-wrapped at a fixed width, so their lines
    end mid-sentence, and forum posts and novel chapters end lines with a reply count or
    an emoticon; menus and link lists hold no sentence punctuation at all."""
    total = sum(map(len, lines))
    if not total:
        return 0.0
    return sum(len(line) for line in lines if _is_sentence_line(line)) / total


def code_chars(lines: list[str]) -> int:
    """Visible characters in code-like lines (textutil.is_code_line)."""
    return sum(len("".join(line.split())) for line in lines if is_code_line(line))


def _duplicates(parts: list[str]) -> tuple[float, int]:
    """(share of characters in repeated parts beyond their first occurrence, highest repeat count)."""
    seen: dict[str, int] = {}
    dup_chars = total = 0
    for part in parts:
        total += len(part)
        count = seen.get(part, 0)
        if count:
            dup_chars += len(part)
        seen[part] = count + 1
    return (dup_chars / total if total else 0.0), max(seen.values(), default=0)


def pathological_signals(text: str) -> dict:
    """The signals the pathological rules need (cheap; computed before language ID)."""
    cps = codepoints(text)
    lines = [line.strip() for line in text.split("\n")]
    _dup, max_line_repeat = _duplicates([line for line in lines if line])
    visible = cps[_classify(cps) != _SPACE]
    tokens = _ASCII_TOKEN.findall(text)
    char_run, period_runs = repeat_runs(cps, _MAX_PERIOD)
    return {
        "n_chars": int(cps.size),
        "max_char_run": int(char_run),
        "max_periodic_span": _periodic_span(period_runs),
        "max_ascii_token": max(map(len, tokens), default=0),
        # A blob is made of ASCII characters: it lies inside one ASCII token.
        "blob_chars": sum(len(m) for token in tokens if len(token) >= _MIN_BLOB for m in _BLOB.findall(token)),
        "max_line_repeat": max_line_repeat,
        "char_entropy": round(char_entropy(visible), 3),
    }


def signals(text: str, pathological: dict | None = None) -> dict:
    """The quality signals of `text` the rules judge (the pathological ones included:
    pass them as `pathological` when already measured on this same text). The word
    statistics are separate (word_signals): no rule reads them and jieba is slow."""
    cps = codepoints(text)
    cls = _classify(cps)
    visible = cps[cls != _SPACE]
    n_visible = max(int(visible.size), 1)
    han = int((cls == _HAN).sum())
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    paragraphs = [p.strip() for p in _PARAGRAPH.split(text) if p.strip()]
    dup_line, _ = _duplicates(lines)
    dup_para, _ = _duplicates(paragraphs)
    s = dict(pathological) if pathological is not None else pathological_signals(text)
    code = code_chars(lines)
    s.update({
        "n_lines": len(lines),
        "mean_line_chars": round(sum(map(len, lines)) / len(lines), 1) if lines else 0.0,
        # Of the characters outside code: a Chinese tech post whose code outweighs its
        # explanations is Chinese text (the code stays in it).
        "han_ratio": round(han / max(n_visible - code, 1), 4),
        "code_share": round(code / n_visible, 4),
        "digit_ratio": round(float((cls == _DIGIT).sum()) / n_visible, 4),
        "symbol_ratio": round(float((cls == _OTHER).sum()) / n_visible, 4),
        "punct_line_share": round(_punct_line_share(lines), 4),
        "dup_line_share": round(dup_line, 4),
        "dup_para_share": round(dup_para, 4),
        "stop_char_ratio": round(float(_IS_STOP[np.minimum(visible, 0xFFFF)].sum()) / max(han, 1), 4),
        "fluency": round(fluency(text), 3),
        "error_phrases": error_phrases(text),
    })
    # Repetition is measured on the Han characters alone, as Gopher measures it on words
    # (runs of punctuation like `-----` are the pathological rules' business), with n
    # doubled: a Chinese word is about two characters.
    s.update(ngram_share_signals(cps[cls == _HAN]))
    flagged = flagged_shares(text)
    s.update(flagged)
    # Only a text with a flagged term needs its context (most have none).
    s["safety_context"] = safety_context(text) if any(flagged.values()) else 0
    return s


def word_signals(text: str) -> dict:
    """jieba word statistics (see word_stats) under their stored names."""
    mean_word, single, est_words = word_stats(text)
    return {"mean_word_chars": round(mean_word, 3), "single_char_word_ratio": round(single, 4), "est_words": est_words}


_COMPARE = {">": operator.gt, "<": operator.lt, ">=": operator.ge}


def _rule(name: str, op: str, reason: str, limit_name: str):
    """A rule dropping a document when `signal op threshold` holds; the detail says both."""
    compare = _COMPARE[op]

    def rule(s: dict, cfg) -> Drop | None:
        limit = getattr(cfg, limit_name)
        # an unmeasured signal decides nothing; a rule without a limit is off
        if s.get(name) is not None and limit is not None and compare(s[name], limit):
            return Drop(reason, f"{name}={s[name]} {op} {limit_name}={limit}")
        return None
    rule.__name__ = reason
    rule.signal, rule.limit = name, limit_name
    return rule


def flagged_rule(category: str):
    """Drops a text whose share of `category` terms passes its limit; the limit is
    context_factor times higher in a text of health, law or news (safety_context of at
    least min_context_terms counter-terms): sex education and crime news name what they
    are about. A text with fewer than min_flagged_chars flagged characters (one word in a
    short text) is not judged by it."""
    name, limit_name = f"{category}_share", f"max_{category}_share"

    def rule(s: dict, cfg) -> Drop | None:
        if s[name] * s["n_chars"] < cfg.min_flagged_chars - 0.5:  # one flagged word is no evidence
            return None
        base = getattr(cfg, limit_name)
        in_context = s.get("safety_context", 0) >= cfg.min_context_terms
        limit = round(base * cfg.context_factor, 6) if in_context else base
        if s[name] > limit:
            why = f" ({base} x {cfg.context_factor:g}: safety_context={s['safety_context']})" if in_context else ""
            return Drop(category, f"{name}={s[name]} > {limit_name}={limit}{why}")
        return None
    rule.__name__ = category
    return rule


def low_entropy(s: dict, cfg) -> Drop | None:
    # Entropy only means something with enough characters to estimate it.
    if s["n_chars"] >= cfg.min_entropy_chars and s["char_entropy"] < cfg.min_char_entropy:
        return Drop("low_entropy", f"char_entropy={s['char_entropy']} < min_char_entropy={cfg.min_char_entropy}")
    return None


def error_page(s: dict, cfg) -> Drop | None:
    """A short text that says the page is missing, deleted or moved is an error page, not a
    document (a soft 404 served with status 200)."""
    if s.get("error_phrases") and s["n_chars"] <= cfg.max_error_page_chars:
        return Drop("error_page", f"error_phrases={s['error_phrases']} in n_chars={s['n_chars']} <= "
                                  f"max_error_page_chars={cfg.max_error_page_chars}")
    return None


def few_punct_lines(s: dict, cfg) -> Drop | None:
    if s["n_lines"] >= cfg.min_punct_lines and s["punct_line_share"] < cfg.min_punct_line_share:
        return Drop("few_punct_lines", f"punct_line_share={s['punct_line_share']} < min_punct_line_share={cfg.min_punct_line_share}")
    return None


# Rules, in the order they are applied. Pathological rules come before language ID, so
# a page of slashes is explained as what it is, not as "not Chinese". Content rules come
# after it: a short page in another language is explained as `lang`.
# The one rule checked before any signal is measured (pipelines/job/stages.py): an absurdly
# long text costs nothing more than its length.
TOO_LONG = _rule("n_chars", ">", "too_long", "max_chars")
PATHOLOGICAL_RULES = (
    TOO_LONG,
    _rule("max_char_run", ">=", "char_run", "max_char_run"),
    _rule("max_periodic_span", ">=", "pattern_run", "max_periodic_span"),
    _rule("blob_chars", ">=", "encoded_blob", "max_blob_chars"),
    _rule("max_ascii_token", ">=", "long_token", "max_ascii_token"),
    _rule("max_line_repeat", ">=", "line_repeat", "max_line_repeat"),
    low_entropy,
)
CONTENT_RULES = (
    _rule("n_chars", "<", "too_short", "min_chars"),
    error_page,
    _rule("han_ratio", "<", "low_han", "min_han_ratio"),
    # Safety before repetition: an SEO page that is both is reported as what it sells.
    flagged_rule("porn"),
    flagged_rule("gambling"),
    _rule("spam_share", ">", "spam", "max_spam_share"),
    _rule("dup_line_share", ">", "dup_lines", "max_dup_line_share"),
    _rule("dup_para_share", ">", "dup_paragraphs", "max_dup_para_share"),
    _rule("top_4gram_share", ">", "top_ngram", "max_top_4gram_share"),
    _rule("top_6gram_share", ">", "top_ngram", "max_top_6gram_share"),
    _rule("top_8gram_share", ">", "top_ngram", "max_top_8gram_share"),
    _rule("dup_10gram_share", ">", "dup_ngram", "max_dup_10gram_share"),
    _rule("dup_14gram_share", ">", "dup_ngram", "max_dup_14gram_share"),
    _rule("dup_20gram_share", ">", "dup_ngram", "max_dup_20gram_share"),
    few_punct_lines,
    _rule("stop_char_ratio", "<", "few_stop_chars", "min_stop_char_ratio"),
    _rule("digit_ratio", ">", "digits", "max_digit_ratio"),
    _rule("symbol_ratio", ">", "symbols", "max_symbol_ratio"),
    _rule("fluency", "<", "not_fluent", "min_fluency"),
)


# Word order (filters/word_order.py) is measured last, only on documents every content rule
# keeps: it costs ~0.4-0.7 ms a document (benchmarks/word_order.py; jieba's two segmentations
# a third of it), more than all the other signals together.
ORDER_RULES = (
    _rule("char_order_gain", "<", "shuffled", "min_char_order_gain"),
    _rule("word_order_gain", "<", "word_salad", "min_word_order_gain"),
    _rule("order_score", "<", "word_salad", "min_order_score"),
)


# Rules whose finding is a span that can be cut out of the text (filters/cut.py).
CUTTABLE = ("char_run", "pattern_run", "line_repeat")


def judge_pathological(text: str, cfg) -> tuple[str, dict, Drop | None]:
    """(text, its pathological signals, the drop or None). A run, periodic stretch or
    repeated-line block is cut out when it is at most `max_cut_share` of the text, and the
    rest is judged; the signals then describe the cut text, plus cut_chars, cut_spans and
    cut_lines. When the spans are more than that, nothing is cut and the drop's detail
    says how much cutting would have removed."""
    s = pathological_signals(text)
    drop = first_drop(s, cfg, PATHOLOGICAL_RULES)
    if drop is None or drop.reason not in CUTTABLE:
        return text, s, drop
    cut = cut_pathological(text, cfg.max_char_run, cfg.max_periodic_span, cfg.max_line_repeat)
    share = cut.chars / max(len(text), 1)
    if share > cfg.max_cut_share:
        return text, s, Drop(drop.reason, f"{drop.detail}; cutting the spans would remove {share:.1%} of the text "
                                          f"> max_cut_share={cfg.max_cut_share}")
    s = pathological_signals(cut.text)
    s.update(cut_chars=cut.chars, cut_spans=cut.spans, cut_lines=cut.lines)
    return cut.text, s, first_drop(s, cfg, PATHOLOGICAL_RULES)


_CUT_SIGNALS = ("cut_chars", "cut_spans", "cut_lines")


def judge_content(text: str, cfg, pathological: dict | None = None, cuts: dict | None = None) -> tuple[str, dict, Drop | None]:
    """(text, its signals, the drop or None) after the content rules, then word order.
    Lines repeated beyond max_dup_line_share are cut (each kept once) when the repeats
    are at most max_repeat_cut_share of the text, and the rest is judged; above it the
    document is dropped `dup_lines`. `pathological`: its signals if already measured on `text`;
    `cuts`: the cut_* counts of earlier cuts (judge_pathological), added to."""
    s = signals(text, pathological=pathological)
    if s["dup_line_share"] > cfg.max_dup_line_share:
        cut = cut_repeated_lines(text)
        share = cut.chars / max(len(text), 1)
        if share > cfg.max_repeat_cut_share:
            return text, s, Drop("dup_lines", f"dup_line_share={s['dup_line_share']} > max_dup_line_share={cfg.max_dup_line_share}; "
                                              f"cutting the repeats would remove {share:.1%} of the text "
                                              f"> max_repeat_cut_share={cfg.max_repeat_cut_share}")
        earlier = {name: (cuts or {}).get(name) or 0 for name in _CUT_SIGNALS}
        text, s = cut.text, signals(cut.text)
        s.update(cut_chars=earlier["cut_chars"] + cut.chars, cut_spans=earlier["cut_spans"],
                 cut_lines=earlier["cut_lines"] + cut.lines)
    drop = first_drop(s, cfg, CONTENT_RULES)
    if drop is not None:
        return text, s, drop
    s.update(order_signals(text, clear=lambda order, errors: clear_of_order_rules(order, cfg, errors)))
    return text, s, first_drop(s, cfg, ORDER_RULES)


# Word order is averaged over random orders. The first order's signals are off the
# average by at most 3.8 of their standard errors on 16,231 documents (crawl, CLUE,
# ChineseWebText, five kinds of salad; docs/quality.md, "Word order"): signals clear of
# every order rule's threshold by ORDER_Z of them are not dropped by the other orders,
# which are then not drawn (98% of crawl documents, 62% of ChineseWebText's).
ORDER_Z = 4.5


def clear_of_order_rules(s: dict, cfg, errors: dict) -> bool:
    """Whether the order rules keep `s` with ORDER_Z standard errors (`errors`, per
    signal) to spare; an unmeasured signal (None: too few joins in the orders drawn so
    far) is never clear."""
    for rule in ORDER_RULES:
        name, limit = rule.signal, getattr(cfg, rule.limit)
        if limit is not None and (s.get(name) is None or s[name] < limit + ORDER_Z * errors.get(name, np.inf)):
            return False
    return True


def first_drop(s: dict, cfg, rules) -> Drop | None:
    """The first rule that drops the document, or None to keep it."""
    for rule in rules:
        drop = rule(s, cfg)
        if drop is not None:
            return drop
    return None
