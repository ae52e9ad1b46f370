"""datatrove on the benchmark corpus, with steps comparable to zhpile's (benchmark only;
run with a Python that has datatrove, spacy and jieba, see benchmarks/compare.py).

    python benchmarks/datatrove_pipeline.py CORPUS_DIR OUT_DIR LID_MODEL [--no-minhash]

WarcReader -> Trafilatura -> LanguageFilter(zh) -> GopherRepetitionFilter -> GopherQualityFilter
(Chinese settings) -> JsonlWriter, then MinHash dedup (signatures, buckets, clusters, filter),
each of the five stages a LocalPipelineExecutor job on one worker. Offline: the lid.176 model
is put where datatrove caches it.

Each stage runs in a fresh process, as separate datatrove jobs do: in one process the
executor deep-copies the MinHash step after the Gopher filter has loaded the spaCy+jieba
word tokenizer, which fails ("TypeError: cannot pickle 'module' object", datatrove 0.10.1).
"""
import os
import shutil
import subprocess
import sys


def place_lid_model(model: str) -> None:
    from datatrove.io import strip_protocol
    from datatrove.utils.lid import FT176LID
    from huggingface_hub import cached_assets_path

    # The file name datatrove's cached_asset_path_or_download looks for.
    folder = cached_assets_path(library_name="datatrove", namespace="lid", subfolder=FT176LID.MODEL_SUBFOLDER)
    target = os.path.join(str(folder), strip_protocol(FT176LID.MODEL_URL).replace("/", "_"))
    if not os.path.exists(target + ".completed"):
        shutil.copy(model, target)
        open(target + ".completed", "w").close()  # datatrove's "download finished" marker


def stages(corpus: str, out: str, with_minhash: bool):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter, LanguageFilter
    from datatrove.pipeline.readers import JsonlReader, WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    minhash = MinhashConfig()
    filtered, sigs, buckets, clusters, final = (os.path.join(out, d) for d in ("filtered", "sigs", "buckets", "clusters", "final"))
    steps = [
        [WarcReader(corpus, glob_pattern="*.warc.gz"),
         Trafilatura(favour_precision=True, timeout=10),
         LanguageFilter(languages=["zh"], language_threshold=0.65),
         GopherRepetitionFilter(language="cmn_Hani"),
         # Gopher's English word rules reject all Chinese: Chinese settings (jieba words).
         GopherQualityFilter(language="cmn_Hani", min_doc_words=50, min_avg_word_length=1, max_avg_word_length=4,
                             max_non_alpha_words_ratio=None, min_stop_words=2,
                             stop_words=["的", "了", "是", "在", "和", "有", "也", "不", "就", "都", "我", "这"]),
         JsonlWriter(filtered)],
        [JsonlReader(filtered), MinhashDedupSignature(output_folder=sigs, config=minhash, language="cmn_Hani")],
        [MinhashDedupBuckets(input_folder=sigs, output_folder=buckets, config=minhash)],
        [MinhashDedupCluster(input_folder=buckets, output_folder=clusters, config=minhash)],
        [JsonlReader(filtered), MinhashDedupFilter(input_folder=clusters), JsonlWriter(final)],
    ]
    if not with_minhash:
        steps = steps[:1]
        steps[0][-1] = JsonlWriter(final)
    return [LocalPipelineExecutor(pipeline=pipeline, tasks=minhash.num_buckets if i == 2 else 1, workers=1,
                                  logging_dir=os.path.join(out, f"logs{i}"))
            for i, pipeline in enumerate(steps)]


def main(corpus: str, out: str, model: str, *flags: str) -> None:
    with_minhash = "--no-minhash" not in flags
    if "--stage" in flags:
        stages(corpus, out, with_minhash)[int(flags[flags.index("--stage") + 1])].run()
        return
    place_lid_model(model)
    for i in range(5 if with_minhash else 1):
        subprocess.run([sys.executable, os.path.abspath(__file__), corpus, out, model, *flags, "--stage", str(i)], check=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
