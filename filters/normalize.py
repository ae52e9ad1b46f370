"""Unicode clean-up that keeps Chinese typography, and Traditional -> Simplified."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .textutil import SURROGATES

# Removed: C0/C1 controls except tab/newline, zero-width and bidi marks, soft hyphen,
# BOMs, lone surrogates (they cannot be written to Parquet), noncharacters.
_DROP_CHARS = (
    [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)]
    + list(range(0x7F, 0xA0))
    + [0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0xFFFE, 0xFFFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_TABLE = {c: None for c in _DROP_CHARS}
_TABLE.update({0x2028: "\n", 0x2029: "\n", 0x0D: "\n"})
# Full-width ASCII letters and digits become half-width; full-width punctuation
# (，。！？：；) is Chinese typography and stays as it is.
_TABLE.update({c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)})
_TABLE.update({c: chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_TABLE.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})

# Any character the table maps: most texts hold none, and translate() is slow (a dict
# lookup per character) even when it changes nothing.
_MAPPED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFC, control/zero-width removal, unified line endings, collapsed spaces and blank runs."""
    text = text.replace("\r\n", "\n")
    text = SURROGATES.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if _MAPPED.search(text):
        text = text.translate(_TABLE)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


@lru_cache(maxsize=4)
def _converter(config: str):
    import opencc  # C++ OpenCC; the converter is built once per process and config

    return opencc.OpenCC(config if config.endswith(".json") else f"{config}.json")


def to_simplified(text: str, config: str | None = "t2s") -> tuple[str, bool]:
    """(text in Simplified script, whether anything changed). config None keeps the text."""
    if not config:
        return text, False
    converted = _converter(config).convert(text)
    return converted, converted != text
