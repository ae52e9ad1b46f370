"""`zhpile train-quality`: distil labels (an LLM's scores or classes, or GPT-3's curated vs
crawl) into a fastText scorer. Reading, segmenting and splitting go through Beam
(job/labels.py), so the labels can be any size and any runner can do it; fastText then
trains in this process, streaming the training file (single thread, fixed seed: the
same labels give the same model), and the held-out lines are scored for the evaluation
written beside the model (MODEL.eval.json)."""
from __future__ import annotations

import json
import math
import os
import shutil

from apache_beam.io.filesystems import FileSystems

from zhpile.filters.classifier import NEGATIVE, POSITIVE, evaluate, grade_values
from zhpile.schemas.config import ConfigError

from .job.labels import build_label_pipeline
from .job.parts import PART_INPUT_BYTES, part_count
from .run import runner_and_options

SHARD_INPUT_BYTES = 256 << 20  # input bytes per training shard


def _input_bytes(pattern: str) -> int:
    matched = FileSystems.match([pattern])[0].metadata_list
    if not matched:
        raise ConfigError(f"no file matches {pattern}")
    return sum(m.size_in_bytes for m in matched)


def _concatenate(work: str, split: str, target: str) -> int:
    """WORK/split-*.txt, in shard order, into one file; returns its lines."""
    lines = 0
    with open(target, "wb") as out:
        for path in sorted(m.path for m in FileSystems.match([f"{work}/{split}-*.txt"])[0].metadata_list):
            with FileSystems.open(path, compression_type="uncompressed") as f:
                for line in f:
                    out.write(line)
                    lines += 1
    return lines


def _held_out(model, holdout: str, labels: list[str]) -> dict:
    grades = grade_values(labels)

    def triples():
        with open(holdout, encoding="utf-8") as f:
            for line in f:
                true, _, words = line.rstrip("\n").partition(" ")
                predicted, probs = model.predict(words, k=len(labels))
                p = dict(zip(predicted, (float(x) for x in probs)))
                score = (sum(grades[k] * v for k, v in p.items()) if grades
                         else p.get(POSITIVE, p.get(predicted[0], 0.0)))
                yield true, predicted[0], score

    return {"graded": grades is not None, **evaluate(triples(), grades is not None)}


def train_quality(args, beam_args: list[str]) -> int:
    import fasttext

    if args.labels:
        inputs = [(args.labels, None)]
    elif args.positive and args.negative:
        inputs = [(args.positive, POSITIVE), (args.negative, NEGATIVE)]
    else:
        raise ConfigError("give --labels FILE, or --positive and --negative (GPT-3's recipe)")
    total = sum(_input_bytes(pattern) for pattern, _ in inputs)
    shards = max(1, math.ceil(total / SHARD_INPUT_BYTES))
    work = f"{args.output}.work"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    import apache_beam as beam

    runner, options = runner_and_options(beam_args)
    with beam.Pipeline(runner=runner, options=options) as p:
        build_label_pipeline(p, inputs, args.field, args.label_field if args.labels else None, args.holdout, args.seed,
                             shards, work, part_count(total / shards, PART_INPUT_BYTES))
    with open(f"{work}/counts.json", encoding="utf-8") as f:
        counts = json.load(f)
    train_file, holdout_file = f"{work}/train.txt", f"{work}/holdout.txt"
    n_train, n_holdout = _concatenate(work, "train", train_file), _concatenate(work, "holdout", holdout_file)
    labels = sorted(set(counts["lines"].get("train", {})) | set(counts["lines"].get("holdout", {})))
    if n_train == 0 or len(set(counts["lines"].get("train", {}))) < 2:
        raise ConfigError(f"need training documents of at least two labels (have {counts['lines'].get('train', {})}; "
                          f"rejected {counts['rejected']})")
    model = fasttext.train_supervised(train_file, epoch=args.epoch, wordNgrams=2, dim=64, thread=1, seed=args.seed,
                                      minCount=1, verbose=0)
    model.save_model(args.output)
    print(f"zhpile: trained on {n_train:,} documents ({', '.join(f'{k}: {v:,}' for k, v in sorted(counts['lines']['train'].items()))})"
          f" -> {args.output}" + (f"; rejected {counts['rejected']}" if counts["rejected"] else ""))
    report = {"model": args.output, "inputs": [p for p, _ in inputs], "seed": args.seed, "epoch": args.epoch,
              "holdout_share": args.holdout, "lines": counts["lines"], "rejected": counts["rejected"]}
    if n_holdout:
        held = _held_out(model, holdout_file, labels)
        report["held_out"] = held
        extra = (f", Pearson {held.get('pearson')}, Spearman {held.get('spearman')}" if held["graded"] else "")
        print(f"held out {n_holdout:,}: accuracy {held['accuracy']:.3f}, macro F1 {held['macro_f1']:.3f}{extra}")
    with open(f"{args.output}.eval.json", "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
    shutil.rmtree(work, ignore_errors=True)
    return 0
