"""A realistic synthetic crawl for benchmarks: WARC files of Chinese pages with site
chrome, in UTF-8 and GBK (declared in the header or only in <meta>), plus exact
duplicates, English pages, short pages and pathological junk.

    python benchmarks/corpus.py OUT_DIR [--pages 20000] [--files 4] [--seed 0]

Paragraph text comes from CLUECorpusSmall (../shared/realdata/07_...) when present,
otherwise from sample_data/articles.py. Same arguments, same bytes.
"""
from __future__ import annotations

import argparse
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

NAV = "".join(f"<li><a href='/c/{i}'>{name}</a></li>" for i, name in enumerate(
    ["首页", "新闻", "财经", "科技", "体育", "娱乐", "汽车", "房产", "教育", "旅游", "健康", "论坛"]))
FOOTER = ("<div class='footer'><p><a href='/about'>关于我们</a> | <a href='/contact'>联系我们</a> | "
          "<a href='/map'>网站地图</a></p><p>Copyright © 2024 示例门户 版权所有 京ICP备{n}号 京公网安备{n}号</p></div>")
RELATED = "<div class='related'><h3>相关阅读</h3><ul>{items}</ul></div>"


def sentence_pool() -> list[str]:
    if os.path.exists(CLUE):
        text = open(CLUE, encoding="utf-8").read()
        pool = [s.strip() for s in _SENTENCE.findall(text) if 12 <= len(s.strip()) <= 120]
        if len(pool) > 1000:
            return pool
    return [p for _t, pars in [*ZH.values(), ZH_MIXED] for p in pars]


def chinese_page(rng: random.Random, pool: list[str], n: int) -> tuple[str, str]:
    title = rng.choice(pool)[:24]
    paragraphs = ["".join(rng.choice(pool) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(3, 9))]
    related = "".join(f"<li><a href='/a/{rng.randint(1, 10**6)}'>{rng.choice(pool)[:20]}</a></li>" for _ in range(6))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f"<html><head><title>{title}_示例门户</title><style>.nav li{{display:inline}}</style>"
            f"<script>var _hmt = _hmt || []; window.ads = '广告位';</script></head><body>"
            f"<div class='header'><ul class='nav'>{NAV}</ul></div>"
            f"<div class='main'><div class='article'><h1>{title}</h1><div class='info'>来源：示例门户 2024-05-{n % 28 + 1:02d}</div>"
            f"{body}</div>{RELATED.format(items=related)}</div>{FOOTER.format(n=10000000 + n % 997)}</body></html>")
    return title, html


def pages(n_pages: int, seed: int):
    """(url, HTTP response bytes, kind) for every page; kind is zh, dup, en, short or junk."""
    rng = random.Random(seed)
    pool = sentence_pool()
    english = [" ".join(pars) for _t, pars in EN.values()]
    made: list[bytes] = []
    for n in range(n_pages):
        roll = rng.random()
        url = f"http://site{rng.randint(1, 5000)}.example.cn/{n}.html"
        if roll < 0.05 and made:  # an exact duplicate of an earlier page
            yield url, rng.choice(made), "dup"
            continue
        if roll < 0.08:
            body = f"<html><body><p>{rng.choice(english) * rng.randint(1, 4)}</p></body></html>".encode()
            response, kind = http_response(body, "text/html; charset=utf-8"), "en"
        elif roll < 0.10:
            body = f"<html><body><p>{rng.choice(pool)}</p></body></html>".encode()
            response, kind = http_response(body, "text/html; charset=utf-8"), "short"
        elif roll < 0.11:
            body = f"<html><body><pre>{rng.choice('/-=*.') * rng.randint(2000, 40000)}</pre></body></html>".encode()
            response, kind = http_response(body, "text/html; charset=utf-8"), "junk"
        else:
            kind = "zh"
            _title, html = chinese_page(rng, pool, n)
            charset_roll = rng.random()
            if charset_roll < 0.7:
                response = http_response(html.encode("utf-8"), "text/html; charset=utf-8")
            elif charset_roll < 0.85:
                response = http_response(html.encode("gb18030"), "text/html; charset=gbk")
            else:
                meta = html.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
                response = http_response(meta.encode("gb18030"), "text/html")
            made.append(response)
        yield url, response, kind


def write_corpus(out_dir: str, n_pages: int = 20000, n_files: int = 4, seed: int = 0) -> list[str]:
    """Writes the WARC files and labels.json (url -> kind) into out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, f"bench-{i:05d}.warc.gz") for i in range(n_files)]
    files = [open(p, "wb") for p in paths]
    labels = {}
    try:
        for i, (url, response, kind) in enumerate(pages(n_pages, seed)):
            labels[url] = kind
            files[i % n_files].write(gzip_member(warc_record("response", url, response, "application/http; msgtype=response")))
    finally:
        for f in files:
            f.close()
    with open(os.path.join(out_dir, "labels.json"), "w") as f:
        json.dump(labels, f)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = write_corpus(args.out, args.pages, args.files, args.seed)
    total = sum(os.path.getsize(p) for p in paths)
    print(f"{args.pages} pages in {len(paths)} files, {total / 1e6:.1f} MB compressed -> {args.out}")


if __name__ == "__main__":
    main()
