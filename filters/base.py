"""What every filter returns when it drops a document."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drop:
    """A rejection: `reason` is a short stable code, `detail` says value vs threshold."""

    reason: str
    detail: str = ""


class DropError(Exception):
    """Raised by transformations (decode, extract) that cannot produce text."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.drop = Drop(reason, detail)
