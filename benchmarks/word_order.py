"""Word order: real Chinese against its own characters, words, 2-character chunks or
keywords in random order, on text the model never saw.

    python benchmarks/word_order.py [--clue ../shared/realdata/07_*.txt] [--cwt ../shared/realdata/03_*.jsonl]

The bigram model is rebuilt from the even lines of CLUECorpusSmall only; the odd lines
(>= 200 characters) and ChineseWebText are the held-back real documents. Prints the share
of real documents dropped and of each salad kept at each threshold of char_order_gain and
word_order_gain (filters/word_order.py) from every random order, then the verdicts at the
configured thresholds as the pipeline reaches them (the other orders drawn only where the
first is not clear of the thresholds: quality.clear_of_order_rules), the cost per document
both ways, and fluency's separation for comparison.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from zhpile.filters.fluency import build_tables, count_bigrams, log_cond, pair_keys  # noqa: E402
from zhpile.filters.normalize import normalize_text  # noqa: E402
from zhpile.filters.quality import clear_of_order_rules  # noqa: E402
from zhpile.filters.textutil import codepoints, jieba_words  # noqa: E402
from zhpile.filters.word_order import order_signals  # noqa: E402
from zhpile.schemas.config import QualityConfig  # noqa: E402

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "realdata")
HAN = range(0x4E00, 0xA000)


def char_shuffle(text: str, rng: random.Random) -> str:
    chars = list(text)
    rng.shuffle(chars)
    return "".join(chars)


def word_shuffle(text: str, rng: random.Random) -> str:
    words = jieba_words(text)
    rng.shuffle(words)
    return "".join(words)


def chunk_shuffle(text: str, rng: random.Random) -> str:
    flat = "".join(text.split())
    start = rng.randrange(2)  # either alignment
    chunks = [flat[i:i + 2] for i in range(start, len(flat), 2)]
    rng.shuffle(chunks)
    return flat[:start] + "".join(chunks)


_CLAUSE = re.compile(r"([。！？，；、：\s]+)")


def sentence_chunk_shuffle(text: str, rng: random.Random) -> str:
    """Each clause cut into 2-character chunks on its own (an odd clause leaves a 1-character
    chunk, so the chunk grid shifts at every other clause), then every chunk shuffled."""
    chunks = [part[i:i + 2] for part in _CLAUSE.split(text) if part for i in range(0, len(part), 2)]
    rng.shuffle(chunks)
    return "".join(chunks)


def keyword_list(text: str, rng: random.Random) -> str:
    """The document's own words of 2+ Han characters, repeated in random order with
    spaces, commas or nothing between them (SEO keyword stuffing)."""
    words = [w for w in dict.fromkeys(jieba_words(text)) if len(w) >= 2 and all(ord(c) in HAN for c in w)] or ["关键词"]
    out: list[str] = []
    while sum(map(len, out)) < len(text):
        out.extend(rng.sample(words, min(len(words), 12)))
    return rng.choice((" ", "，", "")).join(out)


SALADS = {"char shuffle": char_shuffle, "word shuffle": word_shuffle, "2-char chunk shuffle": chunk_shuffle,
          "clause 2-char chunk shuffle": sentence_chunk_shuffle, "keyword list": keyword_list}


def first_order(text: str, model: dict) -> tuple[dict, dict]:
    """(signals, their standard errors) from the first random order of each unit kind."""
    errors: dict = {}
    signals = order_signals(text, model, clear=lambda s, e: errors.update(e) or True)
    return signals, errors


def fluency_with(text: str, model: dict) -> float:
    cps = codepoints(text[:5000])
    return float(log_cond(pair_keys(cps), cps[1:], model).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clue", default=next(iter(glob.glob(os.path.join(SHARED, "07_*.txt"))), None))
    parser.add_argument("--cwt", default=next(iter(glob.glob(os.path.join(SHARED, "03_*.jsonl"))), None))
    parser.add_argument("--docs", type=int, default=600, help="held-back CLUE documents used at most")
    args = parser.parse_args()
    lines = open(args.clue, encoding="utf-8").read().splitlines()
    model = build_tables(count_bigrams(lines[0::2]))
    real = [normalize_text(t) for t in lines[1::2] if len(t) >= 200][: args.docs]
    cwt = [normalize_text(json.loads(line)["raw_content"]) for line in open(args.cwt, encoding="utf-8")] if args.cwt else []
    cwt = [t for t in cwt if len(t) >= 200]
    rng = random.Random(0)
    cfg = QualityConfig()
    texts = {"real (CLUE, held back)": real, "real (ChineseWebText)": cwt,
             **{name: [salad(t, rng) for t in real] for name, salad in SALADS.items()}}
    common = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要"
    texts["40 common characters at random (400,000)"] = ["".join(rng.choice(common) for _ in range(400_000))]
    started = time.perf_counter()
    kinds = {name: [order_signals(t, model) for t in docs] for name, docs in texts.items()}
    all_orders_ms = (time.perf_counter() - started) / sum(map(len, texts.values())) * 1000
    started = time.perf_counter()
    pipeline = {name: [order_signals(t, model, clear=lambda s, e: clear_of_order_rules(s, cfg, e)) for t in docs]
                for name, docs in texts.items()}
    pipeline_ms = (time.perf_counter() - started) / sum(map(len, texts.values())) * 1000
    first = {name: [first_order(t, model) for t in docs] for name, docs in texts.items()}

    print(f"{len(real)} held-back CLUE documents (>= 200 chars), {len(cwt)} ChineseWebText; model from {len(lines[0::2])} other "
          f"CLUE documents. Signal cost: {all_orders_ms:.2f} ms a document with every random order, {pipeline_ms:.2f} ms "
          f"as the pipeline draws them.\n")
    for signal, thresholds in (("char_order_gain", (0.2, 0.3, 0.4, 0.5, 0.6, 0.8)),
                               ("word_order_gain", (0.0, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2)),
                               ("pos_order_gain", (0.0, 0.05, 0.08, 0.1, 0.12)),
                               ("long_word_share", (0.01, 0.02, 0.03, 0.05)),
                               ("order_score", (0.2, 0.25, 0.3, 0.35, 0.4))):
        print(f"| {signal} < | " + " | ".join(kinds) + " |")
        print("|---:|" + "---:|" * len(kinds))
        for th in thresholds:
            cells = []
            for name, values in kinds.items():
                v = np.array([g[signal] for g in values if g[signal] is not None])
                share = (v < th).mean() if name.startswith("real") else (v >= th).mean()
                cells.append(f"{share * 100:.1f}%")
            print(f"| {th} | " + " | ".join(cells) + " |")
        print("(real: share dropped; salads: share kept)\n")
    limits = {"char_order_gain": cfg.min_char_order_gain, "word_order_gain": cfg.min_word_order_gain,
              "order_score": cfg.min_order_score}
    print("At the defaults (" + " or ".join(f"{k} < {v}" for k, v in limits.items()) + " drops):")
    print("| documents | n | dropped by word order (every order) | as the pipeline draws them | decided by the first order |"
          " not judged (too few Han joins) |\n|---|---:|---:|---:|---:|---:|")

    def dropped(g: dict) -> bool:
        return any(g[k] is not None and g[k] < v for k, v in limits.items())

    for name, values in kinds.items():
        judged = [i for i, g in enumerate(values) if any(g[k] is not None for k in limits)]
        share = [sum(dropped(kind[name][i]) for i in judged) / max(len(judged), 1) * 100 for kind in (kinds, pipeline)]
        decided = sum(clear_of_order_rules(first[name][i][0], cfg, first[name][i][1]) for i in judged)
        print(f"| {name} | {len(values)} | {share[0]:.1f}% | {share[1]:.1f}% | {decided / max(len(judged), 1) * 100:.0f}% |"
              f" {len(values) - len(judged)} |")
    flu = {name: [fluency_with(t, model) for t in texts] for name, texts in
           (("real", real), *((n, [s(t, random.Random(1)) for t in real]) for n, s in SALADS.items()))}
    print("\nfluency (same model) median: " + ", ".join(f"{n} {np.median(v):.2f}" for n, v in flu.items()))


if __name__ == "__main__":
    main()
