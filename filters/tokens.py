"""Token ids for trainers: a local Hugging Face `tokenizer.json`, the EOS token that ends
every document, and the integer width the ids need. Nothing is ever downloaded."""
from __future__ import annotations

import json
from dataclasses import dataclass

from .base import Drop

# EOS names of the common tokenizer families, tried in order when the config says
# `eos: true` and no tokenizer_config.json beside the tokenizer names one (GPT-2/Qwen,
# Llama/Baichuan/Mistral, Gemma, Llama 3, ChatGLM, BERT-style).
EOS_CANDIDATES = ("<|endoftext|>", "</s>", "<eos>", "<|end_of_text|>", "<|eos|>", "<eop>", "[SEP]")

# Megatron's rule (megatron/core/datasets/indexed_dataset.py, DType.optimal_dtype): uint16
# below 65,500 ids, int32 above.
UINT16_VOCAB_LIMIT = 65_500
MAX_ID = {"uint16": 2 ** 16 - 1, "int32": 2 ** 31 - 1}


class TokenizerError(ValueError):
    """A tokenizer that cannot be used as configured; one line for the user."""


@dataclass(frozen=True)
class LoadedTokenizer:
    tokenizer: object  # tokenizers.Tokenizer
    eos_id: int | None
    vocab_size: int
    dtype: str  # "uint16" | "int32": the Megatron .bin width


def read_local(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _configured_eos(path: str, read) -> str | None:
    """The eos_token of a tokenizer_config.json beside the tokenizer, as Hugging Face saves it."""
    try:
        eos = json.loads(read(path.rsplit("/", 1)[0] + "/tokenizer_config.json")).get("eos_token")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(eos, dict):
        eos = eos.get("content")
    return eos if isinstance(eos, str) and eos else None


def load_tokenizer(path: str, eos: bool | str = True, dtype: str = "auto", read=read_local) -> LoadedTokenizer:
    """The tokenizer at `path`, its EOS id (None when `eos` is false) and the dtype of its
    ids; raises TokenizerError with the reason when any of them cannot be had. `read(path)
    -> bytes` opens files (pipelines/ passes Beam's filesystems: gs://, s3://, ...)."""
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise TokenizerError("needs the `tokenizers` package: pip install tokenizers") from None
    try:
        data = read(path)
    except (OSError, ValueError) as err:
        raise TokenizerError(f"no file {path} ({type(err).__name__})") from None
    try:
        tok = Tokenizer.from_str(data.decode("utf-8"))
    except Exception as err:  # noqa: BLE001 - any unreadable file is the same user error
        raise TokenizerError(f"cannot load {path}: {str(err)[:200]}") from None
    vocab = tok.get_vocab_size(with_added_tokens=True)
    eos_id = None
    if eos:
        if isinstance(eos, str):
            eos_token = eos
        else:
            eos_token = _configured_eos(path, read) or next((c for c in EOS_CANDIDATES if tok.token_to_id(c) is not None), None)
            if eos_token is None:
                raise TokenizerError(f"{path} has no EOS token zhpile recognises ({', '.join(EOS_CANDIDATES)}); "
                                     "name it (eos: \"<token>\") or turn it off (eos: false)")
        eos_id = tok.token_to_id(eos_token)
        if eos_id is None:
            raise TokenizerError(f"eos {eos_token!r} is not a token of {path}")
    largest = max(vocab - 1, eos_id or 0)
    if dtype == "auto":
        dtype = "uint16" if vocab < UINT16_VOCAB_LIMIT else "int32"
    limit = MAX_ID[dtype]
    if largest > limit:
        raise TokenizerError(f"{path} has {vocab:,} ids, too many for dtype {dtype} (largest id {limit:,}); use dtype: auto")
    return LoadedTokenizer(tok, eos_id, vocab, dtype)


def token_ids(loaded: LoadedTokenizer, texts: list[str]) -> list[list[int] | Drop]:
    """Each text's ids (EOS appended) with the fast Rust tokenizer, a batch at a time; a
    text that gives no token (empty, or only characters the vocabulary drops) is a Drop."""
    encodings = loaded.tokenizer.encode_batch(texts, add_special_tokens=False)
    out: list[list[int] | Drop] = []
    for text, enc in zip(texts, encodings):
        ids = enc.ids
        if not ids:
            out.append(Drop("no_tokens", f"{len(text)} characters gave no token"))
            continue
        if loaded.eos_id is not None:
            ids.append(loaded.eos_id)
        out.append(ids)
    return out
