"""Navigation lines in text input (filters/navigation.py) on WET-style text made from real pages.

    python benchmarks/navigation_lines.py

Common Crawl's WET conversion writes every visible block of a page as a line, title first.
The same is made here from the real pages with a human reference in ../shared/realdata (the
magic-html article and forum pages, 05_*; the immortal-autumn pages, 09_*): resiliparse's
full-page text (main_content=False), the <title> as the first line, normalised as zhpile
normalises. For each set, before and after navigation-line removal: character 3-gram
precision, recall and F1 against the reference (benchmarks/extraction.py's measure), and the
shares of the kept characters (whitespace excluded) in
- boilerplate lines: lines whose 3-grams are less than half in the reference;
- navigation lines: boilerplate lines of at most 30 characters without sentence punctuation
  (the issue's goal: under 5%).
Also the cost of remove_navigation per document.
"""
from __future__ import annotations

import collections
import glob
import os
import re
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.extraction import in_reference, load_pages, prf, trigrams  # noqa: E402
from benchmarks.rule_confusion import SHARED  # noqa: E402
from zhpile.filters.charset import decode_page  # noqa: E402
from zhpile.filters.navigation import remove_navigation  # noqa: E402
from zhpile.filters.normalize import normalize_text  # noqa: E402

NAV_CHARS = 30
_PUNCT = re.compile(r"[。！？；，、!?;,：:]")
_WS = re.compile(r"\s+")


def wet_text(html: str) -> str:
    """A page as Common Crawl's WET conversion gives it: the title, then every visible block."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    title = (HTMLTree.parse(html).title or "").strip()
    body = extract_plain_text(html, main_content=False, alt_texts=False, links=False, list_bullets=False)
    return normalize_text(f"{title}\n{body}" if title else body)


def reference_pages() -> list[tuple[str, str, str]]:
    """(set, html, reference) of the 05 article/forum pages and the 09 pages."""
    pages = [(f"magic {kind}", html, ref) for kind, html, ref in load_pages(glob.glob(os.path.join(SHARED, "05_*.tar.gz"))[0])]
    with tarfile.open(glob.glob(os.path.join(SHARED, "09_*.tar.gz"))[0]) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for name in sorted(members):
            reference = name.replace("/original/", "/cleaned/").rsplit(".", 1)[0] + ".txt"
            if "/original/" in name and reference in members:
                html = decode_page(tar.extractfile(members[name]).read())[0]
                pages.append(("09 pages", html, tar.extractfile(members[reference]).read().decode("utf-8")))
    return pages


def line_shares(text: str, reference: str) -> tuple[int, int, int]:
    """(kept characters, in boilerplate lines, in navigation lines) of `text`."""
    ref_grams, ref_compact = trigrams(reference), _WS.sub("", reference)
    kept = boiler = nav = 0
    for line in text.split("\n"):
        compact = _WS.sub("", line)
        if not compact:
            continue
        kept += len(compact)
        if not in_reference(line, ref_grams, ref_compact):
            boiler += len(compact)
            if len(compact) <= NAV_CHARS and not _PUNCT.search(compact):
                nav += len(compact)
    return kept, boiler, nav


def main() -> None:
    pages = [(name, wet_text(html), ref) for name, html, ref in reference_pages()]
    start = time.perf_counter()
    cleaned = [remove_navigation(text).text for _n, text, _r in pages]
    cost = (time.perf_counter() - start) / len(pages)
    rows = collections.defaultdict(lambda: collections.defaultdict(lambda: [0.0] * 6))
    for (name, text, ref), after in zip(pages, cleaned):
        for when, candidate in (("before", text), ("after", after)):
            acc = rows[name][when]
            for i, value in enumerate((*prf(candidate, ref), *line_shares(candidate, ref))):
                acc[i] += value
    counts = collections.Counter(name for name, _t, _r in pages)
    print("| set (pages) | | P | R | F1 | kept chars | boilerplate share | navigation share |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, by_when in rows.items():
        for when in ("before", "after"):
            p, r, f, kept, boiler, nav = by_when[when]
            n = counts[name]
            print(f"| {name} ({n}) | {when} | {p / n:.3f} | {r / n:.3f} | {f / n:.3f} | {int(kept):,} | {boiler / kept:.1%} | {nav / kept:.1%} |")
    print(f"\nremove_navigation: {cost * 1e3:.3f} ms per page ({sum(len(t) for _n, t, _r in pages) / len(pages):,.0f} chars on average)")


if __name__ == "__main__":
    main()
