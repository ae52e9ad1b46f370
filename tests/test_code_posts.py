"""Chinese tech posts whose code block is most of the page keep their code.

Pages written for zhpile in the markup real blog engines use for code: a plain
<pre><code>, a highlighter's span per token, prettify's numbered <li> lines, hexo's <figure>
with a line-number gutter table, CSDN's line-number list inside <pre>, a <div> per line.
Each goes through `zhpile run` as a WARC record; each must be kept, with every code line in
its clean text (no line number glued to it), its Chinese explanation, and `code_share`.
"""
import html
import re

import pytest

from sample_data.make_sample import gzip_member, http_response, warc_record

from helpers import RunOutput, run_zhpile, write_config

PYTHON = '''import gzip
import json


def read_records(path):
    """逐行读取 JSONL 文件，跳过空行。"""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            yield json.loads(line)


class ShardWriter:
    def __init__(self, path, shard_size=10000):
        self.path, self.shard_size = path, shard_size
        self.buffer, self.shard = [], 0

    def write(self, record):
        self.buffer.append(record)
        if len(self.buffer) >= self.shard_size:
            self.flush()

    def flush(self):
        name = f"{self.path}/part-{self.shard:05d}.jsonl.gz"
        with gzip.open(name, "wt", encoding="utf-8") as f:
            for record in self.buffer:
                f.write(json.dumps(record, ensure_ascii=False) + "\\n")
        self.buffer, self.shard = [], self.shard + 1'''
JAVA = '''public class LruCache<K, V> extends LinkedHashMap<K, V> {
    private final int capacity;

    public LruCache(int capacity) {
        super(capacity, 0.75f, true);
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }

    public static void main(String[] args) {
        LruCache<String, Integer> cache = new LruCache<>(2);
        cache.put("a", 1);
        cache.put("b", 2);
        cache.get("a");
        cache.put("c", 3);
        System.out.println(cache.keySet()); // [a, c]
    }
}'''
SHELL = '''#!/usr/bin/env bash
set -euo pipefail
for host in $(cat hosts.txt); do
    echo "==> ${host}"
    ssh -o ConnectTimeout=5 "${host}" 'df -h / | tail -1; uptime'
done
docker run -d --name redis -p 6379:6379 -v /data/redis:/data redis:7 --appendonly yes
docker logs -f --tail 100 redis'''
POSTS = {
    "python": ("按分片写出 JSONL 文件", PYTHON, [
        "上一篇讲了怎么逐行读取大文件，这一篇补充一个按分片写出的工具类，直接贴代码。",
        "用法很简单：创建 ShardWriter，循环调用 write，最后记得再调用一次 flush，否则最后一个分片不会写出。有问题欢迎留言。"]),
    "java": ("用 LinkedHashMap 实现 LRU 缓存", JAVA, [
        "面试的时候经常会被问到如何实现一个 LRU 缓存。其实在 Java 里面，LinkedHashMap 已经帮我们做好了大部分工作。",
        "关键在于构造函数的第三个参数 accessOrder，设为 true 之后，每次访问元素都会把它移动到链表的末尾。完整代码如下：",
        "需要注意的是，LinkedHashMap 不是线程安全的，多线程环境下需要自己加锁。"]),
    "shell": ("批量检查服务器磁盘的小脚本", SHELL, [
        "运维日常工作中，经常需要批量检查一组服务器的磁盘和负载情况。手动一台一台登录实在太麻烦了，写个小脚本就能搞定。",
        "脚本从 hosts.txt 里读取主机列表，依次通过 ssh 执行命令。顺便记录一下用 Docker 启动 Redis 的命令：",
        "如果服务器比较多，可以用 xargs -P 并发执行，规模再大一些就应该上 Ansible 了。"]),
}


def _tokens(line: str) -> str:
    return "".join(f'<span class="tok">{html.escape(t)}</span>' if t.strip() else t
                   for t in re.findall(r"\w+|\s+|[^\w\s]", line))


def plain(code: str) -> str:
    return f'<pre><code class="language-x">{html.escape(code)}</code></pre>'


def highlighted(code: str) -> str:
    return '<pre><code class="hljs">' + "\n".join(_tokens(line) for line in code.split("\n")) + "</code></pre>"


def prettify(code: str) -> str:
    return ('<pre class="prettyprint linenums"><ol class="linenums">'
            + "".join(f'<li class="L{i % 10}">{_tokens(line)}</li>' for i, line in enumerate(code.split("\n"))) + "</ol></pre>")


def hexo_gutter(code: str) -> str:
    lines = code.split("\n")
    numbers = "".join(f'<span class="line">{i + 1}</span><br>' for i in range(len(lines)))
    body = "".join(f'<span class="line">{html.escape(line)}</span><br>' for line in lines)
    return (f'<figure class="highlight"><table><tr><td class="gutter"><pre>{numbers}</pre></td>'
            f'<td class="code"><pre>{body}</pre></td></tr></table></figure>')


def csdn_numbering(code: str) -> str:
    numbers = "".join(f"<li>{i + 1}</li>" for i in range(code.count("\n") + 1))
    return (f'<pre class="prettyprint"><code class="has-numbering">{html.escape(code)}</code>'
            f'<ul class="pre-numbering">{numbers}</ul></pre>')


def div_per_line(code: str) -> str:
    return '<div class="syntaxhighlighter">' + "".join(
        f'<div class="line"><code>{html.escape(line).replace("  ", "&nbsp;&nbsp;") or "&nbsp;"}</code></div>'
        for line in code.split("\n")) + "</div>"


MARKUPS = {"plain": plain, "highlighted": highlighted, "prettify": prettify, "hexo_gutter": hexo_gutter,
           "csdn_numbering": csdn_numbering, "div_per_line": div_per_line}
CHROME = ('<div class="nav"><a href="/">首页</a> <a href="/blog">博客</a> <a href="/q">问答</a> <a href="/login">登录</a></div>'
          '<div class="side"><h3>热门文章</h3><ul><li><a href="/1">Python 装饰器详解</a></li>'
          '<li><a href="/2">Docker 入门教程</a></li><li><a href="/3">MySQL 索引优化</a></li></ul></div>')


def post_html(post: str, markup: str) -> str:
    title, code, prose = POSTS[post]
    parts = [f"<p>{p}</p>" for p in prose]
    parts.insert(1, MARKUPS[markup](code))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - 技术博客</title></head><body>{CHROME}'
            f'<div class="article"><h1>{title}</h1>' + "".join(parts)
            + '</div><div class="foot">Copyright © 2023 某技术社区 京ICP备12345678号</div></body></html>')


CASES = [(post, markup) for post in POSTS for markup in MARKUPS]


@pytest.fixture(scope="module")
def code_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("code")
    with open(tmp / "posts.warc.gz", "wb") as f:
        for post, markup in CASES:
            body = http_response(post_html(post, markup).encode("utf-8"), "text/html; charset=utf-8")
            f.write(gzip_member(warc_record("response", f"https://blog.example.cn/{post}/{markup}", body,
                                            "application/http; msgtype=response")))
    config = write_config(tmp, 'sources:\n  - {name: blogs, format: warc, paths: ["posts.warc.gz"]}\n'
                               "dedup: {exact: false, near: false, lines: false}\n")
    assert run_zhpile("run", config, "--output", tmp / "out") == 0
    run = RunOutput(str(tmp / "out"))
    return {row["url"].rsplit("/", 2)[1] + "/" + row["url"].rsplit("/", 1)[1]: row for row in run.all_clean()}, run


@pytest.mark.parametrize("post,markup", CASES)
def test_a_code_post_is_kept_with_its_code(code_run, post, markup):
    clean, run = code_run
    key = f"{post}/{markup}"
    assert key in clean, [r for r in run.rejected if r["url"].endswith(key)]
    text_lines = {line.strip() for line in clean[key]["text"].split("\n")}
    _title, code, prose = POSTS[post]
    missing = [line.strip() for line in code.split("\n") if line.strip() and " ".join(line.split()) not in text_lines]
    assert not missing, clean[key]["text"]
    assert all(p in clean[key]["text"] for p in prose)
    assert not any(line.isdigit() for line in text_lines), "a line-number gutter reached the text"
    assert clean[key]["quality"]["code_share"] >= 0.5


def test_line_number_gutters_and_what_only_looks_like_one():
    """A gutter counts up by one from line to line; circled and superscript numbers (which
    str.isdigit accepts and int() refuses) and a list of years are text."""
    from zhpile.filters.extract import html_to_text

    prose = "<p>" + "正文的一段话，讲了一个关于代码的故事。" * 4 + "</p>"
    gutter = "<pre>" + "\n".join(str(i) for i in range(1, 8)) + "</pre><pre>x = 1\ny = 2</pre>"
    assert html_to_text(f"<html><body>{prose}{gutter}</body></html>").split("\n")[1:] == ["x = 1", "y = 2"]
    odd = "<pre>①\n②\n③\n²</pre><pre>1998\n2004\n2010</pre>"
    text = html_to_text(f"<html><body>{prose}{odd}</body></html>")
    assert all(line in text.split("\n") for line in ("①", "③", "1998", "2010"))
