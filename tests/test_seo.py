"""SEO injection (filters/seo.py): brands grafted onto titles and first lines, on real
crawl records and on planted cases; real clean text and news about gambling are kept."""
import json

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

import zhpile
from zhpile.filters.seo import host_digits, injection_terms, seo_signals

from helpers import run_zhpile, shared_file, write_config

ARTICLE = ("据江西省应急管理厅消息，3月11日1时39分，宜春市铜鼓县一家制药有限公司发生一起爆炸事故，造成1人死亡、2人受伤。"
           "省应急管理厅对此高度重视，厅主要领导指示要求加强调度，全力以赴救治受伤人员，做好善后安全稳定工作。\n"
           "事故发生后，铜鼓县政府领导和相关部门迅速赶赴现场，开展事故救援和应急处置工作，成立应急抢险组、事故调查组、"
           "善后处理组、现场维护组等四个工作组，全力开展事故应急救援、原因调查、现场维护、善后处置等方面的工作。目前两名伤者已送医救治，"
           "伤势平稳，无生命危险，周边环境监测未见异常。")


def test_brand_in_the_title_of_an_unrelated_page_drops_it():
    assert zhpile.explain(ARTICLE)["decision"] == "keep"
    out = zhpile.explain(ARTICLE, title="铜鼓县一制药公司发生爆炸事故_欧宝体育app下载")
    assert (out["reason"], out["signals"]["seo_head_hits"]) == ("seo_injection", 1)
    assert "欧宝体育" in out["detail"]
    # the same brand at the head of the text (a WET record's first line is its title)
    assert zhpile.explain("【华体会】铜鼓县一制药公司发生爆炸事故\n" + ARTICLE)["reason"] == "seo_injection"
    # a porn phrase in front of a headline
    assert zhpile.explain(ARTICLE, title="国产精品久久免费视频 铜鼓县爆炸事故")["reason"] == "seo_injection"


def test_generated_host_with_a_gambling_term_is_dropped():
    # one mention, below the head: no evidence on an ordinary host
    text = ARTICLE + "\n记者从现场了解到，救援工作已经结束。\n有网友称事发前曾在附近看到宣传百家乐的广告牌，警方已介入调查。"
    assert zhpile.explain(text, url="http://news.example.com/a/1.html")["decision"] == "keep"
    out = zhpile.explain(text, url="http://335.3355703.com/news/2022/0314/61491.html")
    assert out["reason"] == "seo_injection" and "host_digits=7" in out["detail"]
    assert host_digits("http://www.12306.cn/") == 5 and host_digits("http://10.0.0.1/") == 0


def test_news_about_gambling_in_context_is_kept():
    news = ("警方通报：一犯罪团伙利用所谓“华体会”平台组织赌博，涉嫌犯罪，案件已移送检察机关起诉。\n"
            "据记者了解，该团伙通过社交软件招揽参赌人员，公安机关在多地同步开展抓捕，刑事拘留犯罪嫌疑人十二名。"
            "法院审理后认为，被告人的行为已构成犯罪，依法判决有期徒刑三年。专家提醒，此类平台危害极大，"
            "广大群众要提高警惕，远离各类非法平台，发现线索及时向警方举报。该案的调查仍在进行之中，相关情况将及时向社会通报，请广大市民继续关注。")
    out = zhpile.explain(news, title="警方破获网络赌博案")
    assert out["decision"] == "keep", out["detail"]
    assert out["signals"]["seo_head_hits"] == 1


def test_terms_and_patterns():
    found = [t for _c, t in injection_terms("德邦物流能否成功代替顺丰？【欧宝体育APP】吕氏贵宾会 vip贵宾会员")]
    assert found == ["欧宝体育", "吕氏贵宾会"]  # 贵宾会员 (a membership) is not a brand
    assert injection_terms("欧宝汽车的新款车型在上海发布") == []
    signals, first = seo_signals("正文", title="澳洲幸运8一天多少期")
    assert signals["seo_head_hits"] == 1 and first == ("gambling", "澳洲幸运8")


def test_real_cc_records_through_the_pipeline(tmp_path):
    """The 100 real ChineseWebText CC records as a crawl JSONL source (title field read by
    default): the brand-grafted ones are rejected seo_injection, and no record is lost."""
    src = shared_file("03_chinesewebtext_2021-43_cleared1.jsonl")
    cfg = write_config(tmp_path, json.dumps({"sources": [{"name": "cc", "format": "jsonl", "paths": [src], "kind": "crawl",
                                                          "fields": {"text": "raw_content", "url": "url", "id": None}}]}))
    assert run_zhpile("run", cfg, "--output", tmp_path / "out") == 0
    rejected = pq.read_table(tmp_path / "out" / "rejected").to_pylist()
    clean = pq.read_table(tmp_path / "out" / "clean").to_pylist()
    assert len(clean) + len(rejected) == 100
    seo = {r["url"] for r in rejected if r["reason"] == "seo_injection"}
    for url in ("http://www.bjtop1.com/a/yigui/1239.html", "https://www.ithai365.com/xwzx/1143.html",
                "https://www.baiduoh.com/_t265/2022/0222/c3403a60531/page.htm", "http://ykcms.cn/lu2013-SonList-937678/"):
        assert url in seo
    assert len(seo) >= 10
    grafted = next(r for r in rejected if r["url"] == "http://www.bjtop1.com/a/yigui/1239.html")
    assert "欧宝体育app" in grafted["title"] and "欧宝体育" in grafted["detail"]  # why, with the title that showed it
    assert any((r["title"] or "").startswith("中国海洋石油集团") for r in clean)  # the title column


def test_real_clean_text_is_not_dropped():
    lines = open(shared_file("07_uer-py_CLUECorpusSmall_sampled.txt"), encoding="utf-8").read().splitlines()
    dropped = [t[:60] for t in lines if zhpile.explain(t)["reason"] == "seo_injection"]
    assert len(dropped) <= len(lines) * 0.005, dropped


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("华体会欧宝体育app下载贵宾会国产精品久久一区二区\n 吕氏")) | st.text(),
       st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
def test_signals_never_raise(text, title, url):
    signals, _first = seo_signals(text, title, url)
    # the head's distinct terms are among the occurrences counted in title and text
    assert 0 <= signals["seo_head_hits"] <= signals["seo_hits"]
    assert signals["host_digits"] >= 0


def test_real_news_about_a_lottery_win_and_sexless_marriage_is_kept():
    """Two real 09 news pages whose subject is a lottery win and sexless marriages (gambling and
    sex terms in title and text, read in their news context), as HTML and as WET-style crawl text."""
    shared_file("05_magic-html_benchmark_zh_subset.tar.gz")
    shared_file("09_immortal-autumn_zh_extraction_half.tar.gz")
    from benchmarks.navigation_lines import reference_pages, wet_text
    from benchmarks.rule_confusion import _CRAWL

    pages = {title: html for _s, html, _r in reference_pages() for title in ("四年前中500万", "日本无性婚姻") if title in html[:3000]}
    assert len(pages) == 2
    for title, html in pages.items():
        out = zhpile.explain(html.encode("utf-8"))  # bytes: read as a crawled page
        assert out["decision"] == "keep", out["detail"]
        assert zhpile.explain(wet_text(html), _CRAWL)["decision"] == "keep"
        if title == "四年前中500万":  # flagged gambling terms, read in context
            assert out["signals"]["gambling_share"] > 0 and out["signals"]["safety_context"] >= 3
