"""Lines repeated across the corpus (navigation, ICP footers, 相关阅读 blocks): their keys,
and their removal from a document once the corpus-wide counts are known."""
from __future__ import annotations

import hashlib


def line_key(line: str) -> int | None:
    """64-bit key of a line (stripped, case-folded); None for a blank line."""
    norm = "".join(line.split()).casefold()
    if not norm:
        return None
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def line_keys(text: str) -> list[int]:
    """The distinct line keys of a document, sorted (a line counts once per document)."""
    return sorted({k for k in map(line_key, text.split("\n")) if k is not None})


def remove_lines(text: str, keys: set[int]) -> tuple[str, int, int]:
    """(text without the lines whose key is in `keys`, lines removed, UTF-8 bytes removed)."""
    kept, removed, removed_bytes = [], 0, 0
    for line in text.split("\n"):
        if line_key(line) in keys:
            removed += 1
            removed_bytes += len(line.encode("utf-8", "surrogatepass")) + 1
        else:
            kept.append(line)
    return "\n".join(kept).strip(), removed, removed_bytes
