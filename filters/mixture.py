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


def rehydrate_copies(table: dict[int, float] | None, cluster_size: int | None) -> float:
    """FineWeb-2's rehydration: the copies a document of this duplicate-cluster size gets,
    the entry of the largest size in `table` not above it (1 without a table)."""
    if not table:
        return 1.0
    size = cluster_size or 1
    return table[max((k for k in table if k <= size), default=min(table))]


def shard_of(doc_id: str, epoch: int, n_shards: int, seed: int) -> int:
    """Copies of one document go to consecutive shards, so repeats never share one
    (while epochs <= n_shards)."""
    return (unit_hash(seed, "shard", doc_id) + epoch) % n_shards


def shuffle_key(doc_id: str, epoch: int, seed: int) -> int:
    """Order of rows inside a shard: a seeded global shuffle."""
    return unit_hash(seed, "order", doc_id, epoch)


class MixtureError(ValueError):
    """A mixture the clean sizes cannot satisfy."""


def plan_epochs(sizes: dict[str, float], epochs: dict[str, float | None], weights: dict[str, float | None],
                target: float | None = None) -> dict[str, float]:
    """Epochs per source from the clean sizes (bytes or tokens) and each source's given
    epochs or weight (share of the mixture), with an optional total target size.

    - epochs only: kept as given; a target scales them all by the same factor;
    - weights only: they sum to 1, and fill the target (default: one pass over all sources);
    - both: weighted sources take their share of the total, the rest keep their epochs.
    """
    weighted = {s: w for s, w in weights.items() if w is not None}
    fixed = {s: e for s, e in epochs.items() if s not in weighted}
    for source, w in weighted.items():
        if w > 0 and sizes.get(source, 0) <= 0:
            raise MixtureError(f"mixture.{source}: weight {w:g} but the source has no clean documents")
    fixed_size = sum(fixed[s] * sizes.get(s, 0) for s in fixed)
    if not weighted:
        if target is None or fixed_size == 0:
            return dict(fixed)
        return {s: e * target / fixed_size for s, e in fixed.items()}
    share = sum(weighted.values())
    if not fixed:
        if abs(share - 1) > 1e-6:
            raise MixtureError(f"mixture: weights sum to {share:g}, not 1")
        total = target if target is not None else sum(sizes.get(s, 0) for s in weighted)
    else:
        if share >= 1:
            raise MixtureError(f"mixture: weights sum to {share:g}, leaving no room for the sources given in epochs")
        total = fixed_size / (1 - share)
        if target is not None and abs(total - target) > 0.01 * target:
            raise MixtureError(f"mixture: the sources given in epochs fill {fixed_size:.0f} of the {target:.0f} target, "
                               f"which with weights summing to {share:g} cannot add up; give weights to all sources or no target")
    plan = dict(fixed)
    plan.update({s: w * total / sizes[s] if w > 0 else 0.0 for s, w in weighted.items()})
    return plan
