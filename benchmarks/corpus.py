"""A realistic synthetic crawl for benchmarks: WARC files laid out as Common Crawl's
(request, response and metadata records, one gzip member each) holding Chinese pages in
UTF-8 and GBK (declared in the header or only in <meta>) inside site chrome of the size
real pages carry (head scripts and styles, navigation, side lists, footer: about 30 KB of
HTML a page, as the Common Crawl sample in ../shared/realdata has), plus exact duplicates,
reposts of an article on another site with a few sentences changed (near duplicates),
English pages, short pages and pathological junk.

    python benchmarks/corpus.py OUT_DIR [--pages N | --mb MB] [--files 4] [--seed 0] [--small]

`--small`: the small-page, duplicate-heavy profile (no head scripts or styles, short
articles, a third of the pages exact or near copies: ~2 KB of WARC.gz a page), where a
system's per-document cost, not its bytes, sets the pace.

Paragraph text comes from CLUECorpusSmall (../shared/realdata/07_...) when present,
otherwise from sample_data/articles.py. Same arguments, same bytes.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from sample_data.articles import EN, ZH, ZH_MIXED  # noqa: E402
from sample_data.make_sample import gzip_member, http_response, warc_record  # noqa: E402

CLUE = os.path.join(ROOT, "..", "shared", "realdata", "07_uer-py_CLUECorpusSmall_sampled.txt")
_SENTENCE = re.compile(r"[^。！？]*[。！？]")
N_SITES = 3000
SECTIONS = ["首页", "新闻", "国内", "国际", "财经", "股票", "科技", "手机", "体育", "娱乐", "汽车", "房产", "教育",
            "旅游", "健康", "女性", "游戏", "文化", "历史", "军事", "视频", "图片", "论坛", "博客", "专题", "公益"]


@functools.cache
def sentence_pool() -> list[str]:
    if os.path.exists(CLUE):
        text = open(CLUE, encoding="utf-8").read()
        pool = [s.strip() for s in _SENTENCE.findall(text) if 12 <= len(s.strip()) <= 120]
        if len(pool) > 1000:
            return pool
    return [p for _t, pars in [*ZH.values(), ZH_MIXED] for p in pars]


_WORDS = ("nav ad box list item main top side foot head btn img pic txt title link more hot news new tab menu user "
          "login share page next prev slide wrap inner outer show hide left right col row fix clear load data info").split()


def _ident(rng: random.Random) -> str:
    """A name as sites make them: a few English words joined (compresses as real code does)."""
    return "_".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))


def _script(rng: random.Random) -> str:
    """Minified-looking site JavaScript: analytics loaders, config objects, small functions."""
    parts = [f"var _hmt=_hmt||[];(function(){{var hm=document.createElement('script');"
             f"hm.src='https://hm.baidu.com/hm.js?{rng.getrandbits(128):032x}';"
             f"var s=document.getElementsByTagName('script')[0];s.parentNode.insertBefore(hm,s);}})();"]
    for _ in range(rng.randint(30, 80)):
        name, arg = _ident(rng), _ident(rng)
        parts.append(rng.choice([
            f"function {name}({arg}){{if(!{arg}||{arg}.length<{rng.randint(2, 9)}){{return null;}}"
            f"return {arg}.split('{rng.choice(',;|')}').map(function(v){{return parseInt(v,10)+{rng.randint(1, 99)};}});}}",
            f"window.{name}={{id:'{rng.getrandbits(40):x}',pos:{rng.randint(1, 30)},w:{rng.choice([300, 640, 728, 960])},"
            f"h:{rng.choice([90, 250, 280])},src:'//img{rng.randint(1, 9)}.cache.example.net/{_ident(rng)}/{rng.getrandbits(32):x}.js'}};",
            f"$('.{name}').on('click',function(e){{e.preventDefault();$(this).toggleClass('{arg}-on');"
            f"$('#{_ident(rng)}').slideToggle({rng.randint(100, 400)});}});",
            f"var {name}=document.getElementById('{arg}');if({name}){{{name}.style.display='{rng.choice(['none', 'block'])}';}}",
        ]))
    return "".join(parts)


def _style(rng: random.Random) -> str:
    rules = []
    for _ in range(rng.randint(60, 140)):
        rules.append(f".{_ident(rng)} .{_ident(rng)}{{margin:{rng.randint(0, 20)}px {rng.randint(0, 20)}px;"
                     f"padding:{rng.randint(0, 12)}px;color:#{rng.getrandbits(24):06x};font-size:{rng.randint(12, 18)}px;"
                     f"line-height:{rng.randint(18, 30)}px{';float:left' if rng.random() < 0.3 else ''}}}")
    return "".join(rules)


@functools.lru_cache(maxsize=N_SITES)
def site_chrome(site: int) -> tuple[str, str, str]:
    """(head, header, footer) HTML of a site: every page of a site shares its template."""
    rng = random.Random(site)
    pool = sentence_pool()
    name = rng.choice(pool)[:4] + "网"
    metas = "".join(f'<meta name="{k}" content="{rng.choice(pool)[:30]}">' for k in ("keywords", "description", "author"))
    links = "".join(f'<link rel="stylesheet" href="//static.site{site}.example.cn/css/{_ident(rng)}.css?v={rng.randint(1, 999)}">'
                    for _ in range(rng.randint(2, 6)))
    head = (f'<meta name="viewport" content="width=device-width,initial-scale=1">{metas}{links}'
            f"<style>{_style(rng)}</style><script>{_script(rng)}</script>")
    nav = "".join(f"<li><a href='/{_ident(rng)}/'>{rng.choice(SECTIONS)}</a></li>" for _ in range(rng.randint(20, 45)))
    header = (f"<div class='top'><a href='/'>{name}</a> <a href='/login'>登录</a> <a href='/reg'>注册</a></div>"
              f"<div class='nav'><ul>{nav}</ul></div>")
    friends = "".join(f"<a href='http://{_ident(rng)}.example.com/'>{rng.choice(pool)[:6]}</a> " for _ in range(rng.randint(10, 30)))
    footer = (f"<div class='links'>友情链接：{friends}</div><div class='footer'><p><a href='/about'>关于我们</a> | "
              f"<a href='/contact'>联系我们</a> | <a href='/ad'>广告服务</a> | <a href='/map'>网站地图</a></p>"
              f"<p>Copyright © 2008-2024 {name} 版权所有 京ICP备{rng.randint(10**7, 10**8)}号</p></div>"
              f"<script>{_script(rng)}</script>")
    return head, header, footer


def _side_list(rng: random.Random, pool: list[str], title: str) -> str:
    items = "".join(f"<li><a href='/a/{rng.randint(1, 10**7)}.html'>{rng.choice(pool)[:rng.randint(10, 22)]}</a>"
                    f"<span>{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}</span></li>" for _ in range(rng.randint(8, 15)))
    return f"<div class='box'><h3>{title}</h3><ul>{items}</ul></div>"


def article(rng: random.Random, pool: list[str], small: bool = False) -> tuple[str, list[str]]:
    title = rng.choice(pool)[:24]
    n_paragraphs = rng.randint(2, 4) if small else rng.randint(3, 9)
    return title, ["".join(rng.choice(pool) for _ in range(rng.randint(2, 5))) for _ in range(n_paragraphs)]


def chinese_page(rng: random.Random, pool: list[str], site: int, n: int, title: str, paragraphs: list[str],
                 small: bool = False) -> str:
    head, header, footer = site_chrome(site)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    side = "".join(_side_list(rng, pool, t) for t in ("热点新闻", "推荐阅读", "排行榜")[:rng.randint(1, 3)])
    if small:  # a light template: no head scripts or styles, no friend links, one side list
        head, footer = head[: head.index("<style>")], footer[footer.index("<div class='footer'>"): footer.index("<script>")]
        side = side[: side.index("</div>") + 6]
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_{SECTIONS[n % len(SECTIONS)]}</title>{head}</head><body>"
            f"{header}<div class='crumb'><a href='/'>首页</a> &gt; <a href='/news/'>{SECTIONS[n % len(SECTIONS)]}</a> &gt; 正文</div>"
            f"<div class='main'><div class='article'><h1>{title}</h1>"
            f"<div class='info'>来源：{rng.choice(pool)[:4]} 2024-05-{n % 28 + 1:02d} 责任编辑：{rng.choice(pool)[:2]}</div>"
            f"{body}<div class='share'>分享到：微博 微信 QQ空间</div></div>"
            f"<div class='side'>{side}</div></div>{footer}</body></html>")


def _encode(rng: random.Random, html: str) -> bytes:
    """UTF-8 (70%), GBK declared in the HTTP header (15%) or only in <meta> (15%)."""
    roll = rng.random()
    if roll < 0.7:
        return http_response(html.encode("utf-8"), "text/html; charset=utf-8")
    gbk = html.replace("<meta charset='utf-8'>", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    return http_response(gbk.encode("gb18030"), "text/html; charset=gbk" if roll < 0.85 else "text/html")


def repost(rng: random.Random, pool: list[str], paragraphs: list[str]) -> list[str]:
    """The same article as another site reposts it: one or two sentences replaced."""
    edited = list(paragraphs)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(edited))
        edited[i] = edited[i][: len(edited[i]) // 2] + rng.choice(pool)
    return edited


def pages(n_pages: int | None, seed: int, small: bool = False):
    """(url, HTTP response bytes, kind, group) for every page; kind is zh, dup, near, en,
    short or junk; copies (dup, near) share the group of the page they copy. Endless when
    n_pages is None. `small`: light pages, and 15% exact and 15% near copies (not 5% and 3%)."""
    dup, near = (0.15, 0.30) if small else (0.05, 0.08)
    rng = random.Random(seed)
    pool = sentence_pool()
    english = [" ".join(pars) for _t, pars in EN.values()]
    made: list[tuple[bytes, int]] = []
    articles: list[tuple[str, list[str], int]] = []
    n = 0
    while n_pages is None or n < n_pages:
        roll = rng.random()
        site = rng.randint(1, N_SITES)
        url = f"http://site{site}.example.cn/{n}.html"
        group = n
        if roll < dup and made:  # the same bytes as an earlier page
            (response, group), kind = rng.choice(made), "dup"
        elif roll < near and articles:  # an earlier article on another site, lightly edited
            title, paragraphs, group = rng.choice(articles)
            response, kind = _encode(rng, chinese_page(rng, pool, site, n, title, repost(rng, pool, paragraphs), small)), "near"
        elif roll < near + 0.03:
            body = f"<html><body><p>{rng.choice(english) * rng.randint(1, 4)}</p></body></html>".encode()
            response, kind = http_response(body, "text/html; charset=utf-8"), "en"
        elif roll < near + 0.05:
            body = f"<html><body><p>{rng.choice(pool)}</p></body></html>".encode()
            response, kind = http_response(body, "text/html; charset=utf-8"), "short"
        elif roll < near + 0.06:
            body = f"<html><body><pre>{rng.choice('/-=*.') * rng.randint(2000, 40000)}</pre></body></html>".encode()
            response, kind = http_response(body, "text/html; charset=utf-8"), "junk"
        else:
            title, paragraphs = article(rng, pool, small)
            response, kind = _encode(rng, chinese_page(rng, pool, site, n, title, paragraphs, small)), "zh"
            made.append((response, n))
            articles.append((title, paragraphs, n))
        yield url, response, kind, group
        n += 1


def crawl_records(url: str, response: bytes) -> bytes:
    """request, response and metadata records of one fetch, as Common Crawl writes them."""
    host = url.split("/")[2]
    request = f"GET /{url.split('/', 3)[3]} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: CCBot/2.0\r\n\r\n".encode()
    metadata = b"fetchTimeMs: 187\r\ncharset-detected: UTF-8\r\n"
    return (gzip_member(warc_record("request", url, request, "application/http; msgtype=request"))
            + gzip_member(warc_record("response", url, response, "application/http; msgtype=response"))
            + gzip_member(warc_record("metadata", url, metadata, "application/warc-fields")))


def write_corpus(out_dir: str, n_pages: int | None = 20000, n_files: int = 4, seed: int = 0, mb: float | None = None,
                 small: bool = False) -> list[str]:
    """Writes the WARC files and labels.json (url -> [kind, group]) into out_dir: n_pages
    pages, or as many as make `mb` megabytes of compressed WARC; `small`: the small-page profile."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, f"bench-{i:05d}.warc.gz") for i in range(n_files)]
    files = [open(p, "wb") for p in paths]
    labels, written = {}, 0
    try:
        for i, (url, response, kind, group) in enumerate(pages(None if mb else n_pages, seed, small)):
            if mb and written >= mb * 1e6:
                break
            labels[url] = [kind, group]
            data = crawl_records(url, response)
            files[i % n_files].write(data)
            written += len(data)
    finally:
        for f in files:
            f.close()
    with open(os.path.join(out_dir, "labels.json"), "w") as f:
        json.dump(labels, f)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--pages", type=int, default=20000)
    size.add_argument("--mb", type=float, help="compressed size to reach instead of a page count")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--small", action="store_true", help="the small-page, duplicate-heavy profile")
    args = parser.parse_args()
    paths = write_corpus(args.out, args.pages, args.files, args.seed, mb=args.mb, small=args.small)
    total = sum(os.path.getsize(p) for p in paths)
    n = len(json.load(open(os.path.join(args.out, "labels.json"))))
    print(f"{n} pages in {len(paths)} files, {total / 1e6:.1f} MB compressed -> {args.out}")


if __name__ == "__main__":
    main()
