"""HTML -> main text, with the payload checks that decide what is a text document."""
from __future__ import annotations

import html
import re

import numpy as np
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from .base import DropError
from .charset import decode_page
from .textutil import SURROGATES

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_PLAIN_TYPES = ("text/plain",)


def declared_plain(content_type: str | None) -> bool:
    """The header says text/plain (a WET record, a .txt page): text input, not HTML."""
    return (content_type or "").split(";")[0].strip().lower() in _PLAIN_TYPES


def payload_kind(content_type: str | None, payload: bytes) -> str:
    """'html', 'plain', or raise DropError('non_text') for images, PDFs, archives, binaries."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    head = payload[:1024]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NUL bytes: a binary payload, whatever the header claims.
        raise DropError("non_text", f"binary payload declared as {ctype or 'nothing'}")
    if declared_plain(ctype):
        return "plain"
    if ctype in _HTML_TYPES or not ctype or ctype == "unknown":
        return "html"
    raise DropError("non_text", f"content type {ctype}")


# One extracted line: its text and how many of its characters are link text.
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"\s*<h[1-3]\b")
_SENTENCE_PUNCT = re.compile(r"[。！？；，、!?;]")
# Site chrome that survives markup heuristics: licence footers, paging, share bars.
_BOILERPLATE = re.compile(
    r"ICP备|ICP证|公网安备|增值电信|版权所有|Copyright|©|All [Rr]ights [Rr]eserved|上一篇|下一篇|返回顶部"
    r"|分享到|扫一扫|免责声明|联系我们|关于我们|网站地图|加载中|点击查看|登录|注册"
)
# Tuned on the magic-html Chinese benchmark (docs/extraction.md, "Main-content extraction").
LINK_DENSITY_MAX = 0.3  # a line with more link text than this is navigation or a link list
BOILERPLATE_MAX_CHARS = 80  # boilerplate patterns only condemn short lines
LINE_COST = 10  # characters a line must carry to count as content in the densest region
NO_PUNCT_WEIGHT = 0.25  # lines without sentence punctuation are worth less (menus, tickers)
REGION_VS_MAIN = 0.5  # the densest region wins unless it is under half of the main-content text
# resiliparse's main-content pass is quadratic in nesting depth: 10k nested <div> cost 1 s,
# 30k 11 s, 100k more than two minutes (a 1 MB page anyone can publish). Deeper pages than
# this skip that pass (at 4,000 it costs ~0.15 s) and keep the densest region (linear).
# nesting_bound() reaches 1,470 on the 352 real pages of ../shared (its overestimate).
MAX_MAIN_CONTENT_DEPTH = 4000
_LT, _SLASH = 0x3C, 0x2F


def nesting_bound(page: str) -> int:
    """An upper bound of the page's element nesting: the most tags open at once, counting
    every `<name` as an open and every `</` as a close (void and unclosed elements make it
    an overestimate, which only costs the page the main-content pass)."""
    if page.count("<") <= MAX_MAIN_CONTENT_DEPTH:  # cannot nest deeper than it has tags
        return page.count("<")
    b = np.frombuffer(page.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    nxt = b[np.flatnonzero(b[:-1] == _LT) + 1]
    letter = ((nxt | 0x20) >= ord("a")) & ((nxt | 0x20) <= ord("z"))
    step = letter.astype(np.int32) - (nxt == _SLASH)
    return int(np.cumsum(step).max(initial=0))


def _is_chrome(text: str, link: int) -> bool:
    return link / len(text) > LINK_DENSITY_MAX or (len(text) < BOILERPLATE_MAX_CHARS and _BOILERPLATE.search(text) is not None)


def _lines(tree, main_content: bool) -> list[tuple[str, int, bool, bool]]:
    """(text, link characters, is a heading, is chrome) per non-empty line of
    resiliparse's extraction."""
    marked = extract_plain_text(tree, preserve_formatting="minimal_html", main_content=main_content,
                                links=True, list_bullets=False, alt_texts=False, form_fields=False, noscript=False)
    lines = []
    for line in marked.split("\n"):
        # Most lines have no markup or no entity: skip the regexes they would not match.
        text = _TAG.sub("", line) if "<" in line else line
        if "&" in text:
            text = html.unescape(text)
        text = text.strip()
        if text and text.strip("\ufffd"):  # a lone U+FFFD is a lost byte, not a block of the page
            link = min(len(_TAG.sub("", "".join(_ANCHOR.findall(line)))), len(text)) if "<a" in line else 0
            heading = "<h" in line and _HEADING.match(line) is not None
            lines.append((text, link, heading, _is_chrome(text, link)))
    return lines


def densest_region(lines: list[tuple[str, int, bool, bool]]) -> list[str]:
    """The contiguous run of lines with the most content (maximum-sum subarray, after
    Finn et al.'s Body Text Extraction): chrome lines cost, prose lines pay. The
    heading just above the run (within two lines) is the article's title: kept."""
    best = cur = 0.0
    start, span = 0, (0, 0)
    for i, (text, link, _h, chrome) in enumerate(lines):
        if chrome:
            value = -LINE_COST - link
        else:
            weight = 1.0 if _SENTENCE_PUNCT.search(text) else NO_PUNCT_WEIGHT
            value = (len(text) - link) * weight - LINE_COST
        if cur <= 0:
            cur, start = value, i
        else:
            cur += value
        if cur > best:
            best, span = cur, (start, i + 1)
    first = span[0]
    for j in range(span[0] - 1, max(span[0] - 3, -1), -1):
        if lines[j][2] and not lines[j][3]:
            first = j
            break
    return [text for text, _l, _h, chrome in lines[first:span[1]] if not chrome]


def _parse(page: str):
    try:
        return HTMLTree.parse(page)
    except UnicodeEncodeError:  # lone surrogates: the parser needs encodable text
        return HTMLTree.parse(SURROGATES.sub("\ufffd", page))


def html_title_and_text(page: str, main_content: bool = True) -> tuple[str, str]:
    """(the page's <title>, its main text: see html_to_text), from one parse."""
    tree = _parse(page)
    return " ".join((tree.title or "").split())[:1000], _tree_text(tree, page, main_content)


def html_to_text(page: str, main_content: bool = True) -> str:
    """Visible main text of an HTML page; scripts, styles, navigation, link lists and
    footers removed. Two candidates from one parse: the densest region of the whole
    page, and resiliparse's main-content extraction without chrome lines; the region
    wins unless it is much shorter (forums spread content over many short blocks)."""
    return _tree_text(_parse(page), page, main_content)


def _tree_text(tree, page: str, main_content: bool) -> str:
    lines = _lines(tree, False)
    if not main_content:
        return "\n".join(text for text, _l, _h, _c in lines)
    region = "\n".join(densest_region(lines))
    # The main-content pass costs as much again; skip it when the region already holds
    # enough of all non-chrome text that main content could not be twice as long.
    if len(region) >= REGION_VS_MAIN * sum(len(text) + 1 for text, _l, _h, chrome in lines if not chrome):
        return region
    if nesting_bound(page) > MAX_MAIN_CONTENT_DEPTH:
        return region
    main = "\n".join(text for text, _l, _h, chrome in _lines(tree, True) if not chrome)
    return region if len(region) >= REGION_VS_MAIN * len(main) else main


def page_text(payload: bytes, content_type: str | None, header_charset: str | None,
              main_content: bool = True, max_replacement_ratio: float = 0.001) -> tuple[str, str]:
    """(text, charset) of a WARC response payload; raises DropError with the reason."""
    text, charset, _title = page_document(payload, content_type, header_charset, main_content, max_replacement_ratio)
    return text, charset


def page_document(payload: bytes, content_type: str | None, header_charset: str | None,
                  main_content: bool = True, max_replacement_ratio: float = 0.001) -> tuple[str, str, str | None]:
    """(text, charset, title or None) of a WARC response payload; raises DropError."""
    kind = payload_kind(content_type, payload)
    decoded, charset = decode_page(payload, header_charset, max_replacement_ratio)
    if kind == "plain":
        return decoded, charset, None
    title, text = html_title_and_text(decoded, main_content)
    return text, charset, title or None
