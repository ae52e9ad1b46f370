"""Parquet files (Hugging Face dataset shards among them): one document per row."""
from __future__ import annotations

import os

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from zhpile.filters.ids import doc_id

from .reader import FileReader, curated_row
from .records import ORIGIN, read_rejection


class ReadParquet(FileReader):
    """(path) -> one document per row, read a small row batch at a time (Hugging Face
    dataset shards like data/train-00000-of-00004.parquet work as they are; the text
    column is `fields.text`). A row whose text exceeds `max_record_bytes` is rejected
    `too_large`."""

    BATCH_ROWS = 256  # rows decoded at once: bounds memory when rows are large

    def read(self, path: str):
        import pyarrow.parquet as pq

        name, base = self.source.name, os.path.basename(path)
        fields, limit = self.source.fields, self.cfg.max_record_bytes
        wanted = [c for c in (fields.text, fields.id, fields.url, fields.title) if c]
        row = 0
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
                pf = pq.ParquetFile(f)
                columns = [c for c in wanted if c in pf.schema_arrow.names]
                for batch in pf.iter_batches(batch_size=self.BATCH_ROWS, columns=columns):
                    for obj in batch.to_pylist():
                        row += 1
                        text = obj.get(fields.text)
                        size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0
                        doc = {"id": doc_id(name, f"{base}#{row}"), ORIGIN: f"{path}#{row}", "source": name,
                               "input_file": path, "raw_bytes": size}
                        yield from curated_row(self.source, obj, doc, f"row {row}", self.prefix_chars, limit)
        except Exception as err:  # noqa: BLE001 - a corrupt Parquet file is reported, not fatal
            doc = {"id": doc_id(name, f"{base}@tail"), "source": name, "input_file": path, "raw_bytes": 0}
            yield read_rejection(doc, "bad_record", f"parquet unreadable after row {row}: {type(err).__name__}: {str(err)[:200]}", self.prefix_chars)
