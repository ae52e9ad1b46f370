"""Learned quality scorers, as the best Chinese corpora select their text (CCI3.0-HQ,
Fineweb-Edu-Chinese, Nemotron-CC): a fastText model (`zhpile train-quality`) or an ONNX
sequence-classification / regression model exported with its `tokenizer.json` (as
`optimum-cli export onnx` writes a Hugging Face model). Each gives one float per text.

Loaded once per process (`load_scorer` caches by path), batched, never downloading.
ONNX runs on the CUDA execution provider where the worker has one, the CPU one otherwise.
A model that cannot serve (missing, corrupt, inputs it does not name, a vocabulary larger
than its embedding) raises ScorerError at load, with one line for the user: the driver
loads every scorer before any work (pipelines/io/inputs.py).
"""
from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

import numpy as np

from .classifier import POSITIVE, grade_values, segment
from .tokens import read_local

ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
CHARS_PER_TOKEN = 4  # text given to the tokenizer: max_tokens * this, so a 50 MB page costs nothing


class ScorerError(ValueError):
    """A scorer that cannot be used as configured; one line for the user."""


@dataclass(frozen=True)
class ScorerSpec:
    """What filters need of a configured scorer (schemas/config.py ScorerConfig)."""

    name: str
    path: str
    kind: str  # "fasttext" | "onnx"
    label: str | int | None = None
    max_tokens: int = 512
    batch_size: int = 32


class FastTextScorer:
    """fastText on jieba words. The score is the probability of `label`; with no label, the
    expected value over numeric labels (`__label__0` .. `__label__5`, as train-quality
    writes for graded labels), else the probability of `__label__curated` (GPT-3's recipe)."""

    def __init__(self, spec: ScorerSpec, read=read_local):
        import tempfile

        import fasttext

        try:
            data = read(spec.path)
        except (OSError, ValueError) as err:
            raise ScorerError(f"{spec.name}: no file {spec.path} ({type(err).__name__})") from None
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:  # fastText loads from a path only
            f.write(data)
            f.flush()
            try:
                self.model = fasttext.load_model(f.name)
            except Exception as err:  # noqa: BLE001 - any unreadable model is the same user error
                raise ScorerError(f"{spec.name}: cannot load fastText model {spec.path}: {str(err)[:200]}") from None
        labels = list(self.model.get_labels())
        self.values = grade_values(labels)
        if spec.label is not None:
            label = spec.label if str(spec.label).startswith("__label__") else f"__label__{spec.label}"
            if label not in labels:
                raise ScorerError(f"{spec.name}: label {label!r} is not one of the model's {labels[:10]}")
            self.label = label
            self.values = None
        elif self.values is not None:
            self.label = None
        elif POSITIVE in labels:
            self.label = POSITIVE
        else:
            raise ScorerError(f"{spec.name}: the model's labels {labels[:10]} are neither numeric nor {POSITIVE}; "
                              "name the one whose probability is the score (label: ...)")
        self.n_labels = len(labels)

    def score(self, texts: list[str]) -> list[float]:
        out = []
        for text in texts:
            labels, probs = self.model.predict(segment(text), k=self.n_labels)
            p = dict(zip(labels, (float(x) for x in probs)))
            if self.values is not None:
                out.append(sum(self.values[lab] * q for lab, q in p.items()))
            else:
                out.append(p.get(self.label, 0.0))
        return out


def _providers(ort) -> list[str]:
    available = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available] or available[:1]


class OnnxScorer:
    """An ONNX classifier or regressor over (input_ids, attention_mask[, token_type_ids]).
    Its first output is [batch, n]: n = 1 is a regression head, whose value is the score;
    n > 1 are class logits: the softmax probability of class `label`, or with no label,
    of class 1 for a binary head and the expected class index (0..n-1) for a graded one."""

    def __init__(self, spec: ScorerSpec, read=read_local):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError:
            raise ScorerError(f"{spec.name}: ONNX scorers need onnxruntime: pip install 'zhpile[scorers]'") from None
        directory = spec.path.rstrip("/")
        files = {}
        for name in ("model.onnx", "tokenizer.json"):
            try:
                files[name] = read(f"{directory}/{name}")
            except (OSError, ValueError):
                raise ScorerError(f"{spec.name}: no {name} in {directory} (an ONNX scorer is a directory with "
                                  "model.onnx and tokenizer.json)") from None
        try:
            self.tokenizer = Tokenizer.from_str(files["tokenizer.json"].decode("utf-8"))
        except Exception as err:  # noqa: BLE001
            raise ScorerError(f"{spec.name}: cannot load {directory}/tokenizer.json: {str(err)[:200]}") from None
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread: Beam runs a worker per core, and a session on every core in each of
        # them would oversubscribe the machine (a GPU does the work where there is one).
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(files["model.onnx"], options, providers=_providers(ort))
        except Exception as err:  # noqa: BLE001
            raise ScorerError(f"{spec.name}: cannot load {directory}/model.onnx: {str(err)[:200]}") from None
        self.inputs = [i.name for i in self.session.get_inputs()]
        unknown = [n for n in self.inputs if n not in ONNX_INPUTS]
        if "input_ids" not in self.inputs or unknown:
            raise ScorerError(f"{spec.name}: model.onnx takes inputs {self.inputs}; a scorer feeds "
                              f"{', '.join(ONNX_INPUTS[:2])} (and {ONNX_INPUTS[2]})")
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(spec.max_tokens)
        self.spec = spec
        self._probe()

    def _run(self, encodings) -> np.ndarray:
        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        out = self.session.run(None, {name: feed[name] for name in self.inputs})[0]
        out = np.asarray(out, dtype=np.float64)
        return out.reshape(len(encodings), -1)

    def _probe(self) -> None:
        """One batch with the tokenizer's largest id: a vocabulary the embedding does not hold
        fails here, not on the workers' first page."""
        top = self.tokenizer.get_vocab_size(with_added_tokens=True) - 1
        probe = self.tokenizer.encode("质量")
        probe_ids = list(probe.ids) + [top]
        fake = _Encoded(probe_ids, [1] * len(probe_ids), [0] * len(probe_ids))
        try:
            out = self._run([fake, self.tokenizer.encode("")])
        except Exception as err:  # noqa: BLE001
            raise ScorerError(f"{self.spec.name}: model.onnx fails on the tokenizer's ids (vocabulary of {top + 1}; "
                              f"mismatched tokenizer?): {str(err).splitlines()[0][:200]}") from None
        self.n_out = out.shape[1]
        label = self.spec.label
        if label is not None and not (isinstance(label, int) and 0 <= label < self.n_out):
            raise ScorerError(f"{self.spec.name}: label {label!r} is not a class index of the model's {self.n_out} outputs")

    def score(self, texts: list[str]) -> list[float]:
        cut = self.spec.max_tokens * CHARS_PER_TOKEN
        out = []
        for start in range(0, len(texts), self.spec.batch_size):
            batch = texts[start:start + self.spec.batch_size]
            out.extend(self._values(self._run(self.tokenizer.encode_batch([t[:cut] for t in batch]))))
        return out

    def _values(self, logits: np.ndarray) -> list[float]:
        if self.n_out == 1:
            return [float(v) for v in logits[:, 0]]
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        label = self.spec.label
        if label is None and self.n_out > 2:
            return [float(v) for v in p @ np.arange(self.n_out)]
        return [float(v) for v in p[:, 1 if label is None else label]]


@dataclass(frozen=True)
class _Encoded:
    ids: list
    attention_mask: list
    type_ids: list


KINDS = {"fasttext": FastTextScorer, "onnx": OnnxScorer}


@functools.lru_cache(maxsize=16)
def _cached(spec: ScorerSpec, read):
    return KINDS[spec.kind](spec, read)


def load_scorer(spec: ScorerSpec, read=read_local):
    """The scorer of `spec`, loaded once per process."""
    return _cached(spec, read)


def score_value(value: float) -> float:
    """Scores as stored: 4 decimals (the bucket rule counts distinct values), NaN as 0."""
    return 0.0 if math.isnan(value) else round(value, 4)


def cut_points(counts, buckets: int) -> list[float]:
    """Nemotron-CC's percentile buckets from a scorer's (score, documents) counts over the
    corpus: `buckets - 1` ascending cut scores such that a document's bucket,
    floor(buckets * documents scored strictly lower / all), is the number of cuts at or
    below its score. Exact, and the same however the counts were summed."""
    merged: dict[float, int] = {}
    for score, n in counts:
        merged[score] = merged.get(score, 0) + n
    pairs = sorted(merged.items())
    total = sum(merged.values())
    cuts, below, j = [], 0, 1
    for score, n in pairs:
        while j < buckets and below * buckets >= j * total:
            cuts.append(score)
            j += 1
        below += n
    return cuts


def bucket_of(score: float, cuts: list[float]) -> int:
    return bisect.bisect_right(cuts, score)
