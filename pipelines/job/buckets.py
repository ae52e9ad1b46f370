"""Many small keyed entries through Beam's shuffle as a few batches.

LSH band keys (25 a document) and line keys (~10 a document) are nearly all distinct, so
grouping them by their own key costs the shuffle one element each (~10 us on the local
runner: 500,000 band keys took 4.8 s to group one by one). Instead each worker batches
its entries by a bucket of their key and the shuffle groups the batches by bucket; the
consumer regroups a bucket's entries in memory, holding the distinct keys of that bucket
only. The bucket count grows with the input (`bucket_count`): buckets stay small on a
whole crawl, and batches stay large on a laptop. Results do not depend on the bucket
count. `PerBundle` is the mechanism (the statistics sum per bundle with it too)."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindows

def bucket_count(input_files: int) -> int:
    """64 buckets an input file (a Common Crawl file holds ~30k pages), within [256, 2**20]:
    a crawl snapshot's 90,000 files give ~10k band keys a bucket."""
    return min(2 ** 20, max(256, 64 * input_files))


class PerBundle(beam.DoFn):
    """Holds, per key, what `items(element)` gives over a bundle (each subclass's `add`
    says how) and emits (key, held) pairs at the bundle's end, or earlier once `size`
    reaches `limit`. The pipeline's data is in the global window (nothing here windows it)."""

    limit = 100_000

    def __init__(self, items):
        self.items = items
        self.held: dict = {}
        self.size = 0

    def add(self, key, value) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def start_bundle(self):
        self.held, self.size = {}, 0

    def process(self, element):
        for key, value in self.items(element):
            self.add(key, value)
        if self.size >= self.limit:
            yield from self._drain()

    def finish_bundle(self):
        for pair in self._drain():
            yield GlobalWindows.windowed_value(pair)

    def _drain(self):
        held, self.held, self.size = self.held, {}, 0
        return list(held.items())


class BatchByBucket(PerBundle):
    """element -> (bucket, [entry, ...]) batches, from the (bucket, entry) pairs that
    `items(element)` gives; at most `limit` entries held."""

    def add(self, bucket, entry) -> None:
        batch = self.held.get(bucket)
        if batch is None:
            self.held[bucket] = [entry]
        else:
            batch.append(entry)
        self.size += 1
