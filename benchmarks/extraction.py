"""Main-content extraction on real Chinese pages with reference text.

    python benchmarks/extraction.py [PATH_TO_05_magic-html_benchmark_zh_subset.tar.gz]

For every extractor: precision, recall and F1 of character 3-grams (whitespace removed,
multiset overlap) against the reference, averaged over pages, and pages per second of
extraction alone (decoding excluded, single core). trafilatura is a benchmark-only extra
(`pip install -e '.[bench]'`); it is skipped if absent.
"""
from __future__ import annotations

import collections
import json
import os
import re
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from zhpile.filters.charset import decode_page  # noqa: E402
from zhpile.filters.extract import html_to_text  # noqa: E402
from zhpile.filters.normalize import normalize_text  # noqa: E402
from resiliparse.extract.html2text import extract_plain_text  # noqa: E402

DEFAULT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "realdata",
                       "05_magic-html_benchmark_zh_subset.tar.gz")
_WS = re.compile(r"\s+")


def load_pages(path: str) -> list[tuple[str, str, str]]:
    """(kind, html, reference text) for every page of the benchmark tarball."""
    pages = []
    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for name, member in sorted(members.items()):
            if not name.endswith("base_zh_subset.json"):
                continue
            kind = name.split("/")[-2]
            refs = json.load(tar.extractfile(member))
            for sha, entry in sorted(refs.items()):
                html_name = f"{os.path.dirname(name)}/htmls/{sha}.html"
                if html_name in members:
                    raw = tar.extractfile(members[html_name]).read()
                    pages.append((kind, decode_page(raw)[0], entry["content"]))
    return pages


def trigrams(text: str) -> collections.Counter:
    s = _WS.sub("", text)
    return collections.Counter(s[i:i + 3] for i in range(len(s) - 2))


def in_reference(line: str, ref_grams: collections.Counter, ref_compact: str) -> bool:
    """A kept line is in the reference when half its 3-grams are (a line under 3 characters:
    when it occurs in it); otherwise it is boilerplate the extractor let through."""
    grams = trigrams(line)
    return (sum((grams & ref_grams).values()) / sum(grams.values()) >= 0.5) if grams else _WS.sub("", line) in ref_compact


def prf(candidate: str, reference: str) -> tuple[float, float, float]:
    c, r = trigrams(candidate), trigrams(reference)
    overlap = sum((c & r).values())
    p = overlap / sum(c.values()) if c else 0.0
    rec = overlap / sum(r.values()) if r else 0.0
    return p, rec, (2 * p * rec / (p + rec) if p + rec else 0.0)


def extractors() -> dict:
    found = {
        "zhpile (resiliparse + densest region)": lambda html: normalize_text(html_to_text(html)),
        "resiliparse main_content": lambda html: normalize_text(extract_plain_text(html, main_content=True)),
        "resiliparse full page": lambda html: normalize_text(extract_plain_text(html, main_content=False)),
    }
    try:
        import trafilatura

        found["trafilatura (default)"] = lambda html: trafilatura.extract(html) or ""
        found["trafilatura favor_recall"] = lambda html: trafilatura.extract(html, favor_recall=True) or ""
        found["trafilatura favor_precision"] = lambda html: trafilatura.extract(html, favor_precision=True) or ""
    except ImportError:
        print("trafilatura not installed: pip install -e '.[bench]'", file=sys.stderr)
    return found


def main(path: str = DEFAULT) -> None:
    pages = load_pages(path)
    print(f"{len(pages)} pages ({collections.Counter(k for k, _h, _r in pages)})\n")
    print("| extractor | precision | recall | F1 | F1 article | F1 forum | pages/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, fn in extractors().items():
        fn(pages[0][1])  # warm-up (imports, caches)
        start = time.perf_counter()
        outputs = [fn(html) for _k, html, _r in pages]
        elapsed = time.perf_counter() - start
        scores = [prf(out, ref) for out, (_k, _h, ref) in zip(outputs, pages)]
        by_kind = collections.defaultdict(list)
        for (kind, _h, _r), s in zip(pages, scores):
            by_kind[kind].append(s[2])
        mean = [sum(s[i] for s in scores) / len(scores) for i in range(3)]
        kinds = [sum(by_kind[k]) / len(by_kind[k]) if by_kind[k] else 0.0 for k in ("article", "forum")]
        print(f"| {name} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | {kinds[0]:.3f} | {kinds[1]:.3f} | {len(pages) / elapsed:.0f} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
