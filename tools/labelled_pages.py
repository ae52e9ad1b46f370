"""The hand-labelled real pages of tools/data/component_labels.tsv, read from the realdata
tarballs (05 magic-html, 06 GeneralNewsExtractor, 09 immortal-autumn) and extracted by
zhpile's own extractor, as the pipeline would see them."""
from __future__ import annotations

import glob
import json
import os
import tarfile

from zhpile.filters.base import DropError
from zhpile.filters.extract import page_document

LABELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "component_labels.tsv")
CC_LABELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "component_labels_cc.tsv")
CC_SAMPLE = "03_chinesewebtext_2021-43_cleared1.jsonl"
TARBALLS = {"05": "05_magic-html_benchmark_zh_subset.tar.gz", "06": "06_GeneralNewsExtractor_zh_news_html.tar.gz",
            "09": "09_immortal-autumn_zh_extraction_half.tar.gz"}


def labels(path: str = LABELS) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]
    head, rows = lines[0], lines[1:]
    return [dict(zip(head, row)) for row in rows]


def _members(realdata: str, ds: str) -> dict[str, bytes]:
    """key of the labels file -> the page's bytes."""
    out = {}
    with tarfile.open(glob.glob(os.path.join(realdata, TARBALLS[ds]))[0]) as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".html"):
                continue
            parts = m.name.split("/")
            if ds == "05":  # magic-html_benchmark_zh/<kind>/htmls/<hash>.html
                key = f"{parts[-3]}/{parts[-1][:-5]}"
            elif ds == "06":  # GeneralNewsExtractor_tests/<tests|test_list_page>/<site>/<n>.html
                key = "/".join(parts[1:])
            else:  # .../original/<uuid>.html
                if parts[-2] != "original":
                    continue
                key = parts[-1][:-5]
            out[key] = tar.extractfile(m).read()
    return out


def labelled_pages(realdata: str) -> list[dict]:
    """Every labelled page: ds, key, split, component, url, title, text (empty when the
    extractor drops the page)."""
    pages, members = [], {}
    for row in labels():
        ds = row["dataset"]
        if ds not in members:
            members[ds] = _members(realdata, ds)
        payload = members[ds][row["key"]]
        try:
            page = page_document(payload, "text/html", None)
            text, title, dateline = page.text, page.title, page.dateline
        except DropError:
            text, title, dateline = "", None, None
        pages.append({**row, "url": row["url"] or None, "title": title, "text": text, "dateline": dateline})
    return pages


def labelled_crawl(realdata: str) -> list[dict]:
    """The labelled Common Crawl documents of realdata 03 (text as CCNet extracted it, with
    its URL and title): split, component, url, title, text."""
    with open(os.path.join(realdata, CC_SAMPLE), encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    return [{"key": f"03:{row['line']}", "split": row["split"], "component": row["component"],
             "url": docs[int(row["line"])].get("url"), "title": docs[int(row["line"])].get("title"),
             "text": docs[int(row["line"])]["raw_content"]} for row in labels(CC_LABELS)]


if __name__ == "__main__":
    import sys

    print(json.dumps(labelled_pages(sys.argv[1])[:2], ensure_ascii=False, indent=1)[:2000])
