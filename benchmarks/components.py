"""Component accuracy on the hand-labelled real pages, both halves, and the cost per page.

    python benchmarks/components.py ../shared/realdata

For each half of tools/data/component_labels.tsv (dev: the rules and the model were tuned on
it; heldout: never), prints accuracy, the per-component confusion table (rows: the label,
columns: what zhpile assigned), precision and recall per component, which tier decided
(url, structure, model), the misses, and the accuracy on the pages that zhpile's cleaning
keeps (only they get a component in a run). Then the cost of `assign_component` per page."""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

import zhpile  # noqa: E402
from zhpile.filters.component import COMPONENTS, assign_component, shipped_model  # noqa: E402

from labelled_pages import labelled_crawl, labelled_pages  # noqa: E402


def table(pages: list[dict], half: str, name: str) -> None:
    rows = [p for p in pages if p["split"] == half]
    confusion = collections.Counter()
    tiers = collections.Counter()
    misses = []
    kept = kept_right = 0
    kept_confusion = collections.Counter()
    for p in rows:
        got, reason = assign_component(p["url"], p["title"], p["text"], dateline=p.get("dateline"))
        confusion[(p["component"], got)] += 1
        # Only clean documents get a component in a run: SEO and junk pages are dropped first.
        if zhpile.explain(p["text"], title=p["title"], url=p["url"])["decision"] == "keep":
            kept, kept_right = kept + 1, kept_right + (got == p["component"])
            kept_confusion[(p["component"], got)] += 1
        tier = reason.split(":", 1)[0]
        tiers[(tier, got == p["component"])] += 1
        if got != p["component"]:
            misses.append((p["component"], got, reason, p["url"] or p["key"], (p["title"] or "")[:30]))
    right = sum(n for (a, b), n in confusion.items() if a == b)
    print(f"\n## {name}, {half}: {right}/{len(rows)} right ({right / len(rows):.1%}); "
          f"of the {kept} that the cleaning keeps: {kept_right} right ({kept_right / max(kept, 1):.1%})\n")
    used = [c for c in COMPONENTS if any(c in k for k in confusion)]
    print("| label \\ assigned | " + " | ".join(used) + " | recall |")
    print("|---|" + "---:|" * (len(used) + 1))
    for a in used:
        n = sum(confusion[(a, b)] for b in used)
        if n:
            print(f"| {a} | " + " | ".join(str(confusion[(a, b)] or ".") for b in used) + f" | {confusion[(a, a)] / n:.0%} |")
    print("| precision | " + " | ".join(
        f"{confusion[(b, b)] / s:.0%}" if (s := sum(confusion[(a, b)] for a in used)) else "-" for b in used) + " | |")
    print("| precision, kept pages | " + " | ".join(
        f"{kept_confusion[(b, b)] / s:.0%}" if (s := sum(kept_confusion[(a, b)] for a in used)) else "-"
        for b in used) + " | |")
    print("\ntier (right/decided): " + ", ".join(f"{t} {tiers[(t, True)]}/{tiers[(t, True)] + tiers[(t, False)]}"
                                                  for t in ("url", "structure", "model")))
    shares = collections.Counter(b for (_a, b), n in confusion.items() for _ in range(n))
    truth = collections.Counter(a for (a, _b), n in confusion.items() for _ in range(n))
    print("shares, assigned (labelled): " + ", ".join(f"{c} {shares[c] / len(rows):.0%} ({truth[c] / len(rows):.0%})" for c in used))
    for m in misses:
        print("  miss:", *m)


def cost(pages: list[dict], repeat: int = 20) -> None:
    shipped_model()
    docs = [(p["url"], p["title"], p["text"]) for p in pages]
    no_url = [(None, t, x) for _u, t, x in docs]
    for label, batch in (("as labelled (URL where known)", docs), ("without URLs (structure + model)", no_url)):
        start = time.perf_counter()
        for _ in range(repeat):
            for u, t, x in batch:
                assign_component(u, t, x)
        per = (time.perf_counter() - start) / (repeat * len(batch))
        print(f"cost, {label}: {per * 1e3:.3f} ms a page ({len(batch)} pages x {repeat})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("realdata")
    args = ap.parse_args(argv)
    pages = labelled_pages(args.realdata)
    for half in ("dev", "heldout"):
        table(pages, half, "extraction sets 05/06/09")
    crawl = labelled_crawl(args.realdata)
    for half in ("dev", "heldout"):
        table(crawl, half, "Common Crawl sample 03")
    print()
    cost(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
