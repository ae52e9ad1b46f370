"""The library API: explain() agrees with the pipeline document by document, run() with
the CLI, and the README's examples run as written."""
import doctest
import json
import os
import re

import pytest

import zhpile
from sample_data.articles import EN, JA, ZH

from helpers import ROOT, SAMPLE, RunOutput, write_config


def _zh(key: str) -> str:
    return "\n".join([ZH[key][0], *ZH[key][1]])


TEXTS = {
    "good": _zh("tea"),
    "short": "今天天气很好。",
    "slashes": _zh("river") + "\n" + "/" * 20_000,
    "english": "\n".join([EN[next(iter(EN))][0], *EN[next(iter(EN))][1]]),
    "japanese": "\n".join([JA[0], *JA[1]]),
    "pattern": _zh("moon") + "\n" + "-=" * 500,
    "good2": _zh("rice"),
}


def test_explain_gives_the_pipelines_decision_for_each_document(tmp_path):
    lines = [json.dumps({"id": key, "text": text}, ensure_ascii=False) for key, text in TEXTS.items()]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = write_config(tmp_path, 'sources:\n  - {name: explain, format: jsonl, paths: ["docs.jsonl"]}\n'
                                    "dedup: {exact: false, near: false, lines: false}\n")
    report = zhpile.run(config, str(tmp_path / "out"))
    assert report["accounting_ok"] is True
    run = RunOutput(str(tmp_path / "out"))
    from zhpile.filters.ids import doc_id

    outcome = {r["id"]: r["reason"] for r in run.rejected}
    outcome.update({r["id"]: None for r in run.all_clean()})
    reasons = set()
    for key, text in TEXTS.items():
        answer = zhpile.explain(text)
        assert answer["reason"] == outcome[doc_id("explain", key)], key
        assert (answer["decision"] == "keep") == (answer["reason"] is None)
        reasons.add(answer["reason"])
    assert len(reasons) >= 4  # the texts reach different stages


def test_explain_names_the_threshold_and_reads_html():
    answer = zhpile.explain(TEXTS["good"], {"quality": {"min_chars": 10_000}})
    assert answer["reason"] == "too_short" and answer["threshold"] == {"name": "min_chars", "value": 10_000}
    assert answer["signals"]["n_chars"] == len(TEXTS["good"])
    page = "<html><body><nav><a href='/'>首页</a></nav><article><p>" + "</p><p>".join(ZH["tea"][1]) + "</p></article></body></html>"
    answer = zhpile.explain(page)
    assert answer["decision"] == "keep" and answer["text"].startswith(ZH["tea"][1][0]) and "首页" not in answer["text"]


def test_run_gives_the_clis_result(tmp_path, sample_run):
    zhpile.run(os.path.join(SAMPLE, "config.yaml"), str(tmp_path / "out"))
    again = RunOutput(str(tmp_path / "out"))
    assert sorted(r["id"] for r in again.all_clean()) == sorted(r["id"] for r in sample_run.all_clean())
    assert sorted((r["id"], r["reason"]) for r in again.rejected) == sorted((r["id"], r["reason"]) for r in sample_run.rejected)


def _readme_examples() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```pycon\n(.*?)```", f.read(), re.S)
    return "\n".join(blocks)


def test_readme_examples_run_as_written():
    examples = _readme_examples()
    assert examples.count(">>>") >= 4
    test = doctest.DocTestParser().get_doctest(examples, {}, "README.md", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} README example(s) failed (run pytest -s to see them)"
