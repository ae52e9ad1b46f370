"""A page whose declared charset is wrong, in either direction, is decoded by its bytes.

Real pages of ../shared/realdata (the immortal-autumn pages, mostly GB2312/GBK; the
magic-html pages, UTF-8) are decoded once correctly, then re-encoded and mislabelled:
UTF-8 bytes declaring GBK (in the HTTP header and the <meta>), GBK bytes declaring UTF-8,
GBK bytes declared rightly but only in the HTTP header, and each of those with one stray byte inside (a Latin-1 byte pasted into a template).
Every variant goes through `zhpile run` as a WARC; each page's outcome (clean text, or
rejection reason) must equal the outcome of the correctly labelled page.
"""
import re
import tarfile

import pytest

from sample_data.make_sample import gzip_member, warc_record
from zhpile.filters.charset import decode_page

from helpers import RunOutput, run_zhpile, shared_file, write_config

_META = re.compile(r"charset\s*=\s*[\"']?\s*[A-Za-z0-9_.:-]+", re.I)
VARIANTS = ("right", "utf8_as_gbk", "gbk_as_utf8", "utf8_as_gbk_stray", "gbk_as_utf8_stray", "gbk_in_header",
            "gbk_in_header_stray")


def _pages() -> list[tuple[str, str]]:
    """(key, decoded HTML) of the 09 pages and the 05 article pages."""
    out = []
    for name, where in (("09_immortal-autumn_zh_extraction_half.tar.gz", "/original/"),
                        ("05_magic-html_benchmark_zh_subset.tar.gz", "/article/htmls/")):
        with tarfile.open(shared_file(name)) as tar:
            for m in sorted(tar.getmembers(), key=lambda m: m.name):
                if m.isfile() and where in m.name and m.name.endswith(".html"):
                    html = decode_page(tar.extractfile(m).read())[0]
                    if re.search("[\u4e00-\u9fff]", html[:20000]):
                        out.append((f"{name[:2]}-{m.name.rsplit('/', 1)[1][:8]}", html))
    return out


def _encode(html: str, variant: str) -> tuple[bytes, str]:
    """(payload bytes, the charset its HTTP header and <meta> declare)."""
    if variant == "right":
        return html.encode("utf-8", "surrogatepass"), "utf-8"
    if variant.startswith("gbk_in_header"):
        # right, but only in the HTTP header: the <meta> says nothing
        declared, body = "gbk", _META.sub("", html)
    else:
        declared = "gbk" if variant.startswith("utf8") else "utf-8"
        body = _META.sub(f"charset={declared}", html)
    data = body.encode("utf-8" if variant.startswith("utf8") else "gb18030", "replace")
    if variant.endswith("stray"):
        # a byte neither encoding can place, inside the text, not splitting a character
        at = data.rfind(b">", 0, len(data) // 2) + 1
        data = data[:at] + b"\xff" + data[at:]
    return data, declared


def _response(url: str, payload: bytes, charset: str) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={charset}\r\nContent-Length: {len(payload)}\r\n\r\n"
    return warc_record("response", url, head.encode() + payload, "application/http; msgtype=response")


@pytest.fixture(scope="module")
def mislabelled_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("charset")
    pages = _pages()
    for variant in VARIANTS:
        with open(tmp / f"{variant}.warc.gz", "wb") as f:
            for key, html in pages:
                f.write(gzip_member(_response(f"http://{variant}.example.cn/{key}", *_encode(html, variant))))
    config = write_config(tmp, "sources:\n" + "".join(
        f'  - {{name: {v}, format: warc, paths: ["{v}.warc.gz"]}}\n' for v in VARIANTS)
        + "dedup: {exact: false, near: false, lines: false}\n")
    assert run_zhpile("run", config, "--output", tmp / "out") == 0
    return RunOutput(str(tmp / "out")), [key for key, _h in pages]


def _outcomes(run: RunOutput, variant: str) -> dict[str, str]:
    prefix = f"http://{variant}.example.cn/"
    out = {row["url"][len(prefix):]: "clean: " + row["text"] for row in run.clean.get(variant, [])}
    out.update({row["url"][len(prefix):]: "rejected: " + row["reason"] for row in run.rejected
                if (row["url"] or "").startswith(prefix)})
    return out


def test_pages_are_real_and_mostly_kept(mislabelled_run):
    run, keys = mislabelled_run
    right = _outcomes(run, "right")
    assert set(right) == set(keys) and len(keys) >= 60
    assert sum(v.startswith("clean") for v in right.values()) >= 0.8 * len(keys)


@pytest.mark.parametrize("variant", VARIANTS[1:])
def test_mislabelled_page_reads_as_the_right_one(mislabelled_run, variant):
    run, keys = mislabelled_run
    right, wrong = _outcomes(run, "right"), _outcomes(run, variant)
    assert set(wrong) == set(keys)
    differ = {}
    for key in keys:
        a, b = right[key], wrong[key]
        if variant.endswith("stray"):
            # the stray byte is one lost character (filters/mojibake.py removes it), and can
            # leave a line's indent in place
            a, b = ("".join(x.replace("\ufffd", "").split()) for x in (a, b))
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            differ[key] = (a[max(0, at - 20):at + 40], b[max(0, at - 20):at + 40])
    assert not differ, differ
