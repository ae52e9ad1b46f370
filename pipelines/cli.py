"""`zhpile` command line: run, report, inspect, explain, train-quality, compare, engine."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from zhpile.schemas.config import ConfigError

log = logging.getLogger("zhpile")


def cmd_run(args, beam_args: list[str]) -> int:
    from .engines.beam_worker import tune_sdk_worker

    tune_sdk_worker()  # before the job's imports: its collector settings count from the start
    from .io.inputs import dry_run_lines
    from .report.markdown import funnel_lines, mixture_lines
    from .run import load_job, start_job

    config, files = load_job(args.config)
    if args.dry_run:
        print("\n".join(["zhpile: config valid", *dry_run_lines(config, files)]))
        return 0
    output = args.output.rstrip("/")
    started = time.time()
    report = start_job(config, files, output, args.overwrite, beam_args)
    print("\n".join(funnel_lines(report)))
    print()
    print("\n".join(mixture_lines(report)))
    print(f"zhpile: done in {time.time() - started:.1f}s; output in {output} (report: {output}/report/report.html)")
    return 0


def cmd_report(args, _beam_args) -> int:
    """Re-render report.md and report.html from the stored report.json, without re-running."""
    from apache_beam.io.filesystems import FileSystems

    from .report.files import write_report
    from .report.markdown import render_markdown

    root = args.dir.rstrip("/")
    path = f"{root}/report/report.json"
    try:
        with FileSystems.open(path) as f:
            report = json.load(f)
    except Exception as err:  # noqa: BLE001
        raise ConfigError(f"cannot read {path}: {err}") from None
    write_report(report, f"{root}/report")
    print(render_markdown(report))
    return 0


def cmd_inspect(args, _beam_args) -> int:
    from .inspect import find_document, reason_examples

    if bool(args.reason) == bool(args.id):
        raise ConfigError("give --reason REASON or --id ID")
    print(reason_examples(args.dir.rstrip("/"), args.reason, args.n, args.source) if args.reason
          else find_document(args.dir.rstrip("/"), args.id))
    return 0


def cmd_explain(args, _beam_args) -> int:
    """What zhpile would do with one page or text file, and its component, as zhpile.explain."""
    from .api import explain

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    except OSError as err:
        raise ConfigError(f"cannot read {args.file}: {err}") from None
    # A file is a crawled page (decoded by its bytes, as the pipeline does) unless --text.
    page = data.decode("utf-8", errors="replace") if args.text else data
    r = explain(page, args.config, title=args.title, url=args.url)
    lines = [f"decision  {r['decision']}" + (f" by stage `{r['stage']}`, reason `{r['reason']}`" if r["stage"] else "")]
    if r["detail"]:
        lines.append(f"why       {r['detail']}")
    lines.append(f"language  {r['lang']} ({r['lang_score']})")
    if r["component"]:
        lines.append(f"component {r['component']} ({r['component_reason']})" + (" if it were kept" if r["decision"] == "drop" else ""))
    lines.append(f"text      {(r['text'] or '')[:200]!r}")
    print("\n".join(lines))
    return 0


def cmd_train_quality(args, beam_args) -> int:
    from .train import train_quality

    return train_quality(args, beam_args)


def cmd_compare(args, _beam_args) -> int:
    from .compare import compare_outputs

    diffs = compare_outputs(args.first.rstrip("/"), args.second.rstrip("/"))
    print("\n".join(diffs) if diffs else "zhpile compare: identical (clean and rejected rows, mixture shards and their token ids, report)")
    return 1 if diffs else 0


def cmd_engine(args, _beam_args) -> int:
    from zhpile.pipelines import engines
    from zhpile.pipelines.engines.warmup import WarmUpError, warm_up

    engine = engines.ENGINES[args.engine]
    try:
        if args.action == "fetch":
            engines.fetch(engine)
        elif args.action == "up":
            options = engines.up(engine, workers=args.workers, slots=args.slots, memory=args.memory)
            if not args.no_warm_up and engine is engines.FLINK:
                print("zhpile engine: warming the cluster up with the sample job ...", flush=True)
                print(f"zhpile engine: warmed up in {warm_up(engine, options):.0f} s")
            print(f"zhpile engine: {engine.name} is up on {engines.HOST} (UI http://{engines.HOST}:{engines.ports(engine)['ui']}); run with:")
            print(f"  zhpile run CONFIG --output DIR {options}")
            print(f"stop it with: zhpile engine {engine.name} down")
        elif args.action == "down":
            print(f"zhpile engine: stopped {', '.join(engines.down(engine)) or 'nothing (was not up)'}")
        elif args.action == "status":
            running = engines.processes(engine)
            print("\n".join(f"{role}: pid {pid}" for role, pid in running.items()) or f"{engine.name} is not up")
        else:  # options
            engines.fetch(engine)
            parallelism = args.workers * args.slots
            print(engines.embedded_options(engine, parallelism) if args.embedded else engines.run_options(engine, parallelism))
    except (engines.EngineError, WarmUpError) as err:
        print(f"zhpile engine: error: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zhpile", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the cleaning pipeline; unknown options go to Beam (--runner, ...)")
    run.add_argument("config", help="YAML config")
    run.add_argument("--output", required=True, help="output directory (local, gs://, s3://)")
    run.add_argument("--overwrite", action="store_true", help="replace a non-empty output directory")
    run.add_argument("--dry-run", action="store_true", help="validate the config, list the inputs, estimate time and memory; run nothing")
    run.set_defaults(func=cmd_run)
    rep = sub.add_parser("report", help="re-render the report of a finished run")
    rep.add_argument("dir")
    rep.set_defaults(func=cmd_report)
    ins = sub.add_parser("inspect", help="example documents for a rejection reason, or where one document went")
    ins.add_argument("dir")
    ins.add_argument("--reason", help="a rejection reason (too_short, lang, dup_near, ...)")
    ins.add_argument("--id", help="a document id")
    ins.add_argument("--n", type=int, default=5, help="how many examples")
    ins.add_argument("--source", help="only this source")
    ins.set_defaults(func=cmd_inspect)

    exp = sub.add_parser("explain", help="why one page or text would be kept or dropped, and its component")
    exp.add_argument("file", help="an HTML page or a text file, or - for stdin")
    exp.add_argument("--url", help="the page's URL (the component rules read it)")
    exp.add_argument("--title", help="the document's title")
    exp.add_argument("--text", action="store_true", help="the file is plain text, not a crawled page")
    exp.add_argument("--config", help="YAML config whose thresholds apply (default: the defaults)")
    exp.set_defaults(func=cmd_explain)

    tq = sub.add_parser("train-quality", help="train a fastText quality scorer from labels (an LLM's scores or classes) "
                                              "or GPT-3's recipe (curated vs crawl), through Beam")
    tq.add_argument("--labels", help="glob of labelled documents (.jsonl or .parquet: a text and a label or score)")
    tq.add_argument("--label-field", default="label", help="JSON field / Parquet column of the label or score")
    tq.add_argument("--positive", help="GPT-3's recipe: glob of curated documents (.jsonl, .parquet, or text one a line)")
    tq.add_argument("--negative", help="GPT-3's recipe: glob of raw crawl documents")
    tq.add_argument("--output", required=True, help="model file to write (its evaluation: OUTPUT.eval.json)")
    tq.add_argument("--field", default="text", help="JSON field / Parquet column holding the text")
    tq.add_argument("--epoch", type=int, default=10)
    tq.add_argument("--seed", type=int, default=0)
    tq.add_argument("--holdout", type=float, default=0.1, help="share held back to report accuracy")
    tq.set_defaults(func=cmd_train_quality)

    cmp = sub.add_parser("compare", help="do two runs' outputs hold the same rows, shards and report? (exit 1 if not)")
    cmp.add_argument("first")
    cmp.add_argument("second")
    cmp.set_defaults(func=cmd_compare)
    eng = sub.add_parser("engine", help="fetch, start or stop a local Flink or Spark cluster (loopback) to run on")
    eng.add_argument("engine", choices=["flink", "spark"])
    eng.add_argument("action", choices=["fetch", "up", "down", "status", "options"],
                     help="options: print the `zhpile run` options for this engine")
    eng.add_argument("--workers", type=int, default=2, help="TaskManagers / Spark workers to start")
    eng.add_argument("--slots", type=int, default=1, help="task slots (cores) per worker")
    eng.add_argument("--memory", default="3g", help="memory per worker JVM")
    eng.add_argument("--embedded", action="store_true", help="with options: no cluster, the engine inside the job server")
    eng.add_argument("--no-warm-up", action="store_true",
                     help="with flink up: do not run the sample job once (it loads and compiles Beam's runner in every JVM)")
    eng.set_defaults(func=cmd_engine)

    args, beam_args = parser.parse_known_args(argv)
    if args.command not in ("run", "train-quality") and beam_args:  # both run Beam pipelines
        parser.error(f"unrecognized arguments: {' '.join(beam_args)}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # Beam's GCP I/O module warns about a missing optional client on every import, and
    # BatchElements (the learned scorers' batches) logs its sizes on the root logger.
    noise = ("apitools", "BatchElements statistics")
    logging.getLogger().addFilter(lambda record: not any(n in record.getMessage() for n in noise))
    logging.getLogger("apache_beam").setLevel(logging.WARNING)
    try:
        return args.func(args, beam_args)
    except ConfigError as err:
        print(f"zhpile: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
