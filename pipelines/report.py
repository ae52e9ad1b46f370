"""The run report, built from the two pipelines' counters (report/stats_*.json) and the
mixture plan; rendered as report.json, report.md and report.html. Building and rendering
are plain Python, so `zhpile report DIR` re-renders without re-running anything.

Counter keys (each value is four numbers):
  ("read"|"clean", source)                 [docs, input bytes, text bytes, characters]
  ("rejected", source, stage, reason)      [docs, input bytes, 0, 0]
  ("file_read"|"file_out", source, path)   [docs, 0, 0, 0]
  ("hist", source, clean|rejected, signal, bin)  [docs, 0, 0, 0]
  ("pii", source, kind)  ("lines_removed", source)  ("words"|"tokens", source)
  ("dup_cluster", size bin)  ("cc_unconverged",)   ("mixture", source) [rows, 0, bytes, chars]
"""
from __future__ import annotations

import json

from zhpile.filters.quality import WORD_SAMPLE_CHARS

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


def _zero():
    return {"docs": 0, "raw_bytes": 0, "text_bytes": 0, "chars": 0}


def _add(slot: dict, value) -> None:
    for name, v in zip(("docs", "raw_bytes", "text_bytes", "chars"), value):
        slot[name] += v


def build_report(clean_stats: dict, mix_stats: dict, config, sizes: dict, epochs: dict, unit: str, n_shards: int) -> dict:
    sources = {s.name: {"format": s.format, "kind": s.kind, "read": _zero(), "clean": _zero(), "mixture": _zero(),
                        "rejected": {}, "pii": {}, "lines_removed": {"lines": 0, "bytes": 0},
                        "words": sizes[s.name]["words"], "tokens": sizes[s.name]["tokens"],
                        "distributions": {"clean": {}, "rejected": {}}}
               for s in config.sources}
    files: dict = {}
    dedup = {"clusters": 0, "cluster_sizes": {}, "cc_unconverged": 0}
    for key, value in clean_stats["counts"] + mix_stats["counts"]:
        kind = key[0]
        if kind == "dup_cluster":
            dedup["cluster_sizes"][key[1]] = dedup["cluster_sizes"].get(key[1], 0) + value[0]
            dedup["clusters"] += value[0]
        elif kind == "cc_unconverged":
            dedup["cc_unconverged"] += value[0]
        elif kind in ("read", "clean", "mixture"):
            _add(sources[key[1]][kind], value)
        elif kind == "rejected":
            _add(sources[key[1]]["rejected"].setdefault(key[3], _zero()), value)
        elif kind in ("file_read", "file_out"):
            slot = files.setdefault(key[2], {"source": key[1], "read": 0, "out": 0})
            slot["read" if kind == "file_read" else "out"] += value[0]
        elif kind == "lines_removed":
            sources[key[1]]["lines_removed"]["lines"] += value[0]
            sources[key[1]]["lines_removed"]["bytes"] += value[1]
        elif kind == "hist":
            hist = sources[key[1]]["distributions"][key[2]].setdefault(key[3], {})
            hist[key[4]] = hist.get(key[4], 0) + value[0]
        elif kind == "pii":
            sources[key[1]]["pii"][key[2]] = sources[key[1]]["pii"].get(key[2], 0) + value[0]
    for entry in sources.values():
        for outcome in entry["distributions"].values():
            for signal, hist in outcome.items():
                outcome[signal] = {str(e): hist.get(str(e), 0) for e in HISTOGRAMS[signal]}
        entry["rejected"] = dict(sorted(entry["rejected"].items(), key=lambda kv: (-kv[1]["docs"], kv[0])))
        entry["rejected_docs"] = sum(r["docs"] for r in entry["rejected"].values())
        entry["accounting_ok"] = entry["read"]["docs"] == entry["clean"]["docs"] + entry["rejected_docs"]
    dedup["cluster_sizes"] = dict(sorted(dedup["cluster_sizes"].items(), key=lambda kv: int(kv[0])))

    samples: dict = {}
    for (source, reason), rows in clean_stats.get("samples", []):
        samples.setdefault(source, {})[reason] = [{"id": i, "url": u, "detail": d, "text_prefix": t} for i, u, d, t in rows]

    total_effective = sum(e["mixture"]["text_bytes"] for e in sources.values()) or 1
    table = []
    for s in config.sources:
        e, entry = sources[s.name], config.mixture_entry(s.name)
        clean = e["clean"]
        table.append({
            "component": s.name,
            "raw_size_bytes": clean["text_bytes"],
            "weight": round(e["mixture"]["text_bytes"] / total_effective, 4),
            "requested": {"weight": entry.weight} if entry.weight is not None else {"epochs": entry.epochs},
            "epochs": round(epochs.get(s.name, 0.0), 4),
            "effective_size_bytes": e["mixture"]["text_bytes"],
            "mean_document_bytes": round(clean["text_bytes"] / clean["docs"], 1) if clean["docs"] else 0.0,
            "documents": clean["docs"],
            "mixture_rows": e["mixture"]["docs"],
            "characters": clean["chars"],
            "jieba_words": e["words"],
            "tokens": e["tokens"],
        })
    return {
        "run": {"seed": config.seed, "planned_in": unit, "mixture_shards": n_shards,
                "tokenizer": config.report.tokenizer},
        "mixture_table": table,
        "sources": sources,
        "dedup": dedup,
        "samples": samples,
        "files": dict(sorted(files.items())),
        "accounting_ok": all(e["accounting_ok"] for e in sources.values())
        and all(f["read"] == f["out"] for f in files.values()),
    }


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


def funnel_lines(report: dict) -> list[str]:
    lines = ["| source | read | clean | rejected | mixture rows | rejections by reason |", "|---|---:|---:|---:|---:|---|"]
    for row in funnel_rows(report):
        reasons = ", ".join(f"{r}: {n}" for r, n, _s in row["reasons"]) or "-"
        lines.append(f"| {row['source']} | {row['read']} | {row['clean']} | {row['rejected']} | {row['mixture_rows']} | {reasons} |")
    return lines


def mixture_lines(report: dict) -> list[str]:
    lines = ["| component | raw size | weight | epochs | effective size | mean doc size | documents | jieba words |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in report["mixture_table"]:
        lines.append(f"| {row['component']} | {size(row['raw_size_bytes'])} | {row['weight'] * 100:.2f}% | {row['epochs']:g} "
                     f"| {size(row['effective_size_bytes'])} | {size(row['mean_document_bytes'])} | {row['documents']} "
                     f"| {row['jieba_words']:,.0f} |")
    return lines


def render_markdown(report: dict) -> str:
    run = report["run"]
    out = ["# zhpile run report", "", "## Mixture (Pile-style)", ""] + mixture_lines(report)
    out += ["", f"Raw size: UTF-8 text of the clean documents. Effective size: what the {run['mixture_shards']} "
            "mixture shards hold (raw size x epochs; fractional epochs keep a deterministic share of documents). "
            f"Epochs planned in {run['planned_in']}; jieba words are counted on each document's first {WORD_SAMPLE_CHARS} "
            "characters and scaled to its length (1.7% under a full count on CLUECorpusSmall).", ""]
    tokens = [r for r in report["mixture_table"] if r["tokens"] is not None]
    if tokens:
        out += [f"Tokens ({run['tokenizer']}): " + ", ".join(f"{r['component']} {r['tokens']:,}" for r in tokens), ""]
    out += ["## Funnel", ""] + funnel_lines(report) + [""]
    out += ["## Rejections by reason", "", "| source | reason | documents | share of read | input bytes |", "|---|---|---:|---:|---:|"]
    for name, e in report["sources"].items():
        read = e["read"]["docs"] or 1
        for reason, v in e["rejected"].items():
            out.append(f"| {name} | {reason} | {v['docs']} | {100 * v['docs'] / read:.1f}% | {size(v['raw_bytes'])} |")
    d = report["dedup"]
    out += ["", "## Deduplication", "",
            f"Duplicate clusters (2+ documents): {d['clusters']}; connected components "
            + ("converged." if not d["cc_unconverged"] else f"NOT converged for {d['cc_unconverged']} nodes (raise dedup.cc_rounds)."),
            "", "| cluster size ≥ | clusters |", "|---:|---:|"]
    out += [f"| {s} | {n} |" for s, n in d["cluster_sizes"].items()]
    out += ["", "| source | exact duplicates (docs, bytes) | near duplicates (docs, bytes) | recurring lines removed (lines, bytes) |",
            "|---|---:|---:|---:|"]
    for name, e in report["sources"].items():
        ex = e["rejected"].get("dup_exact", _zero())
        ne = e["rejected"].get("dup_near", _zero())
        lr = e["lines_removed"]
        out.append(f"| {name} | {ex['docs']}, {size(ex['raw_bytes'])} | {ne['docs']}, {size(ne['raw_bytes'])} "
                   f"| {lr['lines']}, {size(lr['bytes'])} |")
    out += ["", "## Bytes", "", "| source | input bytes read | clean text bytes | clean characters |", "|---|---:|---:|---:|"]
    for name, e in report["sources"].items():
        out.append(f"| {name} | {size(e['read']['raw_bytes'])} | {size(e['clean']['text_bytes'])} | {e['clean']['chars']} |")
    out += ["", "## Distributions of kept documents", ""]
    for signal, edges in HISTOGRAMS.items():
        rows = [(name, e["distributions"]["clean"].get(signal)) for name, e in report["sources"].items()]
        rows = [(name, h) for name, h in rows if h and any(h.values())]
        if rows:
            out += [f"**{signal}** (documents per bin, bins start at the value shown)", "",
                    "| source | " + " | ".join(f"≥{e}" for e in edges) + " |", "|---|" + "---:|" * len(edges)]
            out += [f"| {name} | " + " | ".join(str(h.get(str(e), 0)) for e in edges) + " |" for name, h in rows]
            out.append("")
    if any(e["pii"] for e in report["sources"].values()):
        out += ["## PII replaced in kept text", "", "| source | kind | replaced |", "|---|---|---:|"]
        out += [f"| {name} | {kind} | {n} |" for name, e in report["sources"].items() for kind, n in sorted(e["pii"].items())]
        out.append("")
    empty = [path for path, f in report["files"].items() if f["read"] == 0]
    if empty:
        out += ["## Input files without any document", ""] + [f"- {path}" for path in empty] + [""]
    errors = [(name, reason, v["docs"]) for name, e in report["sources"].items()
              for reason, v in e["rejected"].items() if reason in ("bad_record", "bad_json", "error")]
    if errors:
        out += ["## Input errors (details per record in rejected/)", "", "| source | reason | count |", "|---|---|---:|"]
        out += [f"| {name} | {reason} | {n} |" for name, reason, n in errors] + [""]
    verdict = "holds" if report["accounting_ok"] else "BROKEN: see report.json"
    out += [f"Accounting (read = clean + rejected, per source and per input file): {verdict}.", ""]
    return "\n".join(out)


def write_report(report: dict, report_dir: str) -> None:
    from apache_beam.io.filesystems import FileSystems  # only the file I/O needs Beam

    from .report_html import render_html

    for name, body in (("report.json", json.dumps(report, ensure_ascii=False, indent=1)),
                       ("report.md", render_markdown(report)),
                       ("report.html", render_html(report))):
        with FileSystems.create(f"{report_dir}/{name}") as f:
            f.write(body.encode("utf-8"))
