"""Keys under which documents count as duplicates."""
from __future__ import annotations

import hashlib
import re
import unicodedata

_INVISIBLE = re.compile(r"\s+")


def exact_key(text: str) -> str:
    """Hash of the text with case, width and whitespace differences removed."""
    norm = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).casefold())
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
