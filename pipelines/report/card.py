"""The dataset card, DIR/README.md: Hugging Face's YAML header (one config per table, with
its files, features and sizes) and a summary a person reads: sources, the mixture table,
the filter funnel, the zhpile version and the config's hash. Rendered from the report dict
(build.py), like report.md and report.html."""
from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import yaml

from zhpile.schemas.tables import CLEAN_SCHEMA, MIXTURE_SCHEMA, REJECTED_SCHEMA, TOKENS_SCHEMA

from .markdown import funnel_lines, mixture_lines

_DTYPES = {pa.string(): "string", pa.int32(): "int32", pa.int64(): "int64", pa.uint32(): "uint32", pa.float64(): "float64",
           pa.bool_(): "bool"}


def _feature(field: pa.Field) -> dict:
    """A column in Hugging Face's YAML form: a dtype, a struct's fields, or a list of structs."""
    if pa.types.is_struct(field.type):
        return {"name": field.name, "struct": [_feature(f) for f in field.type]}
    if pa.types.is_list(field.type) and pa.types.is_struct(field.type.value_type):
        return {"name": field.name, "list": [_feature(f) for f in field.type.value_type]}
    if pa.types.is_list(field.type):
        return {"name": field.name, "sequence": _DTYPES[field.type.value_type]}
    return {"name": field.name, "dtype": _DTYPES[field.type]}


def _features(schema: pa.Schema) -> list[dict]:
    return [_feature(field) for field in schema]


def config_hash(config) -> str:
    """sha256 of the validated config (every default filled in), first 16 hex digits."""
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _config_entry(name: str, path: str, schema: pa.Schema, rows: int, num_bytes: int, default: bool = False) -> tuple[dict, dict]:
    files = {"config_name": name, "data_files": [{"split": "train", "path": path}]}
    if default:
        files["default"] = True
    info = {"config_name": name, "features": _features(schema),
            "splits": [{"name": "train", "num_bytes": int(num_bytes), "num_examples": int(rows)}]}
    return files, info


def render_card(report: dict, config, version: str) -> str:
    mix_rows = sum(row["mixture_rows"] for row in report["mixture_table"])
    mix_bytes = sum(row["effective_size_bytes"] for row in report["mixture_table"])
    entries = [_config_entry("mixture", "mixture/*.parquet", MIXTURE_SCHEMA, mix_rows, mix_bytes, default=True)]
    tokenize = config.output.tokenize
    if tokenize and "parquet" in tokenize.formats:
        mix_tokens = sum(row["effective_tokens"] or 0 for row in report["mixture_table"])
        entries.append(_config_entry("tokens", "tokens/*.parquet", TOKENS_SCHEMA, mix_rows, 4 * mix_tokens))
    for row in report["mixture_table"]:  # a config per component of each source
        if row["documents"]:
            source, _, component = row["component"].partition("/")
            name, files = (f"clean_{source}", f"clean/{source}/{source}-*.parquet") if not component else \
                (f"clean_{source}_{component}", f"clean/{source}/{component}-*.parquet")
            entries.append(_config_entry(name, files, CLEAN_SCHEMA, row["documents"], row["raw_size_bytes"]))
    rejected = sum(s["rejected_docs"] for s in report["sources"].values())
    if rejected:
        entries.append(_config_entry("rejected", "rejected/*.parquet", REJECTED_SCHEMA, rejected, 0))
    names = [files["config_name"] for files, _ in entries if files["config_name"].startswith("clean_")]
    header = {"configs": [files for files, _ in entries], "dataset_info": [info for _, info in entries],
              "language": ["zh"], "task_categories": ["text-generation"], "tags": ["zhpile", "pretraining"]}
    sources = [f"| {s.name} | {s.format} | {s.kind} | {report['sources'][s.name]['read']['docs']:,} |" for s in config.sources]
    lines = [
        "---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
        "# Chinese pretraining mixture (zhpile)", "",
        f"Made by zhpile {version} with config `{config_hash(config)}` (sha256 of the validated config, "
        f"seed {config.seed}). `mixture/` is the training mix ({mix_rows:,} rows in {report['run']['mixture_shards']} shards); "
        "`clean/<source>/` holds each source's clean documents with their quality signals, a file set per component "
        "(configs `clean_<source>_<component>`); `rejected/` every dropped "
        "document with its reason. `report/report.html` explains the numbers below.", "",
        "## Sources", "", "| source | format | kind | documents read |", "|---|---|---|---:|", *sources, "",
        "## Mixture", "", *mixture_lines(report), "",
        "## Filter funnel", "", *funnel_lines(report), "",
        "## Loading", "", "```python", "from datasets import load_dataset",
        'mix = load_dataset("parquet", data_files="DIR/mixture/*.parquet", split="train")',
        'mix = load_dataset("DIR", split="train")              # the same, through this card (tested)',
        *([f'clean = load_dataset("DIR", "{names[0]}", split="train")  # a component\'s clean documents and signals'] if names else []),
        *(['ids = load_dataset("DIR", "tokens", split="train")    # the same rows as token ids']
          if any(files["config_name"] == "tokens" for files, _ in entries) else []),
        "```", "",
    ]
    return "\n".join(lines)
