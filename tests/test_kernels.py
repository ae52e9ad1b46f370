"""The compiled kernels (filters/kernels.py) give exactly what the numpy and datasketch
code they replace gives: the same random orders, MinHash signatures, table values and PMI
sums, bit for bit, on real text and on edge cases."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from datasketch import MinHash

from zhpile.filters import kernels, quality
from zhpile.filters.fluency import PairTable, pair_keys, shipped_model
from zhpile.filters.minhash import FMIX32, MinHasher, affine32_permutations, shingle_hashes
from zhpile.filters.quality import NgramHashes
from zhpile.filters.textutil import codepoints
from sample_data.articles import ZH

TEXTS = ["\n".join([title, *paragraphs]) for title, paragraphs in ZH.values()]


@pytest.mark.parametrize("seed", [0, 1, 7, 41, 2000, 123457])
@pytest.mark.parametrize("n", [1, 2, 3, 40, 1000, 2000])
def test_permutations_are_numpys_default_rng(seed, n):
    rng = np.random.default_rng(seed)
    state = kernels.pcg64_state(rng.bit_generator.state)
    drawn = kernels.permutations(n, 2, state)
    drawn_later = kernels.permutations(n, 1, state)  # the stream continues between calls
    expected = [rng.permutation(n) for _ in range(3)]
    assert np.array_equal(drawn, np.stack(expected[:2]))
    assert np.array_equal(drawn_later[0], expected[2])
    assert np.array_equal(state, kernels.pcg64_state(rng.bit_generator.state))


def _datasketch_signature(text: str) -> np.ndarray:
    m = MinHash(num_perm=128, seed=1, hashfunc=lambda v: v, scheme="affine32")
    hashes = shingle_hashes(text, 5)
    if hashes.size:
        m.update_batch([hashes])
    return np.asarray(m.hashvalues, dtype=np.uint32)


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 7), (256, 12345)])
def test_minhash_permutations_and_constants_are_datasketchs(num_perm, seed):
    from datasketch.minhash import _FMIX_CONSTANTS

    ours, theirs = affine32_permutations(num_perm, seed), MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert all(np.array_equal(o, t) and o.dtype == t.dtype for o, t in zip(ours, theirs))
    assert tuple(map(int, _FMIX_CONSTANTS[32])) == FMIX32


@pytest.mark.parametrize("text", [*TEXTS, "", "甲", "一二三四", "ab" * 30000, "\U00020000\ud800 混合 text 123"])
def test_minhash_signature_is_datasketchs(text):
    assert np.array_equal(MinHasher().signature(text), _datasketch_signature(text))


def _numpy_get(table: PairTable, keys: np.ndarray, default: np.ndarray) -> np.ndarray:
    """PairTable.get as it was in numpy: two gathers, then the overflow searched."""
    home = ((keys * table._MULT) >> np.uint64(64 - table.bits)).astype(np.intp)
    held = table.slot_keys[home]
    found = held == keys
    out = np.where(found, table.slot_values[home], default)
    rest = np.flatnonzero(~found & (held != table.EMPTY))
    if rest.size and table.overflow_keys.size:
        at = np.minimum(np.searchsorted(table.overflow_keys, keys[rest]), table.overflow_keys.size - 1)
        hit = table.overflow_keys[at] == keys[rest]
        out[rest[hit]] = table.overflow_values[at[hit]]
    return out


def test_pair_lookup_matches_the_numpy_lookup_on_hits_overflow_and_misses():
    model = shipped_model()
    table = model["pair_table"]
    assert table.overflow_keys.size  # the shipped table has keys whose home another took
    rng = np.random.default_rng(3)
    known = np.concatenate([table.overflow_keys[:500], table.slot_keys[table.slot_keys != table.EMPTY][:500]])
    keys = np.concatenate([known, rng.integers(0, 2**42, 1000, dtype=np.uint64),
                           *(pair_keys(codepoints(t)) for t in TEXTS)])
    default = rng.normal(size=keys.size)
    got = table.get(keys, default)
    assert np.array_equal(got, _numpy_get(table, keys, default))
    assert np.array_equal(got[:500], table.overflow_values[:500])  # every overflow key found


def _numpy_pmi_sums(cps, han, first, second, model):
    keep = han[first] & han[second]
    a, b = cps[first[keep]], cps[second[keep]]
    keys = (a.astype(np.uint64) << np.uint64(21)) | b.astype(np.uint64)
    log_cond = _numpy_get(model["pair_table"], keys, model["log_unigram"][np.minimum(b, len(model["log_unigram"]) - 1)])
    pmi = log_cond - model["log_p"][np.minimum(b, len(model["log_p"]) - 1)]
    return pmi.sum(), (pmi * pmi).sum(), pmi.size


@pytest.mark.parametrize("text", TEXTS[:4] + ["春眠不觉晓，处处闻啼鸟。abc 夜来风雨声，花落知多少。\U00020000𠀀"])
def test_join_pmi_sums_match_numpy(text):
    model = shipped_model()
    tables = (model["pair_table"].arrays, model["log_unigram"], model["log_p"])
    cps = codepoints("".join(text.split()))
    han = (cps >= 0x4E00) & (cps <= 0x9FFF)
    pairs = np.arange(cps.size - 1)
    adjacent = kernels.adjacent_pmi(cps, han, *tables)
    for parity in (0, 1):
        at = pairs[pairs % 2 == parity]
        assert np.allclose(adjacent[:, parity], _numpy_pmi_sums(cps, han, at, at + 1, model), rtol=1e-12)
    starts = np.arange(0, cps.size, 2)
    last = np.append(starts[1:], cps.size) - 1
    orders = np.stack([np.random.default_rng(9).permutation(starts.size) for _ in range(2)])
    measured = kernels.order_pmi(cps, han, starts, last, orders, *tables)
    for row, order in enumerate(orders):
        assert np.allclose(measured[:, row], _numpy_pmi_sums(cps, han, last[order[:-1]], starts[order[1:]], model), rtol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 300, 2000, 8192, 8193, 20000])
def test_np_sum_is_numpys_sum_bit_for_bit(n):
    values = np.random.default_rng(n).normal(size=n) * 10.0 ** np.random.default_rng(n + 1).integers(-3, 4, size=n)
    assert kernels.np_sum(values) == values.sum()


def test_order_round_is_the_numpy_measurement():
    """One round of word order against the same measurement written in numpy: the unit
    kinds' joins in numpy's random orders, and the tag-pair PMIs with np.mean / np.std."""
    from zhpile.filters.textutil import jieba_words
    from zhpile.filters.word_order import tag_ids

    model = shipped_model()
    sample = "".join(TEXTS[1].split())[:2000]
    cps = codepoints(sample)
    n = cps.size
    han = (cps >= 0x4E00) & (cps <= 0x9FFF)
    sample_han = "".join(c for c in sample if "\u4e00" <= c <= "\u9fff")
    lengths = np.array([len(w) for w in jieba_words(sample_han)])
    assert lengths.sum() == len(sample_han)
    tags = tag_ids(sample, model["tag_index"])
    states = np.stack([kernels.pcg64_state(np.random.default_rng(n).bit_generator.state)] * kernels.N_KINDS
                      + [kernels.pcg64_state(np.random.default_rng(tags.size).bit_generator.state)])
    in_order, shuffled, active, tag_means, tag_error, tag_in_order = kernels.order_round(
        cps, lengths, tags, states, 2, model["pair_table"].arrays, model["log_unigram"], model["log_p"], model["tag_pmi"])
    assert active.all()

    all_cps, all_han = np.concatenate((cps, cps[han])), np.concatenate((han, np.ones(han.sum(), dtype=bool)))
    positions = np.arange(n)
    word_starts = n + np.concatenate(([0], np.cumsum(lengths)[:-1]))
    kinds = [(positions, n), (positions[::2], n), (np.append(0, positions[1::2]), n), (word_starts, n + han.sum())]
    for kind, (starts, end) in enumerate(kinds):
        last = np.append(starts[1:], end) - 1
        rng = np.random.default_rng(n)
        for row in range(2):
            order = rng.permutation(starts.size)
            expected = _numpy_pmi_sums(all_cps, all_han, last[order[:-1]], starts[order[1:]], model)
            assert np.allclose(shuffled[kind, :, row], expected, rtol=1e-12)
    words = _numpy_pmi_sums(all_cps, all_han, kinds[3][0][:-1] + lengths[:-1] - 1, kinds[3][0][1:], model)
    assert np.allclose(in_order[:, 2], words, rtol=1e-12)

    pmi = model["tag_pmi"]
    assert tag_in_order == pmi[tags[:-1], tags[1:]].mean()
    rng = np.random.default_rng(tags.size)
    for row in range(2):
        shuffled_tags = tags[rng.permutation(tags.size)]
        values = pmi[shuffled_tags[:-1], shuffled_tags[1:]]
        assert tag_means[row] == values.mean()
        if row == 0:
            assert tag_error == values.std() / np.sqrt(values.size)


def test_kernels_compiled_then_loaded_from_numbas_cache_give_the_same_signals(tmp_path):
    """Workers load the kernels' machine code from numba's cache: a first process compiles
    and stores it, a second loads it (a recursive kernel once crashed only when loaded)."""
    code = ("import json, sys; from zhpile.filters import minhash, word_order; t = sys.stdin.read(); "
            "print(json.dumps([word_order.order_signals(t), minhash.MinHasher().signature(t).tolist()]))")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], input=TEXTS[2], capture_output=True, text=True, env=env, timeout=300)
            for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr[-2000:]
    assert any(tmp_path.rglob("*.nbc"))  # the first run stored machine code there
    first, second = (json.loads(r.stdout) for r in runs)
    assert first == second and first[0]["order_score"] is not None


def test_kernels_run_without_importing_scipy_linalg_which_stays_importable():
    """numba's BLAS check (an import of scipy.linalg, 0.15-0.2 s a process) is skipped:
    no kernel does linear algebra. Anything else can still import scipy.linalg."""
    code = ("import sys, numpy as np; from zhpile.filters import kernels; "
            "runs = kernels.repeat_runs(np.array([1, 1, 1, 2], dtype=np.int32), 8); "
            "print('scipy.linalg' in sys.modules); import scipy.linalg; print(scipy.linalg.cython_blas.__name__)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["False", "scipy.linalg.cython_blas"]


# The numpy forms of the repetition signals, as filters/quality.py computed them before
# the kernels: the references the kernels must equal.
def _longest_true_run(mask):
    if not mask.any():
        return 0
    edges = np.flatnonzero(np.diff(np.concatenate(([False], mask, [False])).astype(np.int8)))
    return int((edges[1::2] - edges[::2]).max())


def _numpy_periodic_span(cps):
    best = 0
    for period in range(2, 9):
        if cps.size <= period:
            break
        run = _longest_true_run(cps[period:] == cps[:-period])
        if run and run + period >= 16:
            best = max(best, run + period)
    return best


def _numpy_top_share(cps, n):
    if cps.size < n + 1:
        return 0.0
    h = np.sort(NgramHashes(cps).of(n))
    top = int(np.diff(np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1], [True])))).max())
    return float(min(top * n / cps.size, 1.0)) if top > 1 else 0.0


def _numpy_dup_share(cps, n):
    if cps.size < n + 1:
        return 0.0
    h = NgramHashes(cps).of(n)
    order = np.argsort(h)
    same = h[order][1:] == h[order][:-1]
    if not same.any():
        return 0.0
    dup_sorted = np.zeros(h.size, dtype=bool)
    dup_sorted[1:] |= same
    dup_sorted[:-1] |= same
    starts = order[dup_sorted]
    cover = np.bincount(starts, minlength=cps.size + 1) - np.bincount(starts + n, minlength=cps.size + 1)
    return float((np.cumsum(cover)[:-1] > 0).mean())


REPETITIVE = [*TEXTS, "", "a", "ab", "哈" * 40, "哈哈嘿" * 30, "\\/" * 500 + "正文" * 3, "一二三四五六七八九十" * 7 + "完",
              "".join(chr(c) for c in np.random.default_rng(4).integers(0x4E00, 0x4E40, 3000))]


@pytest.mark.parametrize("text", REPETITIVE)
def test_repetition_kernels_equal_their_numpy_forms(text):
    cps = codepoints(text)
    char_run, period_runs = kernels.repeat_runs(cps, 8)
    assert char_run == (_longest_true_run(cps[1:] == cps[:-1]) + 1 if cps.size else 0)
    assert quality._periodic_span(period_runs) == _numpy_periodic_span(cps)
    top, dup = kernels.ngram_shares(cps, np.array([1, 2, 4, 6, 8]), np.array([3, 10, 14, 20]))
    # the kernel stops at the first 0 (a longer n-gram cannot repeat where a shorter does not)
    expected_top = [_numpy_top_share(cps, n) for n in (1, 2, 4, 6, 8)]
    expected_dup = [_numpy_dup_share(cps, n) for n in (3, 10, 14, 20)]
    for got, expected in ((top, expected_top), (dup, expected_dup)):
        zero = expected.index(0.0) if 0.0 in expected else len(expected)
        assert got.tolist()[:zero] == expected[:zero] and not any(got[zero:])


def test_band_keys_are_equal_exactly_where_bands_are():
    from zhpile.filters.minhash import band_keys

    signatures = [MinHasher().signature(text) for text in TEXTS]
    keys = [band_keys(sig, 25, 5) for sig in signatures]
    assert all(0 <= k < 2**63 for row in keys for k in row)
    for sig, row in zip(signatures, keys):
        changed = sig.copy()
        changed[7] ^= 1  # a row of band 1
        other = band_keys(changed, 25, 5)
        assert [a == b for a, b in zip(row, other)] == [band != 1 for band in range(25)]
    # different bands of different texts never share a key; the same band index with the same rows does
    assert len({k for row in keys for k in row}) == 25 * len(TEXTS)
    same_rows = signatures[0].copy()
    same_rows[:5] = signatures[1][:5]
    assert band_keys(same_rows, 25, 5)[0] == keys[1][0]


def _fibonacci_table(keys, bits=20):
    table = np.zeros(1 << bits, dtype=bool)
    table[((keys * kernels.FIBONACCI) >> np.uint64(64 - bits)).astype(np.intp)] = True
    return table


@pytest.mark.parametrize("seed", range(6))
def test_holds_pair_or_triple_is_any_key_in_either_set(seed):
    """The safety pre-check's kernel against np.isin over every pair and triple key, on
    texts with and without planted keys (astral code points and lone surrogates too)."""
    rng = np.random.default_rng(seed)
    alphabet = np.array([0x4E00 + i for i in range(40)] + [0x61, 0x20, 0x1F600, 0xD800], dtype=np.uint32)
    pairs = np.unique(pair_keys(rng.choice(alphabet, 30)))
    three = rng.choice(alphabet, 24).astype(np.uint64)
    triples = np.unique((pair_keys(three[:-1]) << np.uint64(21)) | three[2:])
    tables = (_fibonacci_table(pairs), pairs, _fibonacci_table(triples), triples, np.uint64(44))
    for size in (0, 1, 2, 3, 5, 50, 400):
        for _ in range(20):
            cps = rng.choice(alphabet, size).astype(np.uint32)
            keys2 = pair_keys(cps) if size > 1 else np.zeros(0, dtype=np.uint64)
            keys3 = ((pair_keys(cps[:-1]) << np.uint64(21)) | cps[2:].astype(np.uint64)) if size > 2 else np.zeros(0, dtype=np.uint64)
            expected = bool(np.isin(keys2, pairs).any() or np.isin(keys3, triples).any())
            assert kernels.holds_pair_or_triple(cps, *tables) == expected
