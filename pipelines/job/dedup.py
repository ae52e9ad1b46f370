"""Corpus-wide deduplication through Beam's shuffle: exact duplicates, MinHash near
duplicates with connected components computed inside Beam, and removal of lines that
recur across documents.

Only light fingerprints (id, rank, text hash, signature, line keys) go through the
grouping steps; full documents are shuffled once, in the final join by id.
"""
from __future__ import annotations

import collections
import zlib

import apache_beam as beam
import numpy as np

from zhpile.filters.base import Drop
from zhpile.filters.connected_components import large_star, small_star
from zhpile.filters.dedup import cluster_size_bin, exact_key
from zhpile.filters.lines import line_keys, remove_lines
from zhpile.filters.minhash import MinHasher, band_keys, estimated_jaccard, lsh_params

from .buckets import BatchByBucket, bucket_count
from ..io.records import REJECTED, counter, rejection_row
from .stage import KEPT

STATS = "stats"


class _Fingerprint(beam.DoFn):
    """doc -> (id, fingerprint). The MinHash permutations are drawn once per worker."""

    def __init__(self, cfg, rank):
        self.cfg, self.rank, self.hasher = cfg, rank, None

    def setup(self):
        self.hasher = MinHasher(self.cfg.num_perm, self.cfg.ngram, self.cfg.seed)

    def process(self, doc):
        text = doc["text"]
        yield doc["id"], {
            "node": (self.rank[doc["source"]], doc["id"]),
            "text_hash": exact_key(text),
            "sig": self.hasher.signature(text).tobytes() if self.cfg.near else b"",
            "lines": line_keys(text) if self.cfg.lines else [],
        }


def _losers_of_group(element):
    """All members of a group but its smallest: (id, winner id). Two passes over the
    grouped values (re-iterable in Beam), so a huge group is never held in memory."""
    _key, nodes = element
    winner = min(nodes)
    for node in nodes:
        if node != winner:
            yield node[1], winner[1]


def _band_entries(bands: int, rows: int, buckets: int):
    """(id, fingerprint) -> its (bucket, (band key, node)) entries, one per band."""
    def entries(kv):
        node = kv[1]["node"]
        return [(key % buckets, (key, node)) for key in band_keys(np.frombuffer(kv[1]["sig"], dtype=np.uint32), bands, rows)]
    return entries


def _bucket_candidates(element):
    """A bucket of (band key, node) batches -> per band key a star of candidate edges,
    (member id, ("cand", (root, member))), from its smallest member to every other.
    Two passes over the grouped batches (re-iterable in Beam): the first keeps each
    key's smallest node (memory: the bucket's distinct keys), the second streams the
    edges, so a key shared by a million pages is never loaded whole."""
    _bucket, batches = element
    roots: dict = {}
    for batch in batches:
        for key, node in batch:
            root = roots.get(key)
            if root is None or node < root:
                roots[key] = node
    for batch in batches:
        for key, node in batch:
            root = roots[key]
            if node != root:
                yield node[1], ("cand", (root, node))


def _signature_of(values) -> bytes:
    """The ("sig", signature) entry among a node's grouped, tagged values: every node in a
    candidate edge has its fingerprint."""
    return next(value for tag, value in values if tag == "sig")


def _attach_member_signature(element):
    """(member id, tagged values) -> (root id, ("cand", (root, member, member signature))).
    Grouped values are re-iterable: one pass finds the signature, one reads the edges, so
    no node's edges are held in memory (unlike a CoGroupByKey's lists)."""
    _id, values = element
    sig = _signature_of(values)
    for tag, value in values:
        if tag == "cand":
            root, member = value
            yield root[1], ("cand", (root, member, sig))


class _VerifiedEdges(beam.DoFn):
    """(root id, tagged values) -> the (root, member) edges whose signatures agree at the
    threshold (all of them without verification). A root with a million candidates (a
    template copied across a site) is streamed, not loaded."""

    def __init__(self, threshold: float, verify: bool):
        self.threshold, self.verify = threshold, verify

    def process(self, element):
        _id, values = element
        anchor = np.frombuffer(_signature_of(values), dtype=np.uint32)
        for tag, value in values:
            if tag == "cand":
                root, member, sig = value
                if not self.verify or estimated_jaccard(anchor, np.frombuffer(sig, dtype=np.uint32)) >= self.threshold:
                    yield root, member


def _star_round(edges, label: str, step):
    """One round: group edges by node, apply the star step. Edges emitted twice are not
    made distinct (a shuffle more): the next round's grouping collapses them in a set."""
    keyed = (edges | f"{label}Emit" >> beam.FlatMap(lambda e: [(e[0], e[1]), (e[1], e[0])]))
    if step is small_star:  # small-star only looks at smaller neighbours
        keyed = keyed | f"{label}Smaller" >> beam.Filter(lambda kv: kv[1] < kv[0])
    return (keyed
            | f"{label}Group" >> beam.GroupByKey()
            | f"{label}Star" >> beam.FlatMap(lambda kv: step(kv[0], set(kv[1]))))


class ConnectedComponents(beam.PTransform):
    """Edges -> (node, root) for every non-root node, by alternating large-star and
    small-star rounds unrolled `rounds` times. Also emits, on a second output, the number
    of nodes still not attached directly to a root (0 means converged)."""

    def __init__(self, rounds: int):
        super().__init__()
        self.rounds = rounds

    def expand(self, edges):
        for i in range(self.rounds):
            edges = _star_round(edges, f"Large{i}", large_star)
            edges = _star_round(edges, f"Small{i}", small_star)
        parents = (edges
                   | "ToParent" >> beam.Map(lambda e: (max(e), min(e)))
                   | "Parent" >> beam.CombinePerKey(min))
        # Converged when no parent is itself a child: every component is a star.
        unconverged = (({"child": parents | "AsChild" >> beam.Map(lambda kv: (kv[0], 1)),
                         "parent": parents | "AsParent" >> beam.Map(lambda kv: (kv[1], 1))})
                       | "CheckStar" >> beam.CoGroupByKey()
                       | "Violations" >> beam.Map(lambda kv: int(bool(kv[1]["child"]) and bool(kv[1]["parent"])))
                       | "CountViolations" >> beam.CombineGlobally(sum))
        return parents, unconverged


class _Resolve(beam.DoFn):
    """Final join by id: drop exact and near duplicates, remove recurring lines."""

    def __init__(self, prefix_chars: int):
        self.prefix_chars = prefix_chars

    def process(self, element):
        _id, grouped = element
        exact, near = list(grouped["exact"]), list(grouped["near"])
        for doc in grouped["doc"]:
            if exact:
                # The kept copy: the component's root when the exact winner itself was a
                # near duplicate of something (exact copies share its component).
                kept = near[0][1] if near else exact[0]
                yield self._reject(doc, Drop("dup_exact", f"duplicate of {kept}"))
            elif near:
                yield self._reject(doc, Drop("dup_near", f"near-duplicate of {near[0][1]}"))
            else:
                doc["dup_cluster_size"] = 1 + sum(grouped["copies"])
                keys = set(grouped["lines"])
                if keys:
                    doc["text"], n_lines, n_bytes = remove_lines(doc["text"], keys)
                    counter("zhpile.dedup", "lines_removed").inc(n_lines)
                    yield beam.pvalue.TaggedOutput(STATS, (("lines_removed", doc["source"]), [n_lines, n_bytes, 0, 0]))
                yield doc

    def _reject(self, doc, drop):
        counter("zhpile.rejected", f"dedup.{drop.reason}").inc()
        return beam.pvalue.TaggedOutput(REJECTED, rejection_row(doc, "dedup", drop, self.prefix_chars))


def _kept_copy(element):
    """A dropped document's id -> (the id kept in its place, 1): its near component's root
    (exact copies are in the same component), else its exact winner."""
    _id, grouped = element
    near = list(grouped["near"])
    return (near[0][1] if near else list(grouped["exact"])[0]), 1


def _salt(doc_id: str, salts: int) -> int:
    return zlib.crc32(doc_id.encode()) % salts


def _line_pairs(buckets: int, salts: int):
    """(id, line keys) -> ((bucket, salt), (line, id)) entries: a line's documents spread
    over `salts` buckets by document, so a footer on millions of pages is joined by many
    workers."""
    def entries(kv):
        doc_id, lines = kv
        salt = _salt(doc_id, salts)
        return [((line % buckets, salt), (line, doc_id)) for line in lines]
    return entries


def _frequent_lines(element, min_docs: int, salts: int):
    """A bucket of line-key batches -> ((bucket, salt), ("frequent", lines)) for each salt,
    the lines in at least `min_docs` documents (a document lists a line once)."""
    bucket, batches = element
    counts: collections.Counter = collections.Counter()
    for batch in batches:
        counts.update(batch)
    lines = sorted(line for line, n in counts.items() if n >= min_docs)
    if lines:
        for salt in range(salts):
            yield (bucket, salt), ("frequent", lines)


def _line_removals(element):
    """(bucket, salt) with its frequent lines and (line, id) batches -> (id, line) to remove;
    the batches are streamed (a second pass), not loaded."""
    _key, values = element
    frequent = set()
    for tag, value in values:
        if tag == "frequent":
            frequent.update(value)
    if frequent:
        for tag, value in values:
            if tag == "pairs":
                for line, doc_id in value:
                    if line in frequent:
                        yield doc_id, line


class Deduplicate(beam.PTransform):
    """docs -> (kept docs, rejected rows, stats). Exact duplicates by a hash of the
    normalised text; near duplicates by MinHash LSH and connected components; then lines
    found in at least `line_min_docs` surviving documents are removed from all of them.
    Winners: source priority (curated before crawl), then the smallest id."""

    def __init__(self, config, input_files: int = 1):
        super().__init__()
        self.cfg = config.dedup
        self.buckets = bucket_count(input_files)
        self.rank = config.source_rank()
        self.prefix_chars = config.output.text_prefix_chars

    def expand(self, docs):
        cfg = self.cfg
        p = docs.pipeline
        fps = docs | "Fingerprint" >> beam.ParDo(_Fingerprint(cfg, self.rank))

        empty = p | "NoLosers" >> beam.Create([])
        exact = empty
        if cfg.exact:
            exact = (fps
                     | "ByTextHash" >> beam.Map(lambda kv: (kv[1]["text_hash"], kv[1]["node"]))
                     | "GroupTextHash" >> beam.GroupByKey()
                     | "ExactLosers" >> beam.FlatMap(_losers_of_group))

        near, unconverged = p | "NoNear" >> beam.Create([]), None
        if cfg.near:
            bands, rows = lsh_params(cfg.threshold, cfg.num_perm, cfg.false_positive_weight, cfg.false_negative_weight)
            # Buckets carry ids only; signatures join the (few, distinct) candidate edges
            # afterwards, once per side: 25 bands x 512 bytes of signature per document
            # made the band shuffle the run's largest (and the local runner's peak memory).
            sigs = fps | "Signature" >> beam.Map(lambda kv: (kv[0], ("sig", kv[1]["sig"])))
            candidates = (fps
                          | "BandBatches" >> beam.ParDo(BatchByBucket(_band_entries(bands, rows, self.buckets)))
                          | "GroupBand" >> beam.GroupByKey()
                          | "BucketCandidates" >> beam.FlatMap(_bucket_candidates)
                          | "DistinctCandidates" >> beam.Distinct())
            edges = ((candidates, sigs)
                     | "WithMemberSig" >> beam.Flatten()
                     | "GroupByMember" >> beam.GroupByKey()
                     | "MemberSig" >> beam.FlatMap(_attach_member_signature))
            edges = ((edges, sigs)
                     | "WithRootSig" >> beam.Flatten()
                     | "GroupByRoot" >> beam.GroupByKey()
                     | "VerifiedEdges" >> beam.ParDo(_VerifiedEdges(cfg.threshold, cfg.verify)))
            parents, unconverged = edges | "Components" >> ConnectedComponents(cfg.cc_rounds)
            near = parents | "NearLosers" >> beam.Map(lambda kv: (kv[0][1], kv[1]))

        # Every dropped copy counts for the document kept in its place (FineWeb-2 keeps the
        # cluster size for rehydration): ids only, no text, go through this join.
        copies = (({"exact": exact, "near": near})
                  | "JoinLosers" >> beam.CoGroupByKey()
                  | "KeptCopy" >> beam.Map(_kept_copy)
                  | "ClusterSize" >> beam.CombinePerKey(sum))
        cluster_stats = [copies | "SizeStat" >> beam.Map(lambda kv: (("dup_cluster", cluster_size_bin(kv[1] + 1)), [1, 0, 0, 0]))]

        removals = p | "NoRemovals" >> beam.Create([])
        if cfg.lines:
            line_sets = fps | "LineKeys" >> beam.Map(lambda kv: (kv[0], kv[1]["lines"]))
            survivors = (({"lines": line_sets, "exact": exact, "near": near})
                         | "JoinFingerprints" >> beam.CoGroupByKey()
                         | "SurvivorLines" >> beam.FlatMap(
                             lambda kv: [] if (list(kv[1]["exact"]) or list(kv[1]["near"]))
                             else [(kv[0], lines) for lines in kv[1]["lines"]]))
            # Counted per line, then joined back to the documents holding a frequent line,
            # both in bucket batches (pipelines/job/buckets.py).
            salts = cfg.line_salts
            buckets = max(1, self.buckets // salts)
            frequent = (survivors
                        | "LineBatches" >> beam.ParDo(BatchByBucket(lambda kv: [(line % buckets, line) for line in kv[1]]))
                        | "GroupLines" >> beam.GroupByKey()
                        | "FrequentLines" >> beam.FlatMap(_frequent_lines, cfg.line_min_docs, salts))
            pairs = (survivors
                     | "LinePairBatches" >> beam.ParDo(BatchByBucket(_line_pairs(buckets, salts)))
                     | "TagPairs" >> beam.Map(lambda kv: (kv[0], ("pairs", kv[1]))))
            removals = ((frequent, pairs)
                        | "WithFrequent" >> beam.Flatten()
                        | "GroupLinePairs" >> beam.GroupByKey()
                        | "Removals" >> beam.FlatMap(_line_removals))

        out = ({"doc": docs | "ById" >> beam.Map(lambda d: (d["id"], d)),
                "exact": exact, "near": near, "lines": removals, "copies": copies}
               | "JoinById" >> beam.CoGroupByKey()
               | "Resolve" >> beam.ParDo(_Resolve(self.prefix_chars)).with_outputs(REJECTED, STATS, main=KEPT))
        stats = [out[STATS], *cluster_stats]
        if unconverged is not None:
            stats.append(unconverged | "ConvergenceStat" >> beam.Map(lambda n: (("cc_unconverged",), [n, 0, 0, 0])))
        return out[KEPT], out[REJECTED], stats | "DedupStats" >> beam.Flatten()
