"""Reading sources into document dicts: WARC/WET records streamed with FastWARC,
JSONL lines, Parquet row batches. Unreadable records and lines become rejections."""
from __future__ import annotations

import json
import os

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.base import Drop
from zhpile.filters.ids import doc_id
from zhpile.schemas.config import Config, SourceConfig

from .stage import REJECTED, counter, rejection_row


def _reject(doc: dict, reason: str, detail: str, prefix_chars: int):
    counter("zhpile.rejected", f"read.{reason}").inc()
    return beam.pvalue.TaggedOutput(REJECTED, rejection_row(doc, "read", Drop(reason, detail), prefix_chars))


class ReadWarc(beam.DoFn):
    """path -> one document per `response` record (`conversion` for WET).

    Records stream from the file; a payload is read only once its size is known to be
    within `max_record_bytes`. Damage never ends the run: after a corrupt record the
    reader resumes at the next readable record (gzip member or `WARC/` line), a record cut
    short is rejected `bad_record`, and a gzip file cut mid-member gets a `bad_record`
    row saying how many bytes at its end were unreadable."""

    MAX_RESYNCS = 1000  # per file: beyond this the rest of the file is reported unreadable

    def __init__(self, source: SourceConfig, read_cfg, prefix_chars: int):
        self.source = source
        self.cfg = read_cfg
        self.prefix_chars = prefix_chars

    def process(self, path: str):
        from .warc_io import is_gzip, next_record_start, truncated_tail

        name, base = self.source.name, os.path.basename(path)
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            compressed = is_gzip(f)
            start, last, resyncs = 0, None, 0
            while True:
                f.seek(start)
                try:
                    for rec, pos in self._records(f):
                        last = pos
                        yield from self._record(rec, path)
                    break
                except Exception as err:  # noqa: BLE001 - corrupt header, garbage, bad gzip
                    failed_after = last if last is not None and last >= start else start - 1
                    resume = next_record_start(f, failed_after + 1, compressed) if resyncs < self.MAX_RESYNCS else None
                    where = f"after byte {failed_after}" if failed_after >= 0 else "at the start"
                    detail = (f"unreadable WARC data {where}: {type(err).__name__}: {str(err)[:150]}; "
                              + (f"reading resumed at byte {resume}" if resume is not None else "rest of file skipped"))
                    tail = {"id": doc_id(name, f"{base}@{max(failed_after, 0)}"), "source": name, "input_file": path, "raw_bytes": 0}
                    yield _reject(tail, "bad_record", detail, self.prefix_chars)
                    if resume is None:
                        return
                    start, resyncs = resume, resyncs + 1
            if compressed and last is not None:
                lost = truncated_tail(f, last)
                if lost:
                    tail = {"id": doc_id(name, f"{base}@tail"), "source": name, "input_file": path, "raw_bytes": lost}
                    yield _reject(tail, "bad_record", f"file truncated: the last {lost} bytes (from byte {last}) are an incomplete gzip member", self.prefix_chars)

    def _records(self, f):
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        wanted = WarcRecordType.conversion if self.source.format == "wet" else WarcRecordType.response
        # HTTP headers are parsed for the documents only (_record), not for the request and
        # metadata records around them: it halves the reading time.
        for rec in ArchiveIterator(f, record_types=WarcRecordType.any_type, parse_http=False, fsspec_args=False):
            # Every record is iterated (for the position of the last one); only documents are read.
            yield (rec if rec.record_type == wanted else None), rec.stream_pos

    def _record(self, rec, path: str):
        if rec is None:
            return
        name = self.source.name
        record_id = rec.record_id or f"{os.path.basename(path)}@{rec.stream_pos}"
        doc = {
            "id": doc_id(name, record_id),
            "source": name,
            "url": rec.headers.get("WARC-Target-URI"),
            "input_file": path,
            "warc_record_id": rec.record_id,
            "warc_date": rec.headers.get("WARC-Date"),
            "raw_bytes": int(rec.content_length or 0),
        }
        counter("zhpile.read", "records").inc()
        try:
            if self.source.format != "wet":
                # auto_decode: payloads sent with Content-Encoding gzip/br or chunked are decoded.
                rec.parse_http(auto_decode="all")
                doc["raw_bytes"] = int(rec.content_length or 0)  # the HTTP body's
            if doc["raw_bytes"] > self.cfg.max_record_bytes:
                yield _reject(doc, "too_large", f"record of {doc['raw_bytes']} bytes > max_record_bytes={self.cfg.max_record_bytes}", self.prefix_chars)
                return
            if self.source.format == "wet":
                payload = rec.reader.read()
                if len(payload) < doc["raw_bytes"]:
                    yield _reject(doc, "bad_record", f"record cut short: {len(payload)} of {doc['raw_bytes']} bytes", self.prefix_chars)
                    return
                doc.update(payload=payload, content_type="text/plain", header_charset="utf-8")
                yield doc
                return
            status = rec.http_headers.status_code
            if status not in self.cfg.keep_http_status:
                yield _reject(doc, "http_status", f"HTTP status {status}", self.prefix_chars)
                return
            payload = rec.reader.read()
            doc.update(payload=payload, content_type=rec.http_content_type, header_charset=rec.http_charset)
            yield doc
        except Exception as err:  # noqa: BLE001 - one malformed record, the file goes on
            yield _reject(doc, "bad_record", f"{type(err).__name__}: {str(err)[:200]}", self.prefix_chars)


class ReadJsonl(beam.DoFn):
    """(path) -> one document per non-blank line; bad lines are rejected `bad_json`."""

    def __init__(self, source: SourceConfig, prefix_chars: int):
        self.source = source
        self.prefix_chars = prefix_chars

    def process(self, path: str):
        name, base = self.source.name, os.path.basename(path)
        lineno = 0
        try:
            with FileSystems.open(path) as f:  # AUTO compression: .jsonl.gz works too
                for lineno, raw in enumerate(f, start=1):
                    if not raw.strip():
                        continue
                    counter("zhpile.read", "lines").inc()
                    doc = {"id": doc_id(name, f"{base}:{lineno}"), "source": name, "input_file": path, "raw_bytes": len(raw)}
                    try:
                        obj = json.loads(raw)
                    except ValueError as err:
                        doc["payload"] = raw
                        yield _reject(doc, "bad_json", f"line {lineno}: {str(err)[:200]}", self.prefix_chars)
                        continue
                    yield from _curated_row(self.source, obj, doc, f"line {lineno}", self.prefix_chars)
        except Exception as err:  # noqa: BLE001 - a truncated .gz or unreadable file: report, go on
            tail = {"id": doc_id(name, f"{base}@tail"), "source": name, "input_file": path, "raw_bytes": 0}
            yield _reject(tail, "bad_record", f"file unreadable after line {lineno}: {type(err).__name__}: {str(err)[:200]}", self.prefix_chars)


def _curated_row(source: SourceConfig, obj, doc: dict, where: str, prefix_chars: int):
    """A JSON object or Parquet row of a curated source -> document (or rejection)."""
    fields = source.fields
    if not isinstance(obj, dict):
        yield _reject(doc, "bad_json", f"{where}: not an object", prefix_chars)
        return
    if fields.id and obj.get(fields.id) is not None:
        doc["id"] = doc_id(source.name, str(obj[fields.id]))
    if fields.url and isinstance(obj.get(fields.url), str):
        doc["url"] = obj[fields.url]
    text = obj.get(fields.text)
    if not isinstance(text, str):
        kind = "missing" if fields.text not in obj else ("null" if text is None else type(text).__name__)
        yield _reject(doc, "no_text", f"{where}: field {fields.text!r} is {kind}", prefix_chars)
        return
    doc.update(text=text, charset="utf_8")
    yield doc


class ReadParquet(beam.DoFn):
    """(path) -> one document per row, read a row batch at a time."""

    def __init__(self, source: SourceConfig, prefix_chars: int):
        self.source = source
        self.prefix_chars = prefix_chars

    def process(self, path: str):
        import pyarrow.parquet as pq

        name, base = self.source.name, os.path.basename(path)
        wanted = [c for c in (self.source.fields.text, self.source.fields.id, self.source.fields.url) if c]
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
                pf = pq.ParquetFile(f)
                columns = [c for c in wanted if c in pf.schema_arrow.names]
                row = 0
                for batch in pf.iter_batches(batch_size=1024, columns=columns):
                    for obj in batch.to_pylist():
                        row += 1
                        text = obj.get(self.source.fields.text)
                        doc = {"id": doc_id(name, f"{base}#{row}"), "source": name, "input_file": path,
                               "raw_bytes": len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0}
                        yield from _curated_row(self.source, obj, doc, f"row {row}", self.prefix_chars)
        except Exception as err:  # noqa: BLE001 - a corrupt Parquet file is reported, not fatal
            doc = {"id": doc_id(name, f"{base}@tail"), "source": name, "input_file": path, "raw_bytes": 0}
            yield _reject(doc, "bad_record", f"parquet unreadable: {type(err).__name__}: {str(err)[:200]}", self.prefix_chars)


def _reader(source: SourceConfig, config: Config) -> beam.DoFn:
    if source.format in ("warc", "wet"):
        return ReadWarc(source, config.read, config.output.text_prefix_chars)
    if source.format == "jsonl":
        return ReadJsonl(source, config.output.text_prefix_chars)
    return ReadParquet(source, config.output.text_prefix_chars)


class ReadSources(beam.PTransform):
    """All sources -> (documents, read rejections). Files are spread across workers first;
    the pipeline reshuffles the documents again once their HTML has become text (see
    pipeline.py)."""

    def __init__(self, config: Config, files: dict[str, list[str]]):
        super().__init__()
        self.config = config
        self.files = files

    def expand(self, pbegin):
        docs, rejected = [], []
        for source in self.config.sources:
            out = (
                pbegin
                | f"Files[{source.name}]" >> beam.Create(self.files[source.name])
                | f"SpreadFiles[{source.name}]" >> beam.Reshuffle()
                | f"Read[{source.name}]" >> beam.ParDo(_reader(source, self.config)).with_outputs(REJECTED, main="docs")
            )
            docs.append(out["docs"])
            rejected.append(out[REJECTED])
        all_docs = docs | "FlattenDocs" >> beam.Flatten()
        return all_docs, rejected | "FlattenReadRejected" >> beam.Flatten()
