"""Common Crawl's own language labels (CLD2, up to three languages a page), read before a
page is parsed: in a WARC, the `metadata` record after each response carries
`languages-cld2: {"reliable": ..., "languages": [{"code": "zh", "code-iso-639-3": "zho", ...}]}`;
in a WET (since CC-MAIN-2020-24), each `conversion` record has a
`WARC-Identified-Content-Language: zho,eng` header. A page whose labels hold no accepted
language is dropped before extraction; a page without a reliable label goes on to zhpile's
own language ID, which decides for everything that passes."""
from __future__ import annotations

import json

from .base import Drop

# fastText lid.176 labels (langid.languages) -> ISO 639-3 codes as CLD2 reports them.
_ISO3 = {"zh": "zho", "en": "eng", "ja": "jpn", "ko": "kor", "ru": "rus", "de": "deu", "fr": "fra", "es": "spa",
         "pt": "por", "it": "ita", "ar": "ara", "vi": "vie", "th": "tha", "id": "ind", "nl": "nld", "pl": "pol"}


_CLD2_KEY = b"languages-cld2:"


def accepted_codes(languages: list[str]) -> frozenset[str]:
    """The ISO 639-3 codes of the accepted fastText labels (a 3-letter label as it is)."""
    return frozenset(_ISO3.get(lang, lang) for lang in languages)


def labels_from_metadata(block: bytes) -> tuple[bool, list[str]] | None:
    """(reliable, ISO 639-3 codes in CLD2's order) of a WARC metadata record's block; None
    when it has no languages-cld2 line or the line does not parse."""
    # The first line that starts with the key, found without splitting the block in lines.
    if block.startswith(_CLD2_KEY):
        start = 0
    else:
        start = block.find(b"\n" + _CLD2_KEY) + 1
        if not start:
            return None
    end = block.find(b"\n", start)
    try:
        data = json.loads(block[start + len(_CLD2_KEY):end if end >= 0 else len(block)])
        codes = [str(lang.get("code-iso-639-3") or "") for lang in data.get("languages") or []]
        return bool(data.get("reliable")), [c for c in codes if c]
    except (ValueError, AttributeError, TypeError):
        return None


def labels_from_wet(header: str | None) -> tuple[bool, list[str]] | None:
    """The codes of a WET record's WARC-Identified-Content-Language header (CLD2's, reliable
    by construction: Common Crawl writes only reliable results there)."""
    codes = [c.strip() for c in (header or "").split(",") if c.strip()]
    return (True, codes) if codes else None


def cld2_drop(labels: tuple[bool, list[str]] | None, accepted: frozenset[str], mode: str) -> Drop | None:
    """`lang_cld2` when the labels are reliable and hold no accepted language (`any` of
    them) or do not start with one (`primary`); None otherwise, and always for mode `off`
    and for a page without a reliable label."""
    if mode == "off" or labels is None:
        return None
    reliable, codes = labels
    if not reliable or not codes:
        return None
    considered = codes[:1] if mode == "primary" else codes
    if any(code in accepted for code in considered):
        return None
    return Drop("lang_cld2", f"CLD2 languages {','.join(codes)} ({mode}); accepted {','.join(sorted(accepted))}")
