"""The HTML page miner: a start page, its same-domain contact pages, and the pagination of every listing
page the crawl reaches (rel=next, `?page=N`, `/page/N/`), all bounded by max_pages.

A listing ends after 3 empty or 2 duplicate pages, when no next page is linked or numbered, or when the next
page is missing (404/410): that is the normal end of a list, not a failure.
"""

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from mining.miners.base import BLOCKED, FAILED, PARTIAL, SUCCESS, Miner, MinerOutput
from mining.miners.extract import extract_blocks, page_links, page_title, parse
from mining.miners.fetch import PoliteFetcher
from mining.normalize.emails import clean_email

CONTACT_LINK = re.compile(
    r"contact|kontakt|impressum|imprint|about|ueber-uns|uber-uns|über-uns|team|staff|people|contacto|contatti|"
    r"iletisim|hakkimizda|ekibimiz|mentions-legales|qui-sommes|equipe|nosotros|chi-siamo",
    re.IGNORECASE,
)
MAX_CONTACT_PAGES = 5
EMPTY_PAGES_STOP = 3
DUPLICATE_PAGES_STOP = 2
PAGE_IN_PATH = re.compile(r"/page/(\d+)/?$")
LIST_END_STATUSES = (404, 410)


class HtmlPageMiner(Miner):
    name = "html_page"

    def __init__(self, fetcher_factory=PoliteFetcher):
        self.fetcher_factory = fetcher_factory

    def applies_to(self, source):
        return bool(source.url) and source.url.lower().startswith(("http://", "https://"))

    def mine(self, source, should_continue=lambda: True):
        output = MinerOutput(self.name, source_url=source.url, confidence_hint=0.6)
        fetcher = self.fetcher_factory(
            timeout=float(source.option("timeout", 15)),
            max_bytes=int(source.option("max_bytes", 5_000_000)),
            delay=float(source.option("page_delay", 2)),
        )
        max_pages = int(source.option("max_pages", 20))
        crawl = _Crawl(fetcher, output, max_pages, should_continue)

        first = crawl.visit(source.url)
        if first is None:
            if output.stats.get("robots_blocked"):
                output.status, output.error = BLOCKED, "The page is disallowed by the site's robots.txt."
            else:
                output.status, output.error = FAILED, output.stats.get("last_error") or "The page could not be read."
            return output
        soup = first.soup
        output.page_title = page_title(soup)

        crawl.follow_pagination(source.url, soup)
        if source.option("follow_contact_pages", True):
            crawl.follow_contact_pages(source.url, soup)
        output.stats.update(pages_fetched=crawl.pages, emails_raw=sum(len(b["emails"]) for b in output.blocks))
        if crawl.stopped or crawl.failures:
            output.status = PARTIAL
        else:
            output.status = SUCCESS
        return output


@dataclass
class VisitedPage:
    soup: object
    found: int  # acceptable emails on the page
    new: int  # of those, not seen on an earlier page (0 for a page identical to an earlier one)


class _Crawl:
    def __init__(self, fetcher, output, max_pages, should_continue):
        self.fetcher, self.output, self.max_pages = fetcher, output, max_pages
        self.should_continue = should_continue
        self.pages, self.failures, self.stopped = 0, 0, False
        self.visited, self.seen_emails, self.page_hashes = set(), set(), set()

    def can_fetch_more(self):
        if not self.should_continue():
            self.stopped = True
            return False
        return self.pages < self.max_pages

    def visit(self, url, listing=False):
        """Fetch and extract one page; a VisitedPage, or None when it could not be read.

        For a `listing` page (the next page of a list), a missing page is the end of the list, not a failure.
        """
        if url in self.visited:
            return None
        self.visited.add(url)
        page = self.fetcher.get(url)
        self.pages += 1
        if not page.ok:
            if listing and page.error is None and page.status in LIST_END_STATUSES:
                self.output.event("info", "Pagination ended", url=url, status=page.status)
            elif page.error == "disallowed by robots.txt":
                self.output.stats["robots_blocked"] = self.output.stats.get("robots_blocked", 0) + 1
                self.output.event("warn", "Skipped: disallowed by robots.txt", url=url)
            else:
                self.failures += 1
                self.output.stats["last_error"] = page.error or f"HTTP {page.status}"
                self.output.event("warn", "Page not read", url=url, error=page.error, status=page.status)
            return None
        if "html" not in page.content_type.lower() and page.content_type:
            self.output.event("info", "Skipped: not an HTML page", url=url, content_type=page.content_type)
            return None
        soup = parse(page.content, page.encoding)
        digest = hashlib.sha256(page.content).hexdigest()
        duplicate_page = digest in self.page_hashes
        self.page_hashes.add(digest)
        blocks = extract_blocks(soup, page.url)
        emails = {clean_email(email) for block in blocks for email in block["emails"]} - {None}
        new = emails - self.seen_emails
        self.seen_emails |= emails
        self.output.blocks.extend(blocks)
        self.output.event("info", "Page mined", url=page.url, emails=len(emails), new_emails=len(new))
        return VisitedPage(soup, found=len(emails), new=0 if duplicate_page else len(new))

    def follow_pagination(self, start_url, soup):
        empty = duplicates = 0
        number = _page_number(start_url) or 1
        current = soup
        while self.can_fetch_more():
            number += 1
            url = _rel_next(current, start_url) or _page_url(start_url, number, soup)
            if url is None or url in self.visited:
                return
            result = self.visit(url, listing=True)
            if result is None:
                return  # a missing page (404) or an error ends the pagination
            current = result.soup
            if result.found == 0:
                empty, duplicates = empty + 1, 0
            elif result.new == 0:
                empty, duplicates = 0, duplicates + 1
            else:
                empty = duplicates = 0
            if empty >= EMPTY_PAGES_STOP or duplicates >= DUPLICATE_PAGES_STOP:
                self.output.event("info", "Pagination stopped", at_page=number, empty=empty, duplicates=duplicates)
                return

    def follow_contact_pages(self, start_url, soup):
        host = urlsplit(start_url).netloc.lower()
        candidates = []
        for url, text in page_links(soup, start_url):
            if urlsplit(url).netloc.lower() != host or url in self.visited or url in candidates:
                continue
            if CONTACT_LINK.search(urlsplit(url).path) or CONTACT_LINK.search(text):
                candidates.append(url)
        for url in candidates[:MAX_CONTACT_PAGES]:
            if not self.can_fetch_more():
                return
            result = self.visit(url)
            if result is not None:
                self.follow_pagination(url, result.soup)  # a team or member list may be paged too


def _rel_next(soup, page_url):
    """The same-site page a `rel="next"` link or <link> points to, if any."""
    host = urlsplit(page_url).netloc.lower()
    for element in soup.select("a[rel][href], link[rel][href]"):
        if "next" in [value.lower() for value in element.get("rel") or []]:
            url = urljoin(page_url, element["href"].strip()).split("#", 1)[0]
            if urlsplit(url).netloc.lower() == host:
                return url
    return None


def _page_number(url):
    parts = urlsplit(url)
    query_page = parse_qs(parts.query).get("page")
    if query_page and query_page[0].isdigit():
        return int(query_page[0])
    match = PAGE_IN_PATH.search(parts.path)
    return int(match.group(1)) if match else None


def _page_url(start_url, number, soup):
    """The URL of page `number`, in the scheme the start URL or the first page's links use; None if unpaged."""
    parts = urlsplit(start_url)
    if "page" in parse_qs(parts.query) or _links_use(soup, start_url, "query"):
        query = parse_qs(parts.query)
        query["page"] = [str(number)]
        return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    if PAGE_IN_PATH.search(parts.path) or _links_use(soup, start_url, "path"):
        base = PAGE_IN_PATH.sub("", parts.path).rstrip("/")
        return urlunsplit(parts._replace(path=f"{base}/page/{number}/"))
    return None


def _links_use(soup, start_url, scheme):
    for url, _text in page_links(soup, start_url):
        parts = urlsplit(url)
        if scheme == "query" and parse_qs(parts.query).get("page") == ["2"]:
            return True
        if scheme == "path" and parts.path.rstrip("/").endswith("/page/2"):
            return True
    return False
