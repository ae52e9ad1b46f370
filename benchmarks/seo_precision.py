"""SEO injection (filters/seo.py) on real text: how many real clean documents the rule drops,
and how many real gambling/porn SEO records it catches.

    python benchmarks/seo_precision.py

Good: the good sets of benchmarks/rule_confusion.py (CLUECorpusSmall, the 09 and magic-html
pages, ChineseWebText clean) plus the 66 GeneralNewsExtractor news pages; HTML pages carry
their own <title>. Real crawl: the 100 ChineseWebText CC records of ../shared/realdata/03_*
with their title and URL.
"""
from __future__ import annotations

import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import zhpile  # noqa: E402
from benchmarks.rule_confusion import SHARED, _tar_members, good_sets  # noqa: E402


def main() -> None:
    sets = good_sets()
    sets["GNE news pages"] = [data for name, data in _tar_members("06_*.tar.gz", (".html",))]
    print("| good set | documents | dropped seo_injection | share |\n|---|---:|---:|---:|")
    total = dropped = 0
    for name, docs in sets.items():
        hits = [d for d in docs if zhpile.explain(d)["reason"] == "seo_injection"]
        total, dropped = total + len(docs), dropped + len(hits)
        print(f"| {name} | {len(docs)} | {len(hits)} | {len(hits) / max(len(docs), 1):.2%} |")
        for d in hits:
            text = d.decode("utf-8", "replace") if isinstance(d, bytes) else d
            print(f"|   dropped: {zhpile.explain(d)['detail'][:120]} | {text[:80]!r} | | |")
    print(f"| all good | {total} | {dropped} | {dropped / total:.2%} |\n")
    rows = [json.loads(line) for line in open(glob.glob(os.path.join(SHARED, "03_*.jsonl"))[0], encoding="utf-8")]
    print("| real CC record (03_*) | title | reason |\n|---|---|---|")
    n = 0
    for r in rows:
        out = zhpile.explain(r["raw_content"], title=r["title"], url=r["url"])
        if out["reason"] == "seo_injection":
            n += 1
            print(f"| {r['url'][:60]} | {r['title'][:50]} | {out['detail'][:90]} |")
    print(f"\n{n} of {len(rows)} real CC records dropped seo_injection")


if __name__ == "__main__":
    main()
