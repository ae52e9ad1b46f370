"""Quality stages: signals computed once, rules applied in two phases."""
from __future__ import annotations

from filters import quality

from .stage import StageDoFn


class Pathological(StageDoFn):
    """Computes the signals and drops pathological samples (before LID, so they are
    explained as what they are)."""

    stage = "pathological"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        doc["quality"] = {**doc.get("quality", {}), **quality.signals(doc["text"])}
        return quality.first_drop(doc["quality"], self.cfg, quality.PATHOLOGICAL_RULES) or doc


class ContentQuality(StageDoFn):
    stage = "quality"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        return quality.first_drop(doc["quality"], self.cfg, quality.CONTENT_RULES) or doc
