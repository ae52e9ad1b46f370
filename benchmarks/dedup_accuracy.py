"""Near-duplicate accuracy: recall per edit rate and false positives on distinct documents.

    python benchmarks/dedup_accuracy.py [--distinct 5000] [--planted 500] [--configs default|sweep]

Distinct documents are compositions of real sentences (CLUECorpusSmall where present,
see benchmarks/corpus.py). For `--planted` of them, near-duplicates are made with 1%, 3%,
5% and 10% character edits (substitutions, insertions, deletions at random positions) and a
different prefix and suffix (site chrome: source line, editor line). A planted copy is
found if it ends in the same component as its original; a distinct document is a false
positive if it ends in a component with another distinct document. Components come from
the same pure functions the pipeline uses (signature, bands, star edges from each bucket's
smallest member, verification), joined here with a union-find instead of Beam.
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import sentence_pool  # noqa: E402
from zhpile.filters.minhash import MinHasher, band_keys, estimated_jaccard, lsh_params  # noqa: E402

EDIT_RATES = (0.01, 0.03, 0.05, 0.10)
PREFIXES = ["来源：新华网 编辑：张伟\n", "本文转载自人民网，版权归原作者所有。\n", "【环球时报综合报道】\n", "发布时间：2024-05-21 阅读：1024\n"]
SUFFIXES = ["\n（责任编辑：李娜）", "\n更多精彩内容请关注我们的公众号。", "\n声明：本文仅代表作者观点。", "\n相关阅读：今日要闻汇总"]


def distinct_documents(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    pool = sentence_pool()
    return ["".join(rng.choice(pool) for _ in range(rng.randint(8, 20))) for _ in range(n)]


def edit(text: str, rate: float, rng: random.Random) -> str:
    chars = list(text)
    alphabet = [c for c in text if "\u4e00" <= c <= "\u9fff"] or ["的"]
    for _ in range(max(1, int(len(chars) * rate))):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.5:
            chars[i] = rng.choice(alphabet)
        elif op < 0.75:
            chars.insert(i, rng.choice(alphabet))
        elif len(chars) > 1:
            del chars[i]
    return rng.choice(PREFIXES) + "".join(chars) + rng.choice(SUFFIXES)


def components(signatures: list, bands: int, rows: int, threshold: float, verify: bool) -> list[int]:
    parent = list(range(len(signatures)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    buckets = collections.defaultdict(list)
    for i, sig in enumerate(signatures):
        for key in band_keys(sig, bands, rows):
            buckets[key].append(i)
    for members in buckets.values():
        root = min(members)
        for m in members:
            if m != root and (not verify or estimated_jaccard(signatures[root], signatures[m]) >= threshold):
                parent[find(m)] = find(root)
    return [find(i) for i in range(len(signatures))]


def evaluate(docs, planted, ngram, threshold, num_perm, verify):
    hasher = MinHasher(num_perm=num_perm, ngram=ngram)
    bands, rows = lsh_params(threshold, num_perm)
    start = time.perf_counter()
    texts = docs + [text for _orig, _rate, text in planted]
    sigs = [hasher.signature(t) for t in texts]
    sig_rate = len(texts) / (time.perf_counter() - start)
    comp = components(sigs, bands, rows, threshold, verify)
    n = len(docs)
    recall = {}
    for rate in EDIT_RATES:
        rows_ = [(o, j) for j, (o, r, _t) in enumerate(planted) if r == rate]
        recall[rate] = sum(comp[o] == comp[n + j] for o, j in rows_) / len(rows_)
    members = collections.Counter(comp[:n])
    false_pos = sum(1 for i in range(n) if members[comp[i]] > 1) / n
    return bands, rows, recall, false_pos, sig_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=5000)
    parser.add_argument("--planted", type=int, default=500)
    parser.add_argument("--configs", choices=["default", "sweep"], default="default")
    args = parser.parse_args()
    rng = random.Random(1)
    docs = distinct_documents(args.distinct)
    planted = [(i, rate, edit(docs[i], rate, rng)) for i in rng.sample(range(len(docs)), args.planted) for rate in EDIT_RATES]
    if args.configs == "sweep":
        configs = [(n, t, p, v) for n in (3, 5) for t in (0.5, 0.6, 0.7, 0.8) for p in (128,) for v in (True, False)]
    else:
        from zhpile.schemas.config import DedupConfig

        d = DedupConfig()
        configs = [(d.ngram, d.threshold, d.num_perm, d.verify)]
    print(f"{len(docs)} distinct documents, {len(planted)} planted near-duplicates "
          f"({args.planted} originals x {len(EDIT_RATES)} edit rates, each with a new prefix and suffix)\n")
    print("| n-gram | threshold | num_perm | bands x rows | verify | recall 1% | 3% | 5% | 10% | false positives | signatures/s |")
    print("|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for ngram, threshold, num_perm, verify in configs:
        b, r, recall, fp, rate = evaluate(docs, planted, ngram, threshold, num_perm, verify)
        print(f"| {ngram} | {threshold} | {num_perm} | {b} x {r} | {'yes' if verify else 'no'} | "
              + " | ".join(f"{recall[x]:.3f}" for x in EDIT_RATES) + f" | {100 * fp:.3f}% | {rate:,.0f} |")


if __name__ == "__main__":
    main()
