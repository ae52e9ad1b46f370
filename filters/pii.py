"""Chinese PII in kept text replaced by placeholders: mainland mobile numbers, resident ID
numbers (checksum and birth date validated), emails, IPv4 addresses, and QQ / WeChat IDs
where the text marks them as such. Ordinary numbers, dates and prices are left alone."""
from __future__ import annotations

import datetime
import re

KINDS = ("phone", "id_card", "email", "ip", "qq", "wechat")
PLACEHOLDER = {"phone": "<PHONE>", "id_card": "<ID_CARD>", "email": "<EMAIL>", "ip": "<IP>", "qq": "<QQ>", "wechat": "<WECHAT>"}

# Not glued to other digits or letters: 13812345678 inside a longer number is not a phone.
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9A-Za-z])")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IP = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])")
_QQ = re.compile(r"((?:QQ|qq|Qq|扣扣|企鹅)(?:号码|号|群)?\s*[:：]?\s*)([1-9]\d{4,10})(?!\d)")
_WECHAT = re.compile(r"((?:微信|威信|薇信|wechat|WeChat|weixin|vx|VX|Vx|wx|WX)(?:号|ID|id)?\s*[:：]?\s*)([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])")

# Cheap gates: the patterns above scan slowly, and most texts hold nothing they could match.
_ELEVEN_DIGITS = re.compile(r"\d[\d -]{9}\d")  # a phone (separators allowed) or an ID number
_DOTTED_DIGITS = re.compile(r"\d\.\d")  # an IPv4 address

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_card(number: str) -> bool:
    """GB 11643 checksum and a real birth date."""
    if len(number) != 18:
        return False
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def redact_pii(text: str) -> tuple[str, dict[str, int]]:
    """(text with placeholders, count per kind)."""
    counts = dict.fromkeys(KINDS, 0)

    def sub(kind, pattern, s, check=None, keep_prefix=False):
        def repl(m):
            value = m.group(2) if keep_prefix else m.group(0)
            if check and not check(value):
                return m.group(0)
            counts[kind] += 1
            return (m.group(1) if keep_prefix else "") + PLACEHOLDER[kind]
        return pattern.sub(repl, s)

    # ID numbers before phones (an ID contains phone-like digit runs only when glued, but
    # order keeps the longest match first), QQ/WeChat before bare numbers.
    long_numbers = _ELEVEN_DIGITS.search(text) is not None
    if long_numbers:
        text = sub("id_card", _ID_CARD, text, valid_id_card)
    if "@" in text:
        text = sub("email", _EMAIL, text)
    text = sub("qq", _QQ, text, keep_prefix=True)
    text = sub("wechat", _WECHAT, text, keep_prefix=True)
    if long_numbers:
        text = sub("phone", _PHONE, text)
    if _DOTTED_DIGITS.search(text):
        text = sub("ip", _IP, text)
    return text, counts
