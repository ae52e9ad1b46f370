"""`zhpile inspect`: examples of a rejection reason, and where one document went."""
from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from .report.html import visible

_SHOWN = ["id", "source", "url", "reason", "detail", "stage", "input_file", "text_prefix"]


def _files(pattern: str) -> list[str]:
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def _read(pattern: str, columns=None, filter_expr=None):
    tables = []
    for path in _files(pattern):
        with FileSystems.open(path) as f:
            table = pq.read_table(f, columns=columns)
        tables.append(table.filter(filter_expr) if filter_expr is not None else table)
    return tables


def _show(text: str, limit: int = 300) -> str:
    text = text or ""
    return visible(text[:limit]) + ("…" if len(text) > limit else "")


def reason_examples(root: str, reason: str, n: int = 5, source: str | None = None) -> str:
    expr = pc.field("reason") == reason
    if source:
        expr = expr & (pc.field("source") == source)
    rows = [r for t in _read(f"{root}/rejected/*.parquet", _SHOWN, expr) for r in t.to_pylist()]
    rows.sort(key=lambda r: r["id"])
    lines = [f"{len(rows)} documents rejected `{reason}`" + (f" in {source}" if source else "") + (f"; first {min(n, len(rows))} by id:" if rows else "")]
    for r in rows[:n]:
        lines += ["", f"id {r['id']}  source {r['source']}  stage {r['stage']}", f"url    {r['url'] or '-'}",
                  f"file   {r['input_file'] or '-'}", f"why    {r['detail']}", f"text   {_show(r['text_prefix'])}"]
    return "\n".join(lines)


def find_document(root: str, doc_id: str) -> str:
    expr = pc.field("id") == doc_id
    out = []
    for t in _read(f"{root}/rejected/*.parquet", _SHOWN, expr):
        for r in t.to_pylist():
            out += [f"{doc_id}: REJECTED by stage `{r['stage']}`, reason `{r['reason']}`", f"  why    {r['detail']}",
                    f"  source {r['source']}  url {r['url'] or '-'}", f"  file   {r['input_file'] or '-'}",
                    f"  text   {_show(r['text_prefix'])}"]
    columns = ["id", "source", "url", "input_file", "lang", "lang_score", "component", "component_reason", "text"]
    for t in _read(f"{root}/clean/*/*.parquet", columns, expr):
        for r in t.to_pylist():
            out += [f"{doc_id}: KEPT in clean/{r['source']}/", f"  url    {r['url'] or '-'}", f"  file   {r['input_file'] or '-'}",
                    f"  lang   {r['lang']} ({r['lang_score']})",
                    f"  component {r['component']} ({r['component_reason']})", f"  text   {_show(r['text'])}"]
    shards = []
    for path in _files(f"{root}/mixture/*.parquet"):
        with FileSystems.open(path) as f:
            t = pq.read_table(f, columns=["id", "epoch"]).filter(expr)
        shards += [f"{path.rsplit('/', 1)[-1]} (epoch {e})" for e in t.column("epoch").to_pylist()]
    if shards:
        out.append("  in the mixture: " + ", ".join(shards))
    elif out and out[0].endswith("clean/" + out[0].split("clean/")[-1]) and "KEPT" in out[0]:
        out.append("  not in the mixture (a fractional epoch left it out)")
    return "\n".join(out) if out else f"{doc_id}: not found in {root} (clean, rejected or mixture)"
