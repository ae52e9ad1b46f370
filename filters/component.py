"""Pile-style components of crawl pages: which kind of text a page is (news, Q&A, ...).

A cascade, first decider wins, each with the reason it gives:
1. the URL: known hosts and path shapes (data/component_urls.tsv, with its origin);
2. page structure in the extracted text: forum and Q&A chrome, law and notice forms,
   chapter headings, encyclopedia infoboxes (`STRUCTURE` below);
3. a small character n-gram model (data/component_model.json, trained by
   tools/train_component_model.py), whose most probable class is taken.
docs/components.md defines the components and gives the measured accuracy."""
from __future__ import annotations

import functools
import gzip
import json
import re
from importlib import resources
from urllib.parse import urlsplit

import numpy as np

from .kernels import naive_bayes_evidence
from .quality import code_chars
from .textutil import codepoints

COMPONENTS = ("news", "encyclopedia", "qa", "forum", "government", "literature", "tech", "commerce", "other")

URL_RULES = "component_urls.tsv"
UNDECIDED = "-"  # a host that does not decide (a platform that publishes any kind of text)
MODEL = "component_model.json.gz"


class ComponentError(ValueError):
    """A component rules or model file that cannot be used."""


@functools.lru_cache(maxsize=None)
def url_rules(text: str | None = None) -> tuple[dict[str, str], list[tuple[str, str]], list[tuple[re.Pattern, str, str]]]:
    """(host suffix -> component, [(host prefix, component)], [(path regex, component, pattern)])
    from the rules file's text (the shipped one by default)."""
    if text is None:
        text = resources.files("zhpile.filters").joinpath("data", URL_RULES).read_text("utf-8")
    hosts, prefixes, paths = {}, [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or fields[1] not in (*COMPONENTS, UNDECIDED) or fields[0] not in ("host", "prefix", "path"):
            raise ComponentError(f"{URL_RULES} line {lineno}: want 'host|prefix|path<TAB>component<TAB>pattern', got {line!r}")
        kind, component, pattern = fields[:3]
        if kind == "host":
            hosts[pattern.lower()] = component
        elif kind == "prefix":
            prefixes.append((pattern.lower(), component))
        else:
            paths.append((re.compile(pattern, re.I), component, pattern))
    return hosts, prefixes, paths


def url_component(url: str | None, rules=None) -> tuple[str, str] | None:
    """(component, reason) from the URL, or None. The longest known host suffix decides,
    then a path shape (forum software, question pages), then a host prefix (bbs., baike.)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    hosts, prefixes, paths = rules or url_rules()
    labels = host.split(".")
    platform = False  # a host listed as undecided: only a path shape can still decide
    for i in range(len(labels) - 1):  # longest suffix first; a bare TLD never matches
        suffix = ".".join(labels[i:])
        if suffix in hosts:
            if hosts[suffix] != UNDECIDED:
                return hosts[suffix], f"url: host {suffix}"
            platform = True
            break
    target = parts.path + ("?" + parts.query if parts.query else "")
    for regex, component, pattern in paths:
        if regex.search(target):
            return component, f"url: path {pattern}"
    if platform:
        return None
    for prefix, component in prefixes:
        if host.startswith(prefix):
            return component, f"url: host prefix {prefix}"
    return None


# Page structure that only one kind of page has, counted in the extracted text. A kind
# decides when it has at least `need` distinct markers (distinct: one widget repeated on
# every reply counts once) and no other kind reaches its own `need`.
STRUCTURE: dict[str, tuple[int, tuple[str, ...]]] = {
    "qa": (2, ("最佳答案", "提问者", "个回答", "追问", "采纳率", "满意回答", "网友采纳", "回答于", "已采纳", "我来答",
               "问题描述", "相关问题", "举报该回答")),
    "forum": (2, ("楼主", "只看该作者", "回复本楼", "本帖最后由", "发表于", "引用回复", "楼层", "主题帖", "回帖",
                  "注册时间", "查看:", "回复:", "帖子:", "帖数", "最后发表", "快速发帖", "主题:")),
    "government": (2, ("人民政府", "办公厅", "各省、自治区、直辖市", "特此通知", "通知如下", "现予公布", "自发布之日起施行",
                       "印发", "政府信息公开", "常务委员会", "发文字号", "索引号", "主题分类", "成文日期", "本规定", "本办法")),
    "literature": (2, ("上一章", "下一章", "章节目录", "加入书架", "本章字数", "作者：", "全文阅读", "小说", "目录", "书签")),
    "encyclopedia": (2, ("中文名", "外文名", "别名", "所属地区", "百度百科", "维基百科", "自由的百科全书", "词条", "参考资料",
                         "外部链接", "义项")),
    "commerce": (3, ("加入购物车", "立即购买", "包邮", "库存", "月销", "销量", "商品详情", "规格参数", "累计评价", "运费",
                     "店铺", "客服", "￥", "¥", "优惠券")),
}
# Regexes that count as a marker of their kind (the chapter heading that opens a novel's
# page, a law's numbered articles, a numbered floor of a thread).
STRUCTURE_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {
    "literature": (re.compile(r"^\s*第[一二三四五六七八九十百千零〇\d]+[章回卷]"),),
    "government": (re.compile(r"(?:^|\n)\s*第[一二三四五六七八九十]+条\s.*\n(?:.*\n){0,20}?\s*第[一二三四五六七八九十]+条\s"),),
    "forum": (re.compile(r"(?:^|\s)(?:\d+|[#＃]\d+)\s?楼(?:\s|$)", re.M),),
}
# Every marker in one alternation: the page's head is scanned once.
_MARKERS = re.compile("|".join(sorted({re.escape(m) for _n, ms in STRUCTURE.values() for m in ms}, key=len, reverse=True)))
_KINDS_OF: dict[str, list[str]] = {}
for _kind, (_need, _ms) in STRUCTURE.items():
    for _m in _ms:
        _KINDS_OF.setdefault(_m, []).append(_kind)
_HEAD_CHARS = 8_000  # structure is looked for in the page's first characters
# The title of an official document (GB/T 9704: issuer, 关于, subject, document type), as the
# page's title or first line.
_OFFICIAL_TITLE = re.compile(
    r"^[^，。！？\n]{0,30}?(?:人民政府|人民代表大会|常务委员会|委员会|办公厅|办公室|国务院|中共中央|人民法院|人民检察院|[部厅局委署])"
    r"(?:办公厅|办公室)?关于[^，。！？\n]{2,80}?的(?:通知|决定|意见|批复|规定|公告|通告|办法|决议|通报|函|报告|细则)"
    r"(?:$|[_\-|－—\s(（])")
# A forum's name in the title, after the post's own title ("... - XX论坛", "..._百度贴吧").
_FORUM_TITLE = re.compile(r"[-_|–—·]\s*[^-_|–—·]*(?:论坛|贴吧|社区|BBS|bbs|Discuz)", re.I)
# A company or a shop named in the title (its own site's pages: products, marketing), as
# one of the title's segments.
_TITLE_SEGMENTS = re.compile(r"[-_|,，–—·\s:：()（）【】]+")
_SELLER = re.compile(r"(?:有限公司|有限责任公司|股份公司|工厂|厂|厂家|商行|经营部|专卖店|旗舰店|商城|制造商|供应商|生产商)$|"
                     r"批发|供应|报价|直销|加盟|维修")
# A tech post: this share of the visible characters in code-like lines (quality.code_share).
TECH_CODE_SHARE = 0.08


def structure_component(text: str, title: str | None = None, code_share: float | None = None) -> tuple[str, str] | None:
    """(component, reason) from page structure in the extracted text, or None."""
    head = text[:_HEAD_CHARS]
    first_line = head.lstrip().split("\n", 1)[0]
    if any(_OFFICIAL_TITLE.search(t) for t in (title or "", first_line)):
        return "government", "structure: official-document title"
    if code_share is None:
        code_share = code_share_of(head)
    if code_share >= TECH_CODE_SHARE:
        return "tech", f"structure: code_share {code_share:.2f}"
    # after the code: a tech community's posts are tech
    if title and _FORUM_TITLE.search(title):
        return "forum", "structure: forum name in the title"
    seller = next((seg for seg in _TITLE_SEGMENTS.split(title or "") if seg and _SELLER.search(seg)), None)
    if seller:
        return "commerce", f"structure: a seller in the title ({seller[:20]})"
    present = set(_MARKERS.findall(head))
    found: dict[str, list[str]] = {}
    for kind, (need, markers) in STRUCTURE.items():
        hits = [m for m in markers if m in present]
        hits += [f"/{p.pattern[:20]}/" for p in STRUCTURE_PATTERNS.get(kind, ()) if p.search(head)]
        if len(hits) >= need:
            found[kind] = hits
    if len(found) != 1:
        return None
    (kind, hits), = found.items()
    return kind, "structure: " + ", ".join(hits[:4])


def code_share_of(text: str) -> float:
    """quality.signals' code_share, for a text whose signals were not measured."""
    lines = [line.strip() for line in text.split("\n")]
    visible = sum(len("".join(line.split())) for line in lines)
    return code_chars([line for line in lines if line]) / max(visible, 1)


_HAN = re.compile(r"[\u3400-\u9fff]+")
_HAN_END = 0xA000  # every feature's characters are below
MODEL_CHARS = 800  # the model reads the page's first characters


def grams(text: str) -> list[str]:
    """Han characters and character bigrams of the text's first characters: the model's
    features (a sequence, so counts matter)."""
    out = []
    for run in _HAN.findall(text[:MODEL_CHARS]):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


EVIDENCE_GRAMS = 40
STRUCTURAL = ("forum", "qa")  # never decided by the model alone
# A byline, a dateline or a wire service: what a news report carries and a company page not.
# A date as a whole segment of the URL's path (/20240511/, /2024/05/11/, /2024-05/, /210120/):
# how news systems file their reports, rarer for a company's product pages.
_URL_DATE = re.compile(r"/(?:(?:19|20)\d\d[-/]?(?:0[1-9]|1[0-2])(?:[-/]?(?:0[1-9]|[12]\d|3[01]))?"
                       r"|[0-2]\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(?=/)")
_NEWS_MARKERS = re.compile(r"记者|通讯员|责任编辑|编辑[：:]|日电|日讯|原标题|新华社|中新社|中新网|据悉|发稿时间|本报讯|来源[：:]\s*(?:新华|人民|中国|央视)")


class ComponentModel:
    """Multinomial naive Bayes over `grams`: per class a log prior and, per kept feature,
    a log likelihood (features outside the file carry no evidence)."""

    def __init__(self, classes: list[str], log_prior: list[float], features: dict[str, list[float]], meta: dict):
        if any(not _HAN.fullmatch(g) for g in features):  # evidence() relies on it
            raise ComponentError("component model: a feature that is not Han characters")
        if not set(classes) <= set(COMPONENTS):
            raise ComponentError(f"component model: unknown classes {sorted(set(classes) - set(COMPONENTS))}")
        if any(len(row) != len(classes) for row in features.values()) or len(log_prior) != len(classes):
            raise ComponentError("component model: a row's length is not the number of classes")
        self.classes, self.log_prior, self.meta = classes, np.asarray(log_prior, dtype=np.float64), meta
        self.index = {g: i for i, g in enumerate(features)}
        self.log_lik = np.asarray(list(features.values()), dtype=np.float64).reshape(len(features), len(classes))
        # Feature rows by code point and by pair key, for kernels.naive_bayes_evidence (a
        # dict lookup per gram cost ~140 us a page).
        self.char_rows = np.full(_HAN_END + 1, -1, dtype=np.int64)  # the last: any other character
        pairs = []
        for gram, row in self.index.items():
            if len(gram) == 1:
                self.char_rows[ord(gram)] = row
            elif len(gram) == 2:
                pairs.append(((ord(gram[0]) << 21) | ord(gram[1]), row))
        pairs.sort()
        pairs.append((2**64 - 1, -1))  # above every pair key (42 bits): a search never runs off the end
        self.pair_keys = np.array([key for key, _ in pairs], dtype=np.uint64)
        self.pair_rows = np.array([row for _, row in pairs], dtype=np.int64)

    @classmethod
    def load(cls, data: bytes | None = None) -> "ComponentModel":
        if data is None:
            data = resources.files("zhpile.filters").joinpath("data", MODEL).read_bytes()
        try:
            body = json.loads(gzip.decompress(data))
            return cls(body["classes"], body["log_prior"], body["features"], body.get("meta", {}))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ComponentError(f"component model: unreadable ({type(err).__name__}: {err})") from None

    def evidence(self, text: str) -> tuple[np.ndarray, int]:
        """The summed log likelihoods of the features among the first characters' grams
        (every character's, then every adjacent pair's, in text order) and their number."""
        cps = codepoints(text[:MODEL_CHARS]).astype(np.int64)
        return naive_bayes_evidence(cps, self.char_rows, self.pair_keys, self.pair_rows, self.log_lik)

    def probabilities(self, text: str) -> dict[str, float]:
        evidence, n = self.evidence(text)
        # Naive Bayes counts every gram as independent evidence, which makes any long page
        # certain; the evidence is scaled to EVIDENCE_GRAMS grams so that p says something.
        if n > EVIDENCE_GRAMS:
            evidence *= EVIDENCE_GRAMS / n
        scores = self.log_prior + evidence
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist()))

    def predict(self, text: str, exclude: tuple[str, ...] = ()) -> tuple[str, float]:
        probs = self.probabilities(text)
        best = max((c for c in self.classes if c not in exclude), key=lambda c: (probs[c], -self.classes.index(c)))
        return best, probs[best]


def _url_date(url: str) -> bool:
    try:
        return bool(_URL_DATE.search(urlsplit(url.strip()).path))
    except ValueError:
        return False


@functools.lru_cache(maxsize=1)
def shipped_model() -> ComponentModel:
    return ComponentModel.load()


def model_text(title: str | None, text: str, dateline: str | None = None) -> str:
    """What the component model reads of a page: its title, the datelines extraction took
    out of its text, its text. tools/train_component_model.py trains on the same."""
    return f"{title or ''}\n{dateline}\n{text}" if dateline else f"{title or ''}\n{text}"


def assign_component(url: str | None, title: str | None, text: str, model: ComponentModel | None = None,
                     code_share: float | None = None, dateline: str | None = None) -> tuple[str, str]:
    """(component, reason) of a crawl page: URL, then page structure, then the model.
    `code_share`: the quality signal, when already measured on this text; `dateline`: the
    source/author/time lines extraction took out of the text, read as the text's head."""
    if dateline:
        text = f"{dateline}\n{text}"
    decided = url_component(url) or structure_component(text, title, code_share)
    if decided:
        return decided
    model = model or shipped_model()
    # Forum and Q&A are kinds of page structure: without it (or a forum URL), the text
    # alone does not make a page one of them.
    component, p = model.predict(model_text(title, text), exclude=STRUCTURAL)
    if component == "news" and url and not (_NEWS_MARKERS.search(text[:_HEAD_CHARS]) or _url_date(url)):
        # A crawl page whose host is none of the listed outlets is rarely news, yet company
        # and SEO pages of the long tail share journalism's vocabulary (docs/components.md:
        # on a real crawl sample the model alone was right 9 times in 92): there, news also
        # needs a byline or a dateline. Without a URL there is no such evidence either way.
        return "other", f"model: news p={p:.2f}, unlisted host, no byline or dateline"
    return component, f"model: {component} p={p:.2f}"
