"""Stages that turn a record into normalised text: extraction, normalisation, LID."""
from __future__ import annotations

from zhpile.filters.base import Drop
from zhpile.filters.extract import page_text
from zhpile.filters.langid import LanguageIdentifier
from zhpile.filters.mojibake import repair_mojibake
from zhpile.filters.normalize import normalize_text, to_simplified

from .stage import StageDoFn


class ExtractText(StageDoFn):
    """WARC payload -> decoded main text. Curated documents already carry text."""

    stage = "extract"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        payload = doc.pop("payload", None)
        if payload is None:
            return doc
        text, charset = page_text(payload, doc.pop("content_type", None), doc.pop("header_charset", None),
                                  self.cfg.main_content, self.cfg.max_replacement_ratio)
        doc["text"], doc["charset"] = text, charset
        return doc


class NormalizeText(StageDoFn):
    """Mojibake repair (before control characters go: Latin-1 mojibake needs its C1
    bytes), then Unicode normalisation."""

    stage = "normalize"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        original = doc["text"]
        repair = repair_mojibake(original)
        doc["text"] = normalize_text(repair.text)
        doc["quality"] = {"mojibake_repaired": repair.repaired_runs, "mojibake_dropped_chars": repair.dropped_chars}
        limit = self.cfg.max_mojibake_ratio * max(len(original), 1)
        if repair.dropped_chars > limit:
            return Drop("mojibake", f"unrepairable mojibake in {repair.dropped_lines} lines, "
                                    f"{repair.dropped_chars}/{len(original)} chars > max_mojibake_ratio={self.cfg.max_mojibake_ratio}")
        return doc


class ToSimplified(StageDoFn):
    """OpenCC Traditional -> Simplified, after LID: Japanese or other Han-script text
    must be judged as it was written, not after conversion."""

    stage = "t2s"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def apply(self, doc):
        doc["text"], doc["converted_t2s"] = to_simplified(doc["text"], self.cfg.opencc)
        return doc


class IdentifyLanguage(StageDoFn):
    """fastText lid.176; the model loads once per worker in setup()."""

    stage = "langid"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg
        self.lid = None

    def setup(self):
        self.lid = LanguageIdentifier(max_chars=self.cfg.max_chars)

    def apply(self, doc):
        lang, score = self.lid.predict(doc["text"])
        doc["lang"], doc["lang_score"] = lang, round(score, 4)
        if lang not in self.cfg.languages:
            return Drop("lang", f"lang={lang} score={score:.3f}; accepted {','.join(self.cfg.languages)}")
        if score < self.cfg.min_score:
            return Drop("lang", f"lang={lang} score={score:.3f} < min_score={self.cfg.min_score}")
        return doc
