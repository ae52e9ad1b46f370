"""Megatron-LM's indexed dataset (`.bin` + `.idx`), as megatron-core's
megatron/core/datasets/indexed_dataset.py lays it out, one document per sequence (what
its tools/preprocess_data.py writes for GPT pretraining).

.bin: every document's token ids, back to back, in the index's dtype.
.idx: b"MMIDIDX\\x00\\x00", version <Q 1, dtype code <B, sequence count <Q, document count <Q
(sequences + 1), then sequence lengths (int32), sequence byte offsets in .bin (int64) and
document indices (int64: 0, then the sequence count after each document)."""
from __future__ import annotations

import struct

import numpy as np

INDEX_HEADER = b"MMIDIDX\x00\x00"
VERSION = 1
# megatron-core's DType codes.
DTYPE_CODES = {"uint8": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5, "float64": 6, "float32": 7, "uint16": 8}


def index_bytes(lengths: list[int], dtype: str) -> bytes:
    """The .idx file of documents of these token counts."""
    n = len(lengths)
    lens = np.asarray(lengths, dtype=np.int32)
    pointers = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(lens[:-1].astype(np.int64) * np.dtype(dtype).itemsize, out=pointers[1:])
    documents = np.arange(n + 1, dtype=np.int64)
    return index_header(n, dtype) + lens.tobytes() + pointers.tobytes() + documents.tobytes()


def index_header(n: int, dtype: str) -> bytes:
    """The .idx header of `n` one-sequence documents; lengths, offsets and document
    indices follow it."""
    return (INDEX_HEADER + struct.pack("<Q", VERSION) + struct.pack("<B", DTYPE_CODES[dtype])
            + struct.pack("<Q", n) + struct.pack("<Q", n + 1))

