"""Recovery helpers for damaged WARC files: find where readable records resume after a
corrupt one, and tell whether a gzip WARC ends in a cut-off member.

Common Crawl WARC files are one gzip member per record, so a reader that loses its way
can resume at the next member that decompresses to a WARC header.
"""
from __future__ import annotations

import zlib

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/"
_CHUNK = 1 << 20


def is_gzip(f) -> bool:
    f.seek(0)
    return f.read(3) == GZIP_MAGIC


def _starts_warc_member(f, pos: int) -> bool:
    f.seek(pos)
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = d.decompress(f.read(4096), 16)
    except zlib.error:
        return False
    return head.startswith(WARC_MAGIC)


def next_record_start(f, offset: int, compressed: bool) -> int | None:
    """Offset of the first record at or after `offset`: a gzip member that decompresses to a
    WARC header, or an uncompressed `WARC/` line; None if there is none."""
    magic = GZIP_MAGIC if compressed else WARC_MAGIC
    pos = offset
    while True:
        f.seek(pos)
        chunk = f.read(_CHUNK + len(magic))
        if len(chunk) < len(magic):
            return None
        i = chunk.find(magic)
        while i != -1:
            candidate = pos + i
            if not compressed:
                if candidate == 0 or _byte_before_is_newline(f, candidate):
                    return candidate
            elif _starts_warc_member(f, candidate):
                return candidate
            i = chunk.find(magic, i + 1)
        if len(chunk) <= _CHUNK:
            return None
        pos += _CHUNK


def _byte_before_is_newline(f, pos: int) -> bool:
    f.seek(pos - 1)
    return f.read(1) == b"\n"


def truncated_tail(f, offset: int) -> int:
    """Bytes from `offset` to the end of the file that do not form complete gzip members
    (0 when every member from `offset` on ends properly)."""
    f.seek(offset)
    data = f.read()
    pos = 0
    while pos < len(data):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            d.decompress(data[pos:], _CHUNK)  # bounded output: a member may inflate to a lot
            while not d.eof and d.unconsumed_tail:
                d.decompress(d.unconsumed_tail, _CHUNK)
        except zlib.error:
            return len(data) - pos
        if not d.eof:
            return len(data) - pos
        pos = len(data) - len(d.unused_data)
    return 0


def is_arc(f, compressed: bool) -> bool:
    """An ARC file (v1): its first record is the `filedesc://` version block."""
    f.seek(0)
    head = f.read(4096)
    if compressed:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip().startswith(b"filedesc://")
