"""Bad configs stop the run before the pipeline starts, with one line naming the key or path."""
import os

import pytest

from zhpile.schemas.config import ConfigError, parse_config

from helpers import SAMPLE, copy_sample, run_zhpile, write_config

MINIMAL = """
sources:
  - name: cc
    format: warc
    paths: ["{cc}"]
  - name: wiki
    format: jsonl
    paths: ["{wiki}"]
mixture:
  cc: {{epochs: 1}}
  wiki: {{epochs: 2}}
"""


def _minimal(sample: str, **override) -> str:
    paths = {"cc": os.path.join(sample, "cc", "*.warc.gz"), "wiki": os.path.join(sample, "wiki", "*.jsonl")}
    paths.update(override)
    return MINIMAL.format(**paths)


def _error(capsys, tmp_path, text: str) -> str:
    code = run_zhpile("run", write_config(tmp_path, text), "--output", tmp_path / "out")
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists(), "nothing may be written for a bad config"
    return err


def test_minimal_config_from_the_issue_is_valid(tmp_path):
    config = parse_config(__import__("yaml").safe_load(_minimal(copy_sample(tmp_path))))
    assert [s.name for s in config.sources] == ["cc", "wiki"]
    assert config.mixture_entry("wiki").epochs == 2 and config.sources[1].kind == "curated"


def test_unknown_key_is_named(capsys, tmp_path):
    err = _error(capsys, tmp_path, _minimal(copy_sample(tmp_path)) + "quality:\n  min_char: 10\n")
    assert "unknown key: quality.min_char" in err


def test_unknown_key_inside_a_source_is_named(capsys, tmp_path):
    text = _minimal(copy_sample(tmp_path)).replace("format: warc", "format: warc\n    pathz: []")
    assert "unknown key: sources.0.pathz" in _error(capsys, tmp_path, text)


def test_missing_required_key_is_named(capsys, tmp_path):
    text = _minimal(copy_sample(tmp_path)).replace("    format: jsonl\n", "")
    assert "missing required key: sources.1.format" in _error(capsys, tmp_path, text)


def test_unknown_format_is_named(capsys, tmp_path):
    text = _minimal(copy_sample(tmp_path)).replace("format: jsonl", "format: csv")
    err = _error(capsys, tmp_path, text)
    assert "sources.1.format" in err and "'csv'" in err


def test_glob_matching_nothing_is_named(capsys, tmp_path):
    sample = copy_sample(tmp_path)
    missing = os.path.join(sample, "nowhere", "*.warc.gz")
    err = _error(capsys, tmp_path, _minimal(sample, cc=missing))
    assert "sources[0].paths[0]" in err and missing in err


def test_mixture_for_unknown_source_is_named(capsys, tmp_path):
    text = _minimal(copy_sample(tmp_path)) + "  books: {epochs: 1}\n"
    assert "mixture.books" in _error(capsys, tmp_path, text)


def test_wrong_type_is_named(capsys, tmp_path):
    text = _minimal(copy_sample(tmp_path)) + "quality:\n  min_chars: many\n"
    assert "quality.min_chars" in _error(capsys, tmp_path, text)


def test_not_a_mapping_and_bad_yaml(capsys, tmp_path):
    assert "mapping" in _error(capsys, tmp_path, "- just\n- a list\n")
    assert "invalid YAML" in _error(capsys, tmp_path, "sources: [\n")


def test_missing_config_file(capsys, tmp_path):
    assert run_zhpile("run", tmp_path / "absent.yaml", "--output", tmp_path / "out") == 2
    assert "cannot read config" in capsys.readouterr().err


def test_thresholds_have_defaults_and_can_be_overridden(tmp_path):
    import yaml

    data = yaml.safe_load(_minimal(copy_sample(tmp_path)))
    default = parse_config(data)
    assert default.quality.min_chars == 100 and default.langid.min_score == 0.5
    data["quality"] = {"min_chars": 50, "max_char_run": 20}
    data["langid"] = {"min_score": 0.9}
    custom = parse_config(data)
    assert custom.quality.min_chars == 50 and custom.quality.max_char_run == 20 and custom.langid.min_score == 0.9
    assert custom.quality.min_han_ratio == default.quality.min_han_ratio


def test_parse_config_rejects_duplicate_source_names():
    with pytest.raises(ConfigError, match="duplicate source name"):
        parse_config({"sources": [{"name": "a", "format": "warc", "paths": ["x"]}] * 2})


def test_override_changes_the_run(tmp_path):
    """A lowered min_chars keeps the short entry the default rejects."""
    sample = copy_sample(tmp_path)
    config = write_config(tmp_path, _minimal(sample) + "quality:\n  min_chars: 5\n")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    from helpers import RunOutput

    run = RunOutput(str(tmp_path / "out"))
    assert not [r for r in run.rejected if r["reason"] == "too_short"]
    from zhpile.filters.ids import doc_id

    assert doc_id("wiki", "wiki-stub") in {r["id"] for r in run.clean["wiki"]}


def test_non_empty_output_is_refused_then_replaced_with_overwrite(capsys, tmp_path):
    sample = copy_sample(tmp_path)
    config = write_config(tmp_path, _minimal(sample))
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.parquet").write_text("from another run")
    assert run_zhpile("run", config, "--output", out) == 2
    assert "not empty" in capsys.readouterr().err and (out / "stale.parquet").exists()
    assert run_zhpile("run", config, "--output", out, "--overwrite") == 0
    assert not (out / "stale.parquet").exists() and (out / "_SUCCESS").exists()


def test_unwritable_output_is_a_clear_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a directory")
    config = write_config(tmp_path, _minimal(copy_sample(tmp_path)))
    assert run_zhpile("run", config, "--output", blocker / "out") == 2
    assert "not writable" in capsys.readouterr().err


def test_dry_run_lists_inputs_estimates_and_writes_nothing(tmp_path, capsys):
    assert run_zhpile("run", os.path.join(SAMPLE, "config.yaml"), "--output", tmp_path / "out", "--dry-run") == 0
    printed = capsys.readouterr().out
    assert "cc (warc): 2 files" in printed and "wiki (jsonl): 1 files" in printed and "crawl-00001.warc.gz" in printed
    assert "local runner estimate" in printed and "too big" not in printed
    assert not (tmp_path / "out").exists()
    with open(tmp_path / "huge.warc.gz", "wb") as f:  # sparse: no disk used
        # as many MB as this machine has: ~2.2x its memory at 2.2 MB per MB of WARC.gz
        f.truncate(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    config = write_config(tmp_path, 'sources:\n  - {name: cc, format: warc, paths: ["huge.warc.gz"]}\n')
    assert run_zhpile("run", config, "--output", tmp_path / "out", "--dry-run") == 0
    assert "too big for the local runner" in capsys.readouterr().out
