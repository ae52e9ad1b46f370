"""Builds sample_data/ deterministically: two WARC files and one curated JSONL file.

    python sample_data/make_sample.py

Every page is here for a reason (the expected outcome is in EXPECTED, which the
tests compare with what the pipeline does):
UTF-8, GBK (declared in the header, only in <meta>, and wrongly declared UTF-8),
Big5 Traditional Chinese, Chinese with some English, English, Japanese, a page of
30,000 slashes, an image, a 404, a short page, exact duplicates within the crawl,
across files and encodings, and between crawl and the curated source.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from articles import EN, JA, ZH, ZH_MIXED, ZH_TRADITIONAL  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATE = "2024-03-01T12:00:00Z"

CHROME_TOP = "<div class='nav'><a href='/'>首页</a> | <a href='/news'>新闻</a> | <a href='/about'>关于我们</a></div>"
CHROME_BOTTOM = ("<div class='footer'><p>相关阅读：<a href='/a'>更多文章</a> <a href='/b'>热门推荐</a></p>"
                 "<p>Copyright 2024 示例网站 版权所有 京ICP备12345678号</p></div>")


def article_text(title: str, paragraphs: list[str]) -> str:
    return "\n\n".join([title, *paragraphs])


def article_html(title: str, paragraphs: list[str], meta_charset: str | None = None, chrome: bool = True) -> str:
    """A page with navigation, footer, style and script around the article (chrome=False
    leaves them out, for pages in encodings that cannot hold the Simplified chrome)."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">' if meta_charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    script = "<style>body{font-size:14px}</style><script>var x = '脚本不是正文';</script>" if chrome else ""
    top, bottom = (CHROME_TOP, CHROME_BOTTOM) if chrome else ("", "")
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title}</title>{script}</head>"
            f"<body>{top}<article><h1>{title}</h1>{body}</article>{bottom}</body></html>")


def warc_record(rtype: str, url: str, block: bytes, content_type: str, extra: str = "") -> bytes:
    rid = uuid.uuid5(uuid.NAMESPACE_URL, f"{rtype}:{url}")
    head = (f"WARC/1.0\r\nWARC-Type: {rtype}\r\nWARC-Record-ID: <urn:uuid:{rid}>\r\nWARC-Date: {DATE}\r\n"
            f"WARC-Target-URI: {url}\r\n{extra}Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def gzip_member(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:  # mtime=0: same bytes every run
        gz.write(data)
    return buf.getvalue()


def http_response(body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def write_warc(path: str, pages: list[tuple[str, bytes]]) -> None:
    """pages: (url, HTTP response bytes). Each page gets request, response and metadata
    records, as in Common Crawl; one gzip member per record."""
    info = b"software: zhpile make_sample.py\r\nformat: WARC File Format 1.0\r\n"
    members = [warc_record("warcinfo", "urn:zhpile:sample", info, "application/warc-fields")]
    for url, response in pages:
        members.append(warc_record("request", url, f"GET / HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n".encode(),
                               "application/http; msgtype=request"))
        members.append(warc_record("response", url, response, "application/http; msgtype=response"))
        members.append(warc_record("metadata", url, b"fetchTimeMs: 100\r\n", "application/warc-fields"))
    with open(path, "wb") as f:
        for m in members:
            f.write(gzip_member(m))


def html_page(key: str, encoding: str = "utf-8", header: str | None = "same", meta: str | None = None) -> bytes:
    title, paragraphs = ZH[key] if key in ZH else EN[key]
    body = article_html(title, paragraphs, meta).encode(encoding)
    header_cs = encoding if header == "same" else header
    return http_response(body, f"text/html; charset={header_cs}" if header_cs else "text/html")


# url -> expected outcome: "clean", a rejection reason, or "one_of:GROUP" for crawl
# copies of one text, of which exactly one is kept (the smallest id) and the rest are dup_exact.
EXPECTED: dict[str, str] = {}


def crawl_pages_0() -> list[tuple[str, bytes]]:
    trad_title, trad_pars = ZH_TRADITIONAL
    mixed_title, mixed_pars = ZH_MIXED
    ja_title, ja_pars = JA
    slashes = http_response(("<html><body><pre>" + "/" * 30000 + "</pre></body></html>").encode(), "text/html; charset=utf-8")
    png = http_response(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "image/png")
    short = http_response(article_html("短讯", ["今天天气晴朗。"]).encode(), "text/html; charset=utf-8")
    missing = http_response("<html><body><h1>404 页面不存在</h1></body></html>".encode(), "text/html; charset=utf-8", "404 Not Found")
    pages = [
        ("http://park.example.cn/a/1.html", html_page("park"), "one_of:park"),
        ("http://tea.example.cn/gbk-header.html", html_page("tea", "gbk"), "one_of:tea"),
        ("http://news.example.cn/river/gbk-meta-only.html", html_page("river", "gbk", header=None, meta="gb2312"), "clean"),
        ("http://www.nongye.gov.cn/declared-utf8-but-gbk.html", html_page("rice", "gbk", header="utf-8"), "clean"),
        ("http://data.example.cn/copy-of-wiki.html", html_page("data"), "dup_exact"),
        ("http://tw.example.com/big5.html",
         http_response(article_html(trad_title, trad_pars, chrome=False).encode("big5"), "text/html; charset=big5"), "clean"),
        # Near duplicate of the curated entry wiki-mixed (which adds a sentence): curated wins.
        ("http://py.example.cn/mixed.html", http_response(article_html(mixed_title, mixed_pars).encode(), "text/html; charset=utf-8"), "dup_near"),
        ("http://garden.example.com/tomatoes.html", html_page("garden"), "lang"),
        ("http://jp.example.jp/shiki.html",
         http_response(article_html(ja_title, ja_pars, "euc-jp", chrome=False).encode("euc-jp"), "text/html"), "lang"),
        ("http://junk.example.com/slashes.html", slashes, "char_run"),
        ("http://img.example.cn/logo.png", png, "non_text"),
        ("http://short.example.cn/brief.html", short, "too_short"),
        ("http://gone.example.cn/missing.html", missing, "http_status"),
        ("http://mirror.example.cn/park-copy.html", html_page("park"), "one_of:park"),
    ]
    EXPECTED.update({url: outcome for url, _r, outcome in pages})
    return [(url, response) for url, response, _o in pages]


def crawl_pages_1() -> list[tuple[str, bytes]]:
    pages = [
        ("http://moon.example.cn/tidal-lock.html", html_page("moon"), "dup_exact"),
        ("http://bbs.example.cn/zhongqiu.html", html_page("festival"), "clean"),
        # The curated wiki-code-intro holds three of its four paragraphs: a near duplicate.
        ("http://code.example.cn/learn.html", html_page("code"), "dup_near"),
        ("http://bikes.example.com/care.html", html_page("bikes"), "lang"),
        # The GBK tea page again, now in UTF-8 on another site: an exact duplicate across
        # files and encodings.
        ("http://mirror.example.cn/tea-utf8.html", html_page("tea"), "one_of:tea"),
    ]
    EXPECTED.update({url: outcome for url, _r, outcome in pages})
    return [(url, response) for url, response, _o in pages]


def wiki_lines() -> list[str]:
    code_title, code_pars = ZH["code"]
    rows = [
        {"id": "wiki-data", "url": "https://wiki.example.org/数据清洗", "text": article_text(*ZH["data"])},
        {"id": "wiki-moon", "url": "https://wiki.example.org/潮汐锁定", "text": article_text(*ZH["moon"])},
        {"id": "wiki-code-intro", "url": None, "text": article_text(code_title + "（节选）", code_pars[:3])},
        {"id": "wiki-mixed", "text": article_text(*ZH_MIXED) + "\n\n本条目介绍了常用工具。"},
        {"id": "wiki-stub", "text": "这是一个很短的条目。"},
    ]
    expected = {"wiki-data": "clean", "wiki-moon": "clean", "wiki-code-intro": "clean", "wiki-mixed": "clean",
                "wiki-stub": "too_short"}
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(2, '{"id": "wiki-broken", "text": "这一行的 JSON 没有结束')
    lines.append(json.dumps({"id": "wiki-null", "text": None}))
    lines.append(json.dumps({"id": "wiki-notext", "title": "没有正文字段"}, ensure_ascii=False))
    EXPECTED.update({f"wiki:{k}": v for k, v in expected.items()})
    EXPECTED.update({"wiki:line3": "bad_json", "wiki:wiki-null": "no_text", "wiki:wiki-notext": "no_text"})
    return lines


def write_tokenizer(path: str) -> None:
    """A GPT-2-style byte-level BPE (1,000 ids, EOS <|endoftext|>) trained on the Chinese
    articles above, for the sample's token ids: small, shipped, and exact on any text
    (training is deterministic, so this file is reproducible)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([p for _t, pars in ZH.values() for p in pars], trainer)
    tok.save(path)


def main(out_dir: str = HERE) -> None:
    os.makedirs(os.path.join(out_dir, "cc"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "wiki"), exist_ok=True)
    write_warc(os.path.join(out_dir, "cc", "crawl-00000.warc.gz"), crawl_pages_0())
    write_warc(os.path.join(out_dir, "cc", "crawl-00001.warc.gz"), crawl_pages_1())
    with open(os.path.join(out_dir, "wiki", "wiki-00000.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(wiki_lines()) + "\n")
    write_tokenizer(os.path.join(out_dir, "tokenizer.json"))
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(EXPECTED, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
