"""Pile-style mixing: how many copies of a document, and where each copy goes."""
from __future__ import annotations

import math

from .ids import unit_float, unit_hash


def epoch_copies(doc_id: str, epochs: float, seed: int) -> range:
    """Epoch indexes of the copies of a document: floor(epochs) full passes, plus one
    more for a deterministic fraction (epochs - floor(epochs)) of the documents."""
    full = math.floor(epochs)
    extra = 1 if unit_float(seed, "frac", doc_id) < epochs - full else 0
    return range(full + extra)


def shard_of(doc_id: str, epoch: int, n_shards: int, seed: int) -> int:
    """Copies of one document go to consecutive shards, so repeats never share one
    (while epochs <= n_shards)."""
    return (unit_hash(seed, "shard", doc_id) + epoch) % n_shards


def shuffle_key(doc_id: str, epoch: int, seed: int) -> int:
    """Order of rows inside a shard: a seeded global shuffle."""
    return unit_hash(seed, "order", doc_id, epoch)
