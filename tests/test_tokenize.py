"""output.tokenize: the mixture as token ids, in token-id Parquet and Megatron-LM's
indexed dataset, read back by readers that are not zhpile's writer, with exact counts."""
import glob
import os
import struct

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from helpers import SAMPLE, RunOutput, run_zhpile, write_config
from sample_data.articles import ZH
from zhpile.pipelines.compare import compare_outputs

SOURCES = f"""sources:
  - {{name: cc, format: warc, paths: ["{SAMPLE}/cc/*.warc.gz"]}}
  - {{name: wiki, format: jsonl, paths: ["{SAMPLE}/wiki/*.jsonl"]}}
mixture: {{cc: {{epochs: 1}}, wiki: {{epochs: 2}}}}
output:
  mixture_shards: 2
"""


def byte_level_bpe(path, vocab_size=1000, special=("<|endoftext|>",)) -> str:
    """A GPT-2-style byte-level BPE trained on the sample's Chinese paragraphs: every text
    has ids, and decoding gives the text back exactly."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(special),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([p for _t, pars in ZH.values() for p in pars], trainer)
    tok.save(str(path))
    return str(path)


def megatron_documents(prefix: str) -> list[np.ndarray]:
    """Every document of a Megatron .bin/.idx pair, read as megatron-core's _IndexReader and
    IndexedDataset do (megatron/core/datasets/indexed_dataset.py): header, version, dtype
    code, counts, then lengths, byte pointers and document indices; each document's
    sequences sliced out of the .bin by pointer and length."""
    codes = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32, 8: np.uint16}
    with open(prefix + ".idx", "rb") as f:
        assert f.read(9) == b"MMIDIDX\x00\x00"
        assert struct.unpack("<Q", f.read(8))[0] == 1
        dtype = codes[struct.unpack("<B", f.read(1))[0]]
        n_seq = struct.unpack("<Q", f.read(8))[0]
        n_doc = struct.unpack("<Q", f.read(8))[0]
        lengths = np.frombuffer(f.read(4 * n_seq), dtype=np.int32)
        pointers = np.frombuffer(f.read(8 * n_seq), dtype=np.int64)
        documents = np.frombuffer(f.read(8 * n_doc), dtype=np.int64)
        assert f.read() == b""  # nothing after the document indices (no modes: not multimodal)
    data = np.memmap(prefix + ".bin", dtype=np.uint8, mode="r")
    assert documents[0] == 0 and documents[-1] == n_seq
    out = []
    for d in range(n_doc - 1):
        seqs = [np.frombuffer(data, dtype=dtype, count=int(lengths[s]), offset=int(pointers[s]))
                for s in range(documents[d], documents[d + 1])]
        out.append(np.concatenate(seqs))
    assert sum(map(len, out)) * np.dtype(dtype).itemsize == data.size
    return out


@pytest.fixture(scope="module")
def tokenized(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tokenized")
    tok = byte_level_bpe(tmp / "tokenizer.json")
    config = write_config(tmp, SOURCES + "  tokenize: {tokenizer: tokenizer.json}\n")
    assert run_zhpile("run", config, "--output", tmp / "out") == 0
    return RunOutput(str(tmp / "out")), Tokenizer.from_file(tok), config


def _shards(root: str, sub: str, pattern: str) -> list[str]:
    return sorted(glob.glob(os.path.join(root, sub, pattern)))


def test_token_ids_are_the_mixture_rows_in_order_and_decode_to_their_text(tokenized):
    run, tok, _ = tokenized
    eos = tok.token_to_id("<|endoftext|>")
    text_shards = _shards(run.root, "mixture", "*.parquet")
    assert [os.path.basename(p) for p in text_shards] == [os.path.basename(p) for p in _shards(run.root, "tokens", "*.parquet")]
    assert len(text_shards) == 2
    rows = 0
    for text_path in text_shards:
        name = os.path.basename(text_path)[: -len(".parquet")]
        text = pq.read_table(text_path).to_pylist()
        ids = pq.read_table(os.path.join(run.root, "tokens", name + ".parquet"))
        assert ids.schema.field("input_ids").type == pa.list_(pa.uint32())
        ids = ids.to_pylist()
        megatron = megatron_documents(os.path.join(run.root, "megatron", name))
        assert [(r["id"], r["source"], r["epoch"]) for r in text] == [(r["id"], r["source"], r["epoch"]) for r in ids]
        assert len(megatron) == len(text) > 0
        for t, i, m in zip(text, ids, megatron):
            assert i["input_ids"][-1] == eos and eos not in i["input_ids"][:-1]
            assert m.tolist() == i["input_ids"]
            assert tok.decode(i["input_ids"][:-1]) == t["text"]
        rows += len(text)
    assert rows == len(run.mixture)
    # The vocabulary (1,000) is below Megatron's 65,500: ids in uint16, 2 bytes each.
    with open(os.path.join(run.root, "megatron", "part-00000-of-00002.idx"), "rb") as f:
        assert f.read(18)[17] == 8


def test_report_tokens_are_exact_raw_and_effective(tokenized):
    run, _, _ = tokenized
    table = {r["component"]: r for r in run.report["mixture_table"]}
    ids = pq.read_table(os.path.join(run.root, "tokens")).to_pylist()
    mixed = {r["id"]: r["component"] for r in run.mixture}
    for source, rows in run.clean.items():
        for key in {r["component"] for r in rows}:
            group = source if key == source else f"{source}/{key}"
            mine = [r for r in rows if r["component"] == key]
            assert table[group]["tokens"] == sum(len(r["input_ids"]) for r in mine) > 0
            assert table[group]["effective_tokens"] == sum(len(r["input_ids"]) for r in ids
                                                           if r["source"] == source and mixed[r["id"]] == key)
    assert table["wiki"]["effective_tokens"] == 2 * table["wiki"]["tokens"]  # epochs: 2
    md = open(os.path.join(run.root, "report", "report.md"), encoding="utf-8").read()
    assert "| tokens | effective tokens |" in md and f"{table['wiki']['effective_tokens']:,}" in md
    card = open(os.path.join(run.root, "README.md"), encoding="utf-8").read()
    assert "config_name: tokens" in card and "tokens/*.parquet" in card


def test_mixture_size_in_tokens_is_planned_from_the_real_counts(tmp_path, tokenized):
    _, _, first = tokenized
    tok = os.path.join(os.path.dirname(first), "tokenizer.json")
    config = write_config(tmp_path, SOURCES.replace("mixture: {cc: {epochs: 1}, wiki: {epochs: 2}}",
                                                    "mixture: {cc: {weight: 0.5}, wiki: {weight: 0.5}}\nmixture_size: {tokens: 20000}")
                          + f"  tokenize: {{tokenizer: {tok}}}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    assert run.report["run"]["planned_in"] == "tokens"
    effective: dict = {}  # per source: a source's weight covers all its components
    for r in run.report["mixture_table"]:
        effective[r["source"]] = effective.get(r["source"], 0) + r["effective_tokens"]
    # Half the target each; fractional epochs keep whole documents, so only near it.
    for source, n in effective.items():
        assert abs(n - 10_000) < 0.15 * 10_000, (source, n)


def test_same_input_same_token_files(tmp_path, tokenized):
    run, _, config = tokenized
    assert run_zhpile("run", config, "--output", tmp_path / "again") == 0
    assert compare_outputs(run.root, str(tmp_path / "again")) == []
    for path in _shards(run.root, "megatron", "*"):
        with open(path, "rb") as a, open(os.path.join(tmp_path, "again", "megatron", os.path.basename(path)), "rb") as b:
            assert a.read() == b.read()


def test_hugging_face_datasets_loads_the_token_ids(tokenized, in_datasets):
    run, _, _ = tokenized
    n_plain, n_card, feature, first_id, first_ids = in_datasets(
        "a = datasets.load_dataset('parquet', data_files={'train': out + '/tokens/*.parquet'}, split='train'); "
        "b = datasets.load_dataset(out, 'tokens', split='train'); "
        "print(json.dumps([a.num_rows, b.num_rows, str(a.features['input_ids']), a[0]['id'], a[0]['input_ids']]))", run.root)
    assert n_plain == n_card == len(run.mixture)
    assert "uint32" in feature
    first = pq.read_table(_shards(run.root, "tokens", "*.parquet")[0]).to_pylist()[0]
    assert (first_id, first_ids) == (first["id"], first["input_ids"])


def test_without_eos_the_ids_are_the_text_alone(tmp_path, tokenized):
    _, tok, first = tokenized
    path = os.path.join(os.path.dirname(first), "tokenizer.json")
    config = write_config(tmp_path, SOURCES + f"  tokenize: {{tokenizer: {path}, eos: false, formats: [parquet]}}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    assert not os.path.exists(tmp_path / "out" / "megatron")
    for row in pq.read_table(tmp_path / "out" / "tokens").to_pylist()[:5]:
        assert tok.token_to_id("<|endoftext|>") not in row["input_ids"]


def test_a_large_vocabulary_is_written_as_int32(tmp_path):
    vocab = {"[UNK]": 0, "</s>": 1, **{f"w{i}": i + 2 for i in range(70_000)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(tmp_path / "big.json"))
    config = write_config(tmp_path, SOURCES + "  tokenize: {tokenizer: big.json, formats: [megatron]}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    docs = megatron_documents(str(tmp_path / "out" / "megatron" / "part-00000-of-00002"))
    assert docs[0].dtype == np.int32 and docs[0][-1] == 1  # </s>, found by name


def test_text_the_vocabulary_cannot_encode_is_a_counted_rejection(tmp_path):
    # A BPE with no unknown token, trained on ASCII: Chinese text gives no ids at all.
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(["hello world foo bar"] * 10, trainers.BpeTrainer(vocab_size=50, special_tokens=["</s>"]))
    tok.save(str(tmp_path / "ascii.json"))
    config = write_config(tmp_path, SOURCES + "  tokenize: {tokenizer: ascii.json}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    dropped = [r for r in run.rejected if r["reason"] == "no_tokens"]
    assert dropped and all(r["stage"] == "tokenize" and "gave no token" in r["detail"] for r in dropped)
    assert run.report["accounting_ok"]


@pytest.mark.parametrize("tokenize, message", [
    ("{tokenizer: missing.json}", "output.tokenize: no file"),
    ("{tokenizer: broken.json}", "output.tokenize: cannot load"),
    ("{tokenizer: tok.json, dtype: uint16, formats: [megatron]}", "too many for dtype uint16"),
    ("{tokenizer: noeos.json}", "has no EOS token"),
    ("{tokenizer: tok.json, eos: '<|im_end|>'}", "is not a token of"),
    ("{tokenizer: tok.json, formats: [parquet, parquet]}", "a format is listed twice"),
    ("{tokenizer: tok.json, formats: [arrow]}", "output.tokenize.formats"),
])
def test_bad_tokenizer_config_stops_the_run_before_any_work(tmp_path, capsys, tokenize, message):
    (tmp_path / "broken.json").write_text('{"version": "1.0", "model": ', encoding="utf-8")
    big = {"[UNK]": 0, "</s>": 1, **{f"w{i}": i + 2 for i in range(70_000)}}
    name = "tok.json" if "tok.json" in tokenize else "x.json"
    if name == "tok.json":
        vocab = big if "uint16" in tokenize else {"[UNK]": 0, "<|endoftext|>": 1, "a": 2}
        t = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
        t.save(str(tmp_path / "tok.json"))
    Tokenizer(models.WordLevel({"[UNK]": 0, "a": 1}, unk_token="[UNK]")).save(str(tmp_path / "noeos.json"))
    config = write_config(tmp_path, SOURCES + f"  tokenize: {tokenize}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert not os.path.exists(tmp_path / "out" / "clean")


def test_files_written_in_many_parts_are_the_files_of_one_part(tmp_path, tokenized, monkeypatch):
    """Groups of a bounded size (pipelines/job/parts.py): a file cut into many parts, each
    written alone and joined, is byte for byte the file of one part, row groups too."""
    from zhpile.pipelines import run as run_module
    from zhpile.pipelines.job import write
    from zhpile.pipelines.run import load_job

    _, _, first = tokenized
    tok = os.path.join(os.path.dirname(first), "tokenizer.json")
    config = write_config(tmp_path, SOURCES + f"  row_group_rows: 2\n  tokenize: {{tokenizer: {tok}, formats: [parquet, megatron]}}\n")
    assert run_zhpile("run", config, "--output", tmp_path / "one") == 0
    assert write.clean_layout(*load_job(config)) == {"cc": (1, 1), "wiki": (1, 1)}

    monkeypatch.setattr(write, "CLEAN_PART_INPUT_BYTES", 2_000)
    monkeypatch.setattr(run_module, "MIXTURE_PART_BYTES", 500)
    layout = write.clean_layout(*load_job(config))
    assert layout["cc"][1] > 10 and layout["wiki"][1] > 1
    assert run_zhpile("run", config, "--output", tmp_path / "many") == 0

    one, many = RunOutput(str(tmp_path / "one")), RunOutput(str(tmp_path / "many"))
    assert one.report["run"]["mixture_shards"] == 2 and len(one.mixture) > 10
    files = [os.path.relpath(p, one.root) for sub in ("clean", "mixture", "tokens", "megatron")
             for p in sorted(glob.glob(os.path.join(one.root, sub, "**", "*.*"), recursive=True))]
    assert files == [os.path.relpath(p, many.root) for sub in ("clean", "mixture", "tokens", "megatron")
                     for p in sorted(glob.glob(os.path.join(many.root, sub, "**", "*.*"), recursive=True))]
    for name in files:
        with open(os.path.join(one.root, name), "rb") as a, open(os.path.join(many.root, name), "rb") as b:
            assert a.read() == b.read(), name
    shard = pq.ParquetFile(os.path.join(many.root, "mixture", "part-00000-of-00002.parquet"))
    sizes = [shard.metadata.row_group(i).num_rows for i in range(shard.num_row_groups)]
    assert len(sizes) >= 3 and set(sizes[:-1]) == {2}
    assert not os.path.exists(os.path.join(many.root, "_work"))
