"""The one interface every format is read through: a Reader is a record source. Its
`read(item)` yields, for one item (a file; for cc-index, one byte range of a WARC file),
documents (dicts) and rejections (`records.read_rejection`), and never raises for bad
input. sources.READERS picks each format's reader; one Beam transform runs them all."""
from __future__ import annotations

import os

from zhpile.filters.ids import doc_id
from zhpile.schemas.config import SourceConfig

from . import progress
from .records import read_rejection


class Reader:
    """A source's reader, built once per job from its config (plain Python: it is pickled
    into the one read DoFn of sources.ReadSources)."""

    def __init__(self, source: SourceConfig, read_cfg, prefix_chars: int, languages: tuple[str, ...] = ()):
        self.source = source
        self.cfg = read_cfg
        self.prefix_chars = prefix_chars
        self.languages = tuple(languages)  # langid's accepted labels, for the CLD2 pre-filter

    def read(self, item):  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, item):
        """`read(item)`, counted into the local run's progress (io/progress.py)."""
        records = 0
        for out in self.read(item):
            records += 1
            yield out
        self.done(item, records)

    def done(self, item, records: int) -> None:
        pass


class FileReader(Reader):
    """A reader whose item is a whole file: its size counts into the progress."""

    def done(self, path: str, records: int) -> None:
        progress.file_done(os.path.getsize(path) if os.path.exists(path) else 0, records)


def curated_row(source: SourceConfig, obj, doc: dict, where: str, prefix_chars: int, limit: int | None = None):
    """A JSON object or Parquet row of a curated source -> document (or rejection); a
    text of more than `limit` UTF-8 bytes is rejected `too_large`."""
    fields = source.fields
    if not isinstance(obj, dict):
        yield read_rejection(doc, "bad_json", f"{where}: not an object", prefix_chars)
        return
    if fields.id and obj.get(fields.id) is not None:
        doc["id"] = doc_id(source.name, str(obj[fields.id]))
    if fields.url and isinstance(obj.get(fields.url), str):
        doc["url"] = obj[fields.url]
    if fields.title and isinstance(obj.get(fields.title), str):
        doc["title"] = obj[fields.title][:1000]
    text = obj.get(fields.text)
    if not isinstance(text, str):
        kind = "missing" if fields.text not in obj else ("null" if text is None else type(text).__name__)
        yield read_rejection(doc, "no_text", f"{where}: field {fields.text!r} is {kind}", prefix_chars)
        return
    if limit is not None and doc["raw_bytes"] > limit:
        doc["text"] = text[:prefix_chars]  # for the rejection's text prefix
        yield read_rejection(doc, "too_large", f"{where}: text of {doc['raw_bytes']} bytes > max_record_bytes={limit}", prefix_chars)
        return
    doc.update(text=text, charset="utf_8")
    yield doc
