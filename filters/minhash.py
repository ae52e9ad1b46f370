"""MinHash signatures and LSH band keys for near-duplicate detection.

Shingles are character n-grams of the text without whitespace, hashed to 32 bits with
numpy (a rolling polynomial over code points). The signature is datasketch's affine32
MinHash (murmur finaliser, then one affine permutation per row, datasketch's seeded
permutations), computed in one compiled pass (kernels.affine32_minhash). Bands x rows come from datasketch's
own optimal-parameter routine (`MinHashLSH`) for the configured Jaccard threshold.
"""
from __future__ import annotations

import re

import numpy as np

from .kernels import affine32_minhash, band_hashes
from .textutil import codepoints

_WS = re.compile(r"\s+")


def shingle_hashes(text: str, n: int) -> np.ndarray:
    """32-bit hashes of the character n-grams of `text` (whitespace removed), in text order
    and repeats included (a minimum does not change with them, and sorting them out cost
    as much as the signature); a text shorter than n is one shingle."""
    compact = _WS.sub("", text)
    cps = codepoints(compact).astype(np.uint64)
    if cps.size == 0:
        return np.zeros(0, dtype=np.uint32)
    if cps.size < n:
        n = int(cps.size)
    h = np.zeros(cps.size - n + 1, dtype=np.uint64)
    for k in range(n):  # polynomial rolling hash with wrap-around
        h = h * np.uint64(0x100000001B3) + cps[k:cps.size - n + 1 + k]
    return ((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


# datasketch's murmur3 32-bit finaliser constants (datasketch.minhash._FMIX_CONSTANTS[32]).
FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's seeded affine32 permutations (MinHash(num_perm, seed,
    scheme="affine32").permutations), drawn as it draws them: importing datasketch imports
    scipy, ~0.5 s of every worker's start. tests/test_kernels.py checks both against it."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)  # odd: a bijection
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHasher:
    """Signatures of `num_perm` rows; the permutations are datasketch's (seeded), drawn
    once. The signature is datasketch's affine32 MinHash of the shingle hashes, computed
    in one compiled pass (kernels.affine32_minhash: 250 -> ~30 us a 665-character text);
    tests/test_kernels.py checks it against MinHash.update_batch."""

    def __init__(self, num_perm: int = 128, ngram: int = 5, seed: int = 1):
        self.num_perm, self.ngram, self.seed = num_perm, ngram, seed
        self._a, self._b = affine32_permutations(num_perm, seed)
        self._fmix = tuple(np.uint64(c) for c in FMIX32)

    def signature(self, text: str) -> np.ndarray:
        return affine32_minhash(shingle_hashes(text, self.ngram), self._a, self._b, self._fmix)


# datasketch's answer for the default settings: computing it imports scipy and integrates
# numerically (~0.5 s of every run's start). tests/test_dedup.py checks it against datasketch.
_DEFAULT_PARAMS = {(0.5, 128, 0.5, 0.5): (25, 5)}


def lsh_params(threshold: float, num_perm: int, false_positive_weight: float = 0.5,
               false_negative_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false positive and negative probabilities
    at `threshold`, from datasketch's MinHashLSH."""
    known = _DEFAULT_PARAMS.get((threshold, num_perm, false_positive_weight, false_negative_weight))
    if known is not None:
        return known
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(false_positive_weight, false_negative_weight))
    return lsh.b, lsh.r


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[int]:
    """One key per band (kernels.band_hashes): equal exactly when the band index and its
    rows are, non-negative and below 2**63 (a Beam varint, a plain dict key)."""
    return band_hashes(np.ascontiguousarray(signature, dtype=np.uint32), bands, rows).tolist()


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))
