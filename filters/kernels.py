"""The per-document loops that numpy could only run as dozens of small array operations a
text, compiled with numba: at a few hundred to a few thousand elements a text, each numpy
call's fixed cost (~1-5 us) outweighed its work. Each kernel returns exactly what the numpy
or datasketch code it replaced returned (same operations, same order of summation), so
signals are bit-identical; tests/test_kernels.py checks them against that code. The one
exception is band_hashes, a new key for LSH bands (equal exactly where the bands are, as the
blake2b digests it replaced were).

Compiled once per install (`cache=True`: ~7 s; numba keeps the machine code beside this
file, or in its user cache directory when that is read-only); a process then pays ~0.5 s
(numba's import and code generator set-up) and ~5 ms a kernel to load them.
"""
from __future__ import annotations

import sys

import numpy as np
from numba import njit


def _load_numba_array_math() -> None:
    """Load numba's array-math lowering now, telling it that scipy's BLAS is missing.
    At import it checks for BLAS (for np.dot and the like, which no kernel here calls) by
    importing scipy.linalg: 0.15-0.2 s of every process's first kernel. scipy.linalg
    stays importable for anything else afterwards."""
    blas = "scipy.linalg.cython_blas"
    if "numba.np.arraymath" in sys.modules or blas in sys.modules:
        return
    sys.modules[blas] = None  # an import of it raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[blas]


_load_numba_array_math()

FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: fluency.PairTable's slots, _value_counts'
_EMPTY = np.uint64(2**64 - 1)
_SECOND_BITS = np.uint64(21)  # a pair key is first << 21 | second (fluency.pair_keys)


@njit(cache=True, nogil=True)
def pair_lookup(keys, default, slot_keys, slot_values, overflow_keys, overflow_values, shift):
    """fluency.PairTable.get: the value of each key, default[i] where keys[i] is absent.
    The slot loads are cache misses (8 MB of slots): they have a loop of their own with no
    branch, so the processor keeps many in flight, as numpy's gathers do (one loop with the
    hit test inside took ~60 ns a key, this ~11)."""
    n = keys.size
    held = np.empty(n, dtype=np.uint64)
    values = np.empty(n, dtype=np.float64)
    for i in range(n):
        home = (keys[i] * FIBONACCI) >> shift
        held[i] = slot_keys[home]
        values[i] = slot_values[home]
    for i in range(n):
        if held[i] != keys[i]:
            values[i] = default[i]
            if held[i] != _EMPTY and overflow_keys.size:  # another key took its home
                at = np.searchsorted(overflow_keys, keys[i])
                if at < overflow_keys.size and overflow_keys[at] == keys[i]:
                    values[i] = overflow_values[at]
    return values


@njit(cache=True, nogil=True)
def _pmis(first, second, table, log_unigram, log_p):
    """log P(b | a) - log P(b) for each pair of code points a, b (word_order's PMI; the
    same operations as its numpy form: pair_keys, fluency.log_cond, log_p)."""
    n = first.size
    keys = np.empty(n, dtype=np.uint64)
    default = np.empty(n, dtype=np.float64)
    for i in range(n):
        keys[i] = (np.uint64(first[i]) << _SECOND_BITS) | np.uint64(second[i])
        default[i] = log_unigram[min(second[i], log_unigram.size - 1)]
    out = pair_lookup(keys, default, *table)
    for i in range(n):
        out[i] -= log_p[min(second[i], log_p.size - 1)]
    return out


@njit(cache=True, nogil=True)
def adjacent_pmi(cps, han, table, log_unigram, log_p):
    """Sum, sum of squares and number of the PMIs of the Han-Han pairs of adjacent
    characters, the pairs starting at even positions in column 0 and at odd ones in column 1."""
    n = 0
    at = np.empty(max(cps.size - 1, 0), dtype=np.int64)
    for i in range(cps.size - 1):
        if han[i] and han[i + 1]:
            at[n] = i
            n += 1
    at = at[:n]
    pmi = _pmis(cps[at], cps[at + 1], table, log_unigram, log_p)
    out = np.zeros((3, 2), dtype=np.float64)
    for k in range(n):
        out[0, at[k] & 1] += pmi[k]
        out[1, at[k] & 1] += pmi[k] * pmi[k]
        out[2, at[k] & 1] += 1.0
    return out


@njit(cache=True, nogil=True)
def order_pmi(cps, han, starts, last, orders, table, log_unigram, log_p):
    """For each row of `orders` (a permutation of the units beginning at `starts` and ending
    at `last`, indexes into cps): sum, sum of squares and number of the PMIs where one unit
    ends and the next begins, Han-Han joins only. Columns are the rows of `orders`."""
    n_orders, n_units = orders.shape
    size = n_orders * max(n_units - 1, 0)
    first = np.empty(size, dtype=cps.dtype)
    second = np.empty(size, dtype=cps.dtype)
    row = np.empty(size, dtype=np.int64)
    n = 0
    for r in range(n_orders):
        for j in range(n_units - 1):
            a = last[orders[r, j]]
            b = starts[orders[r, j + 1]]
            if han[a] and han[b]:
                first[n], second[n], row[n] = cps[a], cps[b], r
                n += 1
    pmi = _pmis(first[:n], second[:n], table, log_unigram, log_p)
    out = np.zeros((3, n_orders), dtype=np.float64)
    for k in range(n):
        out[0, row[k]] += pmi[k]
        out[1, row[k]] += pmi[k] * pmi[k]
        out[2, row[k]] += 1.0
    return out


# numpy's PCG64 (XSL-RR 128/64) and Generator.permutation, step for step, so the random
# orders drawn here are the ones np.random.default_rng(seed).permutation(n) draws (tests/
# test_kernels.py checks it). A stream's state is a uint64[6]: the 128-bit state (high,
# low), the 128-bit increment (high, low), has_uint32 and uinteger, as bit_generator.state
# holds them; the kernels advance it in place.
_MUL_HI, _MUL_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)
_LOW32 = np.uint64(0xFFFFFFFF)
_U32, _U58, _U63, _U64, _U1 = np.uint64(32), np.uint64(58), np.uint64(63), np.uint64(64), np.uint64(1)


def pcg64_state(state: dict) -> np.ndarray:
    """A PCG64 bit_generator.state as the kernels' uint64[6]."""
    s, inc = state["state"]["state"], state["state"]["inc"]
    mask = (1 << 64) - 1
    return np.array([s >> 64, s & mask, inc >> 64, inc & mask, state["has_uint32"], state["uinteger"]], dtype=np.uint64)


@njit(cache=True, nogil=True)
def _mulhi(a, b):
    """The high 64 bits of the 128-bit product a * b."""
    a_lo, a_hi, b_lo, b_hi = a & _LOW32, a >> _U32, b & _LOW32, b >> _U32
    p0, p1, p2, p3 = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    carry = ((p0 >> _U32) + (p1 & _LOW32) + (p2 & _LOW32)) >> _U32
    return p3 + (p1 >> _U32) + (p2 >> _U32) + carry


@njit(cache=True, nogil=True)
def _next64(st):
    """pcg_setseq_128_xsl_rr_64_random_r: step the state, then output from it."""
    sh, sl = st[0], st[1]
    lo = sl * _MUL_LO
    hi = _mulhi(sl, _MUL_LO) + sl * _MUL_HI + sh * _MUL_LO
    new_lo = lo + st[3]
    new_hi = hi + st[2] + (_U1 if new_lo < lo else np.uint64(0))
    st[0], st[1] = new_hi, new_lo
    x = new_hi ^ new_lo
    rot = new_hi >> _U58
    return (x >> rot) | (x << ((_U64 - rot) & _U63))


@njit(cache=True, nogil=True)
def _next32(st):
    """pcg64_next32: a 64-bit output serves two calls, low half first."""
    if st[4]:
        st[4] = np.uint64(0)
        return st[5]
    v = _next64(st)
    st[4], st[5] = _U1, v >> _U32
    return v & _LOW32


@njit(cache=True, nogil=True)
def _interval(st, top):
    """random_interval for top < 2**32: uniform on [0, top], by rejection under the
    smallest covering mask, from 32-bit draws."""
    if top == 0:
        return np.uint64(0)
    mask = top
    for shift in (1, 2, 4, 8, 16):
        mask |= mask >> np.uint64(shift)
    value = _next32(st) & mask
    while value > top:
        value = _next32(st) & mask
    return value


@njit(cache=True, nogil=True)
def permutations(n, count, st):
    """`count` rows of Generator.permutation(n) drawn in turn from the stream `st`
    (n < 2**32: numpy draws 64-bit values above that)."""
    out = np.empty((count, n), dtype=np.int64)
    for r in range(count):
        for i in range(n):
            out[r, i] = i
        for i in range(n - 1, 0, -1):
            j = _interval(st, np.uint64(i))
            out[r, i], out[r, j] = out[r, j], out[r, i]
    return out


@njit(cache=True, nogil=True)
def affine32_minhash(hashes, a, b, fmix):
    """datasketch's affine32 MinHash of 32-bit shingle hashes (MinHash.update_batch on a
    fresh sketch): each hash through the murmur3 finaliser, then, for each permutation k,
    the minimum over the shingles of a[k] * h + b[k] modulo 2**32. Permutation-major, so
    the inner loop is a branch-free min over a contiguous array that runs on vector lanes
    (7 us a 650-shingle text; datasketch's numpy matrix 250 us)."""
    s1, m1, s2, m2, s3 = fmix
    mixed = np.empty(hashes.size, dtype=np.uint32)
    for i in range(hashes.size):
        # numba widens uint32 arithmetic to 64 bits: masking (or truncating) is the wrap-around
        h = np.uint64(hashes[i])
        h ^= h >> s1
        h = (h * m1) & _LOW32
        h ^= h >> s2
        h = (h * m2) & _LOW32
        mixed[i] = h ^ (h >> s3)
    out = np.empty(a.size, dtype=np.uint32)
    for k in range(a.size):
        ak, bk = a[k], b[k]
        low = np.uint32(0xFFFFFFFF)
        for i in range(mixed.size):
            v = np.uint32(mixed[i] * ak + bk)
            low = v if v < low else low
        out[k] = low
    return out


@njit(cache=True, nogil=True)
def _block_sum(a, lo, n):
    """numpy's pairwise_sum_DOUBLE on a block of at most 128: eight running sums."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r = a[lo:lo + 8].copy()
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _pairwise(a, lo, n):
    """numpy's pairwise summation of a[lo:lo + n], step for step: above 128 values, the sum
    of the halves (the first a multiple of 8). Its recursion runs on an explicit stack
    (numba's cached machine code of a recursive function crashed on loading)."""
    los, ns = np.empty(64, dtype=np.int64), np.empty(64, dtype=np.int64)
    stage, lefts = np.zeros(64, dtype=np.int64), np.empty(64, dtype=np.float64)
    top, ret = 0, 0.0
    los[0], ns[0] = lo, n
    while top >= 0:
        start, size = los[top], ns[top]
        if size <= 128:
            ret = _block_sum(a, start, size)
            top -= 1
            continue
        half = size // 2
        half -= half % 8
        if stage[top] == 0:  # the first half
            stage[top] = 1
            top += 1
            los[top], ns[top], stage[top] = start, half, 0
        elif stage[top] == 1:  # the first half's sum is in; the second half
            lefts[top], stage[top] = ret, 2
            top += 1
            los[top], ns[top], stage[top] = start + half, size - half, 0
        else:
            ret = lefts[top] + ret
            top -= 1
    return ret


@njit(cache=True, nogil=True)
def np_sum(a):
    """np.sum of a contiguous float64 array, bit for bit: numpy's reduction adds, from 0.0,
    the pairwise sums of its buffers of 8,192 values in turn."""
    res = 0.0
    for lo in range(0, a.size, 8192):
        res += _pairwise(a, lo, min(8192, a.size - lo))
    return res


# The unit kinds of word order (filters/word_order.py): characters, 2-character chunks from
# position 0, 2-character chunks from position 1, jieba words of the Han characters.
N_KINDS = 4
HAN_LO, HAN_HI = 0x4E00, 0x9FFF  # the Han characters whose joins word order measures
MIN_JOINS = 20  # fewer Han-Han joins than this in a text: no word-order verdict (None)


@njit(cache=True, nogil=True)
def _unit_bounds(kind, n, n_han, lengths):
    """(starts, lasts) of one kind's units, indexes into the text's n code points followed
    by its n_han Han code points (where the words are)."""
    if kind == 0:
        starts = np.arange(n)
    elif kind == 1:
        starts = np.arange(0, n, 2)
    elif kind == 2:
        starts = np.empty(n // 2 + 1, dtype=np.int64)
        starts[0] = 0
        starts[1:] = np.arange(1, n, 2)
    else:
        starts = np.empty(lengths.size, dtype=np.int64)
        at = n
        for i in range(lengths.size):
            starts[i] = at
            at += lengths[i]
    end = n if kind < 3 else n + n_han
    last = np.empty(starts.size, dtype=np.int64)
    last[:-1] = starts[1:] - 1
    last[-1] = end - 1
    return starts, last


@njit(cache=True, nogil=True)
def order_round(cps, lengths, tags, states, count, table, log_unigram, log_p, tag_pmi):
    """One round of word order's measurement of a text sample (code points `cps`, the
    lengths of jieba's words of its Han characters, its part-of-speech tag ids): `count`
    random orders of each unit kind with enough joins, from the streams states[kind] and
    states[N_KINDS] (tags), advanced in place. Returns
    - in_order (3, 3): sum, sum of squares and number of Han-Han join PMIs, columns:
      adjacent pairs at even positions, at odd positions, jieba words in order;
    - shuffled (N_KINDS, 3, count): the same for each kind's random orders (zeros for a
      kind with too few joins: fewer than MIN_JOINS in order);
    - tag_means (count,) and tag_error: each random order's mean tag-pair PMI, and the
      first's standard error (np.mean / np.std, bit for bit), and tag_in_order."""
    n = cps.size
    han = (cps >= HAN_LO) & (cps <= HAN_HI)
    n_han = int(han.sum())
    all_cps = np.empty(n + n_han, dtype=cps.dtype)
    all_han = np.ones(n + n_han, dtype=np.bool_)
    all_cps[:n] = cps
    all_han[:n] = han
    all_cps[n:] = cps[han]
    in_order = np.zeros((3, 3), dtype=np.float64)
    in_order[:, :2] = adjacent_pmi(cps, han, table, log_unigram, log_p)
    active = np.zeros(N_KINDS, dtype=np.bool_)
    active[0] = in_order[2, 0] + in_order[2, 1] >= MIN_JOINS
    active[1] = in_order[2, 1] >= MIN_JOINS  # chunks from 0 join at the odd pairs
    active[2] = in_order[2, 0] >= MIN_JOINS
    active[3] = lengths.size - 1 >= MIN_JOINS  # every word join is Han-Han
    shuffled = np.zeros((N_KINDS, 3, count), dtype=np.float64)
    for kind in range(N_KINDS):
        if not active[kind]:
            continue
        starts, last = _unit_bounds(kind, n, n_han, lengths)
        if kind == 3:
            identity = np.arange(starts.size).reshape(1, starts.size)
            in_order[:, 2] = order_pmi(all_cps, all_han, starts, last, identity, table, log_unigram, log_p)[:, 0]
        orders = permutations(starts.size, count, states[kind])
        shuffled[kind] = order_pmi(all_cps, all_han, starts, last, orders, table, log_unigram, log_p)
    tag_means = np.zeros(count, dtype=np.float64)
    tag_error, tag_in_order = np.inf, np.nan
    m = tags.size - 1
    if m >= MIN_JOINS:
        values = np.empty(m, dtype=np.float64)
        for j in range(m):
            values[j] = tag_pmi[tags[j], tags[j + 1]]
        tag_in_order = np_sum(values) / m
        orders = permutations(tags.size, count, states[N_KINDS])
        for r in range(count):
            for j in range(m):
                values[j] = tag_pmi[tags[orders[r, j]], tags[orders[r, j + 1]]]
            tag_means[r] = np_sum(values) / m
            if r == 0:  # np.std: the mean, then the mean square deviation
                deviation = values - tag_means[0]
                tag_error = np.sqrt(np_sum(deviation * deviation) / m) / np.sqrt(m)
    return in_order, shuffled, active, tag_means, tag_error, tag_in_order


@njit(cache=True, nogil=True)
def repeat_runs(cps, max_period):
    """(the longest run of one character, and for each period p in 2..max_period the
    longest run of positions where cps[i] == cps[i + p]: at spans[p], 0 for none)."""
    n = cps.size
    longest_char = 0
    run = 0
    for i in range(1, n):
        run = run + 1 if cps[i] == cps[i - 1] else 0
        longest_char = max(longest_char, run)
    spans = np.zeros(max_period + 1, dtype=np.int64)  # spans[p]: longest run at period p (0: none)
    for p in range(2, max_period + 1):
        run = 0
        longest = 0
        for i in range(n - p):
            run = run + 1 if cps[i + p] == cps[i] else 0
            longest = max(longest, run)
        spans[p] = longest
    return (longest_char + 1 if n else 0), spans


NGRAM_BASE = np.uint64(1_000_003)  # the n-gram hashes' polynomial base (quality.NgramHashes uses it too)


@njit(cache=True, nogil=True)
def _ngram_hashes(cps, n):
    """quality.NgramHashes(cps).of(n), the same values: sum of c[i + j] * BASE**(n - 1 - j),
    wrapping modulo 2**64."""
    m = cps.size - n + 1
    out = np.empty(m, dtype=np.uint64)
    lead = np.uint64(1)
    for _ in range(n - 1):
        lead *= NGRAM_BASE
    h = np.uint64(0)
    for j in range(n):
        h = h * NGRAM_BASE + np.uint64(cps[j])
    out[0] = h
    for i in range(1, m):
        h = (h - np.uint64(cps[i - 1]) * lead) * NGRAM_BASE + np.uint64(cps[i + n - 1])
        out[i] = h
    return out


@njit(cache=True, nogil=True)
def _value_counts(h):
    """For each position of `h`, how many times its value occurs in `h` (an open-addressing
    table: numba's sort of a few hundred values cost ~14 us, numpy's ~3, this ~2)."""
    m = h.size
    bits = 1
    while (1 << bits) < 2 * m:
        bits += 1
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    keys = np.empty(mask + 1, dtype=np.uint64)
    used = np.zeros(mask + 1, dtype=np.bool_)
    counts = np.zeros(mask + 1, dtype=np.int64)
    slot = np.empty(m, dtype=np.int64)
    for i in range(m):
        x = h[i]
        j = np.int64((x * FIBONACCI) >> shift)
        while used[j] and keys[j] != x:
            j = (j + 1) & mask
        if not used[j]:
            used[j], keys[j] = True, x
        counts[j] += 1
        slot[i] = j
    return counts[slot]


@njit(cache=True, nogil=True)
def _top_share(cps, n):
    """Share of characters covered by the most frequent n-gram (Gopher's top n-gram rule
    on characters); 0 when no n-gram repeats."""
    if cps.size < n + 1:
        return 0.0
    top = _value_counts(_ngram_hashes(cps, n)).max()
    return min(top * n / cps.size, 1.0) if top > 1 else 0.0


@njit(cache=True, nogil=True)
def _dup_share(cps, n):
    """Share of characters inside n-grams that occur more than once (Gopher's duplicate
    n-gram rule on characters)."""
    if cps.size < n + 1:
        return 0.0
    counts = _value_counts(_ngram_hashes(cps, n))
    covered, cover_end = 0, 0
    for i in range(cps.size):
        if i < counts.size and counts[i] > 1:  # a repeated n-gram starts here
            cover_end = i + n
        if i < cover_end:
            covered += 1
    return covered / cps.size


@njit(cache=True, nogil=True)
def ngram_shares(cps, top_sizes, dup_sizes):
    """quality's top and duplicate n-gram shares of `cps` for each size (ascending): once
    a size gives exactly 0 the longer ones are 0 without measuring (an n-gram repeats only
    where its first shorter n-gram does)."""
    top = np.zeros(top_sizes.size, dtype=np.float64)
    for i in range(top_sizes.size):
        top[i] = _top_share(cps, top_sizes[i])
        if top[i] == 0.0:
            break
    dup = np.zeros(dup_sizes.size, dtype=np.float64)
    for i in range(dup_sizes.size):
        dup[i] = _dup_share(cps, dup_sizes[i])
        if dup[i] == 0.0:
            break
    return top, dup


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_U30, _U27, _U31 = np.uint64(30), np.uint64(27), np.uint64(31)


@njit(cache=True, nogil=True)
def naive_bayes_evidence(cps, char_rows, pair_keys, pair_rows, log_lik):
    """component.ComponentModel's evidence: the sum of log_lik's rows of a text's features
    (every character's row, then every adjacent pair's, in text order, each row added in
    turn as numpy's sum over axis 0 adds them), and how many there were. char_rows: the
    row of each code point (the last: any code point above), -1 for none; pair_keys:
    sorted first << 21 | second, ending with a key above all."""
    k = log_lik.shape[1]
    out = np.zeros(k, dtype=np.float64)
    n = 0
    last = char_rows.size - 1
    for i in range(cps.size):
        row = char_rows[min(cps[i], last)]
        if row >= 0:
            for j in range(k):
                out[j] += log_lik[row, j]
            n += 1
    for i in range(cps.size - 1):
        key = (np.uint64(cps[i]) << _SECOND_BITS) | np.uint64(cps[i + 1])
        at = np.searchsorted(pair_keys, key)
        if pair_keys[at] == key:
            row = pair_rows[at]
            for j in range(k):
                out[j] += log_lik[row, j]
            n += 1
    return out, n


@njit(cache=True, nogil=True)
def _splitmix(x):
    """splitmix64's finaliser: a bijection of 64-bit values that mixes every input bit."""
    x += _GOLDEN
    x = (x ^ (x >> _U30)) * _MIX1
    x = (x ^ (x >> _U27)) * _MIX2
    return x ^ (x >> _U31)


@njit(cache=True, nogil=True)
def band_hashes(signature, bands, rows):
    """One 63-bit key per LSH band: its index and its rows' values chained through
    splitmix64 (two signatures share a band's key when the band's rows are equal, and
    otherwise collide with odds of 2**-63)."""
    out = np.empty(bands, dtype=np.int64)
    for b in range(bands):
        h = _splitmix(np.uint64(b))
        for r in range(b * rows, (b + 1) * rows):
            h = _splitmix(h ^ np.uint64(signature[r]))
        out[b] = np.int64(h >> _U1)
    return out


@njit(cache=True, nogil=True)
def _in_sorted(keys, key):
    at = np.searchsorted(keys, key)
    return at < keys.size and keys[at] == key


@njit(cache=True, nogil=True)
def holds_pair_or_triple(cps, pair_table, pairs, triple_table, triples, shift):
    """Whether some two adjacent code points (first << 21 | second) are in `pairs`, or
    three (pair << 21 | third) in `triples` (both sorted): safety's pre-check for its
    terms, stopping at the first. A key is looked up exactly only when its
    Fibonacci-hashed slot (top bits, `shift` = 64 - table bits) is set in its table."""
    for i in range(cps.size - 1):
        pair = (np.uint64(cps[i]) << _SECOND_BITS) | np.uint64(cps[i + 1])
        if pair_table[(pair * FIBONACCI) >> shift] and _in_sorted(pairs, pair):
            return True
    for i in range(cps.size - 2):
        triple = (((np.uint64(cps[i]) << _SECOND_BITS) | np.uint64(cps[i + 1])) << _SECOND_BITS) | np.uint64(cps[i + 2])
        if triple_table[(triple * FIBONACCI) >> shift] and _in_sorted(triples, triple):
            return True
    return False
