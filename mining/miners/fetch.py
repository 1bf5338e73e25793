"""Polite, guarded HTTP fetching for the page miner: clear User-Agent, timeouts, a size cap, robots.txt,
a delay between two requests to the same host, and the address policy of `liffy.netguard` on every
request and every redirect hop (redirects are followed here, at most MAX_REDIRECTS).

Errors are worded for the job log without connection-level detail (a refused, reset or silent port
all read "could not connect"), so the log cannot serve to scan ports.
"""

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests

from liffy.netguard import NameNotResolved, RefusedURL, guarded_session

USER_AGENT = "LiffyBot/1.0 (+https://liffy.app/bot; contact discovery for event organizers)"
MAX_REDIRECTS = 5


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
    def __init__(self, *, timeout=15.0, max_bytes=5_000_000, delay=2.0, clock=time.monotonic, sleep=time.sleep):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.delay = delay
        self.session = guarded_session()
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
        for _hop in range(MAX_REDIRECTS + 1):
            self._wait_for_host(url)
            page, location = self._request(url)
            if page is not None:
                return page
            try:
                url = urljoin(url, location)
            except ValueError:  # a Location that is no URL at all
                return Page(url, error="redirected to an unreadable URL")
        return Page(url, error=f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url):
        """(the Page, None), or (None, the Location) for a redirect."""
        try:
            with self.session.get(
                url, timeout=(min(5.0, self.timeout), self.timeout), stream=True, allow_redirects=False
            ) as response:
                if response.is_redirect:
                    return None, response.headers["Location"]
                return self._read(url, response), None
        except RefusedURL as refusal:
            return Page(url, error=f"refused: {refusal}"), None
        except NameNotResolved as error:
            return Page(url, error=str(error)), None
        except requests.ConnectionError:  # refused, reset, unreachable or silent (a connect timeout)
            return Page(url, error="could not connect"), None
        except requests.Timeout:
            return Page(url, error=f"timed out after {self.timeout:g} s"), None
        except requests.RequestException as error:
            return Page(url, error=f"request failed: {error.__class__.__name__}"), None

    def _read(self, url, response):
        declared_length = response.headers.get("Content-Length", "")
        if declared_length.isdigit() and int(declared_length) > self.max_bytes:
            return Page(url, response.status_code, error=f"larger than {self.max_bytes} bytes")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    return Page(url, response.status_code, error=f"larger than {self.max_bytes} bytes")
                chunks.append(chunk)
        except requests.RequestException:  # requests reports a stalled body and a broken one alike
            return Page(url, response.status_code, error="the page stalled or broke off while it was read")
        declared = requests.utils.get_encoding_from_headers(response.headers)
        content_type = response.headers.get("Content-Type", "")
        # requests assumes ISO-8859-1 for any text/* without a charset: let the parser sniff instead
        if declared and declared.lower() == "iso-8859-1" and "charset" not in content_type.lower():
            declared = None
        return Page(response.url, response.status_code, b"".join(chunks), declared, content_type)

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
