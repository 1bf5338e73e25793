"""Contact blocks out of one HTML page: mailto links, visible and obfuscated emails, Cloudflare-protected
emails, JSON-LD Person/Organization, tel: links and vCard/h-card markup, each with its text context."""
import json
import re
from urllib.parse import unquote, urljoin

from bs4 import BeautifulSoup

from mining.normalize.emails import EMAIL_PATTERN

BLOCK_TAGS = ("li", "tr", "td", "p", "address", "article", "section", "div", "dd", "figure", "blockquote")
CONTEXT_LIMIT = 400
OBFUSCATED = re.compile(
    r"([\w.+-]+)\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|\s+at\s+(?=[\w-]+\s+dot\s+)|\[@\]|\(@\))\s*"
    r"((?:[\w-]+\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|\s+dot\s+|\.)\s*)+[a-z]{2,})",
    re.IGNORECASE,
)
DOT = re.compile(r"\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|\s+dot\s+|\.)\s*", re.IGNORECASE)


def decode_cloudflare(hex_string):
    """Cloudflare's email protection: the first byte is the XOR key of the rest."""
    try:
        data = bytes.fromhex(hex_string)
        return bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def parse(content, encoding=None):
    return BeautifulSoup(content, "html.parser", from_encoding=encoding if isinstance(content, bytes) else None)


def page_title(soup):
    return soup.title.get_text(" ", strip=True)[:255] if soup.title else None


def extract_blocks(soup, page_url):
    """Every email occurrence on the page as a block {emails, context, source_url, …structured fields}."""
    for hidden in soup(["script", "style", "noscript", "template"]):
        if hidden.name == "script" and (hidden.get("type") or "").lower() == "application/ld+json":
            continue
        hidden.extract()
    _reveal_cloudflare(soup)
    blocks = []
    blocks += _json_ld_blocks(soup, page_url)
    blocks += _hcard_blocks(soup, page_url)
    blocks += _mailto_blocks(soup, page_url)
    blocks += _text_blocks(soup, page_url)
    return blocks


def _reveal_cloudflare(soup):
    """Replace protected addresses by their plain text so every later step sees them."""
    for element in soup.select("[data-cfemail]"):
        email = decode_cloudflare(element["data-cfemail"])
        if email:
            element.replace_with(email)
    for link in soup.select('a[href*="/cdn-cgi/l/email-protection#"]'):
        email = decode_cloudflare(link["href"].split("#", 1)[1])
        if email:
            link["href"] = f"mailto:{email}"
            if not EMAIL_PATTERN.search(link.get_text()):
                link.string = email


def _context(element):
    node = element
    while node is not None and getattr(node, "name", None) not in BLOCK_TAGS:
        node = node.parent
    node = node or element
    text = node.get_text("\n", strip=True)
    # a huge container (the whole page in a div) is no context: fall back to the nearest text around it
    if len(text) > CONTEXT_LIMIT and element is not node:
        text = (element.parent or element).get_text(" ", strip=True)
    return text[:CONTEXT_LIMIT], node


def _phone_near(node):
    link = node.select_one('a[href^="tel:"]') if hasattr(node, "select_one") else None
    return unquote(link["href"][4:]).strip() if link else None


def _mailto_blocks(soup, page_url):
    blocks = []
    for link in soup.select('a[href^="mailto:" i]'):
        address = unquote(link["href"][7:].split("?", 1)[0])
        context, node = _context(link)
        for email in re.split(r"[,;]", address):
            if email.strip():
                blocks.append({"emails": [email.strip()], "context": context, "source_url": page_url,
                               "phone": _phone_near(node), "confidence": 0.7})
    return blocks


def _text_blocks(soup, page_url):
    blocks = []
    for text_node in soup.find_all(string=True):
        parent = text_node.parent
        if parent is not None and parent.name == "a" and parent.get("href", "").lower().startswith("mailto:"):
            continue  # already taken by the mailto pass
        text = str(text_node)
        found = [m.group(0) for m in EMAIL_PATTERN.finditer(text)]
        found += [f"{m.group(1)}@{DOT.sub('.', m.group(2))}" for m in OBFUSCATED.finditer(text)]
        if not found:
            continue
        context, node = _context(text_node.parent or text_node)
        for email in found:
            blocks.append({"emails": [email], "context": context, "source_url": page_url,
                           "phone": _phone_near(node), "confidence": 0.6})
    return blocks


def _json_ld_blocks(soup, page_url):
    blocks = []
    for script in soup.find_all("script", type=lambda t: t and t.lower() == "application/ld+json"):
        source = script.string or script.get_text() or ""
        script.extract()
        try:
            data = json.loads(source)
        except (json.JSONDecodeError, TypeError):
            continue
        for item in _walk_json_ld(data):
            block = _json_ld_block(item, page_url)
            if block:
                blocks.append(block)
    return blocks


def _walk_json_ld(data):
    if isinstance(data, list):
        for item in data:
            yield from _walk_json_ld(item)
    elif isinstance(data, dict):
        types = data.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(t in ("Person", "Organization", "Corporation", "LocalBusiness") for t in types):
            yield data
        for key in ("@graph", "employee", "employees", "member", "members", "founder", "contactPoint"):
            if key in data:
                yield from _walk_json_ld(data[key])


def _text(value):
    if isinstance(value, dict):
        return value.get("name") or value.get("@id")
    if isinstance(value, list):
        return _text(value[0]) if value else None
    return value if isinstance(value, str) else None


def _json_ld_block(item, page_url):
    email = _text(item.get("email"))
    if not email:
        return None
    address = item.get("address") if isinstance(item.get("address"), dict) else {}
    is_person = "Person" in (item.get("@type") if isinstance(item.get("@type"), list) else [item.get("@type")])
    return {
        "emails": [email.removeprefix("mailto:")],
        "contact_name": _text(item.get("name")) if is_person else None,
        "company_name": _text(item.get("worksFor")) if is_person else _text(item.get("name")),
        "job_title": _text(item.get("jobTitle")),
        "phone": _text(item.get("telephone")),
        "country": _text(address.get("addressCountry")),
        "city": _text(address.get("addressLocality")),
        "address": _text(address.get("streetAddress")),
        "website": _text(item.get("url")),
        "context": "",
        "source_url": page_url,
        "confidence": 0.85,
    }


HCARD_FIELDS = {
    "contact_name": (".fn", ".p-name"),
    "company_name": (".org", ".p-org"),
    "job_title": (".title", ".p-job-title", ".role", ".p-role"),
    "phone": (".tel", ".p-tel"),
    "country": (".country-name", ".p-country-name"),
    "city": (".locality", ".p-locality"),
    "website": (".url", ".u-url"),
}


def _hcard_blocks(soup, page_url):
    blocks = []
    for card in soup.select(".vcard, .h-card"):
        text = card.get_text(" ", strip=True)
        emails = [unquote(a["href"][7:].split("?", 1)[0]) for a in card.select('a[href^="mailto:" i]')]
        emails += [m.group(0) for m in EMAIL_PATTERN.finditer(text)]
        if not emails:
            continue
        block = {"emails": list(dict.fromkeys(emails)), "context": text[:CONTEXT_LIMIT], "source_url": page_url,
                 "confidence": 0.8}
        for name, selectors in HCARD_FIELDS.items():
            element = card.select_one(", ".join(selectors))
            if element is not None:
                block[name] = element.get("href") if name == "website" and element.get("href") else \
                    element.get_text(" ", strip=True)
        blocks.append(block)
    return blocks


def page_links(soup, page_url):
    """(absolute URL, link text) of every http(s) link on the page."""
    links = []
    for link in soup.find_all("a", href=True):
        href = link["href"].strip()
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute = urljoin(page_url, href).split("#", 1)[0]
        if absolute.startswith(("http://", "https://")):
            links.append((absolute, link.get_text(" ", strip=True)[:100]))
    return links
