"""Progress of a local run: input files done, records read, documents per second, ETA.

The local FnApiRunner runs the readers in this process, so they count into module-level
totals that a background thread shows every few seconds: as a line rewritten in place on
a terminal, and not at all when the output is not one (logs stay clean). Runs on an engine
(or in several local processes) count in their workers and report at the end instead.
"""
from __future__ import annotations

import sys
import threading
import time

_lock = threading.Lock()
_totals = {"files": 0, "bytes": 0, "records": 0}


def file_done(size: int, records: int) -> None:
    """A reader finished one input file of `size` bytes that held `records` records."""
    with _lock:
        _totals["files"] += 1
        _totals["bytes"] += size
        _totals["records"] += records


def reset() -> None:
    with _lock:
        _totals.update(files=0, bytes=0, records=0)


def progress_line(totals: dict, n_files: int, total_bytes: int, elapsed: float) -> str:
    rate = totals["records"] / elapsed if elapsed > 0 else 0.0
    done = totals["bytes"] / total_bytes if total_bytes else totals["files"] / max(n_files, 1)
    eta = f"{elapsed * (1 - done) / done / 60:.1f} min" if 0 < done < 1 else ("-" if done == 0 else "0 min")
    bar = "#" * int(done * 20)
    return (f"[{bar:<20}] files {totals['files']}/{n_files}, records {totals['records']:,}, "
            f"{rate:,.0f} records/s, ETA {eta}")


class Progress:
    """with Progress(n_files, total_bytes): ... shows progress_line every `interval` s."""

    def __init__(self, n_files: int, total_bytes: int, stream=None, interval: float = 5.0, force: bool = False,
                 enabled: bool = True):
        self.n_files, self.total_bytes, self.interval = n_files, total_bytes, interval
        self.stream = stream or sys.stderr
        self.enabled = enabled and (force or self.stream.isatty())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        reset()
        self.started = time.time()
        if self.enabled:
            self._thread.start()
        return self

    def _show(self, end: str = "") -> None:
        with _lock:
            totals = dict(_totals)
        line = progress_line(totals, self.n_files, self.total_bytes, time.time() - self.started)
        self.stream.write(("\r" if self.stream.isatty() else "") + line + (end or ("" if self.stream.isatty() else "\n")))
        self.stream.flush()

    def _loop(self):
        while not self._stop.wait(self.interval):
            self._show()

    def __exit__(self, *exc):
        self._stop.set()
        if self.enabled:
            self._thread.join()
            self._show("\n")
        return False
