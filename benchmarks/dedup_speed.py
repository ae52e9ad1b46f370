"""Dedup speed: MinHash signature throughput, and the dedup stage's share of a whole run.

    python benchmarks/dedup_speed.py [--docs 50000] [--workdir /tmp/zhpile-bench]

Generates a JSONL corpus (sentences of CLUECorpusSmall where present) with 5% exact and
5% near duplicates, runs `zhpile run` with dedup on and with dedup off (local runner, one
worker), and prints signatures per second per core and the run-time difference.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.dedup_accuracy import distinct_documents, edit  # noqa: E402
from benchmarks.runner import time_zhpile_run  # noqa: E402
from zhpile.filters.minhash import MinHasher  # noqa: E402
from zhpile.schemas.config import DedupConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50000)
    parser.add_argument("--workdir", default="/tmp/zhpile-bench")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = random.Random(0)
    n_distinct = int(args.docs * 0.9)
    docs = distinct_documents(n_distinct)
    docs += [rng.choice(docs) for _ in range(args.docs // 20)]
    docs += [edit(rng.choice(docs[:n_distinct]), 0.03, rng) for _ in range(args.docs - len(docs))]
    rng.shuffle(docs)
    corpus = os.path.join(args.workdir, f"dedup-{args.docs}.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for i, text in enumerate(docs):
            f.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
    mean_chars = sum(map(len, docs)) / len(docs)

    cfg = DedupConfig()
    hasher = MinHasher(cfg.num_perm, cfg.ngram, cfg.seed)
    sample = docs[:5000]
    start = time.perf_counter()
    for text in sample:
        hasher.signature(text)
    sig_rate = len(sample) / (time.perf_counter() - start)

    times = {}
    for label, dedup in (("with dedup", "{}"), ("without dedup", "{exact: false, near: false, lines: false}")):
        config = f'sources:\n  - {{name: docs, format: jsonl, paths: ["{corpus}"]}}\ndedup: {dedup}\nquality: {{min_chars: 50}}\n'
        times[label] = time_zhpile_run(config, os.path.join(args.workdir, "dedup-bench.yaml"), os.path.join(args.workdir, "dedup-out"))
    share = (times["with dedup"] - times["without dedup"]) / times["with dedup"]
    print(f"\n{len(docs)} documents (mean {mean_chars:.0f} characters), ngram={cfg.ngram}, num_perm={cfg.num_perm}\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| MinHash signatures per second, one core | {sig_rate:,.0f} |")
    print(f"| whole run with dedup (s) | {times['with dedup']:.1f} |")
    print(f"| whole run without dedup (s) | {times['without dedup']:.1f} |")
    print(f"| dedup share of the run | {100 * share:.1f}% |")


if __name__ == "__main__":
    main()
