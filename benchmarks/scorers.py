"""Cost per document of each learned-scorer kind on CPU (docs/speed.md, "Learned scorers").

    python benchmarks/scorers.py [--docs 200]

Scores the same real-looking Chinese documents (~1,500 characters each) with:
- fastText (`zhpile train-quality`'s model; jieba segmentation included);
- ONNX encoders with random weights in the shapes of real scorers, built here (nothing is
  downloaded): BERT-base (12 layers, hidden 768, the size of CCI3.0-HQ's and
  Fineweb-Edu-Chinese's classifiers' encoders) and a 4-layer, hidden-312 one (TinyBERT-4's
  shape), at max_tokens 512 and 128; a mean-pooled embedding (tests/onnx_models.py).
The figures are the time of `scorer.score(texts)` per document, batched as the pipeline runs it.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]


def encoder(path: str, vocab: int, layers: int, hidden: int, heads: int, ffn: int, max_positions: int = 512, seed: int = 0):
    """A BERT-shaped encoder with a regression head on [CLS], as onnx nodes (opset 17)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def weight(name, *shape, scale=0.02):
        inits.append(numpy_helper.from_array(rng.normal(0, scale, shape).astype(np.float32), name))
        return name

    def const(name, value, dtype=np.int64):
        inits.append(numpy_helper.from_array(np.array(value, dtype=dtype), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def layer_norm(x, name):
        inits.append(numpy_helper.from_array(np.ones(hidden, np.float32), f"{name}.g"))
        inits.append(numpy_helper.from_array(np.zeros(hidden, np.float32), f"{name}.b"))
        return node("LayerNormalization", [x, f"{name}.g", f"{name}.b"], f"{name}.out", axis=-1, epsilon=1e-12)

    def dense(x, name, n_in, n_out):
        y = node("MatMul", [x, weight(f"{name}.w", n_in, n_out)], f"{name}.mm")
        return node("Add", [y, weight(f"{name}.bias", n_out)], f"{name}.out")

    dh = hidden // heads
    const("zero", 0)
    const("one_i", 1)
    const("axes12", [1, 2])
    const("split_heads", [0, 0, heads, dh])
    const("merge_heads", [0, 0, hidden])
    const("scale", [1.0 / np.sqrt(dh)], np.float32)
    const("neg", [-10000.0], np.float32)
    const("one_f", [1.0], np.float32)
    const("half", [0.5], np.float32)
    const("rsqrt2", [1 / np.sqrt(2)], np.float32)
    shape = node("Shape", ["input_ids"], "ids_shape")
    length = node("Gather", [shape, "one_i"], "seq_len", axis=0)
    positions = node("Range", ["zero", length, "one_i"], "positions")
    x = node("Add", [node("Gather", [weight("word_emb", vocab, hidden), "input_ids"], "words"),
                     node("Gather", [weight("pos_emb", max_positions, hidden), positions], "pos")], "emb")
    x = layer_norm(x, "emb_ln")
    maskf = node("Cast", ["attention_mask"], "maskf", to=TensorProto.FLOAT)
    bias = node("Unsqueeze", [node("Mul", [node("Sub", ["one_f", maskf], "inv"), "neg"], "negmask"), "axes12"], "mask_bias")
    for i in range(layers):
        p = f"l{i}"
        q = node("Transpose", [node("Reshape", [dense(x, f"{p}.q", hidden, hidden), "split_heads"], f"{p}.qr")], f"{p}.qt", perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [dense(x, f"{p}.k", hidden, hidden), "split_heads"], f"{p}.kr")], f"{p}.kt", perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [dense(x, f"{p}.v", hidden, hidden), "split_heads"], f"{p}.vr")], f"{p}.vt", perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"{p}.qk"), "scale"], f"{p}.scaled"), bias], f"{p}.scores")
        ctx = node("MatMul", [node("Softmax", [scores], f"{p}.probs", axis=-1), v], f"{p}.ctx")
        ctx = node("Reshape", [node("Transpose", [ctx], f"{p}.ctxt", perm=[0, 2, 1, 3]), "merge_heads"], f"{p}.merged")
        x = layer_norm(node("Add", [x, dense(ctx, f"{p}.o", hidden, hidden)], f"{p}.res1"), f"{p}.ln1")
        h = dense(x, f"{p}.ffn1", hidden, ffn)
        gelu = node("Mul", [node("Mul", [h, "half"], f"{p}.hh"),
                            node("Add", [node("Erf", [node("Mul", [h, "rsqrt2"], f"{p}.hs")], f"{p}.erf"), "one_f"], f"{p}.erf1")],
                    f"{p}.gelu")
        x = layer_norm(node("Add", [x, dense(gelu, f"{p}.ffn2", ffn, hidden)], f"{p}.res2"), f"{p}.ln2")
    cls = node("Gather", [x, "zero"], "cls", axis=1)
    dense(cls, "head", hidden, 1)
    nodes[-1].output[0] = "logits"
    graph = helper.make_graph(nodes, "encoder", [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
                                                for n in ("input_ids", "attention_mask")],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def documents(n: int) -> list[str]:
    from sample_data.articles import ZH

    rng = random.Random(0)
    paragraphs = [p for _t, pars in ZH.values() for p in pars]
    return ["\n".join(rng.sample(paragraphs, 10))[:1500] for _ in range(n)]


def time_scorer(spec, texts) -> float:
    from zhpile.filters.scorers import KINDS

    scorer = KINDS[spec.kind](spec)
    scorer.score(texts[:4])  # warm-up
    start = time.perf_counter()
    scorer.score(texts)
    return (time.perf_counter() - start) / len(texts) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    args = ap.parse_args()
    import onnx_models
    from zhpile.filters.scorers import ScorerSpec

    texts = documents(args.docs)
    chars = sum(map(len, texts)) / len(texts)
    tmp = tempfile.mkdtemp()
    rows = []

    import fasttext
    from zhpile.filters.classifier import segment

    with open(f"{tmp}/train.txt", "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(f"__label__{i % 6} {segment(t)}\n")
    fasttext.train_supervised(f"{tmp}/train.txt", epoch=2, thread=1, seed=0, verbose=0, wordNgrams=2, dim=64).save_model(f"{tmp}/ft.bin")
    rows.append(("fastText (jieba words, 2,000 chars, dim 64)", time_scorer(ScorerSpec("ft", f"{tmp}/ft.bin", "fasttext"), texts)))

    vocab = onnx_models.write_tokenizer(f"{tmp}/tokenizer.json")
    shapes = [("mean-pooled embedding (tests' model)", None), ("4 layers, hidden 312 (TinyBERT-4 shape)", (4, 312, 12, 1200)),
              ("12 layers, hidden 768 (BERT-base shape)", (12, 768, 12, 3072))]
    for label, shape in shapes:
        directory = f"{tmp}/{len(rows)}"
        os.makedirs(directory)
        os.link(f"{tmp}/tokenizer.json", f"{directory}/tokenizer.json")
        if shape is None:
            onnx_models.write_model(f"{directory}/model.onnx", vocab)
        else:
            encoder(f"{directory}/model.onnx", vocab, *shape)
        for max_tokens in (128, 512):
            n = len(texts) if shape is None or shape[1] < 768 else max(8, len(texts) // 10)
            ms = time_scorer(ScorerSpec("onnx", directory, "onnx", max_tokens=max_tokens, batch_size=16), texts[:n])
            rows.append((f"ONNX {label}, max_tokens {max_tokens}", ms))
    print(f"{len(texts)} documents of {chars:.0f} characters, one core (the scorers' sessions use one thread)\n")
    print("| scorer | ms per document | documents per second per core |\n|---|---:|---:|")
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} | {1000 / ms:,.0f} |")


if __name__ == "__main__":
    main()
