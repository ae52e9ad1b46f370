"""Decoders and line readers that never hold more than a limit.

A few kilobytes of gzip or brotli can inflate to gigabytes (a decompression bomb), and a
compressed JSONL file can hide a 1 GiB line. Everything here stops at `limit` bytes of
output and says how far it got, so the reader can reject the record as `too_large` and
go on with the next one. Plain Python: no Beam, testable on bytes.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import zlib

try:  # the standard library's from Python 3.14; its backport before
    from compression import zstd
except ImportError:
    from backports import zstd

_CHUNK = 1 << 20


class TooLarge(Exception):
    """Output passed the limit; `reached` is how many bytes were produced when it stopped."""

    def __init__(self, reached: int, limit: int):
        super().__init__(f"decoded size reached {reached} bytes > limit {limit}")
        self.reached = reached


class DecodeError(Exception):
    """A body that does not decode as its Content-Encoding says."""


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    """gzip (possibly several members) or zlib/raw deflate, at most `limit` bytes out."""
    gzip_members = wbits > zlib.MAX_WBITS  # 16 + MAX_WBITS; raw deflate's wbits is negative
    out = bytearray()
    while data:
        d = zlib.decompressobj(wbits)
        try:
            out += d.decompress(data, limit + 1 - len(out))
        except zlib.error as err:
            raise DecodeError(str(err)) from None
        if len(out) > limit:
            raise TooLarge(len(out), limit)
        if not d.eof:
            if d.unconsumed_tail:  # stopped by the output bound, and more would follow
                raise TooLarge(len(out), limit)
            break  # body ends inside the stream: keep what decoded (browsers do too)
        data = d.unused_data if gzip_members else b""  # only gzip has further members
        data = data.lstrip(b"\0")  # padding after the last member
    return bytes(out)


def _deflate(data: bytes, limit: int) -> bytes:
    # HTTP "deflate" is meant to be zlib-wrapped; many servers send raw deflate.
    try:
        return _inflate(data, zlib.MAX_WBITS, limit)
    except DecodeError:
        return _inflate(data, -zlib.MAX_WBITS, limit)


def _brotli(data: bytes, limit: int) -> bytes:
    import brotli

    d = brotli.Decompressor()
    try:
        out = bytearray(d.process(data, output_buffer_limit=limit + 1))
        # Output held back by the buffer limit comes out on calls with no new input.
        while len(out) <= limit and not d.can_accept_more_data():
            out += d.process(b"", output_buffer_limit=limit + 1 - len(out))
    except brotli.error as err:
        raise DecodeError(str(err)) from None
    if len(out) > limit:
        raise TooLarge(len(out), limit)
    return bytes(out)  # a body cut inside the stream keeps what decoded, as with gzip


def _zstd(data: bytes, limit: int) -> bytes:
    out = bytearray()
    while data:
        d = zstd.ZstdDecompressor()
        try:
            out += d.decompress(data, max_length=limit + 1 - len(out))
        except zstd.ZstdError as err:
            raise DecodeError(str(err)) from None
        if len(out) > limit or (not d.eof and not d.needs_input):
            raise TooLarge(len(out), limit)
        if not d.eof:
            break  # cut inside the frame: keep what decoded
        data = d.unused_data  # further frames
    return bytes(out)


_DECODERS = {
    "gzip": lambda data, limit: _inflate(data, 16 + zlib.MAX_WBITS, limit),
    "x-gzip": lambda data, limit: _inflate(data, 16 + zlib.MAX_WBITS, limit),
    "deflate": _deflate,
    "br": _brotli,
    "zstd": _zstd,
}
_IDENTITY = ("", "identity", "none", "utf-8", "utf8", "binary", "7bit", "8bit")
_MAGIC = {"gzip": b"\x1f\x8b", "x-gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}


def content_codings(header: str | None) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied."""
    return [c.strip().lower() for c in (header or "").split(",") if c.strip().lower() not in _IDENTITY]


def decode_content(body: bytes, codings: list[str], limit: int) -> bytes:
    """`body` with its HTTP content codings undone, last applied first; TooLarge once any
    layer's output passes `limit` (each layer holds at most limit + 1 bytes), DecodeError
    for an unknown coding or corrupt data. A body that lacks its coding's magic bytes is
    taken as already decoded: crawlers often store the decoded page under the original
    header, and a browser would show it."""
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise DecodeError(f"unknown Content-Encoding {coding!r}")
        magic = _MAGIC.get(coding)
        if magic and not body.startswith(magic):
            continue
        body = decoder(body, limit)
    if len(body) > limit:
        raise TooLarge(len(body), limit)
    return body


_FILE_CODECS = {".gz": lambda raw: gzip.GzipFile(fileobj=raw), ".bz2": bz2.BZ2File, ".xz": lzma.LZMAFile, ".zst": zstd.ZstdFile, ".zstd": zstd.ZstdFile}


def open_decompressed(raw, path: str):
    """A reader of `raw` (a binary file object) decompressed as `path`'s extension says.
    Each decompresses only what a read() asks for, and raises EOFError when the file
    ends inside a compressed stream (Beam's own readers take a cut file for its end)."""
    for ext, codec in _FILE_CODECS.items():
        if path.lower().endswith(ext):
            return codec(raw)
    return raw


def bounded_lines(f, limit: int):
    """(line number, line bytes or None, line size) for each line of a binary file object,
    reading `_CHUNK` bytes at a time. A line longer than `limit` is skipped to its end,
    never held whole: it comes back as None with the size it reached. Reads with read1()
    where there is one: a decompressing reader then hands over what it has decoded so far,
    so the lines before a cut in the file come out before its EOFError."""
    read = getattr(f, "read1", f.read)
    lineno, parts, size, skipping = 0, [], 0, False
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        start = 0
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end == -1 else chunk[start:end + 1]
            size += len(piece)
            if not skipping:
                if size > limit:
                    skipping, parts = True, []
                else:
                    parts.append(piece)
            if end == -1:
                break
            lineno += 1
            yield lineno, (None if skipping else b"".join(parts)), size
            parts, size, skipping = [], 0, False
            start = end + 1
    if size:
        yield lineno + 1, (None if skipping else b"".join(parts)), size
