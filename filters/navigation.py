"""Navigation and boilerplate lines in text input (WET records, JSONL and Parquet text).

HTML input loses its menus in main-content extraction (filters/extract.py). Text input
arrives with them: Common Crawl's WET conversion writes every visible block of a page as a
line, so a news article comes wrapped in "网站首页 / 关于我们 / 在线留言", breadcrumbs,
related-headline lists and ICP footers. This is the line-level pass FineWeb-2 and MAP-CC
run on such text, made for Chinese, where the English cue (a line not ending in a period)
does not work: headlines, headings and forum replies rarely end in punctuation either.

Each line gets a kind:
- `chrome`: a copyright/ICP/licence line; a line that starts with 上一篇/当前位置/相关阅读...;
  a breadcrumb ("首页 > 新闻 > 本地"); a short line holding a site-chrome word (登录, 分享到,
  更多, the widgets of Tieba and Discuz! ...); a line of four or more menu-sized tokens.
- `short`: at most SHORT_CHARS characters, no sentence punctuation, and not sentence-like
  (fewer than MIN_FUNCTION_CHARS function characters such as 的/了/是/吗: "这放假方式有点奇特啊"
  is a reply, "发帖子" a button).
- `headline`: at most HEADLINE_CHARS characters and no sentence-final punctuation.
- `text`: everything else, and any line that looks like code (code posts keep their code).

Chrome lines go wherever they are. Runs of consecutive non-text lines go when long enough:
menus and headline lists are runs. Before the first and after the last text line (a page's
header and footer) shorter runs suffice than between text lines, where a run is as likely a
list, a table or a thread of short replies. The first line stays unless it is chrome (in a
WET record it is the page's title), and so does a line the title contains (the article's
heading). Lines recurring across a site's pages are a corpus-wide matter, removed later by
the dedup stage (filters/lines.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SHORT_CHARS = 16
HEADLINE_CHARS = 30
CHROME_CHARS = 24  # a chrome word condemns a line only this short
LICENCE_CHARS = 120  # a copyright/ICP pattern condemns a line this short
MIN_FUNCTION_CHARS = 2
MENU_TOKENS = 4  # a line of this many whitespace-separated tokens ...
MENU_TOKEN_CHARS = 4.5  # ... of at most this mean length is a menu ("国情 助残 一带一路 海洋")
# (run of short/chrome lines only, run of any non-text lines) that is removed:
EDGE_RUNS = (3, 4)  # in the header and footer
MIDDLE_RUNS = (6, 8)  # between text lines

_SENTENCE = re.compile(r"[。！？；，!?;,：:]")
_FINAL = re.compile(r"[。！？!?；;…]")
_CODE = re.compile(r"[{};=$\\<>]|[A-Za-z_][\w.]*\(|^\s{2,}\S")
_LICENCE = re.compile(r"ICP备|ICP证|公网安备|增值电信|版权所有|[Cc]opyright|©|[Aa]ll [Rr]ights [Rr]eserved|违法和不良信息举报")
_CHROME = re.compile(r"上一篇|下一篇|返回顶部|返回首页|分享到|扫一扫|免责声明|联系我们|关于我们|网站地图|设为首页|加入收藏|加载中"
                     r"|点击查看|阅读全文|展开全文|查看更多|更多|展开|收起|登录|注册|举报|回复|评论|点赞|收藏|当前位置|您的位置"
                     # the widgets of Baidu Tieba/Zhidao and Discuz! forums, a large share of Chinese crawl
                     r"|此楼|我来答|抢首赞|已赞过|已踩过|只看楼主|只看该作者|倒序浏览|复制链接|快速回复|返回列表")
# A line that starts so is chrome whatever follows ("上一篇：<title>", "当前位置：首页 > 新闻").
_CHROME_START = re.compile(r"(上一篇|下一篇|上一条|下一条|上一页|下一页|当前位置|您的位置|您现在的位置|分享到|相关阅读|相关推荐|相关文章|热门推荐|猜你喜欢)[:：]?")
PREFIXED_CHARS = 60
# Breadcrumbs: two or more separators between short segments ("首页 > 新闻 > 本地").
_CRUMB_SEPARATOR = re.compile(r"\s*(?:>>?|»|›|→)\s*|\s+[/|｜-]\s+")  # "2024-05-24" is no breadcrumb
CRUMB_SEGMENT_CHARS = 12
_HOME = re.compile(r"(?:当前位置|您的位置|位置)?[:：]?(?:首页|主页|网站首页|[Hh]ome)")
# Pronouns and particles of speech: frequent in a reply, rare in a headline or a menu.
_FUNCTION = frozenset("我你他她们这那就都也很没吧啊呢吗么哦呀嘛啦呗了")

TEXT, SHORT, HEADLINE, CHROME, BLANK = "text", "short", "headline", "chrome", "blank"


@dataclass(frozen=True)
class NavigationCut:
    text: str
    lines: int  # lines removed
    chars: int  # characters removed (whitespace excluded)


def line_kind(line: str) -> str:
    compact = "".join(line.split())
    if not compact:
        return BLANK
    n = len(compact)
    if n <= LICENCE_CHARS and _LICENCE.search(compact):
        return CHROME
    if n <= PREFIXED_CHARS and _CHROME_START.match(compact):
        return CHROME
    sentence = _SENTENCE.search(compact) is not None
    segments = _CRUMB_SEPARATOR.split(line.strip())
    if len(segments) >= 3 and not sentence and (
            all(0 < len(seg) <= CRUMB_SEGMENT_CHARS for seg in segments) or _HOME.fullmatch(segments[0])):
        return CHROME
    if n <= CHROME_CHARS and not sentence and _CHROME.search(compact):
        return CHROME
    if _CODE.search(line):
        return TEXT
    tokens = line.split()
    if len(tokens) >= MENU_TOKENS and not sentence and n / len(tokens) <= MENU_TOKEN_CHARS:
        return CHROME
    function_chars = sum(c in _FUNCTION for c in compact)
    if n <= SHORT_CHARS and not sentence:
        return TEXT if function_chars >= MIN_FUNCTION_CHARS else SHORT
    if n <= HEADLINE_CHARS and not (_FINAL.search(compact) or sentence and function_chars >= MIN_FUNCTION_CHARS):
        return HEADLINE
    return TEXT


def remove_navigation(text: str) -> NavigationCut:
    """`text` without its navigation and boilerplate lines (module docstring)."""
    lines = text.split("\n")
    kinds = [line_kind(line) for line in lines]
    drop = [kind == CHROME for kind in kinds]
    present = [i for i, kind in enumerate(kinds) if kind != BLANK]
    texts = [i for i in present if kinds[i] == TEXT]
    first_text, last_text = (texts[0], texts[-1]) if texts else (len(lines), -1)
    title = present[0] if present and kinds[present[0]] != CHROME else -1
    title_compact = "".join(lines[title].split()) if title >= 0 else ""

    def is_heading(i: int) -> bool:  # the article's own heading repeats its title
        compact = "".join(lines[i].split())
        return i == title or (len(compact) >= 4 and compact in title_compact)

    def judge(run: list[int]) -> None:
        if not run:
            return
        only_short, any_kind = MIDDLE_RUNS if first_text < run[0] and run[-1] < last_text else EDGE_RUNS
        if len(run) >= any_kind or (len(run) >= only_short and all(kinds[i] != HEADLINE for i in run)):
            for i in run:
                drop[i] = drop[i] or not is_heading(i)

    run: list[int] = []
    for i in present:
        if kinds[i] == TEXT:
            judge(run)
            run = []
        else:
            run.append(i)
    judge(run)
    if not any(drop):
        return NavigationCut(text, 0, 0)
    kept = "\n".join(line for line, gone in zip(lines, drop) if not gone)
    removed = [lines[i] for i, gone in enumerate(drop) if gone]
    return NavigationCut(kept.strip("\n"), len(removed), sum(len("".join(line.split())) for line in removed))
