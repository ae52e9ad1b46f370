"""Arrow schemas of every table zhpile writes: the output contract.

Later stages add columns; they never rename or drop one. Writers and the report
take column names from here.
"""
import pyarrow as pa

# Signals computed for every document that reaches the quality stages; kept in
# clean and rejected rows so thresholds can be re-tuned without re-extracting.
QUALITY_TYPE = pa.struct(
    [
        ("n_chars", pa.int64()),
        ("han_ratio", pa.float64()),
        ("max_char_run", pa.int64()),
        ("mojibake_repaired", pa.int64()),
        ("mojibake_dropped_chars", pa.int64()),
    ]
)

_PROVENANCE = [
    ("input_file", pa.string()),
    ("warc_record_id", pa.string()),
    ("warc_date", pa.string()),
    # Size of the input record (HTTP payload or source line) in bytes.
    ("raw_bytes", pa.int64()),
]

CLEAN_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("text", pa.string()),
        *_PROVENANCE,
        ("charset", pa.string()),
        ("converted_t2s", pa.bool_()),
        ("lang", pa.string()),
        ("lang_score", pa.float64()),
        ("quality", QUALITY_TYPE),
    ]
)

REJECTED_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("stage", pa.string()),
        ("text_prefix", pa.string()),
        *_PROVENANCE,
        ("lang", pa.string()),
        ("lang_score", pa.float64()),
        ("quality", QUALITY_TYPE),
    ]
)

MIXTURE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("epoch", pa.int32()),
        ("url", pa.string()),
        ("text", pa.string()),
    ]
)


def project(row: dict, schema: pa.Schema) -> dict:
    """The row restricted to the schema's columns (missing ones become null)."""
    return {name: row.get(name) for name in schema.names}
