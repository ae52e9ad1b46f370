"""The run report: built from the pipeline's aggregated counters, rendered as JSON and
Markdown. Plain Python (no Beam), so `zhpile report DIR` can re-render it."""
from __future__ import annotations

import json

# Counter keys emitted by the pipeline (see pipeline.py):
#   ("read", source) ("clean", source) ("mixture", source)
#   ("rejected", source, stage, reason) ("file_read", source, path) ("file_out", source, path)
# Each value is [docs, raw_bytes, text_bytes, chars].


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
    label = None
    for edge in HISTOGRAMS[signal]:
        if value >= edge:
            label = edge
    return str(label if label is not None else HISTOGRAMS[signal][0])


def histogram_keys(doc: dict, outcome: str) -> list:
    """Stats keys ("hist", source, outcome, signal, bin) for a clean or rejected row."""
    q = doc.get("quality") or {}
    values = {"n_chars": q.get("n_chars"), "han_ratio": q.get("han_ratio"), "fluency": q.get("fluency"),
              "lang_score": doc.get("lang_score"), "quality_score": doc.get("quality_score")}
    return [("hist", doc["source"], outcome, signal, histogram_bin(signal, v)) for signal, v in values.items() if v is not None]


def _zero():
    return {"docs": 0, "raw_bytes": 0, "text_bytes": 0, "chars": 0}


def _add(slot: dict, value) -> None:
    for name, v in zip(("docs", "raw_bytes", "text_bytes", "chars"), value):
        slot[name] += v


def build_report(counts: list, config) -> dict:
    """counts: [(key tuple, [docs, raw_bytes, text_bytes, chars])] -> report dict."""
    sources = {s.name: {"format": s.format, "kind": s.kind, "epochs": config.epochs(s.name),
                        "read": _zero(), "clean": _zero(), "mixture": _zero(), "rejected": {}, "pii": {},
                        "lines_removed": {"lines": 0, "bytes": 0},
                        "distributions": {"clean": {}, "rejected": {}}}
               for s in config.sources}
    files: dict = {}
    dedup = {"clusters": 0, "cluster_sizes": {}, "cc_unconverged": 0}
    for key, value in counts:
        kind = key[0]
        if kind == "dup_cluster":
            dedup["cluster_sizes"][key[1]] = dedup["cluster_sizes"].get(key[1], 0) + value[0]
            dedup["clusters"] += value[0]
            continue
        if kind == "cc_unconverged":
            dedup["cc_unconverged"] += value[0]
            continue
        source = key[1]
        entry = sources[source]
        if kind in ("read", "clean", "mixture"):
            _add(entry[kind], value)
        elif kind == "rejected":
            _stage, reason = key[2], key[3]
            _add(entry["rejected"].setdefault(reason, _zero()), value)
        elif kind == "lines_removed":
            entry["lines_removed"]["lines"] += value[0]
            entry["lines_removed"]["bytes"] += value[1]
        elif kind == "hist":
            outcome, signal, label = key[2], key[3], key[4]
            hist = entry["distributions"][outcome].setdefault(signal, {})
            hist[label] = hist.get(label, 0) + value[0]
        elif kind == "pii":
            entry["pii"][key[2]] = entry["pii"].get(key[2], 0) + value[0]
        elif kind in ("file_read", "file_out"):
            slot = files.setdefault(key[2], {"source": source, "read": 0, "out": 0})
            slot["read" if kind == "file_read" else "out"] += value[0]
    for entry in sources.values():
        for outcome in entry["distributions"].values():
            for signal, hist in outcome.items():
                outcome[signal] = {str(e): hist.get(str(e), 0) for e in HISTOGRAMS[signal]}
        entry["rejected"] = dict(sorted(entry["rejected"].items(), key=lambda kv: (-kv[1]["docs"], kv[0])))
        rejected = sum(r["docs"] for r in entry["rejected"].values())
        entry["rejected_docs"] = rejected
        entry["accounting_ok"] = entry["read"]["docs"] == entry["clean"]["docs"] + rejected
    total_effective = sum(e["mixture"]["text_bytes"] for e in sources.values()) or 1
    table = []
    for name, e in sources.items():
        clean = e["clean"]
        table.append({
            "component": name,
            "raw_size_bytes": clean["text_bytes"],
            "weight": round(e["mixture"]["text_bytes"] / total_effective, 4),
            "epochs": e["epochs"],
            "effective_size_bytes": e["mixture"]["text_bytes"],
            "mean_document_bytes": round(clean["text_bytes"] / clean["docs"], 1) if clean["docs"] else 0.0,
            "documents": clean["docs"],
            "mixture_rows": e["mixture"]["docs"],
        })
    dedup["cluster_sizes"] = dict(sorted(dedup["cluster_sizes"].items(), key=lambda kv: int(kv[0])))
    return {
        "seed": config.seed,
        "sources": sources,
        "dedup": dedup,
        "mixture_table": table,
        "files": dict(sorted(files.items())),
        "accounting_ok": all(e["accounting_ok"] for e in sources.values())
        and all(f["read"] == f["out"] for f in files.values()),
    }


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1000
    return str(n)


def funnel_lines(report: dict) -> list[str]:
    """Per source: read -> rejected by reason -> clean -> mixture rows (terminal and Markdown)."""
    lines = ["| source | read | clean | rejected | mixture rows | rejections by reason |", "|---|---:|---:|---:|---:|---|"]
    for name, e in report["sources"].items():
        reasons = ", ".join(f"{r}: {v['docs']}" for r, v in e["rejected"].items()) or "-"
        lines.append(f"| {name} | {e['read']['docs']} | {e['clean']['docs']} | {e['rejected_docs']} | {e['mixture']['docs']} | {reasons} |")
    return lines


def render_markdown(report: dict) -> str:
    out = ["# zhpile run report", ""]
    out += ["## Mixture (Pile-style)", "",
            "| component | raw size | weight | epochs | effective size | mean doc size | documents |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for row in report["mixture_table"]:
        out.append(f"| {row['component']} | {_size(row['raw_size_bytes'])} | {row['weight'] * 100:.2f}% | {row['epochs']:g} "
                   f"| {_size(row['effective_size_bytes'])} | {_size(row['mean_document_bytes'])} | {row['documents']} |")
    out += ["", "Raw size is the UTF-8 text of the clean documents; effective size is what the mixture holds "
            "(raw size times epochs, fractional epochs kept deterministically).", ""]
    out += ["## Funnel", ""] + funnel_lines(report) + [""]
    out += ["## Rejections by reason", "", "| source | reason | documents | share of read | input bytes |", "|---|---|---:|---:|---:|"]
    for name, e in report["sources"].items():
        read = e["read"]["docs"] or 1
        for reason, v in e["rejected"].items():
            out.append(f"| {name} | {reason} | {v['docs']} | {100 * v['docs'] / read:.1f}% | {_size(v['raw_bytes'])} |")
    d = report.get("dedup", {})
    out += ["", "## Deduplication", "",
            f"Near-duplicate clusters (2+ documents): {d.get('clusters', 0)}; connected components "
            + ("converged." if not d.get("cc_unconverged") else f"NOT converged for {d['cc_unconverged']} nodes (raise dedup.cc_rounds)."),
            "", "| cluster size ≥ | clusters |", "|---:|---:|"]
    out += [f"| {size} | {n} |" for size, n in d.get("cluster_sizes", {}).items()]
    out += ["", "| source | exact duplicates (docs, bytes) | near duplicates (docs, bytes) | recurring lines removed (lines, bytes) |",
            "|---|---:|---:|---:|"]
    for name, e in report["sources"].items():
        ex = e["rejected"].get("dup_exact", {"docs": 0, "raw_bytes": 0})
        ne = e["rejected"].get("dup_near", {"docs": 0, "raw_bytes": 0})
        lr = e.get("lines_removed", {"lines": 0, "bytes": 0})
        out.append(f"| {name} | {ex['docs']}, {_size(ex['raw_bytes'])} | {ne['docs']}, {_size(ne['raw_bytes'])} "
                   f"| {lr['lines']}, {_size(lr['bytes'])} |")
    out += ["", "## Bytes", "", "| source | input bytes read | clean text bytes | clean characters |", "|---|---:|---:|---:|"]
    for name, e in report["sources"].items():
        out.append(f"| {name} | {_size(e['read']['raw_bytes'])} | {_size(e['clean']['text_bytes'])} | {e['clean']['chars']} |")
    out += ["", "## Distributions of kept documents", ""]
    for signal, edges in HISTOGRAMS.items():
        rows = [(name, e["distributions"]["clean"].get(signal)) for name, e in report["sources"].items()]
        rows = [(name, h) for name, h in rows if h and any(h.values())]
        if not rows:
            continue
        out += [f"**{signal}** (documents per bin, bins start at the value shown)", "",
                "| source | " + " | ".join(f"≥{e}" for e in edges) + " |", "|---|" + "---:|" * len(edges)]
        out += [f"| {name} | " + " | ".join(str(h.get(str(e), 0)) for e in edges) + " |" for name, h in rows]
        out.append("")
    if any(e.get("pii") for e in report["sources"].values()):
        out += ["", "## PII replaced in kept text", "", "| source | kind | replaced |", "|---|---|---:|"]
        for name, e in report["sources"].items():
            for kind, n in sorted(e.get("pii", {}).items()):
                out.append(f"| {name} | {kind} | {n} |")
    empty = [path for path, f in report.get("files", {}).items() if f["read"] == 0]
    if empty:
        out += ["", "## Input files without any document", ""] + [f"- {path}" for path in empty]
    errors = [(name, reason, v["docs"]) for name, e in report["sources"].items()
              for reason, v in e["rejected"].items() if reason in ("bad_record", "bad_json", "error")]
    if errors:
        out += ["", "## Input errors (details per record in rejected/)", "", "| source | reason | count |", "|---|---|---:|"]
        out += [f"| {name} | {reason} | {n} |" for name, reason, n in errors]
    verdict = "holds" if report["accounting_ok"] else "BROKEN: see report.json"
    out += ["", f"Accounting (read = clean + rejected, per source and per input file): {verdict}.", ""]
    return "\n".join(out)


def write_report(report: dict, report_dir: str) -> None:
    from apache_beam.io.filesystems import FileSystems  # only the file I/O needs Beam

    for name, body in (("report.json", json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False)),
                       ("report.md", render_markdown(report))):
        with FileSystems.create(f"{report_dir}/{name}") as f:
            f.write(body.encode("utf-8"))
