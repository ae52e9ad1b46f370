"""Decontamination: recall on planted exam items and false matches on real text, per n.

    python benchmarks/decontamination.py [--n 5 6 8 10 13]

Items: tests/data/exam_items.jsonl (30 C-Eval/CMMLU-style questions written for zhpile:
question, four options, answer). Each is planted in a page of real prose five ways:
verbatim, options reordered, full-width/half-width punctuation swapped, in Traditional
characters, and only its question as a fragment inside a long article. Real text that must
not match: CLUECorpusSmall (2,500 documents) and the reference texts of the magic-html and
immortal-autumn pages. Prints, per n, the share of planted items removed (share >=
remove_share), marked (>= mark_share) and the real documents marked or removed.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "realdata")
ITEMS = os.path.join(ROOT, "tests", "data", "exam_items.jsonl")
sys.path.insert(0, ROOT)

from sample_data.articles import ZH  # noqa: E402
from zhpile.filters.decontam import BenchmarkIndex  # noqa: E402
from zhpile.filters.normalize import to_simplified  # noqa: E402
from zhpile.schemas.config import DecontamConfig  # noqa: E402

FIELDS = ("question", "A", "B", "C", "D", "answer")
KINDS = ("verbatim", "options reordered", "punctuation swapped", "Traditional", "fragment in an article")
_WIDE = {c: chr(ord(c) + 0xFEE0) for c in "ABCD.()?:,"} | {"，": ",", "。": ".", "（": "(", "）": ")", "：": ":", "？": "?"}


def load_items(path: str = ITEMS) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def item_fields(item: dict) -> list[str]:
    return [str(item[f]) for f in FIELDS]


def _exam_block(item: dict, order: list[str]) -> str:
    options = "\n".join(f"{label}. {item[key]}" for label, key in zip("ABCD", order))
    answer = "ABCD"[order.index(item["answer"])]
    return f"{item['question']}（　）\n{options}\n答案：{answer}"


def plant(item: dict, kind: str, rng: random.Random, prose: str) -> str:
    """A page holding `item` the way `kind` says, between paragraphs of real prose."""
    if kind == "verbatim":
        block = _exam_block(item, list("ABCD"))
    elif kind == "options reordered":
        order = list("ABCD")
        while order == list("ABCD"):
            rng.shuffle(order)
        block = _exam_block(item, order)
    elif kind == "punctuation swapped":
        block = "".join(_WIDE.get(c, c) for c in _exam_block(item, list("ABCD")))
    elif kind == "Traditional":
        block = to_simplified(_exam_block(item, list("ABCD")), "s2t")[0]
    else:  # the question alone, inside a long article
        return prose + "有人在讨论中引用了这样一道题：" + item["question"] + "。大家的看法并不一致。\n" + prose
    return prose[:300] + "\n" + block + "\n" + prose[300:600]


def real_texts() -> list[str]:
    texts = open(glob.glob(os.path.join(SHARED, "07_*.txt"))[0], encoding="utf-8").read().splitlines()
    with tarfile.open(glob.glob(os.path.join(SHARED, "05_*.tar.gz"))[0]) as tar:
        for m in tar.getmembers():
            if m.name.endswith("base_zh_subset.json"):
                data = json.load(tar.extractfile(m))
                texts += [e["content"] for e in (data.values() if isinstance(data, dict) else data)]
    with tarfile.open(glob.glob(os.path.join(SHARED, "09_*.tar.gz"))[0]) as tar:
        texts += [tar.extractfile(m).read().decode("utf-8", "replace") for m in tar.getmembers()
                  if "/cleaned/" in m.name and m.name.endswith(".txt")]
    return [t for t in texts if t.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5, 6, 8, 10, 13])
    args = parser.parse_args()
    cfg = DecontamConfig()
    items = load_items()
    prose = "\n".join(p for _t, pars in ZH.values() for p in pars)
    real = real_texts()
    print(f"{len(items)} items, {len(real)} real documents; remove at share >= {cfg.remove_share}, mark at >= {cfg.mark_share}\n")
    print("| n | " + " | ".join(f"{k}: removed / marked" for k in KINDS) + " | real marked | real removed | ms a document |")
    print("|---:|" + "---:|" * (len(KINDS) + 3))
    for n in args.n:
        index = BenchmarkIndex([("exam", it["id"], item_fields(it)) for it in items], n, cfg.max_item_share, cfg.min_evidence)
        cells = []
        for kind in KINDS:
            rng = random.Random(n)
            removed = marked = 0
            for it in items:
                found = [m for m in index.matches(plant(it, kind, rng, prose), cfg.mark_share) if m.item == it["id"]]
                share = found[0].share if found else 0.0
                removed += share >= cfg.remove_share
                marked += cfg.mark_share <= share < cfg.remove_share
            cells.append(f"{removed}/{len(items)} / {marked}")
        started = time.perf_counter()
        hits = [index.matches(t, cfg.mark_share) for t in real]
        ms = (time.perf_counter() - started) / len(real) * 1000
        real_removed = sum(1 for h in hits if h and h[0].share >= cfg.remove_share)
        real_marked = sum(1 for h in hits if h and h[0].share < cfg.remove_share)
        print(f"| {n} | " + " | ".join(cells) + f" | {real_marked} | {real_removed} | {ms:.3f} |")


if __name__ == "__main__":
    main()
