"""JSON Lines files, plain or compressed: one document per line."""
from __future__ import annotations

import json
import os

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.ids import doc_id

from .bounded_io import bounded_lines, open_decompressed
from .reader import FileReader, curated_row
from .records import ORIGIN, counter, read_rejection


class ReadJsonl(FileReader):
    """(path) -> one document per non-blank line; bad lines are rejected `bad_json`.
    Plain or compressed (.gz, .bz2, .zst, by extension); lines are read within
    `max_record_bytes` (bounded_io), so a longer line is rejected `too_large` unread and
    reading goes on at the next one."""

    def read(self, path: str):
        name, base = self.source.name, os.path.basename(path)
        limit = self.cfg.max_record_bytes
        lineno = 0
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw_file:
                for lineno, raw, size in bounded_lines(open_decompressed(raw_file, path), limit):
                    if raw is not None and not raw.strip():
                        continue
                    counter("zhpile.read", "lines").inc()
                    doc = {"id": doc_id(name, f"{base}:{lineno}"), ORIGIN: f"{path}:{lineno}", "source": name,
                           "input_file": path, "raw_bytes": size}
                    if raw is None:
                        yield read_rejection(doc, "too_large", f"line {lineno}: {size} bytes > max_record_bytes={limit} (skipped unread)", self.prefix_chars)
                        continue
                    try:
                        obj = json.loads(raw)
                    except ValueError as err:
                        doc["payload"] = raw
                        yield read_rejection(doc, "bad_json", f"line {lineno}: {str(err)[:200]}", self.prefix_chars)
                        continue
                    yield from curated_row(self.source, obj, doc, f"line {lineno}", self.prefix_chars)
        except Exception as err:  # noqa: BLE001 - a truncated .gz or unreadable file: report, go on
            tail = {"id": doc_id(name, f"{base}@tail"), "source": name, "input_file": path, "raw_bytes": 0}
            yield read_rejection(tail, "bad_record", f"file unreadable after line {lineno}: {type(err).__name__}: {str(err)[:200]}", self.prefix_chars)
