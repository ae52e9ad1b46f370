"""Decompression bombs between good pages: each is rejected `too_large` with how far its
decoding got, every good page is kept, and the run's memory stays bounded."""
import pytest

from benchmarks.bombs import GOOD, isolated_peak_rss, make_crawl

from helpers import RunOutput

GIB = 2**30
# Without bombs this crawl peaks at ~330 MiB (benchmarks/bombs.py); decoding stops at
# read.max_record_bytes (10 MB), so the bombs may add tens of MB, never the GiB they hold.
PEAK_RSS_BOUND = 1_000_000_000


@pytest.fixture(scope="module")
def bomb_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bombs")
    config = make_crawl(str(tmp), GIB)
    code, rss = isolated_peak_rss(config, str(tmp / "out"))
    assert code == 0
    return RunOutput(str(tmp / "out")), rss


def test_bombs_are_rejected_with_how_far_they_decoded(bomb_run):
    run, _ = bomb_run
    bombs = {r["url"] or r["id"]: r for r in run.rejected if r["reason"] == "too_large"}
    assert set(bombs) >= {"http://gzip-bomb.example.cn/", "http://br-bomb.example.cn/"} and len(bombs) == 3
    assert "Content-Encoding gzip" in bombs["http://gzip-bomb.example.cn/"]["detail"]
    assert "Content-Encoding br" in bombs["http://br-bomb.example.cn/"]["detail"]
    (line,) = [r for r in bombs.values() if r["source"] == "books"]
    assert "line 5" in line["detail"] and "skipped unread" in line["detail"]


def test_every_good_page_is_kept(bomb_run):
    run, _ = bomb_run
    assert len(run.clean["cc"]) == len(GOOD) and len(run.clean["books"]) == len(GOOD)
    assert run.report["accounting_ok"] is True


def test_peak_memory_stays_bounded(bomb_run):
    _, rss = bomb_run
    assert rss < PEAK_RSS_BOUND, f"peak RSS {rss / 2**20:.0f} MiB"
