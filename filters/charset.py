"""Bytes of a web page -> str, charset-correct for Chinese crawl.

Order of evidence: BOM, valid UTF-8, HTTP header, <meta charset>/http-equiv,
uchardet detection, GB18030. Chinese pages are often GBK declared only in
<meta>, sometimes declared UTF-8 while being GBK, and sometimes stored as UTF-8
while still declaring gb2312, so declarations are checked against the bytes.
"""
from __future__ import annotations

import codecs
import re

from resiliparse.parse.encoding import detect_encoding

from .base import DropError

# GB2312 and GBK are subsets of GB18030; decoding as GB18030 recovers the
# characters that real "gb2312" pages use beyond GB2312. Likewise Big5-HKSCS for Big5.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "iso8859_1": "cp1252",  # WHATWG: iso-8859-1 and us-ascii labels mean windows-1252
    "latin_1": "cp1252",
    "ascii": "cp1252",
}
# Encodings in which almost any byte string decodes without error: a successful
# strict decode is no evidence that they are right.
_SINGLE_BYTE = {"cp1252", "latin_1", "cp1251", "cp1250", "iso8859_2", "iso8859_15", "koi8_r", "cp874"}

_META_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def canonical_encoding(label: str | None) -> str | None:
    """Python codec name for a charset label, with Chinese supersets applied; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-gbk", "gb_2312-80", "csgb2312", "x-euc-cn", "euc-cn", "chinese", "cp936", "ms936", "windows-936"):
        label = "gbk"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):  # unknown label, or a NUL inside it
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13: not charsets
        return None
    name = info.name.replace("-", "_")
    return _SUPERSETS.get(name, name)


def meta_charset(payload: bytes) -> str | None:
    """Charset declared by <meta charset=...> or http-equiv Content-Type in the first 4 KB."""
    m = _META_RE.search(payload, 0, 4096)
    return m.group(1).decode("ascii") if m else None


def _utf8_valid(payload: bytes) -> str | None:
    """The text if `payload` is valid UTF-8, tolerating a multi-byte character cut by
    Common Crawl's 1 MiB payload truncation."""
    for cut in range(4):
        try:
            return (payload[: len(payload) - cut] if cut else payload).decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < len(payload) - 4:
                return None
    return None


def _utf8_nearly(payload: bytes, max_replacement_ratio: float) -> str | None:
    """The text if `payload` is UTF-8 but for a few stray bytes (a Latin-1 byte pasted into
    a template, a character cut mid-page), whatever the page declares. GBK or Big5 bytes
    read as UTF-8 turn nearly every non-ASCII character into U+FFFD; UTF-8 bytes read as GBK
    decode strictly more often than not, into mojibake, so the declaration cannot decide."""
    head = payload[:4096].decode("utf-8", errors="replace")  # GBK fails at once: no need to read on
    if head.count("\ufffd") > 1 + len(head) // 20:
        return None
    text = payload.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if non_ascii - bad >= 20 * bad and bad <= max_replacement_ratio * len(text):
        return text
    return None


def decode_page(payload: bytes, header_charset: str | None = None, max_replacement_ratio: float = 0.001) -> tuple[str, str]:
    """Decode a page; returns (text, codec used). Raises DropError('bad_encoding')."""
    for bom, name in _BOMS:
        if payload.startswith(bom):
            return payload.decode(name, errors="replace"), name
    text = _utf8_valid(payload)
    if text is not None:
        return text, "utf_8"
    text = _utf8_nearly(payload, max_replacement_ratio)
    if text is not None:
        return text, "utf_8"

    # The page's own declaration first: when it names a multi-byte charset that decodes
    # the bytes strictly, the loop below would return it before reading the detector's
    # guess, so the detector (0.17 ms a GBK page) is not run.
    meta = meta_charset(payload)
    first = canonical_encoding(header_charset) or canonical_encoding(meta)
    if first and first != "utf_8" and first not in _SINGLE_BYTE:
        try:
            return payload.decode(first), first
        except UnicodeDecodeError:
            pass

    declared: list[str] = []
    for label in (header_charset, meta, detect_encoding(payload, max_len=65536, html5_compatible=False)):
        name = canonical_encoding(label)
        if name and name not in declared and name != "utf_8":
            declared.append(name)
    # GB18030 is the last resort, never preferred over what the page or detector says.
    candidates = declared + ([] if "gb18030" in declared else ["gb18030"])

    fallback: tuple[str, str] | None = None
    for name in candidates:
        try:
            text = payload.decode(name)
        except UnicodeDecodeError:
            text = payload.decode(name, errors="replace")
            if text.count("\ufffd") > max_replacement_ratio * max(len(text), 1):
                continue
        if fallback is None and name in _SINGLE_BYTE and any(c not in _SINGLE_BYTE for c in declared):
            # A header saying iso-8859-1 over a GBK page: keep it only if no multi-byte
            # charset the page or the detector names also fits the bytes.
            fallback = (text, name)
            continue
        if fallback is not None and name not in declared:
            break
        return text, name
    if fallback:
        return fallback
    raise DropError("bad_encoding", f"no charset decodes the page (tried utf_8, {', '.join(candidates)})")
