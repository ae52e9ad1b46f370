"""Builds the safety lists shipped in filters/data/ from the word lists in
../shared/realdata/08_zh_flagged_wordlists.tar.gz plus zhpile's own gambling and spam terms.

    python tools/build_wordlists.py ../shared/realdata/08_zh_flagged_wordlists.tar.gz

- zh_flagged_terms.tsv: `category<TAB>term`. porn: konsheng/Sensitive-lexicon 色情词库 and
  色情类型 (MIT) and LDNOOBW zh (CC-BY-4.0), terms of 2+ characters, minus ordinary words
  found in several real documents (EXCLUDED); gambling and spam: written for zhpile.
- blocked_domains.txt: konsheng/Sensitive-lexicon 非法网址 (MIT), lower-cased, sorted.
The ad list of Sensitive-lexicon (广告类型) is not used: most of it is ordinary words
(网络, 招聘, 淘宝) and names of officials.
"""
from __future__ import annotations

import os
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "filters", "data")

# Gambling slang that is also ordinary Chinese is left out: 菠菜 (spinach), 挂牌 (listed),
# 庄家, 盘口 (stock market), 稳中 (稳中求进), 中特 (其中特别), 单双, 快三 (快三年), 反水, 首充.
# Terms of the porn lists that ordinary text uses (each found in 2+ of 2,600 real documents
# of CLUECorpusSmall and ChineseWebText, or plainly medical/everyday words).
EXCLUDED = {
    "刺激", "激情", "成人", "限量", "13.", "13点", "自拍", "按摩", "高潮", "裸露", "粉嫩", "月经", "大波", "处男", "处女",
    "内裤", "精子", "卵子", "屁股", "兼职", "肛门", "火辣", "妈妈的", "下体", "白痴", "混蛋", "强奸", "乳房", "乳头",
    "包皮", "外阴", "交配", "撒尿", "性器", "性无能", "卵", "奶", "性", "乳", "屌", "妓", "奸", "姦", "幹", "性爱",
    "情色", "赤裸", "体位", "美腿", "凌辱", "幼女", "全裸", "裸照", "摸胸", "黄片", "应召", "九游", "刚度", "册那",
    "屁眼", "放尿", "欲仙欲死", "全家不得好死", "性交", "嫖娼", "嫖客", "卖淫", "妓女", "妓院", "强奸你", "后庭",
    # substrings of ordinary words (白色色阶, 上校鸡块, 老妈的, Flash动画, 综合性服务) or plain words
    "色色", "校鸡", "妈的", "铃声", "奈美", "性服务", "h动画", "不穿", "笨蛋", "丝袜", "拔出来", "色情",
}

GAMBLING = """
六合彩 香港六合彩 时时彩 重庆时时彩 北京赛车 北京pk10 pk10 大发快三 百家乐 真人百家乐 炸金花 斗地主赢钱 老虎机
电子游艺 捕鱼达人 真人娱乐 真人视讯 网上赌场 在线赌场 网络赌博 博彩 博彩公司 赌场 赌博网站 澳门赌场 澳门新葡京
新葡京 葡京娱乐 威尼斯人娱乐 金沙娱乐 金沙赌场 太阳城娱乐 永利娱乐 银河娱乐 皇冠体育 皇冠现金网 现金网 投注 下注
彩金 开户送 注册送 存送 返水 洗码 提款秒到 特码 平特一肖 二肖 三肖 四肖 六肖 一码中特 一肖中特 波色 生肖彩 香港马会
马会资料 开奖直播 开奖现场 藏宝图 跑狗图 管家婆 白小姐 曾道人 铁算盘 心水论坛 心水资料 赌球 足球投注 体育投注
滚球 让球盘 大小球 下注平台 六合码 平码 二连码 灵码 特肖 杀肖 期期准 中头彩 赢彩金 码报 玄机图
""".split()

SPAM = """
加微信 加我微信 加v 加V 微信号 私聊 私信我 代开发票 发票代开 办证 刻章 无抵押贷款 信用卡套现 信用卡提现
日赚 日入 月入过万 躺赚 刷单 刷信誉 兼职刷单 手机兼职 代孕 私家侦探 针孔摄像 窃听器 迷药 迷幻药 催情药
春药 壮阳 增大增粗 延时喷剂 伟哥 减肥药 祛斑 包过 代考 替考 出售答案 答案出售 枪支 仿真枪 高仿 a货 A货
""".split()


def _read(tar: tarfile.TarFile, suffix: str) -> list[str]:
    member = next(m for m in tar.getmembers() if m.name.endswith(suffix))
    return [line.strip() for line in tar.extractfile(member).read().decode("utf-8").splitlines() if line.strip()]


def main(archive: str) -> None:
    with tarfile.open(archive) as tar:
        porn = set()
        for suffix in ("色情词库.txt", "色情类型.txt", "LDNOOBW/zh"):
            porn.update(t for t in _read(tar, suffix) if len(t) >= 2 and not t.isascii())
        domains = sorted({d.lower().strip(".") for d in _read(tar, "非法网址.txt") if "." in d})
    porn -= EXCLUDED
    rows = sorted({("porn", t) for t in porn} | {("gambling", t.lower()) for t in GAMBLING} | {("spam", t.lower()) for t in SPAM})
    with open(os.path.join(DATA, "zh_flagged_terms.tsv"), "w", encoding="utf-8") as f:
        f.write("".join(f"{c}\t{t}\n" for c, t in rows))
    with open(os.path.join(DATA, "blocked_domains.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(domains) + "\n")
    counts = {c: sum(1 for r in rows if r[0] == c) for c in ("porn", "gambling", "spam")}
    print(f"terms {counts}, {len(domains)} domains -> {DATA}")


if __name__ == "__main__":
    main(sys.argv[1])
