"""Reading: every input format, bounded and damage-tolerant, to document dicts and
rejection rows; the inputs a job names (globs, index listings, tokenizer files).

Owns: the reader interface and its table (reader.py, sources.py), one module per format
(warc.py, jsonl.py, parquet.py, cc_index.py), byte-level helpers (warc_io.py,
bounded_io.py, ranges.py), resolving inputs (inputs.py), the rejection rows and counters
every step shares (records.py), the local run's progress (progress.py).
May import: zhpile.filters, zhpile.schemas, Beam, the standard library; never the job,
the report, the engines or the entry points.
"""
