"""Keys under which documents count as duplicates."""
from __future__ import annotations

import hashlib


def exact_key(text: str) -> str:
    """Hash of the text with case and whitespace differences removed. The text is
    expected to have passed `normalize_text` (Unicode form and character width are
    already unified there; NFKC here would cost more than the rest of the key)."""
    norm = "".join(text.casefold().split())
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


CLUSTER_SIZE_BINS = (1, 2, 3, 5, 10, 20, 50, 100, 1000)


def cluster_size_bin(size: int) -> str:
    """The report's label for a duplicate-cluster size: the largest bin edge not above it."""
    return str(max((edge for edge in CLUSTER_SIZE_BINS if size >= edge), default=CLUSTER_SIZE_BINS[0]))
