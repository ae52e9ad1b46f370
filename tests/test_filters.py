"""Each filter on strings and bytes: no Beam involved."""
import os
import re

import pytest

from zhpile.filters.base import DropError
from zhpile.filters.charset import canonical_encoding, decode_page, meta_charset
from zhpile.filters.dedup import exact_key
from zhpile.filters.extract import html_to_text, page_text, payload_kind
from zhpile.filters.ids import doc_id, unit_float
from zhpile.filters.langid import LanguageIdentifier
from zhpile.filters.mixture import epoch_copies, shard_of
from zhpile.filters.mojibake import repair_mojibake
from zhpile.filters.normalize import normalize_text, to_simplified

ZH = "长江是中国第一长河，全长约六千三百公里，发源于青藏高原，自西向东流经十多个省、自治区和直辖市，最后在上海附近注入东海。"
HTML = f"<html><head><meta charset='gb2312'><title>t</title></head><body><p>{ZH}</p></body></html>"


# --- charset -----------------------------------------------------------------
def test_gbk_declared_in_header():
    assert decode_page(HTML.encode("gbk"), "gbk") == (HTML, "gb18030")


def test_gbk_declared_only_in_meta():
    assert meta_charset(HTML.encode("gbk")) == "gb2312"
    assert decode_page(HTML.encode("gbk"), None)[0] == HTML


def test_header_says_utf8_but_bytes_are_gbk():
    text, charset = decode_page(HTML.encode("gbk"), "utf-8")
    assert text == HTML and charset == "gb18030"


def test_utf8_page_declaring_gb2312_is_read_as_utf8():
    text, charset = decode_page(HTML.encode("utf-8"), None)
    assert text == HTML and charset == "utf_8"


def test_gb18030_characters_beyond_gbk():
    page = "<p>𠀀 是扩展B区的字，€ 也在 GB18030 里。" + ZH + "</p>"
    assert decode_page(page.encode("gb18030"), "gb2312")[0] == page


def test_big5():
    page = "<p>臺灣的夜市是最具代表性的庶民文化之一，街道兩旁的攤販陸續擺出桌椅。</p>"
    assert decode_page(page.encode("big5"), "big5") == (page, "big5hkscs")


def test_bom_wins():
    assert decode_page("\ufeff<p>中文</p>".encode("utf-8"), "gbk")[0] == "<p>中文</p>"


def test_latin1_header_over_gbk_page_uses_the_meta():
    text, charset = decode_page(HTML.encode("gbk"), "iso-8859-1")
    assert text == HTML and charset == "gb18030"


def test_single_byte_page_stays_single_byte():
    page = "<html><body><p>О компании: пожарная безопасность и обучение персонала.</p></body></html>"
    assert decode_page(page.encode("cp1251"), "windows-1251") == (page, "cp1251")


def test_utf8_cut_mid_character_by_truncation_is_still_utf8():
    data = HTML.encode("utf-8") + "中".encode("utf-8")[:2]
    assert decode_page(data, "utf-8")[1] == "utf_8"


def test_undecodable_bytes_are_bad_encoding_not_mojibake():
    garbage = bytes(range(0x80, 0x100)) * 40 + b"\xff\xfe\xfd" * 100
    with pytest.raises(DropError) as err:
        decode_page(b"<html>" + garbage, "utf-8")
    assert err.value.drop.reason == "bad_encoding"


@pytest.mark.parametrize("label,name", [("GB2312", "gb18030"), ("x-gbk", "gb18030"), ("GBK", "gb18030"),
                                        ("big5", "big5hkscs"), ("utf8", "utf_8"), ("nonsense", None), (None, None)])
def test_canonical_encoding(label, name):
    assert canonical_encoding(label) == name


# --- extraction --------------------------------------------------------------
def test_non_text_payloads():
    for ctype, payload in (("image/png", b"\x89PNG\r\n"), ("application/pdf", b"%PDF-1.4"), ("application/zip", b"PK\x03\x04")):
        with pytest.raises(DropError) as err:
            payload_kind(ctype, payload)
        assert err.value.drop.reason == "non_text"
    with pytest.raises(DropError):
        payload_kind("text/html", b"GIF89a\x00\x00\x01")  # binary behind a text/html label
    assert payload_kind("text/plain; charset=utf-8", b"abc") == "plain"
    assert payload_kind(None, b"<html>") == "html"


def test_plain_text_page_is_kept_as_text():
    text, _ = page_text(ZH.encode("utf-8"), "text/plain", "utf-8")
    assert text == ZH


def test_extraction_drops_chrome_scripts_styles():
    page = ("<html><head><style>.a{color:red}</style><script>var s='脚本';</script></head><body>"
            "<div class='nav'><a href='/'>首页</a> <a href='/n'>新闻</a></div>"
            f"<article><h1>标题</h1><p>{ZH}</p><p>{ZH}</p></article>"
            "<div class='footer'>版权所有 京ICP备12345678号</div></body></html>")
    text = html_to_text(page)
    assert ZH in text and "标题" in text
    for junk in ("color:red", "脚本", "首页", "京ICP备"):
        assert junk not in text


# --- normalisation -----------------------------------------------------------
def test_normalize_keeps_fullwidth_punctuation_and_cleans_the_rest():
    raw = "第一段，有标点！？：；\u200b零宽\x07控制\r\n\r\n\r\n\r\n第二段  多   空格\t制表\u3000\nＡＢＣ１２３"
    assert normalize_text(raw) == "第一段，有标点！？：；零宽控制\n\n第二段 多 空格 制表\nABC123"


def test_normalize_removes_lone_surrogates():
    assert normalize_text("a\ud800b") == "ab"


def test_traditional_to_simplified():
    assert to_simplified("臺灣的夜市文化，說話") == ("台湾的夜市文化，说话", True)
    assert to_simplified("简体不变") == ("简体不变", False)
    assert to_simplified("臺灣", None) == ("臺灣", False)


# --- language ID -------------------------------------------------------------
@pytest.fixture(scope="module")
def lid():
    return LanguageIdentifier()


def test_lid_chinese_english_japanese(lid):
    assert lid.predict(ZH)[0] == "zh" and lid.predict(ZH)[1] > 0.5
    assert lid.predict("The quick brown fox jumps over the lazy dog near the river bank.")[0] == "en"
    assert lid.predict("日本には春夏秋冬の四季があり、それぞれの季節に美しい風景を楽しむことができます。")[0] == "ja"


def test_lid_handles_newlines_and_mixed_text(lid):
    mixed = "在 Python 中处理中文文本时，\n首先要注意 encoding 问题。\n\n分词常用 jieba 和 pkuseg 等工具。"
    lang, score = lid.predict(mixed)
    assert lang == "zh" and score > 0.5
    assert lid.predict("") == ("und", 0.0)


# --- dedup, ids, mixture -----------------------------------------------------
def test_exact_key_ignores_whitespace_case_and_width():
    assert exact_key("Hello 世界\n\n你好") == exact_key("hello世界 你好") == exact_key(normalize_text("ＨＥＬＬＯ 世界你好"))
    assert exact_key("世界你好") != exact_key("你好世界")


def test_ids_are_stable_and_distinct():
    assert doc_id("cc", "<urn:uuid:1>") == doc_id("cc", "<urn:uuid:1>")
    assert doc_id("cc", "<urn:uuid:1>") != doc_id("wiki", "<urn:uuid:1>")
    assert re.fullmatch(r"[0-9a-f]{16}", doc_id("cc", "x"))
    assert 0 <= unit_float(1, "x") < 1


def test_epoch_copies_fractional_and_whole():
    ids = [f"d{i}" for i in range(4000)]
    assert all(list(epoch_copies(i, 2, 0)) == [0, 1] for i in ids)
    half = sum(len(epoch_copies(i, 0.5, 0)) for i in ids)
    assert 1800 < half < 2200  # a deterministic half
    assert [len(epoch_copies(i, 2.5, 7)) for i in ids] == [len(epoch_copies(i, 2.5, 7)) for i in ids]
    assert {len(epoch_copies(i, 2.5, 7)) for i in ids} == {2, 3}


def test_copies_of_a_document_land_in_different_shards():
    for i in range(200):
        shards = {shard_of(f"d{i}", e, 8, 3) for e in range(3)}
        assert len(shards) == 3


def test_filters_do_not_import_beam():
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "filters")
    for name in os.listdir(root):
        if name.endswith(".py"):
            src = open(os.path.join(root, name), encoding="utf-8").read()
            assert not re.search(r"^\s*(import|from)\s+apache_beam", src, re.M), name


# --- mojibake ----------------------------------------------------------------
def _gbk_mojibake(text: str) -> str:
    return text.encode("utf-8").decode("gb18030")


def test_gbk_mojibake_is_repaired():
    original = "数据清洗规则"  # 18 UTF-8 bytes that happen to decode as GBK whole
    garbled = _gbk_mojibake(original)
    assert garbled != original
    fixed = repair_mojibake(f"标题：{garbled}\n正文不变。")
    assert fixed.text == f"标题：{original}\n正文不变。" and fixed.repaired_runs == 1


def test_latin1_mojibake_is_repaired():
    for original in ("大家好，今天我们来谈谈", "“quoted”"):
        garbled = original.encode("utf-8").decode("latin-1")
        assert repair_mojibake(garbled).text == original


def test_unrepairable_mojibake_lines_are_dropped():
    result = repair_mojibake("婢虫床28鏄?笉鏄??瑙勭殑jzH6IO\n来源：南方日报\n锟斤拷锟斤拷")
    assert result.text == "来源：南方日报" and result.dropped_lines == 2


def test_real_text_is_left_alone():
    for text in ("是什么?我要一步一步往上爬", "SÃO PAULO café naïve", ZH, "鄣鄤鄥 are rare but real"):
        result = repair_mojibake(text)
        assert result.text == text and result.repaired_runs == 0 and result.dropped_lines == 0
