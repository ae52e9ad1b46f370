"""The per-document stages, in the order a document meets them (job/pipeline.py):
extract -> normalise -> pathological -> language -> Traditional-to-Simplified -> [the
corpus-wide dedup, job/dedup.py] -> quality -> classifier -> component -> PII -> [tokenize]. Each is a
StageDoFn: `apply(doc)` returns the document or a Drop; the logic lives in filters/."""
from __future__ import annotations

from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.window import GlobalWindows

from zhpile.filters import quality
from zhpile.filters.base import Drop
from zhpile.filters.classifier import pareto_keep
from zhpile.filters.component import assign_component, shipped_model
from zhpile.filters.extract import declared_plain, page_document
from zhpile.filters.ids import text_digest
from zhpile.filters.langid import LanguageIdentifier
from zhpile.filters.mojibake import repair_mojibake
from zhpile.filters.navigation import remove_navigation
from zhpile.filters.normalize import normalize_text, to_simplified
from zhpile.filters.pii import redact_pii
from zhpile.filters.safety import blocked_domain
from zhpile.filters.scorers import bucket_of, load_scorer, score_value
from zhpile.filters.seo import seo_injection, seo_signals
from zhpile.filters.tokens import load_tokenizer, token_ids

from ..io.inputs import read_bytes, scorer_spec
from .stage import StageDoFn


class ExtractText(StageDoFn):
    """WARC payload -> decoded main text. Curated documents already carry text. Text input
    (WET, JSONL, Parquet) of the `navigation_sources` loses its navigation lines, which
    HTML loses in main-content extraction."""

    stage = "extract"

    def __init__(self, cfg, navigation_sources: frozenset = frozenset(), **kw):
        super().__init__(**kw)
        self.cfg, self.navigation_sources = cfg, navigation_sources

    def apply(self, doc):
        payload = doc.pop("payload", None)
        is_text = payload is None
        if payload is not None:
            content_type = doc.pop("content_type", None)
            page = page_document(payload, content_type, doc.pop("header_charset", None),
                                 self.cfg.main_content, self.cfg.max_replacement_ratio)
            is_text = declared_plain(content_type)
            doc["text"], doc["charset"] = page.text, page.charset
            if page.title:
                doc["title"] = page.title
            if page.dateline:  # read by AssignComponent; no column of its own
                doc["dateline"] = page.dateline
        if is_text and doc["source"] in self.navigation_sources:
            cut = remove_navigation(doc["text"])
            doc["text"] = cut.text
            doc["quality"] = {"nav_lines": cut.lines, "nav_chars": cut.chars}
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
        doc["quality"] = {**doc.get("quality", {}), "mojibake_repaired": repair.repaired_runs,
                          "mojibake_dropped_chars": repair.dropped_chars}
        limit = self.cfg.max_mojibake_ratio * max(len(original), 1)
        if repair.dropped_chars > limit:
            return Drop("mojibake", f"unrepairable mojibake in {repair.dropped_lines} lines, "
                                    f"{repair.dropped_chars}/{len(original)} chars > max_mojibake_ratio={self.cfg.max_mojibake_ratio}")
        return doc

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

class ContentQuality(StageDoFn):
    """Every signal on the final text (after Traditional-to-Simplified conversion, which
    fluency and the word lists expect, and after recurring lines were removed), then the
    content rules; word order (the costliest signal) and jieba's word statistics only for
    the documents those rules keep."""

    stage = "quality"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    # Rules that explain a drop better than SEO injection does (a fragment, not Chinese, or
    # flagged all through); any other drop gives way to it.
    BEFORE_SEO = ("too_short", "low_han", "porn", "gambling")

    def apply(self, doc):
        unchanged = doc.pop("pathological_of", None) == text_digest(doc["text"])
        seo, first = seo_signals(doc["text"], doc.get("title"), doc.get("url"))
        doc["text"], signals, drop = quality.judge_content(doc["text"], self.cfg, doc["quality"] if unchanged else None,
                                                           cuts=doc["quality"])
        doc["quality"].update(signals, **seo)
        if self.cfg.seo_injection and (drop is None or drop.reason not in self.BEFORE_SEO):
            drop = seo_injection(doc["quality"], self.cfg, doc["text"], first) or drop
        if drop is not None:
            return drop
        doc["quality"].update(quality.word_signals(doc["text"]))
        return doc

class ScoreQuality(StageDoFn):
    """Learned quality scorers (filters/scorers.py): every scorer's score in
    `quality_scores` (the first's also in `quality_score`). The threshold and Pareto rules
    drop here; the bucket rule needs the corpus's scores first (job/scoring.py). Models
    load once per worker process. In the pipeline it takes batches of documents (one
    model call each); a single document, as `zhpile.explain` gives, works too."""

    stage = "classifier"

    def __init__(self, cfg, seed: int, **kw):
        super().__init__(**kw)
        self.cfg, self.seed = cfg, seed
        self.scorers_cfg = cfg.scorers()
        self.scorers = None

    def setup(self):
        self.scorers = [load_scorer(scorer_spec(s), read_bytes) for s in self.scorers_cfg]

    def batch_size(self) -> int:
        return max(s.batch_size for s in self.scorers_cfg)

    def process(self, element):
        if isinstance(element, dict):
            yield from super().process(element)
            return
        docs = list(element)
        try:
            scores = self.score([d["text"] for d in docs])
        except Exception:  # noqa: BLE001 - one document breaks the batch: score them one by one
            for doc in docs:
                yield from super().process(doc)
            return
        for doc, doc_scores in zip(docs, scores):
            yield from self.outcome(doc, self.decide(doc, doc_scores))

    def score(self, texts: list[str]) -> list[list[float]]:
        """Per text, each scorer's score (filters/scorers.py score_value)."""
        columns = [scorer.score(texts) for scorer in self.scorers]
        return [[score_value(col[i]) for col in columns] for i in range(len(texts))]

    def apply(self, doc):
        return self.decide(doc, self.score([doc["text"]])[0])

    def decide(self, doc: dict, scores: list[float]):
        doc["quality_scores"] = [{"name": s.name, "score": v, "bucket": None} for s, v in zip(self.scorers_cfg, scores)]
        doc["quality_score"] = scores[0]
        cfg = self.cfg
        if cfg.mode == "threshold":
            for s, v in zip(self.scorers_cfg, scores):
                if s.threshold is not None and v < s.threshold:
                    name = "quality_score" if cfg.model else f"quality_scores.{s.name}"
                    return Drop("quality_score", f"{name}={v} < threshold={s.threshold}")
        elif cfg.mode == "pareto" and not pareto_keep(doc["id"], scores[0], cfg.pareto_alpha, self.seed):
            return Drop("quality_score", f"quality_score={scores[0]}: not kept by pareto(alpha={cfg.pareto_alpha}) > 1 - score")
        return doc


class AssignBucket(StageDoFn):
    """Nemotron-CC's rule, given each scorer's cut points over the corpus (job/scoring.py):
    each score's bucket, the document's the highest of them, kept when >= min_bucket."""

    stage = "classifier"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg

    def process(self, doc, cuts):
        self.cuts = cuts
        yield from super().process(doc)

    def apply(self, doc):
        for entry in doc["quality_scores"]:
            entry["bucket"] = bucket_of(entry["score"], self.cuts.get(entry["name"], []))
        doc["quality_bucket"] = best = max(e["bucket"] for e in doc["quality_scores"])
        if best < self.cfg.min_bucket:
            top = max(doc["quality_scores"], key=lambda e: e["bucket"])
            return Drop("quality_bucket", f"quality_bucket={best} ({top['name']}={top['score']}) < min_bucket={self.cfg.min_bucket} "
                                          f"of {self.cfg.buckets}")
        return doc


class AssignComponent(StageDoFn):
    """The document's Pile-style component and why (filters/component.py): a source's fixed
    component, else the page's URL, structure or the shipped model. Never drops."""

    stage = "component"

    def __init__(self, fixed: dict[str, str | None], **kw):
        super().__init__(**kw)
        self.fixed = fixed  # source -> its one component, or None: classify each page
        self.model = None

    def setup(self):
        if any(c is None for c in self.fixed.values()):
            self.model = shipped_model()  # once per worker

    def apply(self, doc):
        fixed = self.fixed.get(doc["source"])
        if fixed is not None:
            doc["component"], doc["component_reason"] = fixed, "source"
        else:
            code_share = (doc.get("quality") or {}).get("code_share")
            doc["component"], doc["component_reason"] = assign_component(doc.get("url"), doc.get("title"), doc["text"],
                                                                         self.model, code_share, doc.get("dateline"))
        return doc


class RedactPII(StageDoFn):
    """Phone numbers, ID numbers, emails, IPs, QQ and WeChat IDs -> placeholders."""

    stage = "pii"

    def apply(self, doc):
        doc["text"], doc["pii"] = redact_pii(doc["text"])
        return doc


class TokenizeText(StageDoFn):
    """Text -> `input_ids` (EOS appended) with the output's tokenizer, loaded once per
    worker. Documents are encoded a batch at a time (the Rust tokenizer's encode_batch);
    the batch is flushed when full and at the bundle's end, so nothing outlives a bundle."""

    stage = "tokenize"

    def __init__(self, cfg, **kw):
        super().__init__(**kw)
        self.cfg = cfg
        self.loaded = None
        self.batch: list[dict] = []

    def setup(self):
        self.loaded = load_tokenizer(self.cfg.tokenizer, self.cfg.eos, self.cfg.dtype, read_bytes)

    def start_bundle(self):
        self.batch = []

    def process(self, doc):
        self.batch.append(doc)
        if len(self.batch) >= self.cfg.batch_docs:
            yield from self._flush()

    def finish_bundle(self):
        for out in self._flush():  # outside process(), every output names its window
            if isinstance(out, TaggedOutput):
                yield TaggedOutput(out.tag, GlobalWindows.windowed_value(out.value))
            else:
                yield GlobalWindows.windowed_value(out)

    def _flush(self):
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            results = token_ids(self.loaded, [d["text"] for d in batch])
        except Exception:  # noqa: BLE001 - one bad text must not take its batch with it
            results = [self._one(d["text"]) for d in batch]
        for doc, result in zip(batch, results):
            if not isinstance(result, Drop):
                doc["input_ids"], result = result, doc
            yield from self.outcome(doc, result)

    def _one(self, text: str):
        try:
            return token_ids(self.loaded, [text])[0]
        except Exception as err:  # noqa: BLE001
            return self.error(err)
