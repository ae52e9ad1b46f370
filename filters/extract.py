"""HTML -> main text, with the payload checks that decide what is a text document."""
from __future__ import annotations

import collections
import html
import re
from typing import NamedTuple

import numpy as np
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from .base import DropError
from .charset import decode_page
from .textutil import SURROGATES, is_code_line

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
# Both in one pass over the page's lines, never across a line break. resiliparse escapes
# every < of text and attributes, so each < is a tag.
_ANCHOR_IN_LINE = re.compile(r"<a\b[^>\n]*>[^\n]*?</a>")
_TAG_IN_LINE = re.compile(r"<[^>\n]+>")
_HEADING = re.compile(r"\s*<h[1-3]\b")
_SENTENCE_PUNCT = re.compile(r"[。！？；，、!?;]")
_FULL_STOP = re.compile(r"[。！？]")
_NON_LETTERS = re.compile(r"[\W\d_]+")
# A dateline with its metadata ("2005-04-05 06:40 来源：...", "发布: 2021-1-29 13:18|点击: 313"):
# a date or time, and a source, author, counter or address beside it.
_DATE_TIME = re.compile(r"(?:19|20)\d\d\s*[-/年.]\s*\d{1,2}|\d{1,2}:\d\d")
_META_WORDS = re.compile(r"来源|發布|发布|发表|點擊|点击|阅读|閱讀|浏览|瀏覽|作者|编辑|編輯|责编|更新|时间|時間|https?://|www\.|\|")
# The heading of a related-content block (相关阅读, 猜你喜欢, 你可能还想看, 热门排行, in either
# script): what follows it is other pages' teasers, however article-like.
_RELATED_HEADING = re.compile(
    r"(相[关關]|推[荐薦]|[热熱][门門点點]|猜你|你可能|其他人|延伸|大家都在|[为為]你推|[编編][辑輯]推|精彩推|排行|点击排|點擊排)"
    r"[\u4e00-\u9fff]{0,8}\s*[:：]?$")
# Site chrome that survives markup heuristics: licence footers, whatever their punctuation;
# paging, share bars and account links only in a line without a full stop, since prose
# says 上一篇 and 登录 too ("上一篇讲了...。", "一台一台登录实在太麻烦了。").
_LEGAL = re.compile(r"ICP备|ICP证|公网安备|增值电信|版权所有|Copyright|©|All [Rr]ights [Rr]eserved|免责声明")
_WIDGET_WORDS = re.compile(r"上一篇|下一篇|返回顶部|分享到|扫一扫|联系我们|关于我们|网站地图|加载中|点击查看|登录|注册")
# Tuned on the magic-html Chinese benchmark (docs/extraction.md, "Main-content extraction").
LINK_DENSITY_MAX = 0.3  # a line with more link text than this is navigation or a link list
BOILERPLATE_MAX_CHARS = 80  # boilerplate patterns only condemn short lines
LEGAL_FOOTER_MAX_CHARS = 300  # ... or a longer licence footer without a full stop
MAX_DATELINES = 2  # an article's datelines (source, time, counters) go; a thread's many stay
LINE_COST = 10  # characters a line must carry to count as content in the densest region
NO_PUNCT_WEIGHT = 0.25  # lines without sentence punctuation are worth less (menus, tickers)
REGION_VS_MAIN = 0.5  # the densest region wins unless it is under half of the main-content text
WIDGET_MAX_CHARS = 20  # a line this short seen WIDGET_REPEATS times in a page is a widget
WIDGET_REPEATS = 3
RELATED_HEADING_MAX_CHARS = 10
RELATED_CUT_AFTER = 100  # characters of text in the region before a related heading ends it
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
    if link / len(text) > LINK_DENSITY_MAX:
        return True
    if _is_related_heading(text):
        return True
    if len(text) >= BOILERPLATE_MAX_CHARS:
        # a long footer of licences and registration numbers, written without a sentence
        return len(text) < LEGAL_FOOTER_MAX_CHARS and not _FULL_STOP.search(text) and _LEGAL.search(text) is not None
    return _LEGAL.search(text) is not None or (_WIDGET_WORDS.search(text) is not None and not _FULL_STOP.search(text))


def _is_dateline(text: str) -> bool:
    return (len(text) < BOILERPLATE_MAX_CHARS and _DATE_TIME.search(text) is not None
            and _META_WORDS.search(text) is not None and not _FULL_STOP.search(text))


def _is_related_heading(text: str) -> bool:
    return len(text) <= RELATED_HEADING_MAX_CHARS and _RELATED_HEADING.match(text) is not None


class Line(NamedTuple):
    """One non-empty line of resiliparse's extraction."""
    text: str
    link: int  # characters of link text
    heading: bool
    chrome: bool
    code: bool  # inside <pre>, or a line of program code
    dateline: bool = False  # a date with its source, author or counters: not text, not chrome


_FIGURE_TAG = re.compile(r"<(/?)figure\b", re.I)
_PRE_TAG = re.compile(r"<pre\b", re.I)
_LINE_TAG = re.compile(r"(?=</?(?:li|div)\b)", re.I)


def _prepare(page: str) -> str:
    """Rewrites the page so that resiliparse keeps what a reader sees, before it is parsed
    (editing the parsed tree instead cost O(n) per element visited: a page of 10,000
    figures took minutes). With alt texts off resiliparse drops every <figure> whole
    (hexo's code blocks, embedded tables): figures become <div>s. A <li> or <div> inside
    <pre> (prettify's numbered lines, CSDN's line-number list) is a line, but resiliparse
    adds no break for it there: a newline goes before each such tag (outside <pre> a
    newline between blocks is nothing)."""
    page = _FIGURE_TAG.sub(r"<\1div", page)
    if _PRE_TAG.search(page):
        page = _LINE_TAG.sub("\n", page)
    return page


def _gutter(lines: list[Line]) -> set[int]:
    """Indexes of line-number gutters: runs of 3+ lines that count up by one (1, 2, 3...)."""
    # isdecimal, not isdigit: int() refuses ① and ², which isdigit accepts
    numbers = [i for i, line in enumerate(lines) if len(line.text) <= 5 and line.text.isdecimal()]
    out: set[int] = set()
    run: list[int] = []
    for i in numbers + [-2]:
        if run and i == run[-1] + 1 and int(lines[i].text) == int(lines[run[-1]].text) + 1:
            run.append(i)
            continue
        if len(run) >= 3:
            out.update(run)
        run = [i]
    return out


def _lines(tree, main_content: bool) -> list[Line]:
    """The non-empty lines of resiliparse's extraction, line-number gutters removed."""
    marked = extract_plain_text(tree, preserve_formatting="minimal_html", main_content=main_content,
                                links=True, list_bullets=False, alt_texts=False, form_fields=False, noscript=False)
    lines = []
    in_pre = pre = False
    has_pre = "<pre" in marked
    if has_pre:  # inside <pre> resiliparse writes a <br> without the line break it writes elsewhere
        marked = marked.replace("<br>", "\n")
    texts = _TAG_IN_LINE.sub("", marked)
    # A line's link text: its characters less those left without its anchors (two passes
    # over the page instead of a search per line).
    unlinked = _TAG_IN_LINE.sub("", _ANCHOR_IN_LINE.sub("", marked)) if "<a" in marked else texts
    new_line = tuple.__new__  # Line(...) without its Python-level __new__: ~52 lines a page
    for line, raw, rest in zip(marked.split("\n"), texts.split("\n"), unlinked.split("\n")):
        if has_pre:
            pre = in_pre or "<pre" in line
            if "<pre" in line or "</pre>" in line:
                in_pre = line.rfind("<pre") > line.rfind("</pre>")
        text = html.unescape(raw) if "&" in raw else raw  # most lines have no entity
        text = text.strip()
        if text and text.strip("\ufffd"):  # a lone U+FFFD is a lost byte, not a block of the page
            link = min(len(raw) - len(rest), len(text))
            heading = "<h" in line and _HEADING.match(line) is not None
            if link / len(text) > LINK_DENSITY_MAX:
                # navigation, most lines of a crawled page: whether it is code or a dateline
                # changes nothing for a chrome line (_repeated_widgets: code is a property of
                # the text, which the line's non-chrome copies share)
                lines.append(new_line(Line, (text, link, heading, True, pre, False)))
                continue
            chrome = _is_chrome(text, link)
            code = pre or is_code_line(text)
            lines.append(new_line(Line, (text, link, heading, chrome, code, not (chrome or code) and _is_dateline(text))))
    gutter = _gutter(lines)
    if gutter:
        lines = [line for i, line in enumerate(lines) if i not in gutter]
    if sum(line.dateline for line in lines) > MAX_DATELINES:
        # one per post: a thread's replies are signed with author and time, and stay so
        lines = [line._replace(dateline=False) if line.dateline else line for line in lines]
    return _title_with_site_name(_repeated_widgets(lines), " ".join((tree.title or "").split()))


def _title_with_site_name(lines: list[Line], title: str) -> list[Line]:
    """The <title> line (the extraction reads <head> too) is chrome when the page's heading
    says the same without the site's name: "标题_频道_网站名 - SITE.COM" above "标题"."""
    if not title:
        return lines
    headings = {line.text for line in lines if len(line.text) >= 4 and line.text != title and title.startswith(line.text)}
    if not headings:
        return lines
    return [line._replace(chrome=True) if line.text == title else line for line in lines]


def _repeated_widgets(lines: list[Line]) -> list[Line]:
    """Short lines that recur WIDGET_REPEATS times in one page (点赞, 评论, 举报 under every
    reply; 阅读全文 or an ad's 为什么你不喜欢这个广告？ under every teaser) are chrome, wherever
    they are. (The same line with its numbers aside is not: a price table's 0元 cells.)"""
    counts = collections.Counter(line.text for line in lines if len(line.text) <= WIDGET_MAX_CHARS and not line.code)
    widgets = {text for text, n in counts.items() if n >= WIDGET_REPEATS}
    if not widgets:
        return lines
    return [line._replace(chrome=True) if not line.chrome and not line.code and line.text in widgets else line
            for line in lines]


def densest_region(lines: list[Line]) -> list[Line]:
    """The contiguous run of lines with the most content (maximum-sum subarray, after
    Finn et al.'s Body Text Extraction): chrome lines cost, prose lines pay, code pays
    a little and never costs (a post's code block between its paragraphs stays). The
    heading just above the run (within two lines) is the article's title: kept."""
    best = cur = 0.0
    start, span = 0, (0, 0)
    for i, (text, link, _h, chrome, code, dateline) in enumerate(lines):
        if chrome:
            value = -LINE_COST - link
        elif dateline:
            value = 0.0  # between forum replies as between an article's title and its text
        elif code:
            value = len(text) * NO_PUNCT_WEIGHT
        else:
            weight = 1.0 if _SENTENCE_PUNCT.search(text) else NO_PUNCT_WEIGHT
            value = (len(text) - link) * weight - LINE_COST
        if cur <= 0:
            cur, start = value, i
        else:
            cur += value
        if cur > best:
            best, span = cur, (start, i + 1)
    first, end = span[0], span[1]
    for j in range(span[0] - 1, max(span[0] - 3, -1), -1):
        if lines[j].heading and not lines[j].chrome:
            first = j
            break
    return [line for line in _until_related(lines[first:end]) if not line.chrome]


def _until_related(lines: list[Line]) -> list[Line]:
    """Teasers under a related-content heading (相关阅读, 猜你喜欢) read like prose and can
    extend a run of content; once the lines hold RELATED_CUT_AFTER characters, such a
    heading ends them."""
    content = 0
    for j, line in enumerate(lines):
        # a related heading is always chrome (_is_chrome): only those lines are tested again
        if content >= RELATED_CUT_AFTER and line.chrome and _is_related_heading(line.text):
            return lines[:j]
        content += 0 if line.chrome else len(line.text)
    return lines


def _parse(page: str):
    page = _prepare(page)
    try:
        return HTMLTree.parse(page)
    except UnicodeEncodeError:  # lone surrogates: the parser needs encodable text
        return HTMLTree.parse(SURROGATES.sub("\ufffd", page))


class PageDocument(NamedTuple):
    text: str
    charset: str
    title: str | None
    # The article's dateline lines (source, author, time) taken out of the text: evidence
    # for the component (a byline makes news), not training text.
    dateline: str | None = None


def html_title_and_text(page: str, main_content: bool = True) -> tuple[str, str, str]:
    """(the page's <title>, its main text: see html_to_text, its datelines), from one parse."""
    tree = _parse(page)
    return (" ".join((tree.title or "").split())[:1000], *_tree_text(tree, page, main_content))


def html_to_text(page: str, main_content: bool = True) -> str:
    """Visible main text of an HTML page; scripts, styles, navigation, link lists and
    footers removed. Two candidates from one parse: the densest region of the whole
    page, and resiliparse's main-content extraction without chrome lines; the region
    wins unless it is much shorter (forums spread content over many short blocks)."""
    return _tree_text(_parse(page), page, main_content)[0]


def _tree_text(tree, page: str, main_content: bool) -> tuple[str, str]:
    """(main text, the datelines taken out of it)."""
    lines = _lines(tree, False)
    if not main_content:
        return "\n".join(line.text for line in lines), ""
    region = densest_region(lines)
    chosen = _text_and_datelines(region)
    # The main-content pass costs as much again; skip it when the region already holds
    # enough of all non-chrome text that main content could not be twice as long.
    if len(chosen[0]) >= REGION_VS_MAIN * sum(len(line.text) + 1 for line in lines if not line.chrome):
        return chosen
    if nesting_bound(page) > MAX_MAIN_CONTENT_DEPTH:
        return chosen
    main = _text_and_datelines([line for line in _until_related(_lines(tree, True)) if not line.chrome])
    # A stock ticker's figures inside resiliparse's main content are not what makes the
    # region too short; a forum's short replies and commands are.
    return chosen if _prose_weight(chosen[0].split("\n")) >= REGION_VS_MAIN * _prose_weight(main[0].split("\n")) else main


def _text_and_datelines(lines: list[Line]) -> tuple[str, str]:
    return "\n".join(line.text for line in lines if not line.dateline), "\n".join(line.text for line in lines if line.dateline)


def _prose_weight(texts: list[str]) -> float:
    """Characters, those of a line that is mostly figures and signs (a stock ticker's
    18,652.59 and -216.12 (-1.15%)) counting NO_PUNCT_WEIGHT."""
    total = 0.0
    for t in texts:
        letters = len(_NON_LETTERS.sub("", t))
        total += len(t) * (1.0 if 2 * letters >= len(t) - t.count(" ") else NO_PUNCT_WEIGHT)
    return total


def page_text(payload: bytes, content_type: str | None, header_charset: str | None,
              main_content: bool = True, max_replacement_ratio: float = 0.001) -> tuple[str, str]:
    """(text, charset) of a WARC response payload; raises DropError with the reason."""
    page = page_document(payload, content_type, header_charset, main_content, max_replacement_ratio)
    return page.text, page.charset


def page_document(payload: bytes, content_type: str | None, header_charset: str | None,
                  main_content: bool = True, max_replacement_ratio: float = 0.001) -> PageDocument:
    """Text, charset, title and datelines of a WARC response payload; raises DropError."""
    kind = payload_kind(content_type, payload)
    decoded, charset = decode_page(payload, header_charset, max_replacement_ratio)
    if kind == "plain":
        return PageDocument(decoded, charset, None)
    title, text, dateline = html_title_and_text(decoded, main_content)
    return PageDocument(text, charset, title or None, dateline or None)
