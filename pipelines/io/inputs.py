"""Expanding each source's globs through Beam's filesystems (local, gs://, s3://)."""
from __future__ import annotations

import os

from apache_beam.io.filesystems import FileSystems

from zhpile.filters.scorers import ScorerError, ScorerSpec, load_scorer
from zhpile.filters.tokens import TokenizerError, load_tokenizer
from zhpile.schemas.config import Config, ConfigError


def read_bytes(path: str) -> bytes:
    """A whole file through Beam's filesystems (local, gs://, s3://), as stored."""
    with FileSystems.open(path, compression_type="uncompressed") as f:
        return f.read()


def scorer_spec(scorer) -> ScorerSpec:
    """What filters/scorers.py needs of a configured scorer (a hashable value: the cache key)."""
    return ScorerSpec(scorer.name, scorer.path, scorer.kind, scorer.label, scorer.max_tokens, scorer.batch_size)


def _absolute(pattern: str, base: str) -> str:
    """Local paths are made absolute: an engine's workers do not share this process's cwd."""
    if "://" in pattern:
        return pattern
    return os.path.abspath(os.path.join(base or ".", pattern))


def _match(patterns: list[str], base: str, where: str) -> list[str]:
    """The files the globs match, sorted; a glob that matches nothing is a config error."""
    found: list[str] = []
    for j, pattern in enumerate(patterns):
        if pattern.startswith(("https://", "http://")):  # no listing over HTTP: taken as named
            found.append(pattern)
            continue
        path = _absolute(pattern, base)
        try:
            metadata = FileSystems.match([path])[0].metadata_list
        except Exception as err:  # noqa: BLE001 - report, do not crash
            raise ConfigError(f"{where}.paths[{j}]: cannot list {path}: {err}") from None
        matched = sorted(m.path for m in metadata if not m.path.endswith("/"))
        if not matched:
            raise ConfigError(f"{where}.paths[{j}]: no file matches {path}")
        found.extend(matched)
    return sorted(set(found))


def resolve_inputs(config: Config, base: str) -> dict[str, list[str]]:
    """Files of every source, sorted."""
    return {source.name: _match(source.paths, base, f"sources[{i}]") for i, source in enumerate(config.sources)}


def resolve_paths(config: Config, base: str) -> Config:
    """Model and tokenizer paths made absolute (relative to the config) and checked;
    benchmark globs expanded to their files."""
    if config.decontaminate:
        benches = [b.model_copy(update={"paths": _match(b.paths, base, f"decontaminate[{i}]")})
                   for i, b in enumerate(config.decontaminate)]
        config = config.model_copy(update={"decontaminate": benches})
    if config.classifier.model:
        path = _absolute(config.classifier.model, base)
        if not FileSystems.exists(path):
            raise ConfigError(f"classifier.model: no file {path}")
        config = config.model_copy(update={"classifier": config.classifier.model_copy(update={"model": path})})
    if config.classifier.models:
        models = [m.model_copy(update={"path": _absolute(m.path, base)}) for m in config.classifier.models]
        config = config.model_copy(update={"classifier": config.classifier.model_copy(update={"models": models})})
    for i, scorer in enumerate(config.classifier.scorers()):
        try:  # every model loads and answers once here, before any work (and then once per worker)
            load_scorer(scorer_spec(scorer), read_bytes)
        except ScorerError as err:
            where = "classifier.model" if config.classifier.model else f"classifier.models[{i}]"
            raise ConfigError(f"{where}: {err}") from None
    if config.report.tokenizer:
        path = _absolute(config.report.tokenizer, base)
        try:
            load_tokenizer(path, eos=False, read=read_bytes)
        except TokenizerError as err:
            raise ConfigError(f"report.tokenizer: {err}") from None
        config = config.model_copy(update={"report": config.report.model_copy(update={"tokenizer": path})})
    if config.output.tokenize:
        tokenize = config.output.tokenize.model_copy(update={"tokenizer": _absolute(config.output.tokenize.tokenizer, base)})
        try:
            loaded = load_tokenizer(tokenize.tokenizer, tokenize.eos, tokenize.dtype, read_bytes)  # fails here, before any work
        except TokenizerError as err:
            raise ConfigError(f"output.tokenize: {err}") from None
        tokenize = tokenize.model_copy(update={"dtype": loaded.dtype})  # auto resolved once, for the shard writers
        config = config.model_copy(update={"output": config.output.model_copy(update={"tokenize": tokenize})})
    return config


# Measured rates of the local runner on one core (docs/speed.md, benchmarks/compare.py at
# 100-400 MB of generated Common Crawl-like WARC): ~97 pages per MB of WARC.gz, 2.46 ms a page
# plus ~11 s of fixed cost, peak RSS ~0.4 GB plus 2.2 MB per MB of WARC.gz. Curated text is
# read without extraction: about 0.5 s and 2.2 MB of memory per MB (an estimate, not measured).
_FIXED_S, _WARC_S_PER_MB, _TEXT_S_PER_MB = 11.0, 97 * 0.00246, 0.5
_BASE_RSS_MB, _RSS_PER_MB = 400.0, 2.2


def dry_run_lines(config: Config, files: dict[str, list[str]]) -> list[str]:
    """What `zhpile run --dry-run` prints: each source's files and size, and the local
    runner's estimated time and peak memory for them."""
    lines, seconds, rss_mb = [], _FIXED_S, _BASE_RSS_MB
    for source in config.sources:
        paths = files[source.name]
        sizes = [m.size_in_bytes for r in FileSystems.match(paths) for m in r.metadata_list]
        mb = sum(sizes) / 1e6
        seconds += mb * (_WARC_S_PER_MB if source.format in ("warc", "wet") else _TEXT_S_PER_MB)
        rss_mb += mb * _RSS_PER_MB
        lines.append(f"{source.name} ({source.format}): {len(paths)} files, {mb:,.1f} MB")
        lines += [f"  {p}" for p in paths[:5]] + ([f"  ... and {len(paths) - 5} more"] if len(paths) > 5 else [])
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6
    lines.append(f"local runner estimate (one core): {seconds / 60:,.1f} min, peak memory {rss_mb / 1e3:,.1f} GB "
                 f"(this machine has {memory_mb / 1e3:,.1f} GB)")
    if rss_mb > 0.6 * memory_mb:
        lines.append("too big for the local runner, which holds every shuffle in memory: run it on Flink, Spark or "
                     "Dataflow (README, 'Running at scale'), or split the input into several runs")
    return lines
