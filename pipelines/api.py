"""The library API: `zhpile.explain` for one text, `zhpile.run` for a whole job.

explain() runs the pipeline's own stage objects (pipelines/job/pipeline.py) on one document,
in the order the pipeline applies them, so its answer is the pipeline's. Only the
corpus-wide steps (deduplication, the mixture) need a corpus and are not part of it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from zhpile.schemas.config import Config, load_config, parse_config

# "signal=value op limit_name=limit[; ...]": the first limit is the rule's own
_LIMIT = re.compile(r"[<>]=? (?P<name>[a-z_0-9]+)=(?P<value>-?[0-9][0-9.e+-]*)")
_HTML = re.compile(r"^\s*(<!doctype|<html|<head|<body|<meta|<div|<p[ >])", re.I)


def _config(config) -> Config:
    if config is None:
        return parse_config({"sources": [{"name": "explain", "format": "jsonl", "paths": ["-"]}]})
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return parse_config({"sources": [{"name": "explain", "format": "jsonl", "paths": ["-"]}], **config})
    return load_config(str(config))[0]


@lru_cache(maxsize=4)
def _stages(config_json: str) -> list:
    """The per-document stages of a config, set up once (the language model loads in
    setup()): a notebook calling explain() in a loop pays for it once."""
    from .job.pipeline import extract_stage, stages_after_dedup, stages_before_dedup

    from .job.stages import AssignComponent

    cfg = Config.model_validate_json(config_json)
    stages = [stage for _label, stage in [extract_stage(cfg), *stages_before_dedup(cfg), *stages_after_dedup(cfg)]]
    for stage in stages:
        if isinstance(stage, AssignComponent):
            stage.fixed = {}  # explain answers for a crawl page: its component is classified
        stage.setup()
    return stages


def explain(text_or_html: str | bytes, config=None, title: str | None = None, url: str | None = None) -> dict:
    """What zhpile would do with one document, and why.

    `text_or_html`: plain text, an HTML page (str that starts like one, or bytes, decoded as
    a crawled page is). `config`: None (the defaults), a dict of config sections such as
    {"quality": {"min_chars": 50}}, a Config, or a YAML path. `title` and `url`: the
    document's, as a source would give them (an HTML page's own <title> is read from it).

    Returns {"decision": "keep" | "drop", "stage", "reason", "detail", "threshold",
    "signals", "lang", "lang_score", "component", "component_reason", "text"}: `component`
    is the Pile-style component a crawl page gets (a dropped one: would have got), and
    `component_reason` what decided it; `threshold` names the setting that decided
    and its value; `signals` holds every quality signal measured before the decision;
    `text` is the text as the stage that decided saw it (the clean text when kept).
    """
    cfg = _config(config)
    doc = {"id": "explain", "source": "explain", **({"title": title} if title else {}), **({"url": url} if url else {})}
    if isinstance(text_or_html, bytes):
        doc.update(payload=text_or_html, content_type="text/html")
    elif _HTML.match(text_or_html):
        doc.update(payload=text_or_html.encode("utf-8", "surrogatepass"), content_type="text/html; charset=utf-8")
    else:
        doc["text"] = text_or_html
    result = {"decision": "keep", "stage": None, "reason": None, "detail": None, "threshold": None}
    for stage in _stages(cfg.model_dump_json()):
        before = dict(doc)
        outcome = next(iter(stage.process(doc)))
        if getattr(outcome, "tag", None) is not None:  # the rejected output
            row = outcome.value
            result.update(decision="drop", stage=row["stage"], reason=row["reason"], detail=row["detail"])
            limit = _LIMIT.search(row["detail"] or "")
            if limit:
                result["threshold"] = {"name": limit["name"], "value": float(limit["value"])}
            doc = before
            break
        doc = outcome
    result.update(signals=doc.get("quality", {}), lang=doc.get("lang"), lang_score=doc.get("lang_score"),
                  component=doc.get("component"), component_reason=doc.get("component_reason"), text=doc.get("text"))
    if result["component"] is None and doc.get("text"):  # dropped: the component it would have had
        from zhpile.filters.component import assign_component

        result["component"], result["component_reason"] = assign_component(doc.get("url"), doc.get("title"), doc["text"],
                                                                           dateline=doc.get("dateline"))
    return result


def run(config, output: str, overwrite: bool = False, **beam_options) -> dict:
    """Runs a job as `zhpile run` does and returns its report (report.json's content).
    `config`: a YAML path (relative paths resolve against its folder) or a Config;
    `beam_options`: Beam pipeline options, e.g. runner="FlinkRunner", direct_num_workers=2."""
    from .run import load_job, start_job

    args = [f"--{key}={value}" for key, value in sorted(beam_options.items())]
    return start_job(*load_job(config), str(output).rstrip("/"), overwrite, args)
