"""Quality stages: signals computed once, rules applied in phases, PII redacted last."""
from __future__ import annotations

from zhpile.filters import quality
from zhpile.filters.base import Drop
from zhpile.filters.ids import text_digest
from zhpile.filters.classifier import QualityClassifier, pareto_keep
from zhpile.filters.pii import redact_pii
from zhpile.filters.safety import blocked_domain

from .stage import StageDoFn


class Pathological(StageDoFn):
    """Drops blocklisted domains and pathological samples (before LID, so they are
    explained as what they are), from the cheap pathological signals; pathological spans
    inside otherwise good text are cut out instead (filters/cut.py)."""

    stage = "pathological"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        too_long = quality.TOO_LONG({"n_chars": len(doc["text"])}, self.cfg)
        if too_long:  # judged on its length alone: no signal work on an absurd text
            return too_long
        doc["text"], signals, drop = quality.judge_pathological(doc["text"], self.cfg)
        doc["quality"] = {**doc.get("quality", {}), **signals}
        # ContentQuality reuses these signals if the text is still the same then.
        doc["pathological_of"] = text_digest(doc["text"])
        if self.cfg.block_domains:
            domain = blocked_domain(doc.get("url"))
            if domain:
                return Drop("blocked_domain", f"{domain} is on the domain blocklist")
        return drop or doc


class ContentQuality(StageDoFn):
    """Every signal on the final text (after Traditional-to-Simplified conversion, which
    fluency and the word lists expect, and after recurring lines were removed), then the
    content rules; word order (the costliest signal) and jieba's word statistics only for
    the documents those rules keep."""

    stage = "quality"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        unchanged = doc.pop("pathological_of", None) == text_digest(doc["text"])
        doc["text"], signals, drop = quality.judge_content(doc["text"], self.cfg, doc["quality"] if unchanged else None,
                                                           cuts=doc["quality"])
        doc["quality"].update(signals)
        if drop is not None:
            return drop
        doc["quality"].update(quality.word_signals(doc["text"]))
        return doc


class ClassifierQuality(StageDoFn):
    """GPT-3's fastText quality classifier; the model loads once per worker."""

    stage = "classifier"

    def __init__(self, cfg, model_path: str, seed: int, **kw):
        super().__init__(**kw)
        self.cfg, self.model_path, self.seed = cfg, model_path, seed
        self.classifier = None

    def setup(self):
        self.classifier = QualityClassifier(self.model_path)

    def apply(self, doc):
        score = round(self.classifier.score(doc["text"]), 4)
        doc["quality_score"] = score
        if self.cfg.mode == "threshold":
            if score < self.cfg.threshold:
                return Drop("quality_score", f"quality_score={score} < threshold={self.cfg.threshold}")
        elif not pareto_keep(doc["id"], score, self.cfg.pareto_alpha, self.seed):
            return Drop("quality_score", f"quality_score={score}: not kept by pareto(alpha={self.cfg.pareto_alpha}) > 1 - score")
        return doc


class RedactPII(StageDoFn):
    """Phone numbers, ID numbers, emails, IPs, QQ and WeChat IDs -> placeholders."""

    stage = "pii"

    def apply(self, doc):
        doc["text"], doc["pii"] = redact_pii(doc["text"])
        return doc
