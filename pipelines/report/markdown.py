"""report.md and the terminal's tables, rendered from the report dict (build.py)."""
from __future__ import annotations

from zhpile.filters.quality import WORD_SAMPLE_CHARS

from .build import HISTOGRAMS, INDEX_HEADERS, decontamination_rows, empty_slot, funnel_rows, index_rows, mixture_columns, size


def funnel_lines(report: dict) -> list[str]:
    lines = ["| source | read | clean | rejected | mixture rows | rejections by reason |", "|---|---:|---:|---:|---:|---|"]
    for row in funnel_rows(report):
        reasons = ", ".join(f"{r}: {n}" for r, n, _s in row["reasons"]) or "-"
        lines.append(f"| {row['source']} | {row['read']} | {row['clean']} | {row['rejected']} | {row['mixture_rows']} | {reasons} |")
    return lines


def mixture_lines(report: dict) -> list[str]:
    head, cells = mixture_columns(report)
    lines = [f"| {' | '.join(head)} |", "|---|" + "---:|" * (len(head) - 1)]
    lines += [f"| {' | '.join(c)} |" for c in cells]
    return lines


def decontamination_lines(report: dict) -> list[str]:
    rows = decontamination_rows(report)
    if not rows:
        return []
    return ["", "## Decontamination", "", "| benchmark | items found | items | documents per source |", "|---|---:|---|---|",
            *(f"| {' | '.join(r)} |" for r in rows),
            "", "Examples: the `contaminated` rows under the rejections by reason; marked documents carry the match in `contamination`."]


def index_lines(report: dict) -> list[str]:
    """The selection funnel of each cc-index source."""
    rows = index_rows(report)
    if not rows:
        return []
    return ["", "## Columnar index selection", "", f"| {' | '.join(INDEX_HEADERS)} |",
            "|---|" + "---:|" * (len(INDEX_HEADERS) - 1), *(f"| {' | '.join(r)} |" for r in rows)]


def scorer_lines(report: dict) -> list[str]:
    """Each learned scorer's distribution, the share of scored documents at each threshold,
    and the bucket rule's decision."""
    scorers = {name: sc for name, sc in report.get("scorers", {}).items() if sc.get("documents")}
    if not scorers:
        return []
    out = ["", "## Learned quality scorers", "", "| scorer | documents scored | kept | p10 | p25 | p50 | p75 | p90 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {name} | {sc['documents']} | {sc['clean']} | " + " | ".join(f"{v:g}" for v in sc["quantiles"].values()) + " |"
            for name, sc in scorers.items()]
    for name, sc in scorers.items():
        grid = list(sc["share_at_or_above"])
        out += ["", f"**{name}**: share of scored documents at or above a threshold", "",
                "| threshold | " + " | ".join(grid) + " |", "|---|" + "---:|" * len(grid),
                "| share | " + " | ".join(f"{100 * v:.1f}%" for v in sc["share_at_or_above"].values()) + " |"]
    if report.get("quality_buckets"):
        out += ["", "Bucket rule (classifier.mode buckets): documents by their highest bucket over the scorers", "",
                "| bucket | kept | dropped |", "|---:|---:|---:|"]
        out += [f"| {b} | {v['clean']} | {v['rejected']} |" for b, v in report["quality_buckets"].items()]
    return out


def rehydration_lines(report: dict) -> list[str]:
    """Clean documents by duplicate-cluster size, and what mixture.*.rehydrate made of them."""
    by_size = report["dedup"].get("clean_by_cluster_size") or {}
    if not by_size:
        return []
    out = ["", "Clean documents by their duplicate cluster's size (`dup_cluster_size`, exact + near):", "",
           "| cluster size ≥ | documents | text bytes |", "|---:|---:|---:|"]
    out += [f"| {s} | {v['docs']} | {size(v['text_bytes'])} |" for s, v in by_size.items()]
    rehydrated = [r for r in report["mixture_table"] if r.get("rehydration") is not None]
    if rehydrated:
        out += ["", "Rehydration (mixture.*.rehydrate): planned size over one copy of each clean document", "",
                "| component | clean text | rehydrated | factor |", "|---|---:|---:|---:|"]
        out += [f"| {r['component']} | {size(r['raw_size_bytes'])} | {size(round(r['raw_size_bytes'] * r['rehydration']))} "
                f"| {r['rehydration']:.3f}x |" for r in rehydrated]
    return out


def render_markdown(report: dict) -> str:
    run = report["run"]
    out = ["# zhpile run report", "", "## Mixture (Pile-style)", ""] + mixture_lines(report)
    out += ["", f"Raw size: UTF-8 text of the clean documents. Effective size: what the {run['mixture_shards']} "
            "mixture shards hold (raw size x epochs; fractional epochs keep a deterministic share of documents). "
            f"Epochs planned in {run['planned_in']}; jieba words are counted on each document's first {WORD_SAMPLE_CHARS} "
            "characters and scaled to its length (1.7% under a full count on CLUECorpusSmall).", ""]
    if any(r["tokens"] is not None for r in report["mixture_table"]):
        out += [f"Tokens: {run['tokenizer']}'s" + (", exactly as the token-id shards hold them (EOS included)"
                                                   if any(r.get("effective_tokens") is not None for r in report["mixture_table"])
                                                   else " count of each clean text") + ".", ""]
    out += ["## Funnel", ""] + funnel_lines(report) + index_lines(report) + [""]
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
        ex = e["rejected"].get("dup_exact", empty_slot())
        ne = e["rejected"].get("dup_near", empty_slot())
        lr = e["lines_removed"]
        out.append(f"| {name} | {ex['docs']}, {size(ex['raw_bytes'])} | {ne['docs']}, {size(ne['raw_bytes'])} "
                   f"| {lr['lines']}, {size(lr['bytes'])} |")
    out += rehydration_lines(report)
    out += scorer_lines(report)
    out += decontamination_lines(report)
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
