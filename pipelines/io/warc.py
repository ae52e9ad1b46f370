"""WARC, WET and ARC files: one document per page record, streamed with FastWARC (ARC
through warcio)."""
from __future__ import annotations

import os

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.cld2 import accepted_codes, cld2_drop, labels_from_metadata, labels_from_wet
from zhpile.filters.ids import doc_id

from .bounded_io import DecodeError, TooLarge, content_codings, decode_content
from .reader import FileReader
from .records import ORIGIN, counter, read_rejection
from .warc_io import is_arc, is_gzip, next_record_start, truncated_tail


def _charset_of(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _target_uri(value: str | None) -> str | None:
    # WARC/1.0's grammar put the URI in <>; wget still writes it so.
    if value and value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    return value


def _is_page(rec) -> bool:
    """A resource record is a page only at a web URI: wget also stores its own log and
    arguments as resource records (metadata://...)."""
    from fastwarc.warc import WarcRecordType

    if rec.record_type != WarcRecordType.resource:
        return True
    return (_target_uri(rec.headers.get("WARC-Target-URI")) or "").lower().startswith(("http://", "https://"))


class _HeldResponse:
    """One response document held back until the metadata record after it (Common Crawl
    writes request, response, metadata) says its CLD2 languages: rejected `lang_cld2`, or
    passed on. Any other record first, and the document passes without labels. Only one
    document is ever held, never a file's records."""

    def __init__(self, reader: "ReadWarc"):
        self.reader = reader
        self.record_id: str | None = None
        self.url: str | None = None
        self.outputs: list = []

    def hold_or_pass(self, outputs):
        outputs = list(outputs)
        docs = [o for o in outputs if isinstance(o, dict)]
        if docs and self.reader.source.format == "warc" and self.reader.cfg.cld2 != "off":
            self.record_id, self.url, self.outputs = docs[0].get("warc_record_id"), docs[0].get("url"), outputs
            return []
        return outputs

    def _pairs_with(self, rec) -> bool:
        """The metadata record names the held response (WARC-Concurrent-To), or, without that
        header, comes right after it for the same URI (record order)."""
        concurrent = rec.headers.get("WARC-Concurrent-To")
        if concurrent is not None:
            return concurrent == self.record_id
        return self.url is not None and _target_uri(rec.headers.get("WARC-Target-URI")) == self.url

    def metadata(self, rec):
        if not self.outputs or not self._pairs_with(rec):
            return self.flush()
        reader = self.reader
        drop = cld2_drop(labels_from_metadata(rec.reader.read(65536)), accepted_codes(reader.languages), reader.cfg.cld2)
        outputs, self.outputs = self.outputs, []
        if drop is None:
            return outputs
        counter("zhpile.read", "cld2_rejected").inc()
        return [o if not isinstance(o, dict) else read_rejection({k: v for k, v in o.items() if k != "payload"}, drop.reason, drop.detail,
                                                                 reader.prefix_chars)
                for o in outputs]

    def flush(self):
        outputs, self.outputs = self.outputs, []
        return outputs


class ReadWarc(FileReader):
    """path -> one document per `response` record (`conversion` for WET; `resource` too
    when the source opts in; ARC files through warcio).

    Records stream from the file; a payload is read only once its size is known to be
    within `max_record_bytes`, and a Content-Encoding is undone only up to that many
    bytes (bounded_io: a small gzip or brotli body can inflate to gigabytes). Damage never
    ends the run: after a corrupt record the reader resumes at the next readable record
    (gzip member or `WARC/` line), a record cut short is rejected `bad_record`, and a gzip
    file cut mid-member gets a `bad_record` row saying how many bytes at its end were
    unreadable."""

    MAX_RESYNCS = 1000  # per file: beyond this the rest of the file is reported unreadable

    def read(self, path: str):
        name, base = self.source.name, os.path.basename(path)
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            compressed = is_gzip(f)
            if is_arc(f, compressed):
                yield from self._arc(f, path)
                return
            start, last, resyncs = 0, None, 0
            while True:
                f.seek(start)
                held = _HeldResponse(self)
                try:
                    for rec, pos, is_metadata in self._records(f):
                        last = pos
                        if is_metadata:
                            yield from held.metadata(rec)
                        else:
                            yield from held.flush()
                            if rec is not None:  # a request, or a record type not read
                                yield from held.hold_or_pass(self.record_documents(rec, path))
                    yield from held.flush()
                    break
                except Exception as err:  # noqa: BLE001 - corrupt header, garbage, bad gzip
                    yield from held.flush()
                    failed_after = last if last is not None and last >= start else start - 1
                    resume = next_record_start(f, failed_after + 1, compressed) if resyncs < self.MAX_RESYNCS else None
                    where = f"after byte {failed_after}" if failed_after >= 0 else "at the start"
                    detail = (f"unreadable WARC data {where}: {type(err).__name__}: {str(err)[:150]}; "
                              + (f"reading resumed at byte {resume}" if resume is not None else "rest of file skipped"))
                    tail = {"id": doc_id(name, f"{base}@{max(failed_after, 0)}"), "source": name, "input_file": path, "raw_bytes": 0}
                    yield read_rejection(tail, "bad_record", detail, self.prefix_chars)
                    if resume is None:
                        return
                    start, resyncs = resume, resyncs + 1
            if compressed and last is not None:
                lost = truncated_tail(f, last)
                if lost:
                    tail = {"id": doc_id(name, f"{base}@tail"), "source": name, "input_file": path, "raw_bytes": lost}
                    yield read_rejection(tail, "bad_record", f"file truncated: the last {lost} bytes (from byte {last}) are an incomplete gzip member", self.prefix_chars)

    def _records(self, f):
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        if self.source.format == "wet":
            wanted = (WarcRecordType.conversion,)
        else:
            wanted = tuple(getattr(WarcRecordType, kind) for kind in self.source.records)  # enum members are not hashable
        cld2 = self.source.format == "warc" and self.cfg.cld2 != "off"
        # HTTP headers are parsed for the documents only (_record), not for the request and
        # metadata records around them: it halves the reading time.
        for rec in ArchiveIterator(f, record_types=WarcRecordType.any_type, parse_http=False, fsspec_args=False):
            # Every record is iterated (for the position of the last one); only documents and
            # (for the CLD2 pre-filter) metadata records are read.
            if cld2 and rec.record_type == WarcRecordType.metadata:
                yield rec, rec.stream_pos, True
            else:
                yield (rec if rec.record_type in wanted and _is_page(rec) else None), rec.stream_pos, False

    def _new_doc(self, record_id: str | None, position: str, url, date, path: str, raw_bytes: int) -> dict:
        counter("zhpile.read", "records").inc()
        name = self.source.name
        return {"id": doc_id(name, record_id or f"{os.path.basename(path)}{position}"), ORIGIN: f"{path}{position}",
                "source": name, "url": _target_uri(url), "input_file": path, "warc_record_id": record_id,
                "warc_date": date, "raw_bytes": raw_bytes}

    def record_documents(self, rec, path: str, base: int = 0):
        """`base`: where the stream the record was read from starts in the file."""
        from fastwarc.warc import WarcRecordType

        doc = self._new_doc(rec.record_id, f"@{base + rec.stream_pos}", rec.headers.get("WARC-Target-URI"),
                            rec.headers.get("WARC-Date"), path, int(rec.content_length or 0))
        try:
            if self.source.format == "wet":
                drop = cld2_drop(labels_from_wet(rec.headers.get("WARC-Identified-Content-Language")),
                                 accepted_codes(self.languages), self.cfg.cld2)
                if drop is not None:
                    yield read_rejection(doc, drop.reason, drop.detail, self.prefix_chars)
                    return
                yield from self._body(doc, rec.reader.read, "text/plain; charset=utf-8", None, None)
            elif rec.record_type == WarcRecordType.resource:  # the block is the document itself (wget, Browsertrix)
                yield from self._body(doc, rec.reader.read, rec.headers.get("Content-Type"), None, None)
            else:
                # Chunked transfer is undone here (it never grows a body); content codings
                # are undone in _body, within the limit.
                rec.parse_http(auto_decode="transfer")
                doc["raw_bytes"] = int(rec.content_length or 0)  # the HTTP body's
                yield from self._body(doc, rec.reader.read, rec.http_content_type, rec.http_headers.status_code,
                                      rec.http_headers.get("Content-Encoding"))
        except Exception as err:  # noqa: BLE001 - one malformed record, the file goes on
            yield read_rejection(doc, "bad_record", f"{type(err).__name__}: {str(err)[:200]}", self.prefix_chars)

    def _body(self, doc: dict, read, content_type: str | None, status: int | None, content_encoding: str | None):
        """The checks every record type shares: size, HTTP status, the body read whole and
        its content codings undone, all bounded by max_record_bytes."""
        limit = self.cfg.max_record_bytes
        if doc["raw_bytes"] > limit:
            yield read_rejection(doc, "too_large", f"record of {doc['raw_bytes']} bytes > max_record_bytes={limit}", self.prefix_chars)
            return
        if status is not None and status not in self.cfg.keep_http_status:
            yield read_rejection(doc, "http_status", f"HTTP status {status}", self.prefix_chars)
            return
        payload = read(limit + 1)
        if len(payload) < doc["raw_bytes"] and self.source.format == "wet":
            yield read_rejection(doc, "bad_record", f"record cut short: {len(payload)} of {doc['raw_bytes']} bytes", self.prefix_chars)
            return
        codings = content_codings(content_encoding)
        if codings:
            try:
                payload = decode_content(payload, codings, limit)
            except TooLarge as err:
                yield read_rejection(doc, "too_large", f"Content-Encoding {'+'.join(codings)}: {len(payload)} compressed bytes decode to more "
                                                       f"than max_record_bytes={limit} (stopped at {err.reached} bytes)", self.prefix_chars)
                return
            except DecodeError as err:
                yield read_rejection(doc, "bad_record", f"Content-Encoding {'+'.join(codings)} does not decode: {str(err)[:150]}", self.prefix_chars)
                return
        doc.update(payload=payload, content_type=content_type, header_charset=_charset_of(content_type))
        yield doc

    def _arc(self, f, path: str):
        """Legacy ARC files (Common Crawl 2008-2012): warcio reads them as WARC responses.
        Any damage ends the file with one `bad_record` row (ARC has no record marker to
        resume at)."""
        from warcio.archiveiterator import ArchiveIterator

        f.seek(0)
        base, n = os.path.basename(path), 0
        try:
            for rec in ArchiveIterator(f, arc2warc=True):
                n += 1
                if rec.rec_type != "response":
                    continue
                headers = rec.rec_headers
                doc = self._new_doc(None, f"@arc{n}", headers.get_header("WARC-Target-URI"),
                                    headers.get_header("WARC-Date"), path, rec.length or 0)
                http = rec.http_headers
                try:
                    status = int(http.get_statuscode()) if http else None
                    yield from self._body(doc, rec.raw_stream.read, http.get_header("Content-Type") if http else None,
                                          status, http.get_header("Content-Encoding") if http else None)
                except Exception as err:  # noqa: BLE001 - the record, not the file
                    yield read_rejection(doc, "bad_record", f"ARC record {n}: {type(err).__name__}: {str(err)[:200]}", self.prefix_chars)
        except Exception as err:  # noqa: BLE001
            tail = {"id": doc_id(self.source.name, f"{base}@arc-tail"), "source": self.source.name, "input_file": path, "raw_bytes": 0}
            yield read_rejection(tail, "bad_record", f"unreadable ARC data after record {n}: {type(err).__name__}: "
                                                     f"{str(err).strip()[:150]}; rest of file skipped", self.prefix_chars)
