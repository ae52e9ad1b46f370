"""Per rule: how many real good documents it drops and how many junk documents it catches,
on the real data in ../shared/realdata (docs/quality.md, "Rules on real data").

    python benchmarks/rule_confusion.py [--salads 300]

Each document goes through `zhpile.explain` (the pipeline's per-document stages, default
config; corpus-wide dedup is not part of it) and is counted under the rule that dropped it.
Good: CLUECorpusSmall (2,500 documents, one a line; it holds some spam), the 35 pages of
the immortal-autumn extraction set and the 75 magic-html article and forum pages (as HTML),
the 10 "clean" ChineseWebText documents, and the 05+09 pages as WET-style text explained as
a crawl source (benchmarks/navigation_lines.py). Junk: character, word, 2-character-chunk shuffles
and keyword lists made from CLUE documents of 200+ characters, the Chinese pages of the
real Common Crawl sample (mostly gambling/porn SEO), the slash sample alone and inside
good text, the 10 "dirty" ChineseWebText documents (noisy labels).
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import random
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "realdata")
sys.path.insert(0, ROOT)

import zhpile  # noqa: E402
from benchmarks.word_order import SALADS  # noqa: E402


def _tar_members(name: str, suffixes: tuple[str, ...]):
    path = glob.glob(os.path.join(SHARED, name))[0]
    with tarfile.open(path) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isfile() and m.name.endswith(suffixes):
                yield m.name, tar.extractfile(m).read()


def _cwt_labelled(name: str) -> list[str]:
    (data,) = [data for member, data in _tar_members("04_*.tar.gz", (name,))]
    return [json.loads(line)["text"] for line in data.decode("utf-8").splitlines() if line.strip()]


def good_sets() -> dict[str, list]:
    clue = open(glob.glob(os.path.join(SHARED, "07_*.txt"))[0], encoding="utf-8").read().splitlines()
    pages_09 = [data for name, data in _tar_members("09_*.tar.gz", (".html", ".htm")) if "/original/" in name]
    magic = {kind: [data for name, data in _tar_members("05_*.tar.gz", (".html",)) if f"/{kind}/" in name] for kind in ("article", "forum")}
    from benchmarks.navigation_lines import reference_pages, wet_text

    wet = [wet_text(html) for _set, html, _ref in reference_pages()]
    return {"CLUE": clue, "09 pages": pages_09, "magic article": magic["article"], "magic forum": magic["forum"],
            "CWT clean": _cwt_labelled("clean.jsonl"), CRAWL_TEXT: wet}


# Explained as a crawl source's text (a WET record): navigation lines go first.
CRAWL_TEXT = "WET-style text of the 05+09 pages"
_CRAWL = {"sources": [{"name": "explain", "format": "wet", "paths": ["-"]}]}


def junk_sets(n_salads: int) -> dict[str, list]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    clue = [t for t in open(glob.glob(os.path.join(SHARED, "07_*.txt"))[0], encoding="utf-8").read().splitlines() if len(t) >= 200]
    rng = random.Random(7)
    sample = rng.sample(clue, min(n_salads, len(clue)))
    sets = {name: [salad(t, rng) for t in sample] for name, salad in SALADS.items()}
    # The same salads of text the shipped bigram model never counted (it is built from CLUE,
    # so CLUE's own chunks score as seen pairs): ChineseWebText documents and the human
    # references of the 05 and 09 pages.
    from benchmarks.navigation_lines import reference_pages

    cwt = [json.loads(line)["raw_content"] for line in open(glob.glob(os.path.join(SHARED, "03_*.jsonl"))[0], encoding="utf-8")]
    unseen = [t for t in cwt + [ref for _s, _h, ref in reference_pages()] if len(t) >= 200]
    sets.update({f"{name} of unseen text": [salad(t, rng) for t in unseen] for name, salad in SALADS.items()})
    seo = []
    with open(glob.glob(os.path.join(SHARED, "01_*.warc.gz"))[0], "rb") as f:
        for rec in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
            body = rec.reader.read()
            if "html" in (rec.http_content_type or "") and zhpile.explain(body)["lang"] == "zh":
                seo.append(body)
    sets["CC sample Chinese pages (SEO)"] = seo
    good = "\n".join(clue[:3])
    sets["slash samples"] = ["/" * 30000, good[:300] + "\n" + "/" * 30000, "/" * 15000 + good + "/" * 15000]
    sets["CWT dirty"] = _cwt_labelled("dirty.jsonl")
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--salads", type=int, default=300, help="CLUE documents made into each kind of salad")
    parser.add_argument("--json", help="also write the counts to this file")
    parser.add_argument("--show", help="print the documents of this set a rule drops (e.g. 'magic forum')")
    args = parser.parse_args()
    columns = {**{f"good: {k}": v for k, v in good_sets().items()}, **{f"junk: {k}": v for k, v in junk_sets(args.salads).items()}}
    counts: dict[str, collections.Counter] = {}
    for column, docs in columns.items():
        counts[column] = collections.Counter()
        for doc in docs:
            answer = zhpile.explain(doc, _CRAWL if column.endswith(CRAWL_TEXT) else None)
            counts[column][answer["reason"] or "(kept)"] += 1
            if args.show and column == f"good: {args.show}" and answer["reason"] not in (None, "too_short"):
                print(f"--- {answer['reason']}: {answer['detail']}\n{(answer['text'] or '')[:300]}\n")
    reasons = sorted({r for c in counts.values() for r in c}, key=lambda r: (r == "(kept)", r))
    print("| rule | " + " | ".join(f"{c} ({len(columns[c])})" for c in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for reason in reasons:
        print(f"| {reason} | " + " | ".join(str(counts[c][reason] or "") for c in columns) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({c: dict(v) for c, v in counts.items()}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
