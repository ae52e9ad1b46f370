"""The two zhpile pipelines.

clean: read -> extract -> normalise -> pathological -> LID -> Traditional-to-Simplified ->
exact, near and line dedup -> quality rules -> [classifier] -> component -> PII -> [decontamination] ->
[token ids] -> clean/, rejected/,
and the statistics of every step (report/stats_clean.json).

mix: clean/ -> copies by epochs -> shuffled shards in mixture/ (text, and with output.tokenize
token ids of the same rows: tokens/, megatron/) (report/stats_mixture.json).
The driver (run.py) plans the epochs from the clean statistics in between."""
from __future__ import annotations

import apache_beam as beam

from zhpile.schemas.config import Config

from ..io.records import REJECTED
from ..io.sources import ReadSources, UniqueIds
from ..report.build import histogram_keys, score_keys
from .decontam import Decontaminate, DecontaminateByJoin, load_benchmarks
from .dedup import Deduplicate
from .stage import KEPT, apply_stage
from .scoring import ScoreDocuments
from .stages import (AssignComponent, ContentQuality, ExtractText, IdentifyLanguage, NormalizeText, Pathological, RedactPII,
                     ScoreQuality, TokenizeText, ToSimplified)
from .stats import CountTokens, SumPerBundle, WriteStats
from .write import CleanFiles, MixtureShards, WriteClean, WriteMixture, WriteRejected, clean_layout


def _text_stats(doc: dict) -> list:
    text = doc["text"]
    return [1, doc.get("raw_bytes") or 0, len(text.encode("utf-8", "surrogatepass")), len(text)]


def _read_stats(d: dict) -> list:
    return [(("read", d["source"]), [1, d.get("raw_bytes") or 0, 0, 0]),
            (("file_read", d["source"], d["input_file"]), [1, 0, 0, 0])]


def _clean_stats(d: dict) -> list:
    stats = _text_stats(d)
    return [(("clean", d["source"]), stats),
            (("component", d["source"], d["component"]), stats),
            (("component_reason", d["source"], d["component"], d["component_reason"].split(":", 1)[0]), [1, 0, 0, 0]),
            *((key, [1, 0, 0, 0]) for m in d.get("contamination") or ()
              for key in (("contam", m["benchmark"], d["source"], "marked"), ("contam_item", m["benchmark"], m["item"]))),
            (("file_out", d["source"], d["input_file"]), [1, 0, 0, 0]),
            # By duplicate-cluster size: the report's histogram, and rehydration's planned size.
            (("dup_size", d["source"], d["component"], d.get("dup_cluster_size") or 1), stats),
            *((("pii", d["source"], kind), [n, 0, 0, 0]) for kind, n in d["pii"].items() if n),
            *((key, [1, 0, 0, 0]) for key in histogram_keys(d, "clean")),
            *((key, [1, 0, 0, 0]) for key in score_keys(d, "clean"))]


def _contaminated_keys(r: dict) -> list:
    if r["reason"] != "contaminated":
        return []
    benchmark, _, rest = r["detail"].partition(" item ")
    return [("contam", benchmark, r["source"], "removed"), ("contam_item", benchmark, rest.rsplit(": share=", 1)[0])]


def _rejected_stats(r: dict) -> list:
    return [(("rejected", r["source"], r["stage"], r["reason"]), [1, r.get("raw_bytes") or 0, 0, 0]),
            *((key, [1, 0, 0, 0]) for key in _contaminated_keys(r)),
            (("file_out", r["source"], r["input_file"]), [1, 0, 0, 0]),
            *((key, [1, 0, 0, 0]) for key in histogram_keys(r, "rejected")),
            *((key, [1, 0, 0, 0]) for key in score_keys(r, "rejected"))]


# The per-document stages in the order a document meets them; `zhpile.explain` runs the
# same objects on one text.
def extract_stage(config: Config):
    mode = config.extract.navigation_lines
    navigation_sources = frozenset(s.name for s in config.sources if mode == "all" or (mode == "crawl" and s.kind == "crawl"))
    return ("Extract", ExtractText(config.extract, navigation_sources, prefix_chars=config.output.text_prefix_chars))


def stages_before_dedup(config: Config) -> list:
    prefix = {"prefix_chars": config.output.text_prefix_chars}
    return [
        ("Normalize", NormalizeText(config.normalize, **prefix)),
        ("Pathological", Pathological(config.quality, **prefix)),
        ("LangId", IdentifyLanguage(config.langid, **prefix)),
        ("ToSimplified", ToSimplified(config.normalize, **prefix)),
    ]


def stages_after_dedup(config: Config) -> list:
    prefix = {"prefix_chars": config.output.text_prefix_chars}
    return [
        ("Quality", ContentQuality(config.quality, **prefix)),
        *([("Classifier", ScoreQuality(config.classifier, config.seed, **prefix))] if config.classifier.scorers() else []),
        ("Component", AssignComponent({s.name: s.fixed_component() for s in config.sources}, **prefix)),
        ("RedactPII", RedactPII(**prefix)),
    ]


CLEAN_READ_BYTES = 4_000_000  # a range of clean/ the mixing step reads: ~1,000 documents, a row group or two
WORK_DIR = "_work"  # files the driver hands the workers; removed when the run ends (run.py)


def build_clean_pipeline(p: beam.Pipeline, config: Config, files: dict[str, list[str]], output: str) -> None:
    docs, rejected_read, index_stats = p | "Read" >> ReadSources(config, files)
    # The report is computed from the pipeline's own collections, not by re-reading
    # files; "read" is counted at the reader, independently of the later stages.
    # Every input file is listed in the report, also one that holds no document.
    input_files = p | "InputFiles" >> beam.Create(
        [(("file_read", source, path), [0, 0, 0, 0]) for source, paths in sorted(files.items()) for path in paths])
    # Counted where the records are read, each collection on its own: a Flatten of the
    # read documents would make the local runner hold every raw payload in memory.
    read_stats = [
        pcoll | f"ReadStats{i}" >> beam.ParDo(SumPerBundle(_read_stats))
        for i, pcoll in enumerate((docs, rejected_read))
    ]

    rejected = [rejected_read]
    docs, dropped = apply_stage(docs, *extract_stage(config))
    rejected.append(dropped)
    # Spread one big file's records over workers, after extraction: text is a fraction of
    # the HTML it came from, and the local runner holds a shuffle in memory. Grouping by
    # id, the same shuffle makes every document's id its own.
    docs = docs | "SpreadDocs" >> UniqueIds()
    for label, dofn in stages_before_dedup(config):
        docs, dropped = apply_stage(docs, label, dofn)
        rejected.append(dropped)
    # Dedup before the content rules: recurring lines are removed from the documents the
    # quality signals then judge.
    docs, dropped, dedup_stats = docs | "Dedup" >> Deduplicate(config, sum(map(len, files.values())))
    rejected.append(dropped)
    for label, dofn in stages_after_dedup(config):
        if isinstance(dofn, ScoreQuality):  # batched, and the bucket rule is corpus-wide
            docs, dropped = docs | label >> ScoreDocuments(dofn, config.classifier, config.output.text_prefix_chars)
        else:
            docs, dropped = apply_stage(docs, label, dofn)
        rejected.append(dropped)

    index = load_benchmarks(config)
    if index is not None and len(index) <= config.decontam.side_input_max_ngrams:
        table = p | "BenchmarkIndex" >> beam.Create([index])
        out = docs | "Decontaminate" >> beam.ParDo(
            Decontaminate(config.decontam, prefix_chars=config.output.text_prefix_chars),
            beam.pvalue.AsSingleton(table)).with_outputs(REJECTED, main=KEPT)
        docs = out[KEPT]
        rejected.append(out[REJECTED])
    elif index is not None:
        docs, dropped = docs | "DecontaminateByJoin" >> DecontaminateByJoin(
            config.decontam, index, f"{output}/{WORK_DIR}/decontam", config.output.text_prefix_chars)
        rejected.append(dropped)

    if config.output.tokenize:  # last: the ids are of the text that is written
        docs, dropped = apply_stage(docs, "Tokenize", TokenizeText(config.output.tokenize, prefix_chars=config.output.text_prefix_chars))
        rejected.append(dropped)

    all_rejected = rejected | "AllRejected" >> beam.Flatten()
    docs | "WriteClean" >> WriteClean(CleanFiles(output, f"{output}/{WORK_DIR}", config, clean_layout(config, files)))
    all_rejected | "WriteRejected" >> WriteRejected(output)

    stats = [
        input_files,
        *read_stats,
        *index_stats,
        dedup_stats,
        docs | "CleanStats" >> beam.ParDo(SumPerBundle(_clean_stats)),
        all_rejected | "RejectedStats" >> beam.ParDo(SumPerBundle(_rejected_stats)),
        docs | "CountTokens" >> beam.ParDo(CountTokens(config.report, ids_given=config.output.tokenize is not None)),
    ]
    n = config.report.samples_per_reason
    samples = (all_rejected
               | "SampleKey" >> beam.Map(lambda r: ((r["source"], r["reason"]), (r["id"], r.get("url"), r["detail"], r["text_prefix"][:200])))
               | "SmallestIds" >> beam.combiners.Top.SmallestPerKey(n)
               | "SampleList" >> beam.combiners.ToList())
    (stats | "FlattenStats" >> beam.Flatten()
     | "WriteCleanStats" >> WriteStats(f"{output}/report/stats_clean.json", samples))


def build_mix_pipeline(p: beam.Pipeline, config: Config, output: str, epochs: dict[str, float], n_shards: int,
                       n_parts: int) -> None:
    columns = ["id", "source", "component", "url", "text", "dup_cluster_size"] + (["input_ids"] if config.output.tokenize else [])
    # ReadAll: its ranges (a few row groups each) go through a shuffle before they are read.
    # ReadFromParquet's splits stay on the worker that expanded the pattern: on Flink the
    # whole read ran in one task at any parallelism.
    docs = (p
            | "CleanFiles" >> beam.Create([f"{output}/clean/*/*.parquet"])
            | "ReadClean" >> beam.io.ReadAllFromParquet(columns=columns, desired_bundle_size=CLEAN_READ_BYTES))
    shards = MixtureShards(output, f"{output}/{WORK_DIR}", config, n_shards, n_parts)
    rows = docs | "Mixture" >> WriteMixture(config, epochs, shards)
    stats = rows | "MixtureStats" >> beam.ParDo(SumPerBundle(
        lambda r: [(("mixture", r[0]), [1, 0, r[1], r[2]]), *([(("mixture_tokens", r[0]), [r[3], 0, 0, 0])] if r[3] else [])]))
    stats | "WriteMixStats" >> WriteStats(f"{output}/report/stats_mixture.json")
