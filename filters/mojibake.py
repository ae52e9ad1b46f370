"""Mojibake: text that was decoded with the wrong charset somewhere upstream.

Two kinds matter for Chinese crawl: UTF-8 bytes read as GBK (鏄惁 for 是否, 锟斤拷 for
replacement characters) and UTF-8 bytes read as Latin-1/cp1252 (å¤§å®¶ for 大家, Ã¤).
A run is repaired by re-encoding it with the wrong charset and decoding the bytes as
UTF-8; only a strict, complete decode into CJK text counts, so real text is never
"repaired". Runs whose bytes were lost on the way (鏄?笉) cannot be repaired: their
lines are dropped and counted, and a document made mostly of them is rejected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# Runs of characters GB18030 stores in two bytes (Han, CJK symbols, full-width forms).
_GBK_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\ue000-\uf8ff\uff00-\uffef]{2,}")
# Runs of Latin-1 / cp1252 characters that UTF-8 lead and continuation bytes become.
_LATIN_RUN = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,}(?:[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,})*")
_CJK_TEXT = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2018-\u201d\u00b7]+")
# What mojibake leaves behind when it cannot be undone: 锟斤拷 (U+FFFD read as GBK),
# 烫烫/屯屯 (uninitialised memory read as GBK), Ã¤ and â€ (UTF-8 read as cp1252), and
# U+FFFD itself.
_RESIDUE = re.compile(r"锟斤拷|烫烫烫|屯屯屯|Ã[\u0080-\u00bf]|â€|\ufffd")
# On a line where GBK mojibake was found, '?' between Han characters marks a lost byte
# (鏄?笉). Elsewhere it is just an ASCII question mark, common in Chinese text.
_LOST_BYTE = re.compile(r"[\u4e00-\u9fff]\?+[\u4e00-\u9fff]")
# At most one U+FFFD per this many characters of a line: lost bytes, not mojibake.
LOST_BYTE_SPACING = 20


@dataclass
class MojibakeRepair:
    text: str
    repaired_runs: int = 0
    dropped_lines: int = 0
    dropped_chars: int = 0


def _web_latin1(run: str) -> bytes:
    """Bytes behind text that a browser decoded as "ISO-8859-1": cp1252, where cp1252
    leaves a byte undefined, Latin-1 (C1 controls)."""
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ch.encode("latin-1")  # raises for anything beyond U+00FF
    return bytes(out)


def _undo(run: str, wrong: str) -> str | None:
    """`run` re-encoded with the charset that produced it and read as UTF-8, if that is a
    complete, strict decode into CJK text; else None."""
    try:
        raw = _web_latin1(run) if wrong == "web-latin1" else run.encode(wrong)
        fixed = raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if len(fixed) >= len(run) or not _CJK_TEXT.fullmatch(fixed):
        return None
    return fixed


# Inside a longer run, GBK mojibake is found on the bytes: consecutive UTF-8 sequences
# of CJK characters. Four or more in a row (six garbled characters) never occur by
# chance in real GBK text (measured: no hit on 2,600 real documents); shorter garbled
# runs are repaired only when they are a run of their own.
_UTF8_CJK_SEQS = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){4,}")


def _repair_gbk_run(run: str) -> tuple[str, int]:
    fixed = _undo(run, "gb18030")
    if fixed is not None:
        return fixed, 1
    raw = run.encode("gb18030")
    spans = list(_UTF8_CJK_SEQS.finditer(raw))
    if not spans:
        return run, 0
    # Byte offset -> character index, to keep only spans on character boundaries.
    starts, pos = {}, 0
    for i, ch in enumerate(run):
        starts[pos] = i
        pos += len(ch.encode("gb18030"))
    starts[pos] = len(run)
    out, last, count = [], 0, 0
    for m in spans:
        a, b = starts.get(m.start()), starts.get(m.end())
        if a is None or b is None or a < last:
            continue
        fixed = m.group(0).decode("utf-8")
        if not _CJK_TEXT.fullmatch(fixed):
            continue
        out += [run[last:a], fixed]
        last, count = b, count + 1
    return "".join(out) + run[last:], count


def _repair_latin_run(run: str) -> tuple[str, int]:
    fixed = _undo(run, "web-latin1")
    return (fixed, 1) if fixed is not None else (run, 0)


def _repair_line(line: str) -> tuple[str, int]:
    count = 0

    def gbk(m):
        nonlocal count
        fixed, n = _repair_gbk_run(m.group(0))
        count += n
        return fixed

    def latin(m):
        nonlocal count
        fixed, n = _repair_latin_run(m.group(0))
        count += n
        return fixed

    return _LATIN_RUN.sub(latin, _GBK_RUN.sub(gbk, line)), count


# Cheap whole-document screen: two UTF-8 CJK sequences in a row in the GB18030 bytes,
# a Latin-1 reading of a UTF-8 lead and continuation byte, or residue. Most documents
# show none and skip the line-by-line pass.
def _maybe_gbk(data: bytes) -> bool:
    """Whether `data` holds two UTF-8 CJK sequences in a row (a lead byte E3-E9 and two
    continuation bytes, twice): the regex rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){2}", vectorised
    (the regex crawls over ordinary GBK bytes, many of which are such leads)."""
    b = np.frombuffer(data, dtype=np.uint8)
    if b.size < 6:
        return False
    lead = (b >= 0xE3) & (b <= 0xE9)
    cont = (b >= 0x80) & (b <= 0xBF)
    seq = lead[:-2] & cont[1:-1] & cont[2:]  # a 3-byte sequence starts at i
    return bool((seq[:-3] & seq[3:]).any())
_MAYBE_LATIN = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u0178\u2013-\u203a\u20ac\u2122]")


def repair_mojibake(text: str) -> MojibakeRepair:
    """Repair what can be repaired; drop lines that still show mojibake."""
    result = MojibakeRepair(text)
    if not (_MAYBE_LATIN.search(text) or _RESIDUE.search(text)
            or _maybe_gbk(text.encode("gb18030", errors="replace"))):
        return result
    kept, stripped = [], False
    for line in text.split("\n"):
        fixed, n = _repair_line(line)
        result.repaired_runs += n
        lost = fixed.count("\ufffd")
        if lost and lost * LOST_BYTE_SPACING <= len(fixed) and not _RESIDUE.search(fixed.replace("\ufffd", "")):
            # A few U+FFFD in a long clean line are bytes lost in transit (a stray byte in
            # a UTF-8 page), not a wrong charset: the characters go, the line stays.
            fixed, stripped = fixed.replace("\ufffd", ""), True
            result.dropped_chars += lost
        if _RESIDUE.search(fixed) or (n and _LOST_BYTE.search(fixed)):
            result.dropped_lines += 1
            result.dropped_chars += len(line)
        else:
            kept.append(fixed)
    if result.repaired_runs or result.dropped_lines or stripped:
        result.text = "\n".join(kept)
    return result
