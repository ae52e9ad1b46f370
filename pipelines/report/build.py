"""The run report, built from the two pipelines' counters (report/stats_*.json) and the
mixture plan. The data flows one way: this module builds the report (a dict, report.json);
markdown.py and html.py render it; files.py writes all three. All
plain Python, so `zhpile report DIR` re-renders without re-running anything.

Counter keys (each value is four numbers):
  ("read"|"clean", source)                 [docs, input bytes, text bytes, characters]
  ("rejected", source, stage, reason)      [docs, input bytes, 0, 0]
  ("file_read"|"file_out", source, path)   [docs, 0, 0, 0]
  ("hist", source, clean|rejected, signal, bin)  [docs, 0, 0, 0]
  ("component", source, component)         [docs, input bytes, text bytes, characters]
  ("component_reason", source, component, source|url|structure|model)  [docs, 0, 0, 0]
  ("pii", source, kind)  ("lines_removed", source)  ("words"|"tokens", source, component)
  ("dup_cluster", size bin)  ("cc_unconverged",)
  ("mixture", group) [rows, 0, bytes, chars]  ("mixture_tokens", group)   group: source or source/component
  ("contam", benchmark, source, removed|marked)  ("contam_item", benchmark, item id)
"""
from __future__ import annotations

from zhpile.filters.dedup import cluster_size_bin
from zhpile.schemas.config import mixture_key


# Distributions kept in the report: signal -> bin edges. A value falls in the last edge
# not above it; labels are the lower edges.
HISTOGRAMS = {
    "n_chars": [0, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000],
    "han_ratio": [round(0.1 * i, 1) for i in range(10)],
    "lang_score": [0.0, 0.3, 0.5, 0.69, 0.8, 0.9, 0.95, 0.99],
    "fluency": [-99, -12, -10, -9, -8, -7.3, -7, -6.5, -6, -5.5, -5, -4.5],
    "quality_score": [round(0.1 * i, 1) for i in range(10)],
}


def histogram_bin(signal: str, value) -> str | None:
    """Label of the bin `value` falls in (None for a missing value)."""
    if value is None:
        return None
    label = HISTOGRAMS[signal][0]
    for edge in HISTOGRAMS[signal]:
        if value >= edge:
            label = edge
    return str(label)


def histogram_keys(doc: dict, outcome: str) -> list:
    """Stats keys ("hist", source, outcome, signal, bin) for a clean or rejected row."""
    q = doc.get("quality") or {}
    values = {"n_chars": q.get("n_chars"), "han_ratio": q.get("han_ratio"), "fluency": q.get("fluency"),
              "lang_score": doc.get("lang_score"), "quality_score": doc.get("quality_score")}
    return [("hist", doc["source"], outcome, signal, histogram_bin(signal, v)) for signal, v in values.items() if v is not None]


def score_keys(doc: dict, outcome: str) -> list:
    """Stats keys ("score", scorer, clean|rejected, score to 2 decimals) and, with the bucket
    rule, ("score_bucket", scorer, outcome, bucket), for a row the learned scorers saw."""
    keys = []
    for entry in doc.get("quality_scores") or ():
        keys.append(("score", entry["name"], outcome, round(entry["score"], 2)))
        if entry.get("bucket") is not None:
            keys.append(("score_bucket", entry["name"], outcome, entry["bucket"]))
    if doc.get("quality_bucket") is not None:
        keys.append(("score_bucket", "*", outcome, doc["quality_bucket"]))
    return keys


def _quantile(pairs: list, total: int, q: float) -> float:
    """The score at quantile q of (score, documents) pairs sorted by score."""
    seen = 0
    for score, n in pairs:
        seen += n
        if seen >= q * total:
            return score
    return pairs[-1][0]


def scorer_summary(values: dict, buckets: dict) -> dict:
    """A scorer's distribution over the documents it scored ({outcome: {score: docs}}): its
    quantiles, the share at or above each of ten thresholds (the probability grid 0.1 ..
    1.0, or ten steps over the observed range for other scales), and the documents kept and
    dropped in each bucket."""
    merged: dict = {}
    for counts in values.values():
        for score, n in counts.items():
            merged[score] = merged.get(score, 0) + n
    pairs = sorted(merged.items())
    total = sum(merged.values())
    if not total:
        return {"documents": 0}
    lo, hi = pairs[0][0], pairs[-1][0]
    grid = ([round(0.1 * i, 1) for i in range(1, 11)] if lo >= 0 and hi <= 1
            else [round(lo + (hi - lo) * i / 10, 4) for i in range(1, 11)])
    return {
        "documents": total,
        "clean": sum(values.get("clean", {}).values()),
        "quantiles": {f"p{int(q * 100)}": _quantile(pairs, total, q) for q in (0.1, 0.25, 0.5, 0.75, 0.9)},
        "share_at_or_above": {str(t): round(sum(n for s, n in pairs if s >= t) / total, 4) for t in grid},
        "buckets": bucket_table(buckets),
    }


def bucket_table(buckets: dict) -> dict:
    """{outcome: {bucket: docs}} -> {bucket: {"clean": docs, "rejected": docs}}, by bucket."""
    clean, rejected = buckets.get("clean", {}), buckets.get("rejected", {})
    return {str(b): {"clean": clean.get(b, 0), "rejected": rejected.get(b, 0)} for b in sorted(set(clean) | set(rejected))}


def empty_slot():
    return {"docs": 0, "raw_bytes": 0, "text_bytes": 0, "chars": 0}


def _add(slot: dict, value) -> None:
    for name, v in zip(("docs", "raw_bytes", "text_bytes", "chars"), value):
        slot[name] += v


INDEX_COUNTS = ("rows_scanned", "row_groups_read", "row_groups_skipped", "rows_selected", "index_files_failed", "warc_files",
                "warc_bytes", "ranges_fetched", "ranges_failed", "requests", "bytes_fetched")
INDEX_HEADERS = ["source", "index rows scanned", "row groups read / skipped", "rows selected", "WARC files", "ranges fetched",
                 "ranges failed", "requests", "bytes fetched", "of the WARC files' bytes"]


def index_rows(report: dict) -> list[list[str]]:
    """The selection funnel of each cc-index source, as table cells."""
    rows = []
    for name, e in report["sources"].items():
        f = e.get("index")
        if not f:
            continue
        share = f"{100 * f.get('bytes_fetched', 0) / f['warc_bytes']:.2f}% of {size(f['warc_bytes'])}" if f.get("warc_bytes") else "unknown"
        rows.append([name, f"{f.get('rows_scanned', 0):,}", f"{f.get('row_groups_read', 0)} / {f.get('row_groups_skipped', 0)}",
                     f"{f.get('rows_selected', 0):,}", f"{f.get('warc_files', 0):,}", f"{f.get('ranges_fetched', 0):,}",
                     f"{f.get('ranges_failed', 0):,}", f"{f.get('requests', 0):,}", size(f.get("bytes_fetched", 0)), share])
    return rows


def build_report(clean_stats: dict, mix_stats: dict, config, sizes: dict, groups: dict, epochs: dict, unit: str,
                 n_shards: int) -> dict:
    """`sizes`: per source, `groups`: per mixture group (source/component), as run.clean_sizes
    gives them; `epochs`: per mixture group."""
    sources = {s.name: {"format": s.format, "kind": s.kind, "read": empty_slot(), "clean": empty_slot(), "mixture": empty_slot(),
                        "rejected": {}, "pii": {}, "lines_removed": {"lines": 0, "bytes": 0},
                        "words": sizes[s.name]["words"], "tokens": sizes[s.name]["tokens"], "mixture_tokens": 0,
                        "distributions": {"clean": {}, "rejected": {}}}
               for s in config.sources}
    mixed = {key: {"slot": empty_slot(), "tokens": 0} for key in groups}
    reasons: dict = {}
    files: dict = {}
    dedup = {"clusters": 0, "cluster_sizes": {}, "cc_unconverged": 0, "clean_by_cluster_size": {}}
    scores: dict = {}
    score_buckets: dict = {}
    contam = {b.name: {"items_found": 0, "items": [], "sources": {}} for b in config.decontaminate}
    for key, value in clean_stats["counts"] + mix_stats["counts"]:
        kind = key[0]
        if kind == "contam":
            slot = contam.setdefault(key[1], {"items_found": 0, "items": [], "sources": {}})["sources"]
            counts = slot.setdefault(key[2], {"removed": 0, "marked": 0})
            counts[key[3]] += value[0]
        elif kind == "contam_item":
            contam.setdefault(key[1], {"items_found": 0, "items": [], "sources": {}})["items"].append(key[2])
        elif kind == "dup_cluster":
            dedup["cluster_sizes"][key[1]] = dedup["cluster_sizes"].get(key[1], 0) + value[0]
            dedup["clusters"] += value[0]
        elif kind == "dup_size":  # ("dup_size", source, component, cluster size): clean documents
            slot = dedup["clean_by_cluster_size"].setdefault(cluster_size_bin(key[3]), {"docs": 0, "text_bytes": 0})
            slot["docs"] += value[0]
            slot["text_bytes"] += value[2]
        elif kind == "score":
            slot = scores.setdefault(key[1], {}).setdefault(key[2], {})
            slot[key[3]] = slot.get(key[3], 0) + value[0]
        elif kind == "score_bucket":
            slot = score_buckets.setdefault(key[1], {}).setdefault(key[2], {})
            slot[key[3]] = slot.get(key[3], 0) + value[0]
        elif kind == "cc_unconverged":
            dedup["cc_unconverged"] += value[0]
        elif kind == "mixture_tokens":  # key[1]: the mixture group
            sources[key[1].split("/", 1)[0]]["mixture_tokens"] += value[0]
            mixed.setdefault(key[1], {"slot": empty_slot(), "tokens": 0})["tokens"] += value[0]
        elif kind == "mixture":
            _add(sources[key[1].split("/", 1)[0]]["mixture"], value)
            _add(mixed.setdefault(key[1], {"slot": empty_slot(), "tokens": 0})["slot"], value)
        elif kind == "component_reason":  # ("component_reason", source, component, rule)
            slot = reasons.setdefault(mixture_key(key[1], key[2]), {})
            slot[key[3]] = slot.get(key[3], 0) + value[0]
        elif kind in ("read", "clean"):
            _add(sources[key[1]][kind], value)
        elif kind == "rejected":
            _add(sources[key[1]]["rejected"].setdefault(key[3], empty_slot()), value)
        elif kind in ("file_read", "file_out"):
            slot = files.setdefault(key[2], {"source": key[1], "read": 0, "out": 0})
            slot["read" if kind == "file_read" else "out"] += value[0]
        elif kind == "lines_removed":
            sources[key[1]]["lines_removed"]["lines"] += value[0]
            sources[key[1]]["lines_removed"]["bytes"] += value[1]
        elif kind == "hist":
            hist = sources[key[1]]["distributions"][key[2]].setdefault(key[3], {})
            hist[key[4]] = hist.get(key[4], 0) + value[0]
        elif kind == "index":  # a cc-index source's selection funnel (io/cc_index.py)
            funnel = sources[key[1]].setdefault("index", {})
            funnel[key[2]] = funnel.get(key[2], 0) + value[0]
            if key[2] in ("ranges_fetched", "warc_file_bytes"):
                name = "bytes_fetched" if key[2] == "ranges_fetched" else "warc_bytes"
                funnel[name] = funnel.get(name, 0) + value[1]
        elif kind == "pii":
            sources[key[1]]["pii"][key[2]] = sources[key[1]]["pii"].get(key[2], 0) + value[0]
    for s in config.sources:  # every step of an index source's funnel, also those at 0
        if s.format == "cc-index":
            sources[s.name]["index"] = {**dict.fromkeys(INDEX_COUNTS, 0), **sources[s.name].get("index", {})}
    for entry in sources.values():
        for outcome in entry["distributions"].values():
            for signal, hist in outcome.items():
                outcome[signal] = {str(e): hist.get(str(e), 0) for e in HISTOGRAMS[signal]}
        entry["rejected"] = dict(sorted(entry["rejected"].items(), key=lambda kv: (-kv[1]["docs"], kv[0])))
        entry["rejected_docs"] = sum(r["docs"] for r in entry["rejected"].values())
        entry["accounting_ok"] = entry["read"]["docs"] == entry["clean"]["docs"] + entry["rejected_docs"]
    dedup["cluster_sizes"] = dict(sorted(dedup["cluster_sizes"].items(), key=lambda kv: int(kv[0])))
    dedup["clean_by_cluster_size"] = dict(sorted(dedup["clean_by_cluster_size"].items(), key=lambda kv: int(kv[0])))
    for entry in contam.values():  # items found in the corpus, by id (the first 50 listed)
        entry["items"] = sorted(set(entry["items"]))
        entry["items_found"], entry["items"] = len(entry["items"]), entry["items"][:50]

    samples: dict = {}
    for (source, reason), rows in clean_stats.get("samples", []):
        samples.setdefault(source, {})[reason] = [{"id": i, "url": u, "detail": d, "text_prefix": t} for i, u, d, t in rows]

    total_effective = sum(m["slot"]["text_bytes"] for m in mixed.values()) or 1
    table = []
    for s in config.sources:
        for key in s.mixture_keys():
            g, m, entry = groups[key], mixed[key], config.mixture_entry(key)
            if not g["docs"] and key not in config.mixture:
                continue  # a component the source has no page of
            table.append({
                "component": key,
                "source": s.name,
                "raw_size_bytes": g["bytes"],
                "weight": round(m["slot"]["text_bytes"] / total_effective, 4),
                # What the config asked for: the group's own entry, or its source's for all its components.
                "requested": {"weight": entry.weight} if entry.weight is not None else {"epochs": entry.epochs},
                "epochs": round(epochs.get(key, 0.0), 4),
                "effective_size_bytes": m["slot"]["text_bytes"],
                "mean_document_bytes": round(g["bytes"] / g["docs"], 1) if g["docs"] else 0.0,
                "documents": g["docs"],
                "mixture_rows": m["slot"]["docs"],
                "characters": g["chars"],
                "jieba_words": g["words"],
                "tokens": g["tokens"],
                # Token ids written to the mixture (output.tokenize): raw tokens x epochs, exactly.
                "effective_tokens": m["tokens"] if config.output.tokenize else None,
                # Which tier decided, over its documents: source, url, structure, model.
                "decided_by": dict(sorted(reasons.get(key, {}).items())),
                # mixture.*.rehydrate: the planned size's factor over one copy of each document.
                "rehydration": round(g.get("rehydration", 1.0), 4) if entry.rehydrate else None,
            })
    return {
        "run": {"seed": config.seed, "planned_in": unit, "mixture_shards": n_shards,
                "tokenizer": config.token_counter()},
        "mixture_table": table,
        "sources": sources,
        "dedup": dedup,
        "decontamination": contam,
        "scorers": {name: scorer_summary(scores.get(name, {}), score_buckets.get(name, {}))
                    for name in [sc.name for sc in config.classifier.scorers()]},
        # The bucket rule's decision: the highest bucket of each document's scorers.
        "quality_buckets": bucket_table(score_buckets["*"]) if "*" in score_buckets else None,
        "samples": samples,
        "files": dict(sorted(files.items())),
        "accounting_ok": all(e["accounting_ok"] for e in sources.values())
        and all(f["read"] == f["out"] for f in files.values()),
    }


def mixture_columns(report: dict) -> tuple[list[str], list[list[str]]]:
    """The Pile-style table's header and cells (report.md, report.html, the terminal), with
    the token columns when tokens were counted."""
    table = report["mixture_table"]
    head = ["component", "raw size", "weight", "epochs", "effective size", "mean doc size", "documents", "jieba words"]
    cells = [[r["component"], size(r["raw_size_bytes"]), f"{r['weight'] * 100:.2f}%", f"{r['epochs']:g}",
              size(r["effective_size_bytes"]), size(r["mean_document_bytes"]), str(r["documents"]), f"{r['jieba_words']:,.0f}"]
             for r in table]
    if any(r["tokens"] is not None for r in table):
        head.append("tokens")
        for row, r in zip(cells, table):
            row.append(f"{r['tokens']:,}" if r["tokens"] is not None else "-")
    if any(r.get("effective_tokens") is not None for r in table):
        head.append("effective tokens")
        for row, r in zip(cells, table):
            row.append(f"{r['effective_tokens']:,}" if r.get("effective_tokens") is not None else "-")
    if any(set(r.get("decided_by") or {}) - {"source"} for r in table):  # classified crawl pages
        head.append("decided by")
        for row, r in zip(cells, table):
            row.append(", ".join(f"{tier} {n:,}" for tier, n in (r.get("decided_by") or {}).items()) or "-")
    return head, cells


def decontamination_rows(report: dict) -> list[list[str]]:
    """benchmark, items found, then per source: removed / marked."""
    rows = []
    for bench, e in report.get("decontamination", {}).items():
        per_source = "; ".join(f"{src}: {c['removed']} removed, {c['marked']} marked" for src, c in e["sources"].items()) or "-"
        found = ", ".join(e["items"][:10]) + (" ..." if e["items_found"] > 10 else "")
        rows.append([bench, str(e["items_found"]), found or "-", per_source])
    return rows


def size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1000
    return str(n)


def funnel_rows(report: dict) -> list[dict]:
    """Per source: read, clean, rejected, in the mix, and each rejection reason's share."""
    rows = []
    for name, e in report["sources"].items():
        read = e["read"]["docs"] or 1
        rows.append({"source": name, "read": e["read"]["docs"], "clean": e["clean"]["docs"],
                     "rejected": e["rejected_docs"], "mixture_rows": e["mixture"]["docs"],
                     "reasons": [(r, v["docs"], v["docs"] / read) for r, v in e["rejected"].items()]})
    return rows
