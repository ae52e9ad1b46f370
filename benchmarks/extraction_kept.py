"""Extraction as the pipeline does it, on the real pages with a human reference: every page
goes in as crawled bytes through `zhpile.explain` (charset, extraction, every per-document
rule at the defaults), and the text it keeps is compared with the reference.

    python benchmarks/extraction_kept.py [--lines]

Sets: the magic-html article and forum pages (../shared/realdata/05_*) and the
immortal-autumn pages (09_*, the half we have; the other half is held out by the issue's
author and never seen here), split again: a fixed half by file name (`nine_half`) is held out
from tuning here too. References are normalised as zhpile normalises its output
(Traditional -> Simplified, width, spaces), so a converted character is not counted lost. Per set: pages kept, and character 3-gram precision, recall
and F1 (benchmarks/extraction.py's measure) averaged over kept pages, and over all pages
with a dropped page scoring 0.

Where precision goes: each kept line whose 3-grams are less than half in the reference is
boilerplate; the table gives each kind's share of all kept characters (whitespace
excluded), the kind judged by the line's text (first match in the order listed). `--lines`
prints the boilerplate lines themselves.
"""
from __future__ import annotations

import argparse
import collections
import glob
import hashlib
import os
import re
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import zhpile  # noqa: E402
from benchmarks.extraction import in_reference, prf, trigrams  # noqa: E402
from benchmarks.rule_confusion import SHARED  # noqa: E402
from zhpile.filters.normalize import normalize_text, to_simplified  # noqa: E402

_WS = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？!?；;…]")
_DATE = re.compile(r"(19|20)\d\d\s*[-/年.]\s*\d{1,2}|\d{1,2}:\d\d|发布时间|发表于|来源[:：]|作者[:：]|编辑[:：]|责任编辑|浏览|阅读[:：(（\d]|点击[:：\d]")
_WIDGET = re.compile(r"分享|评论|点赞|收藏|转发|回复|举报|打印|关闭|字号|顶\d|踩|引用|楼主|沙发|板凳|收起|展开|关注|订阅|二维码|扫码|微信|微博")
_LEGAL = re.compile(r"版权|Copyright|copyright|©|ICP|备案|转载|免责|声明|All rights|保留所有|未经")
_NAV = re.compile(r"首页|上一[篇页]|下一[篇页]|返回|相关|推荐|热门|更多|专题|栏目|导航|当前位置|您的位置|排行|最新|精彩")
KINDS = ("title repeated", "date, byline, source, counters", "share/comment/forum widgets", "copyright, licence, disclaimer",
         "navigation, related, 'more' words", "short line, no sentence end (<=30)", "list of short lines (headlines)",
         "other prose")


def _reference(text: str) -> str:
    return to_simplified(normalize_text(text))[0]


def nine_half(name: str) -> str:
    """'dev' or 'held-out': a fixed half of the 09 pages by a hash of the file name. Extraction
    is tuned on 05, 06 and the dev half only; the held-out half is reported, never tuned on."""
    return "dev" if hashlib.sha1(os.path.basename(name).encode()).digest()[0] % 2 == 0 else "held-out"


def pages() -> list[tuple[str, str, bytes, str]]:
    """(set, key, crawled bytes, reference) of the 05 and 09 pages."""
    out = []
    with tarfile.open(glob.glob(os.path.join(SHARED, "05_*.tar.gz"))[0]) as tar:
        import json

        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for name in sorted(members):
            if name.endswith("base_zh_subset.json"):
                kind = name.split("/")[-2]
                for sha, entry in sorted(json.load(tar.extractfile(members[name])).items()):
                    html = f"{os.path.dirname(name)}/htmls/{sha}.html"
                    if html in members:
                        out.append((f"05 {kind}", sha, tar.extractfile(members[html]).read(), _reference(entry["content"])))
    with tarfile.open(glob.glob(os.path.join(SHARED, "09_*.tar.gz"))[0]) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for name in sorted(members):
            reference = name.replace("/original/", "/cleaned/").rsplit(".", 1)[0] + ".txt"
            if "/original/" in name and reference in members:
                out.append((f"09 {nine_half(name)}", os.path.basename(name), tar.extractfile(members[name]).read(),
                            _reference(tar.extractfile(members[reference]).read().decode("utf-8"))))
    return out


def boilerplate_kind(line: str, title: str, neighbours_short: bool) -> str:
    compact = _WS.sub("", line)
    if title and len(compact) >= 4 and (compact in _WS.sub("", title) or _WS.sub("", title) in compact and len(compact) < 2 * len(title)):
        return KINDS[0]
    if len(compact) < 80:
        for kind, pattern in zip(KINDS[1:5], (_DATE, _WIDGET, _LEGAL, _NAV)):
            if pattern.search(compact):
                return kind
    if len(compact) <= 30 and not _SENTENCE_END.search(compact):
        return KINDS[6] if neighbours_short else KINDS[5]
    return KINDS[7]


def boilerplate_lines(text: str, reference: str, title: str) -> list[tuple[str, str]]:
    """(kind, line) of each kept line that is less than half in the reference."""
    ref_grams, ref_compact = trigrams(reference), _WS.sub("", reference)
    lines = [line for line in text.split("\n") if _WS.sub("", line)]
    short = [len(_WS.sub("", line)) <= 30 and not _SENTENCE_END.search(line) for line in lines]
    out = []
    for i, line in enumerate(lines):
        if not in_reference(line, ref_grams, ref_compact):
            run = sum(short[max(0, i - 2):i + 3]) >= 3
            out.append((boilerplate_kind(line, title, short[i] and run), line))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", action="store_true", help="print every boilerplate line with its kind")
    args = ap.parse_args()
    by_set = collections.defaultdict(list)
    kinds = collections.Counter()
    kept_chars = 0
    for name, key, payload, reference in pages():
        result = zhpile.explain(payload)
        if result["decision"] != "keep":
            by_set[name].append((None, key, result["reason"]))
            continue
        text = result["text"]
        by_set[name].append((prf(text, reference), key, None))
        kept_chars += len(_WS.sub("", text))
        title = ""
        m = re.search(rb"<title[^>]*>(.*?)</title>", payload, re.S | re.I)
        if m:
            title = zhpile.explain(b"<html><body><p>" + m.group(1) + b"</p></body></html>").get("text") or ""
        for kind, line in boilerplate_lines(text, reference, title):
            kinds[kind] += len(_WS.sub("", line))
            if args.lines:
                print(f"{name} {key[:8]} [{kind}] {line[:100]}")
    print("| set | pages | kept | P (kept) | R (kept) | F1 (kept) | F1 (all, dropped = 0) | dropped: reason |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name in sorted(by_set) + ["all"]:
        rows = [r for rows in by_set.values() for r in rows] if name == "all" else by_set[name]
        scored = [s for s, _k, _r in rows if s is not None]
        mean = [sum(s[i] for s in scored) / len(scored) for i in range(3)] if scored else [0, 0, 0]
        drops = collections.Counter(r for _s, _k, r in rows if r)
        print(f"| {name} | {len(rows)} | {len(scored)} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | "
              f"{sum(s[2] for s in scored) / len(rows):.3f} | {', '.join(f'{r} {n}' for r, n in drops.most_common())} |")
    print(f"\nBoilerplate in the kept text ({kept_chars:,} characters, whitespace excluded):\n")
    print("| kind | characters | share of kept |")
    print("|---|---:|---:|")
    for kind in KINDS:
        print(f"| {kind} | {kinds[kind]:,} | {kinds[kind] / kept_chars:.1%} |")
    total = sum(kinds.values())
    print(f"| all boilerplate | {total:,} | {total / kept_chars:.1%} |")


if __name__ == "__main__":
    main()
