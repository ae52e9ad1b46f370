"""Tiny ONNX scorers built here, with no download: a character-level tokenizer.json
(BERT's normaliser splits Han characters) and a mean-pooled embedding with a linear head,
in the layout `optimum-cli export onnx` gives a sequence classifier (inputs input_ids and
attention_mask, output logits [batch, classes])."""
from __future__ import annotations

import os

import numpy as np

# Every CJK Unified Ideograph, ASCII letters and digits: the size of a Chinese BERT's vocabulary.
CHARS = [chr(c) for c in range(0x4E00, 0xA000)] + [chr(c) for c in range(0x30, 0x7B) if chr(c).isalnum()]


def write_tokenizer(path: str, chars=CHARS) -> int:
    """A character tokenizer.json ([PAD] 0, [UNK] 1, then `chars`); returns its vocabulary size."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {"[PAD]": 0, "[UNK]": 1}
    for ch in chars:
        vocab.setdefault(ch, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.save(path)
    return len(vocab)


def write_model(path: str, vocab: int, classes: int = 2, dim: int = 8, seed: int = 0,
                inputs=("input_ids", "attention_mask")) -> None:
    """Mean of the tokens' embeddings (masked), then a linear layer: logits [batch, classes]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    emb = rng.normal(0, 1, (vocab, dim)).astype(np.float32)
    weight = rng.normal(0, 1, (dim, classes)).astype(np.float32)
    ids_name, mask_name = inputs[0], inputs[1]
    nodes = [
        helper.make_node("Gather", ["emb", ids_name], ["embedded"]),
        helper.make_node("Cast", [mask_name], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["embedded", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Max", ["count", "one"], ["count1"]),
        helper.make_node("Div", ["summed", "count1"], ["pooled"]),
        helper.make_node("MatMul", ["pooled", "weight"], ["projected"]),
        helper.make_node("Add", ["projected", "bias"], ["logits"]),
    ]
    initializers = [numpy_helper.from_array(emb, "emb"), numpy_helper.from_array(weight, "weight"),
                    numpy_helper.from_array(np.linspace(-0.5, 0.5, classes).astype(np.float32), "bias"),
                    numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
                    numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
                    numpy_helper.from_array(np.array([1.0], dtype=np.float32), "one")]
    graph = helper.make_graph(
        nodes, "tiny_scorer",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"]) for name in inputs],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # onnxruntime reads IR 8 on every release since 1.14
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_scorer(directory: str, classes: int = 2, seed: int = 0, vocab_rows: int | None = None,
                 inputs=("input_ids", "attention_mask")) -> str:
    """model.onnx + tokenizer.json in `directory`; `vocab_rows` below the tokenizer's
    vocabulary makes a mismatched pair."""
    os.makedirs(directory, exist_ok=True)
    vocab = write_tokenizer(os.path.join(directory, "tokenizer.json"))
    write_model(os.path.join(directory, "model.onnx"), vocab_rows or vocab, classes, seed=seed, inputs=inputs)
    return directory


def direct_scores(directory: str, texts: list[str], max_tokens: int = 512) -> np.ndarray:
    """The model's logits for each text, one onnxruntime call per text (no batching,
    no padding): what a scorer's batched output must equal."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
    tok.enable_truncation(max_tokens)
    session = ort.InferenceSession(os.path.join(directory, "model.onnx"), providers=["CPUExecutionProvider"])
    out = []
    for text in texts:
        e = tok.encode(text[:max_tokens * 4])
        ids = np.array([e.ids or [0]], dtype=np.int64)
        mask = np.array([e.attention_mask or [0]], dtype=np.int64)
        out.append(session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0])
    return np.array(out, dtype=np.float64)
