"""Arrow schemas of every table zhpile writes: the output contract.

Later stages add columns; they never rename or drop one. Writers and the report
take column names from here.
"""
import pyarrow as pa

# Signals computed for every document that reaches the quality stages; kept in
# clean and rejected rows so thresholds can be re-tuned without re-extracting.
_INT_SIGNALS = ("n_chars", "n_lines", "max_char_run", "max_periodic_span", "max_ascii_token", "blob_chars",
                "max_line_repeat", "mojibake_repaired", "mojibake_dropped_chars", "est_words",
                "cut_chars", "cut_spans", "cut_lines", "safety_context",
                "seo_head_hits", "seo_hits", "host_digits", "nav_lines", "nav_chars", "error_phrases")
_FLOAT_SIGNALS = ("mean_line_chars", "han_ratio", "digit_ratio", "symbol_ratio", "char_entropy", "punct_line_share",
                  "dup_line_share", "dup_para_share", "stop_char_ratio", "fluency", "mean_word_chars",
                  "single_char_word_ratio", "top_4gram_share", "top_6gram_share", "top_8gram_share",
                  "dup_10gram_share", "dup_14gram_share", "dup_20gram_share", "porn_share", "gambling_share", "spam_share",
                  "char_order_gain", "word_order_gain", "code_share", "pos_order_gain", "long_word_share",
                  "order_score")
QUALITY_TYPE = pa.struct([(n, pa.int64()) for n in _INT_SIGNALS] + [(n, pa.float64()) for n in _FLOAT_SIGNALS])

# PII replaced by placeholders in kept text, counted per kind (filters/pii.py).
PII_TYPE = pa.struct([(kind, pa.int32()) for kind in ("phone", "id_card", "email", "ip", "qq", "wechat")])

# Each learned scorer's score (filters/scorers.py) and, with the bucket rule, its bucket.
QUALITY_SCORES_TYPE = pa.list_(pa.struct([("name", pa.string()), ("score", pa.float64()), ("bucket", pa.int32())]))

CONTAMINATION_TYPE = pa.list_(pa.struct([("benchmark", pa.string()), ("item", pa.string()), ("share", pa.float64()),
                                          ("start", pa.int64()), ("end", pa.int64())]))

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
        # The HTML <title> or the source's title field, where there is one.
        ("title", pa.string()),
        # The Pile-style component (docs/components.md) and what decided it.
        ("component", pa.string()),
        ("component_reason", pa.string()),
        *_PROVENANCE,
        ("charset", pa.string()),
        ("converted_t2s", pa.bool_()),
        ("lang", pa.string()),
        ("lang_score", pa.float64()),
        ("quality", QUALITY_TYPE),
        # The first learned scorer's score (classifier:); all of them in quality_scores, a
        # list rather than a struct so that every run's tables share one schema.
        ("quality_score", pa.float64()),
        ("quality_scores", QUALITY_SCORES_TYPE),
        # The bucket rule's: the highest of the scorers' buckets (0 .. classifier.buckets - 1).
        ("quality_bucket", pa.int32()),
        # Documents in this one's duplicate cluster (exact + near), itself included: 1 for a
        # unique text. mixture.*.rehydrate upsamples by it (FineWeb-2).
        ("dup_cluster_size", pa.int64()),
        ("pii", PII_TYPE),
        # Test items a kept document quotes a part of (decontaminate:), with the matched span.
        ("contamination", CONTAMINATION_TYPE),
        # With output.tokenize: the text's token ids, EOS last (null otherwise).
        ("input_ids", pa.list_(pa.uint32())),
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
        ("title", pa.string()),
        *_PROVENANCE,
        ("lang", pa.string()),
        ("lang_score", pa.float64()),
        ("quality", QUALITY_TYPE),
        ("quality_score", pa.float64()),
        ("quality_scores", QUALITY_SCORES_TYPE),
        ("quality_bucket", pa.int32()),
    ]
)

MIXTURE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("component", pa.string()),
        ("epoch", pa.int32()),
        ("url", pa.string()),
        ("text", pa.string()),
    ]
)

# tokens/*.parquet (output.tokenize): the rows of the text shard of the same name,
# in its order, as token ids (EOS last), which `datasets` and trainers load as they are.
TOKENS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("epoch", pa.int32()),
        ("input_ids", pa.list_(pa.uint32())),
    ]
)


def project(row: dict, schema: pa.Schema) -> dict:
    """The row restricted to the schema's columns (missing ones become null)."""
    return {name: row.get(name) for name in schema.names}
