"""`format: cc-index`: read only the records Common Crawl's columnar URL index selects.

(source, index Parquet file) --ScanIndex--> ((source, warc_filename), (offset, length)) per
  selected row --GroupByKey per WARC file--> ranges, nearby records merged (ranges.plan_ranges)
  [PlanIndexRanges, the format's plan] --ReadIndexedRange, its reader--> the records' bytes
  (filesystems or HTTP Range) -> the same documents ReadWarc makes of those records.

One plan serves every cc-index source of a job (elements carry their source's name), and
the ranges are read by the same read transform as every file (sources.py), so the job
graph does not grow with the number of sources.

Only the needed columns are read, and a row group whose statistics rule the filter out
is skipped unread. Every selected row ends as a document or a rejection: `fetch_error`
(the range failed after its retries), `bad_record` (the bytes are not a WARC record),
`too_large` (the index claims a record above max_record_bytes: not fetched). The
selection funnel (rows scanned, selected, ranges, requests, bytes fetched against the
WARC files' sizes) goes to the report as `index` statistics.
"""
from __future__ import annotations

import functools
import io

import apache_beam as beam

from zhpile.filters.ids import doc_id

from .ranges import HttpRanges, fetch_range, file_size, plan_ranges
from .records import REJECTED, STATS, read_rejection
from .warc import ReadWarc

NEEDED = ["warc_filename", "warc_record_offset", "warc_record_length"]


def _stat(source: str, name: str, n: int = 1, nbytes: int = 0):
    return beam.pvalue.TaggedOutput(STATS, (("index", source, name), [n, nbytes, 0, 0]))


def _filter_columns(flt) -> dict[str, list]:
    """column -> accepted values, for the equality filters."""
    return {col: vals for col, vals in (("fetch_status", flt.fetch_status), ("content_mime_detected", flt.mime),
                                        ("url_host_registered_domain", flt.domains), ("url_host_tld", flt.tlds)) if vals}


def row_group_may_match(stats_of, equality: dict[str, list]) -> bool:
    """False when a row group's min/max statistics exclude every accepted value of some
    filtered column. `stats_of(column)` gives (min, max) or None when unknown."""
    for column, values in equality.items():
        bounds = stats_of(column)
        if bounds is None:
            continue
        lo, hi = bounds
        if not any(lo <= v <= hi for v in values):
            return False
    return True


def selection_mask(table, flt):
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = pa.array([True] * table.num_rows)
    for column, values in _filter_columns(flt).items():
        accepted = pa.array(values).cast(table[column].type)  # the index's int16 fetch_status, say
        mask = pc.and_(mask, pc.fill_null(pc.is_in(table[column], value_set=accepted), False))
    if flt.languages:
        langs = table["content_languages"]
        any_lang = pc.fill_null(pc.match_substring(langs, flt.languages[0]), False)
        for code in flt.languages[1:]:
            any_lang = pc.or_(any_lang, pc.fill_null(pc.match_substring(langs, code), False))
        mask = pc.and_(mask, any_lang)
    return mask


def _open_index(path: str, http_cfg):
    if path.startswith(("https://", "http://")):
        return io.BufferedReader(_HttpFile(path, HttpRanges.client(http_cfg)), buffer_size=1 << 20)
    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems

    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


class _HttpFile(io.RawIOBase):
    """A seekable read-only file over HTTP Range requests: Parquet reads the footer, then
    only the column chunks asked for."""

    def __init__(self, url: str, client):
        self.url, self.client, self.pos = url, client, 0
        self.length = client.size(url)
        if self.length is None:
            raise OSError(f"cannot get the size of {url}")

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.length}[whence] + offset
        return self.pos

    def readinto(self, buffer):
        end = min(self.pos + len(buffer), self.length)
        if end <= self.pos:
            return 0
        got = self.client.fetch(self.url, self.pos, end)
        if got.data is None:
            raise OSError(f"{self.url} bytes {self.pos}-{end}: {got.status} after {got.attempts} attempts")
        buffer[:len(got.data)] = got.data
        self.pos += len(got.data)
        return len(got.data)


def _min_max(group, index_of: dict, column: str):
    st = group.column(index_of[column]).statistics
    return (st.min, st.max) if st is not None and st.has_min_max else None


class ScanIndex(beam.DoFn):
    """(source, index file) -> ((source, WARC file name), (offset, length)) for every selected
    row; statistics."""

    def __init__(self, sources: dict):
        self.sources = sources

    def process(self, item):
        import pyarrow.parquet as pq

        name, path = item
        cfg = self.sources[name].index
        flt = cfg.filter
        equality = _filter_columns(flt)
        columns = NEEDED + sorted(set(equality) | ({"content_languages"} if flt.languages else set()))
        try:
            with _open_index(path, cfg.http) as f:
                parquet = pq.ParquetFile(f)
                names = parquet.schema_arrow.names
                missing = [c for c in columns if c not in names]
                if missing:
                    raise ValueError(f"not a Common Crawl index: no column {', '.join(missing)}")
                meta = parquet.metadata
                index_of = {c: names.index(c) for c in columns}
                for g in range(meta.num_row_groups):
                    group = meta.row_group(g)
                    yield _stat(name, "rows_scanned", group.num_rows)
                    if not row_group_may_match(functools.partial(_min_max, group, index_of), equality):
                        yield _stat(name, "row_groups_skipped")
                        continue
                    yield _stat(name, "row_groups_read")
                    table = parquet.read_row_group(g, columns=columns)
                    chosen = table.filter(selection_mask(table, flt))
                    yield _stat(name, "rows_selected", chosen.num_rows)
                    for warc, offset, length in zip(*(chosen[c].to_pylist() for c in NEEDED)):
                        yield ((name, warc), (int(offset), int(length)))
        except Exception as err:  # noqa: BLE001 - one unreadable index file, the job goes on
            yield _stat(name, "index_files_failed")
            row = {"id": doc_id(name, f"{path}@index"), "source": name, "input_file": path, "raw_bytes": 0}
            yield read_rejection(row, "bad_record", f"index file unreadable: {type(err).__name__}: {str(err)[:200]}", 0)


class PlanRanges(beam.DoFn):
    """((source, WARC path), its selected records) -> merged ranges. A record the index says
    is bigger than max_record_bytes is rejected here, never fetched."""

    def __init__(self, sources: dict, max_record_bytes: int, prefix_chars: int):
        self.sources = sources
        self.limit = max_record_bytes + 65536  # the WARC and HTTP headers around a payload
        self.prefix_chars = prefix_chars

    def process(self, item):
        (name, warc), records = item
        cfg = self.sources[name].index
        path = cfg.warc_prefix + warc
        wanted = []
        for offset, length in records:
            if length > self.limit:
                row = {"id": doc_id(name, f"{warc}@{offset}"), "source": name, "input_file": path, "raw_bytes": length}
                yield read_rejection(row, "too_large", f"index says {length} bytes > max_record_bytes + 64 KiB; not fetched",
                                     self.prefix_chars)
            else:
                wanted.append((offset, length))
        ranges = plan_ranges(wanted, cfg.merge_gap_bytes, cfg.max_range_bytes)
        size = file_size(path, cfg.http)
        yield _stat(name, "warc_files")
        if size is not None:
            yield _stat(name, "warc_file_bytes", 1, size)
        for r in ranges:
            yield name, (warc, r.start, r.end, r.members)


class ReadIndexedRange(ReadWarc):
    """The cc-index reader. Item: (WARC file as the index names it, start, end, members), one
    range PlanIndexRanges made -> the members' documents and rejections. A rejection's id is
    of the index's file name and offset, not of where the file was read: the same row has the
    same id from any mirror."""

    def done(self, item, records: int) -> None:
        pass  # a range is not an input file of the local run's progress

    def read(self, element):
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        warc, start, end, members = element
        cfg, name = self.source.index, self.source.name
        path = cfg.warc_prefix + warc
        fetched = fetch_range(path, start, end, cfg.http)
        yield _stat(name, "requests", fetched.requests or 1)
        yield _stat(name, "ranges_fetched" if fetched.data is not None else "ranges_failed", 1, len(fetched.data or b""))
        for offset, length in members:
            base = {"id": doc_id(name, f"{warc}@{offset}"), "source": name, "input_file": path, "url": None,
                    "raw_bytes": length}
            if fetched.data is None:
                yield read_rejection(base, "fetch_error", f"bytes {offset}-{offset + length - 1}: {fetched.status} after {fetched.attempts} attempts",
                                     self.prefix_chars)
                continue
            chunk = fetched.data[offset - start: offset - start + length]
            try:
                rec = next(iter(ArchiveIterator(io.BytesIO(chunk), record_types=WarcRecordType.any_type,
                                                parse_http=False)), None)
                if rec is None or rec.record_type not in (WarcRecordType.response, WarcRecordType.resource):
                    raise ValueError("no response record at this offset")
            except Exception as err:  # noqa: BLE001 - a wrong offset, a damaged member
                yield read_rejection(base, "bad_record", f"bytes {offset}-{offset + length - 1}: {type(err).__name__}: {str(err)[:150]}",
                                     self.prefix_chars)
                continue
            yield from self.record_documents(rec, path, base=offset)


class PlanIndexRanges(beam.PTransform):
    """(source, index path) pairs of the cc-index sources -> ((source, range) items for
    ReadIndexedRange, rejections, statistics)."""

    def __init__(self, sources: list, max_record_bytes: int, prefix_chars: int):
        super().__init__()
        self.sources = {source.name: source for source in sources}
        self.max_record_bytes = max_record_bytes
        self.prefix_chars = prefix_chars

    def expand(self, paths):
        scanned = (paths
                   | "SpreadIndex" >> beam.Reshuffle()
                   | "ScanIndex" >> beam.ParDo(ScanIndex(self.sources)).with_outputs(STATS, REJECTED, main="rows"))
        planned = (scanned["rows"]
                   | "ByWarc" >> beam.GroupByKey()
                   | "PlanRanges" >> beam.ParDo(PlanRanges(self.sources, self.max_record_bytes, self.prefix_chars))
                   .with_outputs(STATS, REJECTED, main="ranges"))
        rejected = (scanned[REJECTED], planned[REJECTED]) | "IndexRejected" >> beam.Flatten()
        stats = (scanned[STATS], planned[STATS]) | "IndexStats" >> beam.Flatten()
        return planned["ranges"], rejected, stats
