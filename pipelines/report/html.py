"""report.html: one self-contained page (inline CSS and SVG charts, no script, no network)."""
from __future__ import annotations

import html

from .build import HISTOGRAMS, INDEX_HEADERS, decontamination_rows, funnel_rows, index_rows, mixture_columns, size

# Categorical colours (no green: green means "kept").
_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
            "#d37295", "#a0cbe8", "#ffbe7d", "#b6992d", "#499894", "#79706e", "#86bcb6"]
_CLEAN = "#59a14f"
_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}
.legend span{display:inline-block;margin:0 .8em .3em 0;font-size:.85em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}.chart{font-size:.8em}.sample{font-family:ui-monospace,Menlo,"WenQuanYi Micro Hei Mono",monospace;font-size:.85em;white-space:pre-wrap;word-break:break-all;overflow-wrap:anywhere;max-width:100%;box-sizing:border-box;background:#fafafa;border:1px solid #eee;padding:.4em;margin:.2em 0 .8em;max-height:8em;overflow:auto}
.meta{color:#666;font-size:.85em}
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def visible(text: str) -> str:
    """Text with control and invisible characters shown as \\uXXXX escapes."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\t":
            out.append(ch)
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF) or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _color(i: int) -> str:
    return _PALETTE[i % len(_PALETTE)]


def stacked_bar(parts: list[tuple[str, float, str]], width: int = 760, height: int = 22) -> str:
    """One horizontal bar split into (label, value, colour) parts."""
    total = sum(v for _l, v, _c in parts) or 1
    x, rects = 0.0, []
    for label, value, color in parts:
        w = width * value / total
        if w > 0:
            rects.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{color}"><title>{_e(label)}: {value:,.0f}</title></rect>')
        x += w
    return f'<svg width="{width}" height="{height}" role="img">{"".join(rects)}</svg>'


def bar_chart(title: str, items: list[tuple[str, float]], width: int = 330, height: int = 150, color: str = "#4e79a7") -> str:
    """Vertical bars with labels under them."""
    n = max(len(items), 1)
    top = max((v for _l, v in items), default=0) or 1
    bw = (width - 10) / n
    bars = []
    for i, (label, value) in enumerate(items):
        h = (height - 40) * value / top
        x = 5 + i * bw
        bars.append(f'<rect x="{x + 1:.1f}" y="{height - 25 - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" fill="{color}">'
                    f'<title>{_e(label)}: {value:,.0f}</title></rect>')
        if value:
            bars.append(f'<text x="{x + bw / 2:.1f}" y="{height - 28 - h:.1f}" font-size="9" text-anchor="middle">{value:,.0f}</text>')
        bars.append(f'<text x="{x + bw / 2:.1f}" y="{height - 12}" font-size="9" text-anchor="middle">{_e(label)}</text>')
    return (f'<div class="chart"><div><b>{_e(title)}</b></div><svg width="{width}" height="{height}" role="img">'
            f'<line x1="0" y1="{height - 25}" x2="{width}" y2="{height - 25}" stroke="#999"/>{"".join(bars)}</svg></div>')


def _short(edge: str) -> str:
    """A bin's lower edge as a short axis label: 20000 -> ≥20k."""
    value = float(edge)
    if abs(value) >= 1000:
        return f"≥{value / 1000:g}k"
    return f"≥{edge}"


def _table(headers: list[str], rows: list[list], left: int = 1) -> str:
    head = "".join(f'<th class="{"l" if i < left else ""}">{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(report: dict) -> str:
    run = report["run"]
    ok = report["accounting_ok"]
    parts = [f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>zhpile report</title><style>{_CSS}</style></head><body>",
             "<h1>zhpile run report</h1>",
             f'<p class="meta">seed {run["seed"]}, {run["mixture_shards"]} mixture shards, epochs planned in {_e(run["planned_in"])}. '
             f'Accounting (read = clean + rejected, per source and input file): '
             + ('<span class="ok">holds</span>' if ok else '<span class="bad">BROKEN, see report.json</span>') + "</p>"]

    # The Pile-style table and the weights.
    table = report["mixture_table"]
    parts.append("<h2>Mixture</h2>")
    head, cells = mixture_columns(report)
    parts.append(_table(head, [[_e(c) for c in row] for row in cells]))
    parts.append(stacked_bar([(r["component"], r["effective_size_bytes"], _color(i)) for i, r in enumerate(table)]))
    parts.append('<div class="legend">' + "".join(f'<span><i style="background:{_color(i)}"></i>{_e(r["component"])} '
                                                  f'{100 * r["weight"]:.1f}%</span>' for i, r in enumerate(table)) + "</div>")

    # The funnel: every document read, split into kept and each rejection reason.
    parts.append("<h2>Funnel</h2>")
    reasons = sorted({r for row in funnel_rows(report) for r, _n, _s in row["reasons"]})
    colors = {r: _color(i + 1) for i, r in enumerate(reasons)}
    for row in funnel_rows(report):
        parts.append(f"<h3>{_e(row['source'])}: {row['read']:,} read, {row['clean']:,} kept, {row['rejected']:,} rejected, "
                     f"{row['mixture_rows']:,} rows in the mix</h3>")
        parts.append(stacked_bar([("kept", row["clean"], _CLEAN)] + [(r, n, colors[r]) for r, n, _s in row["reasons"]]))
        parts.append('<div class="legend"><span><i style="background:%s"></i>kept</span>' % _CLEAN
                     + "".join(f'<span><i style="background:{colors[r]}"></i>{_e(r)} {n:,} ({100 * s:.1f}%)</span>'
                               for r, n, s in row["reasons"]) + "</div>")

    if index_rows(report):
        parts.append("<h3>Columnar index selection</h3>")
        parts.append(_table(INDEX_HEADERS, [[_e(c) for c in r] for r in index_rows(report)]))

    # Distributions of kept documents.
    parts.append("<h2>Distributions of kept documents</h2><div class=\"charts\">")
    for name, e in report["sources"].items():
        for signal in HISTOGRAMS:
            hist = e["distributions"]["clean"].get(signal)
            if hist and any(hist.values()):
                parts.append(bar_chart(f"{name}: {signal}", [(_short(k), v) for k, v in hist.items()]))
    parts.append("</div>")

    # Deduplication.
    d = report["dedup"]
    parts.append("<h2>Deduplication</h2>")
    parts.append(f"<p>{d['clusters']:,} duplicate clusters; connected components "
                 + ("converged." if not d["cc_unconverged"] else f'<span class="bad">not converged for {d["cc_unconverged"]} nodes</span>.') + "</p>")
    if d["cluster_sizes"]:
        parts.append(bar_chart("clusters by size (≥)", list(d["cluster_sizes"].items()), color="#f28e2b"))
    parts.append(_table(["source", "exact duplicates", "near duplicates", "recurring lines removed"],
                        [[_e(name), f"{e['rejected'].get('dup_exact', {}).get('docs', 0):,}",
                          f"{e['rejected'].get('dup_near', {}).get('docs', 0):,}",
                          f"{e['lines_removed']['lines']:,} lines, {size(e['lines_removed']['bytes'])}"]
                         for name, e in report["sources"].items()]))

    if d.get("clean_by_cluster_size"):
        parts.append(bar_chart("clean documents by cluster size (≥)",
                               [(k, v["docs"]) for k, v in d["clean_by_cluster_size"].items()], color="#76b7b2"))
    rehydrated = [r for r in table if r.get("rehydration") is not None]
    if rehydrated:
        parts.append(_table(["component", "clean text", "rehydrated", "factor"],
                            [[_e(r["component"]), size(r["raw_size_bytes"]), size(round(r["raw_size_bytes"] * r["rehydration"])),
                              f"{r['rehydration']:.3f}x"] for r in rehydrated]))

    scorers = {name: sc for name, sc in report.get("scorers", {}).items() if sc.get("documents")}
    if scorers:
        parts.append("<h2>Learned quality scorers</h2>")
        parts.append(_table(["scorer", "documents scored", "kept", *next(iter(scorers.values()))["quantiles"]],
                            [[_e(name), f"{sc['documents']:,}", f"{sc['clean']:,}", *(f"{v:g}" for v in sc["quantiles"].values())]
                             for name, sc in scorers.items()]))
        parts.append('<div class="charts">' + "".join(
            bar_chart(f"{name}: share at or above", [(t, 100 * v) for t, v in sc["share_at_or_above"].items()])
            for name, sc in scorers.items()) + "</div>")
        if report.get("quality_buckets"):
            parts.append(_table(["bucket (highest of the scorers)", "kept", "dropped"],
                                [[b, f"{v['clean']:,}", f"{v['rejected']:,}"] for b, v in report["quality_buckets"].items()]))

    rows = decontamination_rows(report)
    if rows:
        parts.append("<h2>Decontamination</h2>")
        parts.append(_table(["benchmark", "items found", "items", "documents per source"], [[_e(c) for c in r] for r in rows]))

    # Why documents left: examples per reason.
    parts.append("<h2>Rejected documents, by reason (examples)</h2>")
    for source, by_reason in report["samples"].items():
        for reason, rows in by_reason.items():
            parts.append(f"<h3>{_e(source)} / {_e(reason)}</h3>")
            for row in rows:
                parts.append(f'<div class="meta">{_e(row["id"])} {_e(row["url"] or "")}: {_e(row["detail"])}</div>'
                             f'<div class="sample">{html.escape(visible(row["text_prefix"] or ""))}</div>')

    empty = [path for path, f in report["files"].items() if f["read"] == 0]
    if empty:
        parts.append("<h2>Input files without any document</h2><ul>" + "".join(f"<li>{_e(p)}</li>" for p in empty) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
