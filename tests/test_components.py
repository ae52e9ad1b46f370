"""Pile-style components: the URL rules, page structure and the shipped model on strings;
then a crawl WARC in, clean files per component, a mixture weighted per component, the
report's rows, the card's configs and `zhpile explain` out."""
import gzip
import json
import os
import sys

import numpy as np
import pytest

from zhpile.filters.component import (COMPONENTS, ComponentError, ComponentModel, assign_component, shipped_model,
                                      structure_component, url_component, url_rules)
from zhpile.schemas.config import ConfigError, parse_config

from helpers import RunOutput, read_rows, run_zhpile, shared_file, write_config
from sample_data.articles import ZH
from sample_data.make_sample import article_html, http_response

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("url, component", [
    ("https://news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml", "news"),
    ("https://zhidao.baidu.com/question/2127549042326254267.html", "qa"),
    ("http://www.shanxi.gov.cn/yw/sxyw/202001/t20200101_1.shtml", "government"),
    ("https://baike.baidu.com/item/%E9%9B%84%E5%AE%89", "encyclopedia"),
    ("https://bbs.example.com/thread-12-1-1.html", "forum"),
    ("http://club.example.cn/forum.php?mod=viewthread&tid=38672", "forum"),
    ("https://www.qidian.com/chapter/1034360760/720619827/", "literature"),
    ("https://blog.csdn.net/weixin_1/article/details/138497415", "tech"),
    ("https://item.jd.com/100012043978.html", "commerce"),
    ("https://book.sina.com.cn/longbook/1.shtml", "literature"),  # the longest listed host suffix wins
    ("https://www.douban.com/group/topic/123456/", "forum"),  # a platform host: a path shape decides
])
def test_url_rules_decide_known_hosts_and_path_shapes(url, component):
    decided = url_component(url)
    assert decided is not None and decided[0] == component, decided
    assert decided[1].startswith("url: ")


@pytest.mark.parametrize("url", [None, "", "http://company-xyz.cn/about.html", "http://[::1", "not a url",
                                 "http://mp.weixin.qq.com/s?__biz=Mz", "https://www.douban.com/note/639427226/"])  # a platform for any kind of text
def test_url_rules_leave_unknown_and_undecided_hosts_to_the_text(url):
    assert url_component(url) is None


def test_a_malformed_rules_file_is_a_clear_error():
    with pytest.raises(ComponentError, match="line 2"):
        url_rules("host\tnews\texample.com\nhost\tgossip\tbad.example\n")
    hosts, _prefixes, _paths = url_rules("# comment\nhost\tnews\tExample.COM\n")
    assert hosts == {"example.com": "news"}


def test_page_structure_decides_forum_qa_official_documents_and_code():
    thread = "楼主 发表于 2020-01-01\n请问这个怎么修？\n2楼 发表于 2020-01-02\n回复本楼：换个零件就好了。"
    assert structure_component(thread)[0] == "forum"
    answer = "如何挑选茶叶？\n最佳答案：先看产地再看色泽。\n提问者采纳 追问：绿茶呢？"
    assert structure_component(answer)[0] == "qa"
    notice = "各区县人民政府：\n现将有关事项通知如下。\n特此通知。"
    assert structure_component(notice, title="某市人民政府关于做好防汛工作的通知")[1] == "structure: official-document title"
    code = "安装依赖：\n" + "\n".join(["npm install vue", "import os", "def main():", "    return 0", "}"] * 4)
    assert structure_component(code)[0] == "tech"
    # Markers of two kinds at once: structure does not decide.
    assert structure_component(thread + "\n" + answer) is None
    assert structure_component("今天天气很好，我们去公园散步。") is None


def test_a_dateline_taken_out_of_the_text_is_still_evidence_of_news():
    """Extraction takes an article's dateline line out of its text (来源 and a time are not
    training text); the component is decided on the text with it."""
    import zhpile

    url = "http://www.some-city-site.cn/a/2.html"
    for title, paragraphs in ZH.values():
        html = (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                "<div>2024-05-11 10:30 来源：本报讯 记者张三 责任编辑：李四</div>"
                + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>")
        without = zhpile.explain(html.replace("来源：本报讯 记者张三 责任编辑：李四", ""), url=url)
        if without["component"] == "other" and "no byline or dateline" in without["component_reason"]:
            break  # an article the model calls news, held back for want of a byline
    else:
        pytest.fail("no sample article reads as news to the model")
    result = zhpile.explain(html, url=url)
    assert result["decision"] == "keep" and "来源" not in result["text"] and paragraphs[0] in result["text"]
    assert result["component"] == "news", result["component_reason"]


def test_the_shipped_model_loads_predicts_and_is_deterministic():
    model = shipped_model()
    assert set(model.classes) <= set(COMPONENTS) and "news" in model.classes
    text = "新华社北京5月19日电（记者王某）国务院新闻办公室今天举行发布会，介绍上半年经济运行情况。"
    probs = model.probabilities(text)
    assert abs(sum(probs.values()) - 1) < 1e-9
    assert model.probabilities(text) == probs
    with pytest.raises(ComponentError, match="unreadable"):
        ComponentModel.load(b"not gzip")
    with pytest.raises(ComponentError, match="unknown classes"):
        ComponentModel.load(gzip.compress(json.dumps({"classes": ["gossip"], "log_prior": [0], "features": {}}).encode()))


def test_the_model_reads_the_rows_of_every_character_and_pair_of_the_first_characters():
    """The compiled evidence (kernels.naive_bayes_evidence) is numpy's sum of the rows a
    dict lookup of each of the first MODEL_CHARS characters, then each adjacent pair,
    gives, in that order: the same floats, bit for bit. Texts: Chinese, mixed scripts,
    emoji and a lone surrogate, a pair across the cut, one character, none."""
    from zhpile.filters.component import MODEL_CHARS

    model = shipped_model()

    def dict_rows(text):
        head = text[:MODEL_CHARS]
        grams = [*head, *(a + b for a, b in zip(head, head[1:]))]
        return [model.index[g] for g in grams if g in model.index]

    articles = ["\n".join([title, *paragraphs]) for title, paragraphs in ZH.values()]
    texts = [*articles, "新华社北京电 abc 记者 \U0001F600\ud800 中国人民" * 50, "中" * (MODEL_CHARS - 1) + "国家", "中", ""]
    for text in texts:
        rows = dict_rows(text)
        evidence, n = model.evidence(text)
        assert n == len(rows)
        expected = model.log_lik[rows].sum(axis=0) if rows else np.zeros(len(model.classes))
        assert evidence.tobytes() == expected.tobytes(), text[:20]
    assert len(dict_rows(texts[0])) > 200  # characters and pairs both counted


def test_model_news_on_an_unlisted_host_needs_a_byline_or_dateline():
    report = "本报讯（记者张三）昨日，市区新建的三座公园正式开放，市民纷纷前往游览，公园管理处表示将延长开放时间。" * 5
    story = "昨日，市区新建的三座公园正式开放，市民纷纷前往游览，公园管理处表示将延长开放时间。" * 5
    assert assign_component("http://www.some-city-site.cn/a/1.html", None, report)[0] == "news"
    component, reason = assign_component("http://www.some-city-site.cn/a/2.html", None, story)
    assert model_says(story) == "news" and component == "other" and "no byline or dateline" in reason
    assert assign_component(None, None, story)[0] == "news"  # no URL: no evidence against it
    # A date filed in the URL's path is the news system's dateline.
    for dated in ("http://www.some-city-site.cn/20240511/2.html", "http://www.some-city-site.cn/a/2024/05/11/2.html",
                  "http://www.some-city-site.cn/news/201909/2.shtml"):
        assert assign_component(dated, None, story)[0] == "news", dated
    for undated in ("http://www.some-city-site.cn/12345678/2.html", "http://www.some-city-site.cn/2024-13/2.html"):
        assert assign_component(undated, None, story)[0] == "other", undated


def model_says(text: str) -> str:
    return shipped_model().predict(text, exclude=("forum", "qa"))[0]


def test_component_rules_and_model_files_ship_in_the_package():
    from importlib import resources

    data = resources.files("zhpile.filters").joinpath("data")
    assert data.joinpath("component_urls.tsv").is_file() and data.joinpath("component_model.json.gz").is_file()


def test_the_shipped_model_is_rebuilt_byte_for_byte_from_the_labelled_pages(tmp_path):
    realdata = os.path.dirname(shared_file("05_magic-html_benchmark_zh_subset.tar.gz"))
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    try:
        from train_component_model import main as train_main
    finally:
        sys.path.pop(0)
    out = tmp_path / "model.json.gz"
    assert train_main([realdata, "--out", str(out)]) == 0
    shipped = os.path.join(ROOT, "filters", "data", "component_model.json.gz")
    assert out.read_bytes() == open(shipped, "rb").read()


# -- the pipeline ---------------------------------------------------------------------------

PAGES = {  # url -> (article, expected component)
    "https://news.sina.com.cn/c/2024-05-10/doc-1.shtml": ("park", "news"),
    "https://zhidao.baidu.com/question/100.html": ("tea", "qa"),
    "http://www.hunan.gov.cn/xxgk/2024/t1.html": ("river", "government"),
    "https://item.taobao.com/item.htm?id=3": ("rice", "commerce"),
    "https://bbs.example.cn/thread-5-1-1.html": ("festival", "forum"),
    "https://baike.baidu.com/item/moon": ("moon", "encyclopedia"),
}


def _write_crawl(path):
    from sample_data.make_sample import write_warc

    pages = []
    for url, (key, _component) in PAGES.items():
        title, paragraphs = ZH[key]
        pages.append((url, http_response(article_html(title, paragraphs).encode("utf-8"), "text/html; charset=utf-8")))
    write_warc(str(path), pages)


def _config(tmp_path, mixture: str) -> str:
    _write_crawl(tmp_path / "crawl.warc.gz")
    lines = [json.dumps({"id": f"w{i}", "text": "\n".join([ZH[k][0], *ZH[k][1]])}, ensure_ascii=False)
             for i, k in enumerate(["data", "code"])]
    (tmp_path / "wiki.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return write_config(tmp_path, f"""
sources:
  - {{name: cc, format: warc, paths: ["{tmp_path}/crawl.warc.gz"]}}
  - {{name: wiki, format: jsonl, paths: ["{tmp_path}/wiki.jsonl"], component: encyclopedia}}
mixture:
{mixture}
quality: {{min_chars: 100}}
""")


@pytest.fixture(scope="module")
def component_run(tmp_path_factory) -> RunOutput:
    tmp = tmp_path_factory.mktemp("components")
    config = _config(tmp, "  cc/news: {epochs: 3}\n  cc/commerce: {epochs: 0}\n  cc: {epochs: 1}\n  wiki/encyclopedia: {epochs: 2}")
    assert run_zhpile("run", config, "--output", tmp / "out") == 0
    return RunOutput(str(tmp / "out"))


def test_every_crawl_page_gets_its_component_and_reason(component_run):
    clean = {r["url"]: r for r in read_rows(os.path.join(component_run.root, "clean", "cc"))}
    assert set(clean) == set(PAGES)
    for url, (_key, component) in PAGES.items():
        assert clean[url]["component"] == component, (url, clean[url]["component_reason"])
        assert clean[url]["component_reason"].startswith("url: ")
    wiki = read_rows(os.path.join(component_run.root, "clean", "wiki"))
    assert {(r["component"], r["component_reason"]) for r in wiki} == {("encyclopedia", "source")}
    # A file set per component a source can have, empty ones included.
    names = sorted(os.listdir(os.path.join(component_run.root, "clean", "cc")))
    assert names == sorted(f"{c}-00000-of-00001.parquet" for c in COMPONENTS)
    assert os.listdir(os.path.join(component_run.root, "clean", "wiki")) == ["encyclopedia-00000-of-00001.parquet"]


def test_the_mixture_weights_each_component(component_run):
    mix = read_rows(os.path.join(component_run.root, "mixture"))
    copies = {}
    for r in mix:
        copies.setdefault((r["source"], r["component"]), []).append(r["epoch"])
    assert sorted(copies[("cc", "news")]) == [0, 1, 2]
    assert ("cc", "commerce") not in copies  # epochs 0: down-weighted to nothing
    assert sorted(copies[("cc", "qa")]) == [0]  # the source's entry covers the rest
    assert len(copies[("wiki", "encyclopedia")]) == 4  # 2 documents x 2 epochs
    table = {r["component"]: r for r in component_run.report["mixture_table"]}
    assert table["cc/news"]["epochs"] == 3 and table["cc/news"]["mixture_rows"] == 3
    assert table["cc/commerce"]["requested"] == {"epochs": 0.0} and table["cc/commerce"]["effective_size_bytes"] == 0
    assert table["cc/qa"]["requested"] == {"epochs": 1.0} and table["cc/qa"]["documents"] == 1
    assert table["wiki/encyclopedia"]["documents"] == 2
    assert table["cc/news"]["decided_by"] == {"url": 1}
    assert sum(r["documents"] for r in table.values()) == sum(
        e["clean"]["docs"] for e in component_run.report["sources"].values())
    assert "cc/tech" not in table  # no page of it, no entry: no row
    md = open(os.path.join(component_run.root, "report", "report.md"), encoding="utf-8").read()
    assert "| cc/news |" in md and "| wiki/encyclopedia |" in md


def test_the_card_has_a_config_per_component(component_run):
    card = open(os.path.join(component_run.root, "README.md"), encoding="utf-8").read()
    assert "config_name: clean_cc_news" in card and "path: clean/cc/news-*.parquet" in card
    assert "config_name: clean_wiki_encyclopedia" in card and "clean_cc_tech" not in card


def test_mixture_keys_are_validated(tmp_path):
    base = {"sources": [{"name": "cc", "format": "warc", "paths": ["x"]}, {"name": "wiki", "format": "jsonl", "paths": ["y"]}]}
    with pytest.raises(ConfigError, match="no component 'gossip'"):
        parse_config({**base, "mixture": {"cc/gossip": {"epochs": 2}}})
    with pytest.raises(ConfigError, match="no source named 'web'"):
        parse_config({**base, "mixture": {"web/news": {"epochs": 2}}})
    with pytest.raises(ConfigError, match="no component 'news'"):  # a curated source is one component
        parse_config({**base, "mixture": {"wiki/news": {"epochs": 2}}})
    with pytest.raises(ConfigError, match="more than the whole mixture"):
        parse_config({**base, "mixture": {"cc/news": {"weight": 0.7}, "wiki": {"weight": 0.6}}})
    ok = parse_config({**base, "mixture": {"cc/news": {"epochs": 2}, "cc/commerce": {"weight": 0.02}}})
    assert ok.mixture_entry("cc/news").epochs == 2 and ok.mixture_entry("cc/qa").epochs == 1.0
    assert ok.mixture_groups()["cc"] == [f"cc/{c}" for c in COMPONENTS if c not in ("news", "commerce")]


def test_a_weight_on_a_component_without_documents_fails_after_cleaning(tmp_path):
    config = _config(tmp_path, "  cc/literature: {weight: 0.1}")
    assert run_zhpile("run", config, "--output", tmp_path / "out") == 2
    assert os.path.isdir(tmp_path / "out" / "clean")  # the clean output stays


def test_zhpile_explain_says_the_component_and_why(tmp_path, capsys):
    title, paragraphs = ZH["park"]
    page = tmp_path / "page.html"
    page.write_bytes(article_html(title, paragraphs).encode("utf-8"))
    assert run_zhpile("explain", page, "--url", "https://zhidao.baidu.com/question/1.html") == 0
    out = capsys.readouterr().out
    assert "decision  keep" in out and "component qa (url: host zhidao.baidu.com)" in out
    import zhpile

    r = zhpile.explain(page.read_bytes(), url="https://www.gov.cn/zhengce/1.htm")
    assert (r["component"], r["component_reason"]) == ("government", "url: host gov.cn")
    dropped = zhpile.explain("短", url="https://zhidao.baidu.com/question/2.html")
    assert dropped["decision"] == "drop" and dropped["component"] == "qa"
