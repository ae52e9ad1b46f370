"""Train the component model that ships as filters/data/component_model.json.gz.

    python tools/train_component_model.py ../shared/realdata [--out PATH]

Training text: the `dev` half of tools/data/component_labels.tsv (real pages of the
realdata sets 05, 06 and 09, labelled by hand; their licences, Apache-2.0 and MIT, allow
shipping a model derived from them), each page extracted by zhpile's own extractor. The
`heldout` half is never read here: benchmarks/components.py measures on it.

The model is multinomial naive Bayes over Han characters and bigrams (filters/component.py
`grams`), add-alpha smoothed, with a uniform prior (the labelled pages are mostly news, the
crawl is not), keeping the features whose likelihood differs most between classes. Training
is deterministic: the same pages give the same file, byte for byte."""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from zhpile.filters.component import COMPONENTS, MODEL, grams, model_text  # noqa: E402

from labelled_pages import labelled_pages  # noqa: E402

ALPHA = 0.1
MAX_FEATURES = 6000
MIN_COUNT = 3  # a gram seen fewer times over all training pages carries no reliable evidence


def train(docs: list[tuple[str, str]], alpha: float = ALPHA, max_features: int = MAX_FEATURES) -> dict:
    """docs: (component, text) -> the model file's body."""
    classes = [c for c in COMPONENTS if any(label == c for label, _ in docs)]
    counts = {c: collections.Counter() for c in classes}
    for label, text in docs:
        counts[label].update(grams(text))
    total = collections.Counter()
    for c in classes:
        total.update(counts[c])
    vocab = sorted(g for g, n in total.items() if n >= MIN_COUNT)
    sizes = {c: sum(counts[c][g] for g in vocab) for c in classes}
    log_lik = {g: [math.log((counts[c][g] + alpha) / (sizes[c] + alpha * len(vocab))) for c in classes] for g in vocab}
    # The features that separate classes most: the spread of their log likelihoods.
    spread = sorted(vocab, key=lambda g: (-(max(log_lik[g]) - min(log_lik[g])) * math.log1p(total[g]), g))
    kept = sorted(spread[:max_features])
    return {"classes": classes, "log_prior": [0.0] * len(classes),
            "features": {g: [round(v, 3) for v in log_lik[g]] for g in kept},
            "meta": {"trained_on": "tools/data/component_labels.tsv split=dev", "documents": dict(collections.Counter(l for l, _ in docs)),
                     "alpha": alpha, "features": len(kept), "vocabulary": len(vocab)}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("realdata", help="the folder of the realdata sets (../shared/realdata)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "filters", "data", MODEL))
    args = ap.parse_args(argv)
    docs = [(p["component"], model_text(p["title"], p["text"], p["dateline"]))
            for p in labelled_pages(args.realdata) if p["split"] == "dev"]
    body = train(docs)
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(args.out, "wb") as f:
        f.write(gzip.compress(data, mtime=0))
    print(f"{args.out}: {len(body['features'])} features, classes {body['meta']['documents']}, {os.path.getsize(args.out):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
