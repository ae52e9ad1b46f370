"""Stable document ids and deterministic per-document randomness."""
from __future__ import annotations

import hashlib


def doc_id(source: str, key: str) -> str:
    """16 hex chars, stable across runs: the source name plus the record's own key
    (WARC-Record-ID, a JSON id, or file name and line number)."""
    return hashlib.blake2b(f"{source}\x1f{key}".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def unit_hash(*parts: object) -> int:
    """A 64-bit integer derived only from `parts`: the seed of any per-document randomness."""
    data = "\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def unit_float(*parts: object) -> float:
    """Uniform in [0, 1), deterministic in `parts`."""
    return unit_hash(*parts) / 2.0**64


def text_digest(text: str) -> bytes:
    """A 128-bit digest of a text as it is, to tell whether it changed between stages."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
