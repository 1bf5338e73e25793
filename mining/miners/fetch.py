"""Polite HTTP fetching for the page miner: clear User-Agent, timeouts, a size cap, robots.txt and a
delay between two requests to the same host."""
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import requests

USER_AGENT = "LiffyBot/1.0 (+https://liffy.app/bot; contact discovery for event organizers)"


@dataclass
class Page:
    url: str
    status: int | None = None
    content: bytes = b""
    encoding: str | None = None
    content_type: str = ""
    error: str | None = None

    @property
    def ok(self):
        return self.error is None and self.status is not None and 200 <= self.status < 300


class PoliteFetcher:
    def __init__(self, *, timeout=15.0, max_bytes=5_000_000, delay=2.0, session=None, clock=time.monotonic,
                 sleep=time.sleep):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.delay = delay
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._robots = {}
        self._last_request = {}
        self._clock, self._sleep = clock, sleep

    def allowed(self, url):
        host = _origin(url)
        if host not in self._robots:
            self._robots[host] = self._load_robots(host)
        return self._robots[host].can_fetch(USER_AGENT, url)

    def _load_robots(self, origin):
        parser = RobotFileParser()
        page = self._get(origin + "/robots.txt")
        if page.ok:
            parser.parse(page.content.decode(page.encoding or "utf-8", errors="replace").splitlines())
        elif page.status in (401, 403):
            parser.disallow_all = True
        else:
            parser.allow_all = True  # no robots.txt (404) or unreachable: nothing is forbidden
        return parser

    def get(self, url):
        if not self.allowed(url):
            return Page(url, error="disallowed by robots.txt")
        return self._get(url)

    def _get(self, url):
        self._wait_for_host(url)
        try:
            with self.session.get(url, timeout=(min(5.0, self.timeout), self.timeout), stream=True,
                                  allow_redirects=True) as response:
                content_length = int(response.headers.get("Content-Length") or 0)
                if content_length > self.max_bytes:
                    return Page(url, response.status_code, error=f"larger than {self.max_bytes} bytes")
                chunks, size = [], 0
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > self.max_bytes:
                        return Page(url, response.status_code, error=f"larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
                declared = requests.utils.get_encoding_from_headers(response.headers)
                content_type = response.headers.get("Content-Type", "")
                # requests assumes ISO-8859-1 for any text/* without a charset: let the parser sniff instead
                if declared and declared.lower() == "iso-8859-1" and "charset" not in content_type.lower():
                    declared = None
                return Page(response.url, response.status_code, b"".join(chunks), declared, content_type)
        except requests.Timeout:
            return Page(url, error=f"timed out after {self.timeout:g} s")
        except requests.RequestException as error:
            return Page(url, error=f"request failed: {error.__class__.__name__}")

    def _wait_for_host(self, url):
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None and self.delay > 0:
            remaining = self.delay - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[host] = self._clock()


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
