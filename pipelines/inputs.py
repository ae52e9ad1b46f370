"""Expanding each source's globs through Beam's filesystems (local, gs://, s3://)."""
from __future__ import annotations

import os

from apache_beam.io.filesystems import FileSystems

from zhpile.schemas.config import Config, ConfigError


def _absolute(pattern: str, base: str) -> str:
    if "://" in pattern or os.path.isabs(pattern):
        return pattern
    return os.path.normpath(os.path.join(base or ".", pattern))


def resolve_inputs(config: Config, base: str) -> dict[str, list[str]]:
    """Files of every source, sorted; a glob that matches nothing is a config error."""
    files: dict[str, list[str]] = {}
    for i, source in enumerate(config.sources):
        found: list[str] = []
        for j, pattern in enumerate(source.paths):
            path = _absolute(pattern, base)
            try:
                metadata = FileSystems.match([path])[0].metadata_list
            except Exception as err:  # noqa: BLE001 - report, do not crash
                raise ConfigError(f"sources[{i}].paths[{j}]: cannot list {path}: {err}") from None
            matched = sorted(m.path for m in metadata if not m.path.endswith("/"))
            if not matched:
                raise ConfigError(f"sources[{i}].paths[{j}]: no file matches {path}")
            found.extend(matched)
        files[source.name] = sorted(set(found))
    return files


def resolve_paths(config: Config, base: str) -> Config:
    """Model and tokenizer paths made absolute (relative to the config) and checked."""
    if config.classifier.model:
        path = _absolute(config.classifier.model, base)
        if not FileSystems.exists(path):
            raise ConfigError(f"classifier.model: no file {path}")
        config = config.model_copy(update={"classifier": config.classifier.model_copy(update={"model": path})})
    if config.report.tokenizer:
        path = _absolute(config.report.tokenizer, base)
        if not FileSystems.exists(path):
            raise ConfigError(f"report.tokenizer: no file {path}")
        try:
            from tokenizers import Tokenizer

            Tokenizer.from_file(path)
        except ImportError:
            raise ConfigError("report.tokenizer needs the `tokenizers` package: pip install tokenizers") from None
        except Exception as err:  # noqa: BLE001
            raise ConfigError(f"report.tokenizer: cannot load {path}: {err}") from None
        config = config.model_copy(update={"report": config.report.model_copy(update={"tokenizer": path})})
    return config
