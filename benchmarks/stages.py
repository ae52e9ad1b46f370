"""Per-stage throughput on a generated crawl, two ways, one core, in this process:

- each stage's pure function alone over every page (`python benchmarks/stages.py [--mb 20]`);
- `--pipeline`: the cleaning pipeline itself on the local runner, with the time Beam's own
  execution-time metrics give each transform, summed per top-level step (Extract, Quality,
  Dedup, ...), in ms per input document; what the run took beyond them (building the
  pipeline, the runner's planning, moving elements between fused stages, its shuffles) is
  the "runner" row. The mixing pipeline and the report are not in it.

    python benchmarks/stages.py [--mb 20] [--workdir /tmp/zhpile-bench] [--corpus DIR] [--pipeline [--depth 2]]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.corpus import write_corpus  # noqa: E402
from zhpile.filters import quality  # noqa: E402
from zhpile.filters.base import DropError  # noqa: E402
from zhpile.filters.component import assign_component, shipped_model  # noqa: E402
from zhpile.filters.dedup import exact_key  # noqa: E402
from zhpile.filters.extract import page_text  # noqa: E402
from zhpile.filters.langid import LanguageIdentifier  # noqa: E402
from zhpile.filters.minhash import MinHasher  # noqa: E402
from zhpile.filters.mojibake import repair_mojibake  # noqa: E402
from zhpile.filters.normalize import normalize_text, to_simplified  # noqa: E402
from zhpile.filters.pii import redact_pii  # noqa: E402
from zhpile.schemas.config import DedupConfig, QualityConfig  # noqa: E402


def read_payloads(paths):
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    out = []
    for path in paths:
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
                out.append((rec.reader.read(), rec.http_content_type, rec.http_charset))
    return out


def timed(fn, items):
    start = time.perf_counter()
    results = [fn(x) for x in items]
    return results, time.perf_counter() - start


def stage_rows(corpus: str) -> list[tuple[str, int, float, float]]:
    """(stage, documents, seconds, input MB) for each stage alone over the corpus's pages."""
    paths = sorted(glob.glob(os.path.join(corpus, "*.warc.gz")))
    mb = sum(os.path.getsize(p) for p in paths) / 1e6
    rows = []
    start = time.perf_counter()
    payloads = read_payloads(paths)
    rows.append(("read (FastWARC)", len(payloads), time.perf_counter() - start, mb))

    def extract(item):
        try:
            return page_text(*item)[0]
        except DropError:
            return None

    html_mb = sum(len(p[0]) for p in payloads) / 1e6
    texts, t = timed(extract, payloads)
    rows.append(("extract (charset + HTML)", len(payloads), t, html_mb))
    texts = [x for x in texts if x is not None]
    text_mb = sum(len(x.encode("utf-8", "surrogatepass")) for x in texts) / 1e6
    texts, t = timed(lambda x: normalize_text(repair_mojibake(x).text), texts)
    rows.append(("normalise + mojibake", len(texts), t, text_mb))
    _, t = timed(quality.pathological_signals, texts)
    rows.append(("pathological signals", len(texts), t, text_mb))
    lid = LanguageIdentifier()
    _, t = timed(lid.predict, texts)
    rows.append(("language ID", len(texts), t, text_mb))
    _, t = timed(to_simplified, texts)
    rows.append(("OpenCC t2s", len(texts), t, text_mb))
    _, t = timed(exact_key, texts)
    rows.append(("exact-dedup key", len(texts), t, text_mb))
    cfg = DedupConfig()
    hasher = MinHasher(cfg.num_perm, cfg.ngram, cfg.seed)
    _, t = timed(hasher.signature, texts)
    rows.append((f"MinHash signature ({cfg.ngram}-grams, {cfg.num_perm} permutations)", len(texts), t, text_mb))
    _, t = timed(quality.signals, texts)
    rows.append(("quality signals (those the rules read)", len(texts), t, text_mb))
    quality_cfg = QualityConfig()
    _, t = timed(lambda x: quality.order_signals(x, clear=lambda s, e: quality.clear_of_order_rules(s, quality_cfg, e)), texts)
    rows.append(("word order (documents the other rules keep; further orders only where the first is not clear)", len(texts), t, text_mb))
    _, t = timed(quality.word_signals, texts)
    rows.append(("jieba word statistics (kept documents only)", len(texts), t, text_mb))
    shipped_model()
    _, t = timed(lambda x: assign_component(None, None, x), texts)
    rows.append(("component (no URL: structure + model)", len(texts), t, text_mb))
    _, t = timed(redact_pii, texts)
    rows.append(("PII redaction", len(texts), t, text_mb))
    return rows


def print_stage_table(rows) -> None:
    print("| stage (function alone, 1 core) | docs | docs/s | MB/s of its input |")
    print("|---|---:|---:|---:|")
    for name, n, t, mb in rows:
        print(f"| {name} | {n:,} | {n / t:,.0f} | {mb / t:.1f} |")


def pipeline_rows(corpus: str, out: str, depth: int = 1) -> tuple[int, list[tuple[str, float]]]:
    """(input documents, [(step, seconds)]) of the cleaning pipeline run on the local runner:
    Beam's process/start/finish-bundle msecs per transform, summed by step (the first `depth`
    parts of its name: 1, top-level steps; 2, Dedup/Fingerprint...), then the rest of the
    run's wall time (construction included) as "runner"."""
    import collections

    import apache_beam as beam
    from apache_beam.metrics import MetricsFilter, monitoring_infos
    from apache_beam.options.pipeline_options import PipelineOptions
    from zhpile.pipelines.engines.beam_worker import LOCAL_DEFAULT_ARGS, local_runner

    from zhpile.pipelines.job.pipeline import build_clean_pipeline
    from zhpile.pipelines.run import load_job, prepare_output
    from zhpile.schemas.config import Config

    paths = sorted(glob.glob(os.path.join(corpus, "*.warc.gz")))
    config = Config.model_validate({"sources": [{"name": "cc", "format": "warc", "paths": paths}]})
    cfg, files = load_job(config)
    prepare_output(out, overwrite=True)
    started = time.perf_counter()
    p = beam.Pipeline(runner=local_runner(), options=PipelineOptions(list(LOCAL_DEFAULT_ARGS)))
    build_clean_pipeline(p, cfg, files, out)
    result = p.run()
    result.wait_until_finish()
    wall = time.perf_counter() - started
    msecs: collections.Counter = collections.Counter()
    for info in result.monitoring_infos():
        if info.urn.endswith(("process_bundle_msecs:v1", "start_bundle_msecs:v1", "finish_bundle_msecs:v1")):
            step = "/".join((info.labels.get("PTRANSFORM") or "?").split("/")[:depth])
            msecs[step] += monitoring_infos.extract_counter_value(info)
    rows = [(step, ms / 1000) for step, ms in msecs.most_common()]
    # Input documents: the readers' own count (pipelines/io/warc.py), no labels needed.
    records = result.metrics().query(MetricsFilter().with_namespace("zhpile.read").with_name("records"))["counters"]
    pages = sum(c.committed for c in records)
    return pages, rows + [("runner (beyond the transforms' own time)", wall - sum(s for _n, s in rows))]


def print_pipeline_table(pages: int, rows) -> None:
    total = sum(s for _n, s in rows)
    print(f"| step (cleaning pipeline, local runner, 1 core) | seconds | ms per input page | share |\n|---|---:|---:|---:|")
    for name, seconds in rows:
        if seconds >= 0.05 or name.startswith("runner"):
            print(f"| {name} | {seconds:.1f} | {seconds / pages * 1000:.2f} | {seconds / total:.0%} |")
    print(f"| total | {total:.1f} | {total / pages * 1000:.2f} | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--workdir", default="/tmp/zhpile-bench")
    parser.add_argument("--corpus", help="a folder of WARC files instead of a generated crawl")
    parser.add_argument("--pipeline", action="store_true", help="profile the cleaning pipeline instead of the functions")
    parser.add_argument("--depth", type=int, default=1, help="--pipeline: split steps to this depth (2: Dedup/Fingerprint ...)")
    args = parser.parse_args()
    corpus = args.corpus or os.path.join(args.workdir, f"crawl-{args.mb:g}mb")
    if not args.corpus and not os.path.exists(os.path.join(corpus, "labels.json")):
        write_corpus(corpus, mb=args.mb)
    if args.pipeline:
        print_pipeline_table(*pipeline_rows(corpus, corpus.rstrip("/") + "-stages-out", args.depth))
    else:
        print_stage_table(stage_rows(corpus))


if __name__ == "__main__":
    main()
