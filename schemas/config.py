"""The zhpile config model: the one place where every threshold has its default.

A config is YAML; `load_config` validates it completely before any pipeline is
built, and every error is one line naming the offending key or path.
"""
from __future__ import annotations

import os
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

FORMATS = ("warc", "wet", "jsonl", "parquet", "cc-index")


class ConfigError(ValueError):
    """A config problem, worded as one line for the user."""


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in a threshold must not silently keep the default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMap(_Strict):
    """Column / JSON key names of a curated source."""

    text: str = "text"
    id: str | None = "id"
    url: str | None = "url"
    # The page title, where the source has one (CCNet/ChineseWebText JSONL do): SEO
    # injection is judged on it (filters/seo.py). A missing field is no error.
    title: str | None = "title"


class IndexFilter(_Strict):
    """Which rows of Common Crawl's columnar index are read. Empty lists do not filter."""

    # ISO 639-3 codes, any of which in `content_languages` (CLD2's up to three) selects a row.
    languages: list[str] = ["zho"]
    fetch_status: list[int] = [200]
    # `content_mime_detected`
    mime: list[str] = ["text/html", "application/xhtml+xml"]
    # `url_host_registered_domain` and `url_host_tld`, e.g. [example.com.cn] and [cn, tw, hk]
    domains: list[str] = []
    tlds: list[str] = []


class HttpConfig(_Strict):
    """Range requests to https:// WARC files. Per worker process; a job's load on the server
    is these times the number of workers (README, Reading the columnar index)."""

    user_agent: str = "zhpile/0.2 (Chinese corpus cleaning; https://pypi.org/project/zhpile/)"
    max_concurrent: int = Field(default=2, ge=1)
    requests_per_second: float = Field(default=2.0, gt=0)
    retries: int = Field(default=6, ge=0)
    # Doubled after each failed attempt (with jitter), and never shorter than a Retry-After.
    backoff_seconds: float = Field(default=1.0, ge=0)
    max_backoff_seconds: float = Field(default=120.0, ge=0)
    timeout_seconds: float = Field(default=60.0, gt=0)


class CcIndexConfig(_Strict):
    # Where the index's relative `warc_filename`s live: https://data.commoncrawl.org/,
    # s3://commoncrawl/, or a local mirror.
    warc_prefix: str = "https://data.commoncrawl.org/"
    filter: IndexFilter = IndexFilter()
    # Selected records of one WARC file closer than this are fetched in one range (the gap
    # is read and thrown away). 4 KiB: -6% requests for +0.5% bytes at 5% Chinese; 64 KiB
    # halves the requests for ~2.5x the bytes (docs/speed.md).
    merge_gap_bytes: int = Field(default=4096, ge=0)
    # A merged range is never longer than this, however dense the selection.
    max_range_bytes: int = Field(default=16_000_000, gt=0)
    http: HttpConfig = HttpConfig()


class SourceConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    format: Literal["warc", "wet", "jsonl", "parquet", "cc-index"]
    paths: list[str] = Field(min_length=1)
    fields: FieldMap = FieldMap()
    # WARC record types read as documents. Common Crawl's pages are `response` records;
    # wget, Browsertrix and Heritrix also write pages as `resource` records (opt in).
    records: list[Literal["response", "resource"]] = Field(default=["response"], min_length=1)
    # crawl sources lose to curated ones when exact duplicates are resolved.
    kind: Literal["crawl", "curated"] | None = None
    # format cc-index: `paths` are index Parquet files; this says which rows and where the WARCs are.
    index: CcIndexConfig | None = None
    # The Pile-style component of every document of the source (docs/components.md). Unset:
    # a crawl source's pages are each classified (news, qa, ...), a curated source is its own
    # component (its name). Set: every document of the source gets this one.
    component: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")

    def fixed_component(self) -> str | None:
        """The component of all its documents, or None when each page is classified."""
        if self.component is not None:
            return self.component
        return None if self.kind == "crawl" else self.name

    def components(self) -> list[str]:
        """The components its documents can have."""
        from zhpile.filters.component import COMPONENTS

        fixed = self.fixed_component()
        return list(COMPONENTS) if fixed is None else [fixed]

    def mixture_keys(self) -> list[str]:
        """The mixture groups its documents can fall in (mixture_key)."""
        return [mixture_key(self.name, c) for c in self.components()]

    @model_validator(mode="after")
    def _default_kind(self):
        if self.kind is None:
            object.__setattr__(self, "kind", "crawl" if self.format in ("warc", "wet", "cc-index") else "curated")
        if self.format == "cc-index" and self.index is None:
            object.__setattr__(self, "index", CcIndexConfig())
        if self.format != "cc-index" and self.index is not None:
            raise ValueError("`index` is only for format cc-index")
        return self


def mixture_key(source: str, component: str) -> str:
    """The mixture group of a document: `source/component`, or `source` for a source that is
    its own component."""
    return source if component == source else f"{source}/{component}"


class MixtureEntry(_Strict):
    """A source's or a component's place in the mix: `epochs` (fractional allowed) or a
    `weight` (its share of the mixture); zhpile computes the other from the clean sizes.
    A source's entry covers those of its components that have none of their own."""

    epochs: float | None = Field(default=None, ge=0)
    weight: float | None = Field(default=None, ge=0, le=1)
    # FineWeb-2's rehydration: copies of a document by its duplicate-cluster size
    # (dup_cluster_size), as {smallest size: copies}, e.g. {1: 1, 2: 2, 3: 3, 5: 5, 100: 8,
    # 1000: 1}; a size takes the entry of the largest key not above it. On top of epochs,
    # and a weight is met with the rehydrated size (docs/mixture.md).
    rehydrate: dict[int, float] | None = None

    @field_validator("rehydrate")
    @classmethod
    def _rehydrate_table(cls, table):
        if table is not None:
            if not table or min(table) != 1:
                raise ValueError("rehydrate needs an entry for cluster size 1 (the unique documents)")
            if any(w < 0 for w in table.values()):
                raise ValueError("rehydrate copies must be >= 0")
        return table

    @model_validator(mode="after")
    def _one_of(self):
        if self.epochs is not None and self.weight is not None:
            raise ValueError("give epochs or weight, not both")
        if self.epochs is None and self.weight is None:
            object.__setattr__(self, "epochs", 1.0)
        return self


class MixtureSize(_Strict):
    """Optional total size of the mixture, in UTF-8 bytes or in tokens (the configured
    tokenizer's, else jieba words)."""

    bytes: int | None = Field(default=None, gt=0)
    tokens: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_of(self):
        if (self.bytes is None) == (self.tokens is None):
            raise ValueError("give exactly one of bytes or tokens")
        return self


class ReadConfig(_Strict):
    # Records above this size are rejected `too_large` without being read into memory.
    # 10 MB: Common Crawl truncates payloads at 1 MiB (WARC-Truncated), so anything bigger
    # comes from another crawler and is almost never a useful single document.
    max_record_bytes: int = Field(default=10_000_000, gt=0)
    # HTTP status codes whose pages are documents; redirects and errors are rejected `http_status`.
    keep_http_status: list[int] = [200]
    # Common Crawl's CLD2 labels (WARC metadata records, WET headers): a page whose labels
    # hold none of langid.languages is rejected `lang_cld2` before extraction. `any` of its
    # up to three languages, its `primary` one, or `off`. Pages without a reliable label go
    # on to zhpile's language ID (filters/cld2.py).
    cld2: Literal["any", "primary", "off"] = "any"

    @field_validator("cld2", mode="before")
    @classmethod
    def _yaml_off(cls, value):
        # YAML 1.1 reads a bare `off` as false
        return "off" if value is False else value


class ExtractConfig(_Strict):
    # resiliparse main-content heuristics (see docs/extraction.md: extraction benchmark).
    main_content: bool = True
    # A decoded page whose U+FFFD share exceeds this is `bad_encoding`, never mojibake output.
    max_replacement_ratio: float = Field(default=0.001, ge=0, le=1)
    # Navigation and boilerplate lines removed from text input (WET records, JSONL and
    # Parquet text; filters/navigation.py), as main-content extraction does for HTML: on the
    # sources of kind `crawl` (WET's default kind; a crawl dump in JSONL says `kind: crawl`),
    # on `all` sources, or `off`. Curated text (books, encyclopedias) is left as it is.
    navigation_lines: Literal["crawl", "all", "off"] = "crawl"

    @field_validator("navigation_lines", mode="before")
    @classmethod
    def _yaml_off(cls, value):
        return "off" if value is False else value


class NormalizeConfig(_Strict):
    # OpenCC configuration for Traditional -> Simplified; null keeps the original script.
    opencc: str | None = "t2s"
    # Lines with mojibake that cannot be undone are removed; a document that loses more
    # than this share of its characters that way is rejected `mojibake`.
    max_mojibake_ratio: float = Field(default=0.3, ge=0, le=1)


class LangIdConfig(_Strict):
    # fastText lid.176 labels accepted as Chinese.
    languages: list[str] = ["zh"]
    # lid.176 probability of the top label. FineWeb-2 uses 0.69 for cmn_Hani with GlotLID;
    # lid.176 is a different model, see docs/extraction.md "Language ID" for the measurement behind 0.5.
    min_score: float = Field(default=0.5, ge=0, le=1)
    # LID reads at most this many characters: accuracy on CLUECorpusSmall and the
    # ClueWeb09 Japanese pages is the same from 500 to 4000 (docs/extraction.md), cost is not.
    max_chars: int = Field(default=1000, gt=0)


class QualityConfig(_Strict):
    """Thresholds of the quality and pathological rules (filters/quality.py). Where a
    default was calibrated, it was on CLUECorpusSmall (2,500 real Chinese documents) and
    ChineseWebText (100 CC documents): see docs/quality.md."""

    # --- pathological (applied before language ID) ---
    # Absurd length: no single training document is useful beyond this.
    max_chars: int = Field(default=500_000, gt=0)
    # Longest run of one character (`////`, `----`, `哈哈哈`): the slash sample that blew up a
    # 100B run had tens of thousands; 0.8% of long CLUECorpusSmall posts have 100+ dashes.
    max_char_run: int = Field(default=100, gt=1)
    # Longest stretch repeating a 2..8-character pattern (`\\/\\/`, `-=-=`).
    max_periodic_span: int = Field(default=100, gt=1)
    # Longest run of printable ASCII without a space (URLs stay under it).
    max_ascii_token: int = Field(default=256, gt=1)
    # Characters in base64 (80+) or hex (64+) runs.
    max_blob_chars: int = Field(default=80, gt=0)
    # One line repeated this many times.
    max_line_repeat: int = Field(default=50, gt=1)
    # Runs, periodic stretches and repeated lines are cut out of a document (the rest is
    # judged) when they are at most this share of its characters; above it the document is
    # dropped under the rule that found them (docs/quality.md, "Cut, don't drop").
    max_cut_share: float = Field(default=0.5, ge=0, le=1)
    # Lines repeated beyond max_dup_line_share are cut to one copy each when the copies are
    # at most this share: a page holding its article two or three times (50-67%) keeps one.
    max_repeat_cut_share: float = Field(default=0.75, ge=0, le=1)
    # Character entropy in bits, for documents of at least min_entropy_chars characters;
    # real Chinese is 5.7-8.4 bits (CLUECorpusSmall 0.5th-99.5th percentile).
    min_char_entropy: float = Field(default=3.5, ge=0)
    min_entropy_chars: int = Field(default=50, ge=1)

    # --- content (after language ID) ---
    # ChineseWebText (Chen et al. 2023) drops documents under 200 characters; news briefs and
    # forum threads with a human-copied main text of 100-200 characters are real pages (7 of
    # the 75 magic-html pages). What else is that short, soft error pages, goes by error_page
    # (docs/quality.md, "Rules on real data").
    min_chars: int = Field(default=100, ge=0)
    # A text of at most this many characters that says its page is missing or moved
    # (filters/quality.py _ERROR_PAGE: 页面不存在, 您访问的页面..., 404 Not Found) is `error_page`.
    max_error_page_chars: int = Field(default=600, ge=0)
    # Share of Han characters among non-space characters.
    min_han_ratio: float = Field(default=0.3, ge=0, le=1)
    # Gopher (Rae et al. 2021): duplicate lines / paragraphs by characters, 0.2.
    max_dup_line_share: float = Field(default=0.2, ge=0, le=1)
    max_dup_para_share: float = Field(default=0.2, ge=0, le=1)
    # Gopher's top word 2/3/4-gram shares (0.20, 0.18, 0.16) on Han character 4/6/8-grams
    # (a Chinese word is about two characters): 0.23% of long CLUECorpusSmall documents.
    max_top_4gram_share: float = Field(default=0.20, ge=0, le=1)
    max_top_6gram_share: float = Field(default=0.18, ge=0, le=1)
    max_top_8gram_share: float = Field(default=0.16, ge=0, le=1)
    # Duplicate Han character 10/14/20-gram shares. Gopher's word values (0.15, 0.13, 0.10)
    # drop 4-6% of long CLUECorpusSmall documents (questions repeated in answers, titles
    # repeated in news); 0.50/0.45/0.40 (its 99.5th percentile) still dropped statistics news
    # (CPI figures repeat 价格同比上涨) among 141 real news pages; these sit above both.
    max_dup_10gram_share: float = Field(default=0.65, ge=0, le=1)
    max_dup_14gram_share: float = Field(default=0.60, ge=0, le=1)
    max_dup_20gram_share: float = Field(default=0.55, ge=0, le=1)
    # Share of characters in lines ending in terminal punctuation (。！？… and closing quotes,
    # citation marks ignored), for documents of at least min_punct_lines lines. FineWeb drops
    # at 0.12 of *lines*; counted by lines it dropped 15 of 141 real news pages (captions and
    # menu lines around long paragraphs), by characters 5.
    min_punct_line_share: float = Field(default=0.12, ge=0, le=1)
    min_punct_lines: int = Field(default=3, ge=1)
    # Chinese function characters (的了是在...) per Han character; random Han text ~0.01.
    min_stop_char_ratio: float = Field(default=0.02, ge=0)
    max_digit_ratio: float = Field(default=0.35, ge=0, le=1)
    max_symbol_ratio: float = Field(default=0.10, ge=0, le=1)
    # Character-bigram log-probability per character (filters/fluency.py): prose about -5.5,
    # keyword salad -7.5 and below, random Han characters -14.
    min_fluency: float = -7.3
    # Word order (filters/word_order.py): how much more the document's own order predicts
    # than random orders of its characters / 2-character chunks, and of its jieba words.
    # Measured on held-back real text against its shuffles: docs/quality.md "Word order".
    min_char_order_gain: float = 0.4
    # word_order_gain alone (None: off): at 0.03 it kept 21% of word shuffles; at 0.0 it is
    # left for keyword lists (a list's own order tells nothing). order_score weighs it with
    # part-of-speech order and long words (word shuffles, and chunk shuffles whose chunk
    # grid shifts at every sentence).
    min_word_order_gain: float | None = 0.0
    min_order_score: float = 0.3
    # Share of characters inside flagged terms (filters/safety.py).
    max_porn_share: float = Field(default=0.01, ge=0, le=1)
    max_gambling_share: float = Field(default=0.005, ge=0, le=1)
    max_spam_share: float = Field(default=0.03, ge=0, le=1)
    # A text holding at least min_context_terms counter-terms (health, law, news:
    # filters/safety.py COUNTER_TERMS) is allowed context_factor times the porn and
    # gambling shares: docs/quality.md "Safety with context".
    min_context_terms: int = Field(default=3, ge=1)
    context_factor: float = Field(default=4.0, ge=1)
    # Fewer flagged characters than this (one term of 2-4 characters in a short text: a
    # TV character "生性放荡", a Q&A mentioning "一夜情") never drops a text as porn/gambling.
    min_flagged_chars: int = Field(default=6, ge=0)
    # URL domain blocklist (filters/data/blocked_domains.txt).
    block_domains: bool = True
    # SEO injection (filters/seo.py): a gambling brand or porn phrase in the title or the
    # first lines drops the page; so do seo_max_body_hits occurrences anywhere, or one on a
    # host with max_host_digits digits in a label (docs/quality.md, "SEO injection").
    seo_injection: bool = True
    seo_max_body_hits: int = Field(default=3, ge=1)
    max_host_digits: int = Field(default=6, ge=1)


class ScorerConfig(_Strict):
    """One learned quality scorer (filters/scorers.py); docs/quality.md, "Learned scorers"."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    # fasttext: a model file (`zhpile train-quality`); onnx: a directory holding model.onnx
    # and tokenizer.json, as `optimum-cli export onnx` writes a Hugging Face model.
    path: str
    kind: Literal["fasttext", "onnx"]
    # The class whose probability is the score: a fastText label, an ONNX class index.
    # Null: a regression head's value, the expected value over numeric fastText labels or
    # graded (3+) ONNX classes, class 1 of a binary ONNX head, or GPT-3's __label__curated.
    label: str | int | None = None
    # rule threshold: keep when score >= threshold (null: the score is only recorded).
    threshold: float | None = None
    max_tokens: int = Field(default=512, ge=1)  # onnx: tokens of each text the model reads
    batch_size: int = Field(default=32, ge=1)  # onnx: texts per run of the model


class ClassifierConfig(_Strict):
    """Learned quality scorers on top of the rules. `model` is the one-model shorthand of
    GPT-3's recipe (a fastText scorer named `quality`)."""

    model: str | None = None
    models: list[ScorerConfig] = []
    # threshold: keep when every scorer with a threshold passes it (`threshold` is the
    # shorthand model's); pareto: GPT-3's, keep if np.random.pareto(pareto_alpha) > 1 -
    # score of the first scorer (GPT-3 used alpha 9); buckets: Nemotron-CC's, each scorer's
    # scores cut into `buckets` equal-count buckets over the corpus, the document's bucket is
    # the highest of its scorers', and it is kept when that is >= min_bucket.
    mode: Literal["threshold", "pareto", "buckets"] = "pareto"
    threshold: float = Field(default=0.5, ge=0, le=1)
    pareto_alpha: float = Field(default=9.0, gt=0)
    buckets: int = Field(default=20, ge=2, le=1000)
    min_bucket: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _one_way_to_name_models(self):
        if self.model and self.models:
            raise ValueError("give classifier.model (one fastText model) or classifier.models, not both")
        names = [m.name for m in self.models]
        if len(set(names)) != len(names):
            raise ValueError(f"classifier.models: duplicate scorer names in {names}")
        if self.min_bucket >= self.buckets:
            raise ValueError(f"classifier.min_bucket {self.min_bucket} must be below buckets {self.buckets}")
        return self

    def scorers(self) -> list[ScorerConfig]:
        """Every configured scorer, the shorthand included."""
        if self.model:
            return [ScorerConfig(name="quality", path=self.model, kind="fasttext", threshold=self.threshold)]
        return list(self.models)


class DedupConfig(_Strict):
    """Corpus-wide deduplication (pipelines/job/dedup.py); docs/dedup.md has the
    accuracy measurements behind the near-duplicate defaults."""

    exact: bool = True
    near: bool = True
    lines: bool = True
    # Winner among duplicates: sources listed first win; unlisted ones follow, curated
    # before crawl, then config order; ties break on the smallest id.
    source_priority: list[str] = []
    # Near duplicates: Jaccard similarity of character n-gram sets, estimated by MinHash.
    # 0.8 on 5-grams finds none of the copies with 5% edits; 3-grams at 0.5 find 99%.
    ngram: int = Field(default=3, ge=1)
    threshold: float = Field(default=0.5, gt=0, le=1)
    num_perm: int = Field(default=128, ge=8)
    seed: int = 1
    # datasketch's optimal (bands, rows) weighs false positives against false negatives.
    false_positive_weight: float = Field(default=0.5, ge=0)
    false_negative_weight: float = Field(default=0.5, ge=0)
    # Keep a bucket's candidate pair only if their signatures agree at `threshold`.
    verify: bool = True
    # Large-star + small-star rounds unrolled in the pipeline; the report says whether
    # they sufficed (`cc_unconverged` 0).
    cc_rounds: int = Field(default=6, ge=1)
    # Lines found in at least this many surviving documents are removed from all of them.
    line_min_docs: int = Field(default=10, ge=2)
    # Frequent lines are joined to their documents over this many salted keys, so one
    # line on millions of pages does not land on one worker.
    line_salts: int = Field(default=16, ge=1)


class BenchmarkFields(_Strict):
    # The fields whose concatenation is one test item, and an optional id field (else the
    # item's line or row number).
    text: list[str] = Field(min_length=1)
    id: str | None = None


class BenchmarkSource(_Strict):
    """An evaluation set whose items must not be in the training mix (C-Eval, CMMLU, ...).
    Files: JSONL, Parquet or CSV (by extension), local or remote; the user supplies them."""

    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    paths: list[str] = Field(min_length=1)
    fields: BenchmarkFields


class DecontamConfig(_Strict):
    """How documents are matched against the benchmarks (filters/decontam.py); the
    measurements behind the defaults: docs/quality.md, "Decontamination"."""

    # Character n-grams of the matching form (letters, digits, Han; Simplified, half-width).
    ngram: int = Field(default=8, ge=3)
    # A document holding this share of an item's fields (question, options) contains the
    # item: rejected `contaminated`. From mark_share up to it (the question alone of five
    # fields), the text is kept and the match recorded in the `contamination` column.
    remove_share: float = Field(default=0.5, gt=0, le=1)
    mark_share: float = Field(default=0.2, gt=0, le=1)
    # An n-gram in this share of a benchmark's items (and in 2 or more) is boilerplate.
    max_item_share: float = Field(default=0.01, gt=0, le=1)
    # A match needs at least this many distinct evidence n-grams.
    min_evidence: int = Field(default=3, ge=1)
    # Up to this many index n-grams (16 bytes each: 320 MB) the index is a side input on
    # every worker; above it the check is a shuffle join over join_shards shards.
    side_input_max_ngrams: int = Field(default=20_000_000, ge=0)
    join_shards: int = Field(default=64, ge=1)


class TokenizeConfig(_Strict):
    """The mixture as token ids too (README, "Token ids for trainers")."""

    # A Hugging Face tokenizer.json, local (relative to the config) or on any Beam filesystem;
    # nothing is downloaded.
    tokenizer: str
    formats: list[Literal["megatron", "parquet"]] = Field(default=["megatron", "parquet"], min_length=1)
    # true: the tokenizer's EOS (tokenizer_config.json's eos_token, else a known name) ends
    # every document; a string: that token; false: no EOS.
    eos: bool | str = True
    # Width of the ids in Megatron's .bin; auto is Megatron's own rule (uint16 below 65,500).
    dtype: Literal["auto", "uint16", "int32"] = "auto"
    # Documents per encode_batch call of the Rust tokenizer.
    batch_docs: int = Field(default=256, gt=0)

    @field_validator("formats")
    @classmethod
    def _no_repeats(cls, formats):
        if len(set(formats)) != len(formats):
            raise ValueError("a format is listed twice")
        return formats


class OutputConfig(_Strict):
    mixture_shards: int = Field(default=4, gt=0)
    # If set, the number of shards follows from the mixture size instead (about this many
    # bytes of text per shard).
    shard_bytes: int | None = Field(default=None, gt=0)
    # Rows per Parquet row group in mixture shards (training readers stream row groups).
    row_group_rows: int = Field(default=2048, gt=0)
    # Files in each clean/<source>/; 0: one per 256 MB of the source's input (1 to 1,024).
    clean_shards: int = Field(default=0, ge=0)
    text_prefix_chars: int = Field(default=300, ge=0)
    tokenize: TokenizeConfig | None = None


class ReportConfig(_Strict):
    # Optional Hugging Face `tokenizers` JSON file to count tokens with (local file only).
    tokenizer: str | None = None
    # Rejected documents shown per reason in report.html.
    samples_per_reason: int = Field(default=5, ge=0)


class Config(_Strict):
    sources: list[SourceConfig] = Field(min_length=1)
    mixture: dict[str, MixtureEntry] = {}
    mixture_size: MixtureSize | None = None
    seed: int = 0
    read: ReadConfig = ReadConfig()
    extract: ExtractConfig = ExtractConfig()
    normalize: NormalizeConfig = NormalizeConfig()
    langid: LangIdConfig = LangIdConfig()
    quality: QualityConfig = QualityConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    dedup: DedupConfig = DedupConfig()
    decontaminate: list[BenchmarkSource] = []
    decontam: DecontamConfig = DecontamConfig()
    output: OutputConfig = OutputConfig()
    report: ReportConfig = ReportConfig()

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources):
        seen = set()
        for s in sources:
            if s.name in seen:
                raise ValueError(f"duplicate source name {s.name!r}")
            seen.add(s.name)
        return sources

    @model_validator(mode="after")
    def _mixture_names_known(self):
        names = {s.name for s in self.sources}
        groups = {key for s in self.sources for key in s.mixture_keys()}
        for key in self.mixture:
            source = key.split("/", 1)[0]
            if source not in names:
                raise ValueError(f"mixture.{key}: no source named {source!r}")
            if "/" in key and key not in groups:
                known = ", ".join(k.split("/", 1)[1] for k in sorted(groups) if k.startswith(source + "/")) or "none: it is one component"
                raise ValueError(f"mixture.{key}: source {source!r} has no component {key.split('/', 1)[1]!r} (its components: {known})")
        for name in self.dedup.source_priority:
            if name not in names:
                raise ValueError(f"dedup.source_priority: no source named {name!r}")
        # Source-level weights only say it all when no component has its own entry; with
        # components, the plan checks the rest against the clean sizes (filters/mixture.py).
        weights = {k: e.weight for k, e in self.mixture.items() if e.weight is not None}
        if weights:
            total = sum(weights.values())
            whole = [k for k in weights if "/" not in k]
            if total > 1 + 1e-6:
                raise ValueError(f"mixture: weights sum to {total:g}, more than the whole mixture")
            if len(whole) == len(names) and len(weights) == len(self.mixture) and abs(total - 1) > 1e-6:
                raise ValueError(f"mixture: the weights of all sources must sum to 1 (they sum to {total:g})")
            if len(whole) < len(names) and total >= 1 - 1e-6:
                raise ValueError(f"mixture: weights sum to {total:g}, leaving no room for the sources given in epochs")
        return self

    def token_counter(self) -> str | None:
        """The tokenizer the report's tokens are counted with: output.tokenize's (its ids,
        EOS included, exactly as written), else report.tokenizer's."""
        return self.output.tokenize.tokenizer if self.output.tokenize else self.report.tokenizer

    def mixture_entry(self, key: str) -> MixtureEntry:
        """The entry of a mixture group: its own, else its source's, else one epoch."""
        return self.mixture.get(key) or self.mixture.get(key.split("/", 1)[0]) or MixtureEntry()

    def mixture_groups(self) -> dict[str, list[str]]:
        """Planning groups -> their mixture keys: a key with its own mixture entry is its own
        group; the other keys of a source share one group named after the source (one
        weight or epochs for all of them, as for a source without components)."""
        groups: dict[str, list[str]] = {}
        for s in self.sources:
            for key in s.mixture_keys():
                groups.setdefault(key if key in self.mixture else s.name, []).append(key)
        return groups

    def source_rank(self) -> dict[str, int]:
        """Exact-dedup priority: lower wins."""
        explicit = list(self.dedup.source_priority)
        rest = [s.name for s in self.sources if s.name not in explicit]
        kind = {s.name: s.kind for s in self.sources}
        rest.sort(key=lambda n: (kind[n] != "curated",))  # stable: keeps config order
        return {name: i for i, name in enumerate(explicit + rest)}


def _error_line(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"unknown key: {loc}"
    if first["type"] == "missing":
        return f"missing required key: {loc}"
    if loc.startswith("sources.") and loc.endswith(".format"):
        return f"{loc}: unknown format {first.get('input')!r} (expected one of {', '.join(FORMATS)})"
    msg = first["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def parse_config(data: object) -> Config:
    if not isinstance(data, dict):
        raise ConfigError("config must be a YAML mapping with at least `sources`")
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_error_line(err)) from None


def load_config(path: str) -> tuple[Config, str]:
    """Read and validate a YAML config; returns it with the directory relative paths resolve against."""
    from apache_beam.io.filesystems import FileSystems  # local: keeps schemas importable without Beam I/O set-up

    try:
        with FileSystems.open(path, compression_type="uncompressed") as f:
            raw = f.read()
    except Exception as err:  # noqa: BLE001 - any I/O failure is a config error for the user
        raise ConfigError(f"cannot read config {path}: {err}") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: invalid YAML: {str(err).splitlines()[0]}") from None
    base = os.path.dirname(path) if "://" not in path else path.rsplit("/", 1)[0]
    return parse_config(data), base
