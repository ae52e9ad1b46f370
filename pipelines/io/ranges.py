"""Byte ranges of WARC files: which to read (merging nearby records) and reading them,
through Beam's filesystems (local, s3://, gs://) or HTTP Range requests (https://).

The HTTP client is polite by construction: one per worker process, keep-alive
connections, at most `max_concurrent` requests in flight and `requests_per_second`
started, a User-Agent naming zhpile, and exponential backoff with jitter on 429, 5xx,
connection errors and short bodies (never shorter than the server's Retry-After). A 503
or 429 also halves the process's request rate for a while: Common Crawl answers 503 when
it wants clients to slow down.
"""
from __future__ import annotations

import http.client
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass
class Range:
    start: int
    end: int  # exclusive
    members: list[tuple[int, int]] = field(default_factory=list)  # (offset, length) of selected records


def plan_ranges(records: list[tuple[int, int]], gap: int, max_bytes: int) -> list[Range]:
    """Sorted (offset, length) records -> ranges: a record joins the previous range when
    it starts at most `gap` bytes after that range's end and the range stays within
    `max_bytes`. A record listed twice is read once and kept twice (each index row must
    end somewhere)."""
    ranges: list[Range] = []
    for offset, length in sorted(records):
        end = offset + max(length, 0)
        last = ranges[-1] if ranges else None
        if last and offset - last.end <= gap and max(end, last.end) - last.start <= max_bytes:
            last.end = max(last.end, end)
            last.members.append((offset, length))
        else:
            ranges.append(Range(offset, end, [(offset, length)]))
    return ranges


@dataclass
class Fetched:
    data: bytes | None
    status: str  # "206", "200", "local", or why it failed
    attempts: int
    requests: int = 0


class FetchError(Exception):
    pass


def read_range_fs(path: str, start: int, end: int) -> Fetched:
    """A range of a file on Beam's filesystems; a file shorter than the range is an error."""
    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems

    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            f.seek(start)
            data = f.read(end - start)
    except Exception as err:  # noqa: BLE001 - missing file, permissions, remote errors
        return Fetched(None, f"{type(err).__name__}: {str(err)[:150]}", 1)
    if len(data) < end - start:
        return Fetched(None, f"short read: {len(data)} of {end - start} bytes (the file ends before the index says)", 1)
    return Fetched(data, "local", 1)


class _RateLimiter:
    """Starts at most `rate` requests a second, process-wide; slowed down on 503/429 and
    back up slowly on successes."""

    def __init__(self, rate: float):
        self.full, self.rate = rate, rate
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_at)
            self.next_at = start + 1.0 / self.rate
        if start > now:
            time.sleep(start - now)

    def slow_down(self) -> None:
        with self.lock:
            self.rate = max(self.full / 64, self.rate / 2)

    def recover(self) -> None:
        with self.lock:
            self.rate = min(self.full, self.rate * 1.05)


class HttpRanges:
    """One per process and config (see `client`): its limits hold for every thread of
    the worker."""

    _clients: dict = {}
    _clients_lock = threading.Lock()

    def __init__(self, cfg, sleep=time.sleep):
        self.cfg = cfg
        self.slots = threading.BoundedSemaphore(cfg.max_concurrent)
        self.limiter = _RateLimiter(cfg.requests_per_second)
        self.local = threading.local()  # keep-alive connections, one per thread and host
        self.sleep = sleep

    @classmethod
    def client(cls, cfg) -> "HttpRanges":
        key = cfg.model_dump_json()
        with cls._clients_lock:
            if key not in cls._clients:
                cls._clients[key] = cls(cfg)
            return cls._clients[key]

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        conns = self.local.__dict__.setdefault("conns", {})
        conn = conns.get((scheme, netloc))
        if conn is None:
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            conn = conns[(scheme, netloc)] = kind(netloc, timeout=self.cfg.timeout_seconds)
        return conn

    def _drop_connection(self, scheme: str, netloc: str) -> None:
        conn = self.local.__dict__.get("conns", {}).pop((scheme, netloc), None)
        if conn is not None:
            conn.close()

    def _once(self, url: str, method: str, headers: dict) -> tuple[int, dict, bytes]:
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn = self._connection(parts.scheme, parts.netloc)
        try:
            conn.request(method, target, headers={"User-Agent": self.cfg.user_agent, **headers})
            resp = conn.getresponse()
            body = resp.read()  # also for HEAD (empty): the connection is reusable only once read
            if resp.getheader("Connection", "").lower() == "close":
                self._drop_connection(parts.scheme, parts.netloc)
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        except Exception:
            self._drop_connection(parts.scheme, parts.netloc)  # a broken keep-alive connection
            raise

    def _retrying(self, url: str, method: str, headers: dict, check) -> tuple[object, str, int]:
        """(result of check, last status, attempts). `check(status, headers, body)` returns a
        result or raises FetchError(why) for a retryable failure."""
        delay, why = self.cfg.backoff_seconds, ""
        for attempt in range(1, self.cfg.retries + 2):
            retry_after = 0.0
            with self.slots:
                self.limiter.wait()
                try:
                    status, resp_headers, body = self._once(url, method, headers)
                except (OSError, http.client.HTTPException) as err:
                    why = f"{type(err).__name__}: {str(err)[:120]}"
                else:
                    if status in RETRY_STATUS:
                        why = f"HTTP {status}"
                        if status in (429, 503):
                            self.limiter.slow_down()
                        retry_after = _seconds(resp_headers.get("retry-after"))
                    elif status >= 400:
                        return None, f"HTTP {status}", attempt  # not found, forbidden: retrying will not help
                    else:
                        try:
                            result = check(status, resp_headers, body)
                        except FetchError as err:
                            why = str(err)
                        else:
                            self.limiter.recover()
                            return result, str(status), attempt
            if attempt <= self.cfg.retries:
                wait = min(self.cfg.max_backoff_seconds, delay) * random.uniform(0.5, 1.5)
                self.sleep(max(wait, retry_after))
                delay *= 2
        return None, why, self.cfg.retries + 1

    def fetch(self, url: str, start: int, end: int) -> Fetched:
        want = end - start

        def check(status, headers, body):
            if status == 206:
                if len(body) < want:
                    raise FetchError(f"short body: {len(body)} of {want} bytes")
                return body[:want]
            if status == 200:  # the server ignored Range and sent the whole file
                if len(body) < end:
                    raise FetchError(f"short body: {len(body)} bytes, the range ends at {end}")
                return body[start:end]
            raise FetchError(f"HTTP {status}")

        data, status, attempts = self._retrying(url, "GET", {"Range": f"bytes={start}-{end - 1}"}, check)
        return Fetched(data, status, attempts, attempts)

    def size(self, url: str) -> int | None:
        size, _status, _attempts = self._retrying(
            url, "HEAD", {}, lambda status, headers, body: int(headers.get("content-length", -1)))
        return size if size is not None and size >= 0 else None


def _seconds(value: str | None) -> float:
    try:
        return min(float(value), 600.0) if value else 0.0
    except ValueError:
        return 0.0  # an HTTP date: the exponential backoff stands


def fetch_range(path: str, start: int, end: int, http_cfg) -> Fetched:
    if path.startswith(("https://", "http://")):
        return HttpRanges.client(http_cfg).fetch(path, start, end)
    return read_range_fs(path, start, end)


def file_size(path: str, http_cfg) -> int | None:
    if path.startswith(("https://", "http://")):
        return HttpRanges.client(http_cfg).size(path)
    from apache_beam.io.filesystems import FileSystems

    try:
        return FileSystems.match([path])[0].metadata_list[0].size_in_bytes
    except Exception:  # noqa: BLE001 - the funnel shows it unknown
        return None
