"""The driver of `zhpile run`: the cleaning pipeline, the mixture plan from its
statistics, the mixture pipeline, then the report and the _SUCCESS marker."""
from __future__ import annotations

import logging
import math
import os
import time

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.mixture import MixtureError, plan_epochs, rehydrate_copies
from zhpile.schemas.config import Config, ConfigError, load_config, mixture_key

from .engines.beam_worker import freeze_long_lived
from .job.parts import part_count
from .job.pipeline import WORK_DIR, build_clean_pipeline, build_mix_pipeline
from .job.write import MIXTURE_PART_BYTES
from .io.progress import Progress
from .report.build import build_report
from .report.files import write_card, write_report
from .job.stats import read_stats

log = logging.getLogger("zhpile")


def _size():
    return {"docs": 0, "bytes": 0, "chars": 0, "words": 0.0, "tokens": None, "rehydration": 1.0}


def clean_sizes(clean_stats: dict, config: Config) -> tuple[dict[str, dict], dict[str, dict]]:
    """Clean documents, UTF-8 bytes, characters, (estimated) jieba words and tokenizer
    tokens, from the cleaning pipeline's counters: per source, and per mixture group
    (source/component, every group a source can have, empty ones at 0)."""
    sizes = {s.name: _size() for s in config.sources}
    groups = {key: _size() for s in config.sources for key in s.mixture_keys()}
    by_cluster: dict[str, dict[int, int]] = {}
    for key, value in clean_stats["counts"]:
        if key[0] == "clean":
            sizes[key[1]].update(docs=value[0], bytes=value[2], chars=value[3])
        elif key[0] == "component":
            groups.setdefault(mixture_key(key[1], key[2]), _size()).update(docs=value[0], bytes=value[2], chars=value[3])
        elif key[0] == "dup_size":  # text bytes by duplicate-cluster size, for rehydration
            slot = by_cluster.setdefault(mixture_key(key[1], key[2]), {})
            slot[key[3]] = slot.get(key[3], 0) + value[2]
        elif key[0] in ("words", "tokens"):
            counted = value[1] if key[0] == "words" else value[0]
            for slot in (sizes[key[1]], groups.setdefault(mixture_key(key[1], key[2]), _size())):
                slot[key[0]] = (slot[key[0]] or 0) + counted
    for key, bytes_by_size in by_cluster.items():
        table, total = config.mixture_entry(key).rehydrate, sum(bytes_by_size.values())
        if table and total:
            groups[key]["rehydration"] = sum(rehydrate_copies(table, n) * b for n, b in bytes_by_size.items()) / total
    return sizes, groups


def plan(config: Config, groups: dict[str, dict]) -> tuple[dict[str, float], str]:
    """Epochs per mixture group (source/component), and the unit the mixture was planned in.
    Components without an entry of their own are planned together, as their source."""
    target, unit = None, "bytes"
    if config.mixture_size is not None:
        if config.mixture_size.bytes is not None:
            target = float(config.mixture_size.bytes)
        else:
            target, unit = float(config.mixture_size.tokens), ("tokens" if config.token_counter() else "words")
    members = config.mixture_groups()
    # Rehydrated groups are planned at their rehydrated size (tokens and words scaled as bytes).
    measure = {g: float(sum((groups[k][unit] or 0) * groups[k]["rehydration"] for k in keys)) for g, keys in members.items()}
    entries = {g: config.mixture_entry(g) for g in members}
    per_group = plan_epochs(measure, {g: e.epochs for g, e in entries.items()}, {g: e.weight for g, e in entries.items()}, target)
    return {k: per_group[g] for g, keys in members.items() for k in keys}, unit


def mixture_bytes(groups: dict[str, dict], epochs: dict[str, float]) -> float:
    return sum(epochs[k] * v["bytes"] * v["rehydration"] for k, v in groups.items())


def shard_count(config: Config, groups: dict[str, dict], epochs: dict[str, float]) -> int:
    if not config.output.shard_bytes:
        return config.output.mixture_shards
    return max(1, math.ceil(mixture_bytes(groups, epochs) / config.output.shard_bytes))


# Elements in a Flink bundle unless --max_bundle_size says otherwise: zhpile's job server
# patches Beam's Flink batch translation to honour the option (pipelines/engines/install.py),
# and a bundle's output waits in memory until the bundle closes. 1,000 documents is ~10 MB.
FLINK_BUNDLE_ELEMENTS = 1000


def runner_and_options(beam_args: list[str]):
    """Beam options pass through untouched, but for FlinkRunner's bundle size when not given.
    With no --runner (or DirectRunner) the local FnApiRunner is used (engines/beam_worker.py)."""
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

    runner_name = PipelineOptions(beam_args).view_as(StandardOptions).runner
    if runner_name == "FlinkRunner" and not any(a.startswith("--max_bundle_size") for a in beam_args):
        beam_args = [*beam_args, f"--max_bundle_size={FLINK_BUNDLE_ELEMENTS}"]
    if runner_name in (None, "DirectRunner", "direct"):
        from .engines.beam_worker import LOCAL_DEFAULT_ARGS, local_runner

        return local_runner(), PipelineOptions([*LOCAL_DEFAULT_ARGS, *beam_args])
    return runner_name, PipelineOptions(beam_args)


def prepare_output(output: str, overwrite: bool) -> None:
    """Refuse a non-empty output directory unless --overwrite, which removes it whole;
    check it is writable before any work starts."""
    from apache_beam.io.filesystems import FileSystems

    existing = [m.path for m in FileSystems.match([f"{output}/**"])[0].metadata_list] if FileSystems.exists(output) else []
    if existing:
        if not overwrite:
            raise ConfigError(f"output {output} is not empty ({len(existing)} files); pass --overwrite to replace it")
        FileSystems.delete([output])
    probe = f"{output}/_zhpile_write_probe"
    try:
        with FileSystems.create(probe) as f:
            f.write(b"ok")
        FileSystems.delete([probe])
    except Exception as err:  # noqa: BLE001 - any failure here means the run cannot write
        raise ConfigError(f"output {output} is not writable: {type(err).__name__}: {err}") from None


def load_job(config) -> tuple[Config, dict[str, list[str]]]:
    """A YAML path (relative paths resolve against its folder) or a Config -> the validated
    config, with model paths checked, and each source's input files."""
    from .io.inputs import resolve_inputs, resolve_paths

    cfg, base = (config, ".") if isinstance(config, Config) else load_config(str(config))
    files = resolve_inputs(cfg, base)
    return resolve_paths(cfg, base), files


def start_job(config: Config, files: dict[str, list[str]], output: str, overwrite: bool, beam_args: list[str]) -> dict:
    """What `zhpile run` and `zhpile.run` do once the job is loaded: check the output,
    choose the runner from the Beam options, run, and return the report."""
    if "://" not in output:  # an engine's workers do not share this process's cwd
        output = os.path.abspath(output)
    prepare_output(output, overwrite)
    runner, options = runner_and_options(beam_args)
    return run_job(config, files, output, runner, options)


def _run_pipeline(build, runner, options, label: str, remote: bool) -> None:
    """Builds and runs one pipeline to its end. On an engine (Flink, Spark, Dataflow) the
    job's id, and at its end zhpile's counters, are logged: the terminal shows no progress
    line there, the engine's own UI does."""
    p = beam.Pipeline(runner=runner, options=options)
    build(p)
    freeze_long_lived()
    result = p.run()
    if remote:
        job_id = getattr(result, "job_id", None) or getattr(result, "_job_id", None)  # Dataflow / portable runners
        log.info("zhpile %s: job %s submitted", label, job_id() if callable(job_id) else job_id or "(no id)")
    result.wait_until_finish()
    if remote:
        try:
            counters = result.metrics().query()["counters"]
        except Exception:  # noqa: BLE001 - an engine without metrics support: nothing to add
            counters = []
        for c in sorted(counters, key=lambda c: (c.key.metric.namespace, c.key.metric.name)):
            if c.key.metric.namespace.startswith("zhpile"):
                log.info("  %s %s: %s", c.key.metric.namespace, c.key.metric.name, c.committed)


def _remove_work_dir(output: str) -> None:
    if FileSystems.exists(f"{output}/{WORK_DIR}"):
        FileSystems.delete([f"{output}/{WORK_DIR}"])


def remove_sink_leftovers(output: str) -> int:
    """Deletes what Beam's file sink for rejected/ left of a failed attempt: a task an
    engine cancelled in a restart (a TaskManager lost) can still write its temporary file
    after the sink's finalisation removed the temporary folder, which then holds a copy of
    rows in rejected/ (seen on Flink). Returns the files deleted."""
    leftovers = [m.path for m in FileSystems.match([f"{output}/rejected/beam-temp-*/*"])[0].metadata_list]
    if leftovers:
        FileSystems.delete(leftovers)
    folders = sorted({path.rsplit("/", 1)[0] for path in leftovers})
    FileSystems.delete([folder for folder in folders if FileSystems.exists(folder)])  # object stores have none
    return len(leftovers)


def run_job(config: Config, files: dict[str, list[str]], output: str, runner, options) -> dict:
    started = time.time()
    log.info("zhpile [1/2] cleaning: %d sources, %d input files -> %s", len(files), sum(map(len, files.values())), output)
    paths = [path for paths in files.values() for path in paths]
    # Only the in-process local runner's readers count into this process's progress.
    local = not isinstance(runner, str)
    with Progress(len(paths), sum(os.path.getsize(p) for p in paths if os.path.exists(p)), enabled=local):
        _run_pipeline(lambda p: build_clean_pipeline(p, config, files, output), runner, options, "cleaning", remote=not local)
    log.info("zhpile [1/2] cleaning done in %.1fs", time.time() - started)
    _remove_work_dir(output)
    if removed := remove_sink_leftovers(output):
        log.warning("zhpile: removed %d temporary files a failed attempt left in rejected/", removed)
    clean_stats = read_stats(f"{output}/report/stats_clean.json")
    sizes, groups = clean_sizes(clean_stats, config)
    try:
        epochs, unit = plan(config, groups)
    except MixtureError as err:
        raise ConfigError(f"{err} (clean output is in {output}/clean; no mixture written)") from None
    n_shards = shard_count(config, groups, epochs)
    n_parts = part_count(mixture_bytes(groups, epochs) / n_shards, MIXTURE_PART_BYTES)
    log.info("zhpile [2/2] mixing: epochs %s into %d shards",
             {k: round(e, 3) for k, e in epochs.items() if groups[k]["docs"]}, n_shards)
    mixing = time.time()
    _run_pipeline(lambda p: build_mix_pipeline(p, config, output, epochs, n_shards, n_parts), runner, options, "mixing",
                  remote=not local)
    log.info("zhpile [2/2] mixing done in %.1fs", time.time() - mixing)
    _remove_work_dir(output)
    mix_stats = read_stats(f"{output}/report/stats_mixture.json")
    report = build_report(clean_stats, mix_stats, config, sizes, groups, epochs, unit, n_shards)
    write_report(report, f"{output}/report")
    write_card(report, config, output)
    # Written last: its presence means every output of this run is complete.
    with FileSystems.create(f"{output}/_SUCCESS") as f:
        f.write(b"ok\n")
    return report
