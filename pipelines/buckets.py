"""Many small keyed entries through Beam's shuffle as a few batches.

LSH band keys (25 a document) and line keys (~10 a document) are nearly all distinct, so
grouping them by their own key costs the shuffle one element each (~10 us on the local
runner: 500,000 band keys took 4.8 s to group one by one). Instead each worker batches its entries by a
bucket of their key and the shuffle groups the batches by bucket; the consumer regroups
a bucket's entries in memory, holding the distinct keys of that bucket only. The bucket
count grows with the input (`bucket_count`): buckets stay small on a whole crawl, and
batches stay large on a laptop. Results do not depend on the bucket count."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindows

MAX_BUFFERED = 100_000  # entries a worker holds before it emits its batches


def bucket_count(input_files: int) -> int:
    """64 buckets an input file (a Common Crawl file holds ~30k pages), within [256, 2**20]:
    a crawl snapshot's 90,000 files give ~10k band keys a bucket."""
    return min(2 ** 20, max(256, 64 * input_files))


class BatchByBucket(beam.DoFn):
    """element -> (bucket, [entry, ...]) batches, from the (bucket, entry) pairs that
    `entries(element)` gives; emitted every MAX_BUFFERED entries and at the bundle's end.
    The pipeline's data is in the global window (nothing here windows it)."""

    def __init__(self, entries):
        self.entries = entries
        self.batches: dict = {}
        self.buffered = 0

    def start_bundle(self):
        self.batches, self.buffered = {}, 0

    def process(self, element):
        batches = self.batches
        for bucket, entry in self.entries(element):
            batch = batches.get(bucket)
            if batch is None:
                batches[bucket] = [entry]
            else:
                batch.append(entry)
            self.buffered += 1
        if self.buffered >= MAX_BUFFERED:
            yield from self._drain()

    def finish_bundle(self):
        for batch in self._drain():
            yield GlobalWindows.windowed_value(batch)

    def _drain(self):
        batches, self.batches, self.buffered = self.batches, {}, 0
        return list(batches.items())
