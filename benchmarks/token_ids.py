"""Cost of output.tokenize per document: the Tokenize stage's encoding (filters/tokens.py)
and the writing of one mixture shard's token files (pipelines/job/parts.py), on real Chinese text.

    python benchmarks/token_ids.py [--tokenizer PATH[::EOS] ...] [--clue ../shared/realdata/07_*.txt]

Each tokenizer is timed on the same documents (CLUECorpusSmall lines, 200+ characters):
encode() one at a time, encode_batch() of 256 on one thread (TOKENIZERS_PARALLELISM=false,
as when every core runs its own worker), and encode_batch() with the Rust thread pool.
Prints documents/s, microseconds and tokens per document, characters per token.
"""
from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import sys, time, json
from zhpile.filters.tokens import load_tokenizer, token_ids
from zhpile.pipelines.job.parts import MegatronFormat, ParquetFormat
from zhpile.schemas.tables import TOKENS_SCHEMA
texts = json.load(open(sys.argv[2], encoding="utf-8"))
path, _, eos = sys.argv[1].partition("::")
loaded = load_tokenizer(path, eos or True)
mode = sys.argv[3]
start = time.perf_counter()
if mode == "single":
    ids = [token_ids(loaded, [t])[0] for t in texts]
else:
    ids = [x for i in range(0, len(texts), 256) for x in token_ids(loaded, texts[i:i + 256])]
encode = time.perf_counter() - start
rows = [{"id": str(i), "source": "s", "epoch": 0, "input_ids": x} for i, x in enumerate(ids)]
start = time.perf_counter()
ParquetFormat(TOKENS_SCHEMA, 2048).write_part(sys.argv[4] + "/t", rows)  # a one-part shard is its part
MegatronFormat(loaded.dtype).write_part(sys.argv[4] + "/m", rows)
write = time.perf_counter() - start
print(json.dumps({"encode": encode, "write": write, "tokens": sum(map(len, ids)), "vocab": loaded.vocab_size,
                  "dtype": loaded.dtype}))
"""


def documents(clue: str, n: int) -> list[str]:
    with open(clue, encoding="utf-8") as f:
        lines = [line.strip() for line in f if len(line.strip()) >= 200]
    return lines[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", nargs="+", default=[os.path.join(ROOT, "sample_data", "tokenizer.json")])
    ap.add_argument("--clue", default=(glob.glob(os.path.join(ROOT, "..", "shared", "realdata", "07_*.txt")) or [""])[0])
    ap.add_argument("--docs", type=int, default=5000)
    args = ap.parse_args()
    import json

    texts = documents(args.clue, args.docs)
    chars = sum(map(len, texts))
    print(f"{len(texts):,} CLUECorpusSmall documents, {chars / len(texts):,.0f} characters each on average")
    print("| tokenizer | vocabulary | dtype | mode | docs/s | us/doc | tokens/doc | chars/token | write us/doc |")
    print("|---|---:|---|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "texts.json")
        with open(data, "w", encoding="utf-8") as f:
            json.dump(texts, f, ensure_ascii=False)
        for path in args.tokenizer:
            for mode, env in (("encode, one doc", {"TOKENIZERS_PARALLELISM": "false"}),
                              ("encode_batch 256, 1 thread", {"TOKENIZERS_PARALLELISM": "false"}),
                              ("encode_batch 256, Rust threads", {"TOKENIZERS_PARALLELISM": "true"})):
                out = subprocess.run([sys.executable, "-c", CHILD, path, data, "single" if "one" in mode else "batch", tmp],
                                     env={**os.environ, **env}, capture_output=True, text=True)
                if out.returncode:
                    sys.exit(f"{path}: {out.stderr.strip().splitlines()[-1]}")
                r = json.loads(out.stdout.strip().splitlines()[-1])
                n = len(texts)
                name = path.partition("::")[0]
                print(f"| {os.path.basename(os.path.dirname(name)) + '/' + os.path.basename(name)} | {r['vocab']:,} | {r['dtype']} "
                      f"| {mode} | {n / r['encode']:,.0f} | {1e6 * r['encode'] / n:,.0f} | {r['tokens'] / n:,.0f} "
                      f"| {chars / r['tokens']:.2f} | {1e6 * r['write'] / n:,.1f} |")


if __name__ == "__main__":
    main()
