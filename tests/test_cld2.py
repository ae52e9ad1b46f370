"""Common Crawl's CLD2 labels drop non-Chinese pages before extraction (`lang_cld2`), from
the metadata record after each WARC response or a WET record's header; unlabelled pages go
on to zhpile's language ID."""
import gzip
import json

from sample_data.articles import ZH
from sample_data.make_sample import gzip_member, html_page, warc_record

from helpers import RunOutput, run_zhpile, shared_file, write_config


def _cld2(codes, reliable=True) -> bytes:
    langs = [{"code": c[:2], "code-iso-639-3": c, "text-covered": 0.9} for c in codes]
    return (b"fetchTimeMs: 10\r\nlanguages-cld2: " + json.dumps({"reliable": reliable, "languages": langs}).encode() + b"\r\n")


def _page(url: str, key: str, codes=None, reliable=True, concurrent=True, metadata_url=None) -> bytes:
    response = warc_record("response", url, html_page(key), "application/http; msgtype=response")
    out = gzip_member(response)
    if codes is not None:
        rid = response.split(b"WARC-Record-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
        out += gzip_member(warc_record("metadata", metadata_url or url, _cld2(codes, reliable), "application/warc-fields",
                                       extra=f"WARC-Concurrent-To: {rid}\r\n" if concurrent else ""))
    return out


def _run(tmp_path, cld2: str) -> RunOutput:
    config = write_config(tmp_path, f'sources:\n  - {{name: cc, format: warc, paths: ["*.warc.gz"]}}\nread: {{cld2: {cld2}}}\n'
                                    "dedup: {exact: false, near: false, lines: false}\n")
    assert run_zhpile("run", config, "--output", tmp_path / f"out-{cld2}") == 0
    return RunOutput(str(tmp_path / f"out-{cld2}"))


def test_labels_decide_before_extraction(tmp_path):
    data = (_page("http://en.example.com/", "tea", ["eng"])          # labelled English: dropped
            + _page("http://nolabel.example.cn/", "river")           # no metadata: goes on
            + _page("http://mixed.example.cn/", "moon", ["jpn", "zho"])  # Chinese second: kept by any, not by primary
            + _page("http://unsure.example.cn/", "rice", ["eng"], reliable=False)  # unreliable: goes on
            + _page("http://zh.example.cn/", "park", ["zho"]))
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    outcome = {mode: {r["url"]: r.get("reason") for r in run.all_clean() + run.rejected}
               for mode in ("any", "primary", "off") for run in [_run(tmp_path, mode)]}
    assert outcome["any"]["http://en.example.com/"] == "lang_cld2"
    assert {u for u, r in outcome["any"].items() if r == "lang_cld2"} == {"http://en.example.com/"}
    assert {u for u, r in outcome["primary"].items() if r == "lang_cld2"} == {"http://en.example.com/", "http://mixed.example.cn/"}
    assert "lang_cld2" not in outcome["off"].values()
    for url in ("http://nolabel.example.cn/", "http://unsure.example.cn/", "http://zh.example.cn/"):
        assert outcome["any"][url] == outcome["off"][url] is None  # the pages themselves are Chinese prose


def test_without_concurrent_to_the_record_order_pairs_them(tmp_path):
    data = (_page("http://en.example.com/", "tea", ["eng"], concurrent=False)  # right after, same URI: paired
            + _page("http://other.example.cn/", "river", ["eng"], concurrent=False,
                    metadata_url="http://elsewhere.example.com/"))  # another URI: not this page's labels
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    run = _run(tmp_path, "any")
    outcome = {r["url"]: r.get("reason") for r in run.all_clean() + run.rejected}
    assert outcome == {"http://en.example.com/": "lang_cld2", "http://other.example.cn/": None}


def test_wet_records_use_their_language_header(tmp_path):
    text = "\n".join([ZH["tea"][0], *ZH["tea"][1]]).encode()
    records = [warc_record("conversion", f"http://{name}.example.cn/", text, "text/plain",
                           extra=f"WARC-Identified-Content-Language: {langs}\r\n") for name, langs in (("en", "eng"), ("zh", "zho,eng"))]
    (tmp_path / "crawl.warc.wet.gz").write_bytes(b"".join(gzip_member(r) for r in records))
    config = write_config(tmp_path, 'sources:\n  - {name: wet, format: wet, paths: ["*.wet.gz"]}\n')
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 0
    run = RunOutput(str(tmp_path / "out"))
    assert [(r["url"], r["reason"]) for r in run.rejected if r["reason"] == "lang_cld2"] == [("http://en.example.cn/", "lang_cld2")]
    assert [r["url"] for r in run.all_clean()] == ["http://zh.example.cn/"]


def test_real_common_crawl_sample(tmp_path):
    """The 16 responses of CC-MAIN-2020-34: the four non-Chinese pages stop at their CLD2
    labels; with the pre-filter off they stop at language ID; nothing else changes."""
    warc = shared_file("01_resiliparse_CC-MAIN-2020-34_sample.warc.gz")
    (tmp_path / "cc.warc.gz").write_bytes(open(warc, "rb").read())
    on, off = _run(tmp_path, "any"), _run(tmp_path, "off")
    cld2 = sorted(r["url"] for r in on.rejected if r["reason"] == "lang_cld2")
    lang = sorted(r["url"] for r in off.rejected if r["reason"] == "lang")
    # 037426.cn (an English page whose title is Chinese) is labelled eng,zho: it passes CLD2
    # under `any` and stops at language ID, as without the pre-filter.
    assert len(cld2) == 4 and set(lang) - set(cld2) == {"http://037426.cn/"}
    assert all(r["stage"] == "read" for r in on.rejected if r["reason"] == "lang_cld2")
    assert on.report["accounting_ok"] and off.report["accounting_ok"]
    assert sorted(r["url"] for r in on.all_clean()) == sorted(r["url"] for r in off.all_clean())
