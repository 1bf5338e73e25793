"""Contact blocks out of one HTML page: mailto links, visible and obfuscated emails, Cloudflare-protected
emails, JSON-LD Person/Organization/ContactPoint, tel: links and vCard/h-card markup.

A person's context is the structure that holds them: the table row (its header cells naming the fields),
the list item, the definition-list group, the card, the address/footer/header block; a generic paragraph
or div only where no such structure holds the address, and never a whole page.
"""

import json
import re
from urllib.parse import unquote, urljoin

from bs4 import BeautifulSoup, NavigableString

from liffy.tables import match_header
from mining.normalize.emails import EMAIL_PATTERN, raw_addresses

CONTEXT_LIMIT = 400
# Elements that hold one person (or one organisation) on a page, nearest first.
PERSON_CONTAINERS = ("tr", "li", "address", "footer", "header", "article", "figure", "blockquote")
CARD_CLASSES = ("vcard", "h-card")
GENERIC_BLOCKS = ("p", "div", "section", "td", "th", "dd", "dt", "dl", "aside", "main", "body")
AT_WORDS = r"(?:at|ät|@|arroba|arobase|chiocciola)"
AT = (
    rf"(?:\[\s*{AT_WORDS}\s*\]|\(\s*{AT_WORDS}\s*\)|\{{\s*(?:at|@)\s*\}}"
    r"|\s+(?:at|arroba)\s+(?=[\w-]+\s+(?:dot|punto)\s+)|\s@\s)"
)
DOT_WORDS = (
    r"(?:\[\s*(?:dot|punkt|point|punto|nokta|\.)\s*\]|\(\s*(?:dot|punkt|point|punto|nokta|\.)\s*\)"
    r"|\{\s*(?:dot|\.)\s*\}|\s+(?:dot|punto)\s+|\s\.\s|\.)"
)
OBFUSCATED = re.compile(rf"([\w.+-]+)\s*{AT}\s*((?:[\w-]+\s*{DOT_WORDS}\s*)+[a-z]{{2,}})\b", re.IGNORECASE)
DOT = re.compile(rf"\s*{DOT_WORDS}\s*", re.IGNORECASE)


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
    site = site_context(soup)
    if site:
        for block in blocks:
            block["site_context"] = site
    return blocks


def site_context(soup):
    """What the page says about its owner: title, main heading, address, header and footer blocks.

    (The normalizer uses it only for addresses of the owner's own domain: an exhibitor list's footer names
    the organiser, not the exhibitors.)
    """
    parts = [soup.title.get_text(" ", strip=True)] if soup.title else []
    heading = soup.find("h1")
    if heading is not None:
        parts.append(heading.get_text(" ", strip=True))
    for element in soup.find_all(["address", "footer", "header"]):
        parts.append(element.get_text(" ", strip=True)[:CONTEXT_LIMIT])
    return "\n".join(part for part in parts if part)[: CONTEXT_LIMIT * 2]


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


def _container(element):
    """The element holding the person the address belongs to (see the module docstring)."""
    generic = None
    node = element
    while node is not None and getattr(node, "name", None) not in (None, "[document]", "html"):
        name = node.name
        if name == "tr":
            return node if _single_contact(node, "td, th") else (generic or node)
        if name == "dl":
            return _dl_group(node, element) if generic is None or generic.name in ("dd", "dt") else generic
        if (name in PERSON_CONTAINERS and name != "tr") or _is_card(node):
            if len(node.get_text(" ", strip=True)) <= CONTEXT_LIMIT * 2 or generic is None:
                return node
            return generic
        if generic is None and name in GENERIC_BLOCKS:
            generic = node
        node = node.parent
    return generic or element


def _is_card(node):
    classes = node.get("class") or []
    return any(card in classes for card in CARD_CLASSES)


def _addresses_in(node):
    """The distinct addresses an element shows: mailto links, plain and obfuscated text."""
    text = node.get_text(" ")
    found = {unquote(link["href"][7:].split("?", 1)[0]).lower() for link in node.select('a[href^="mailto:" i]')}
    found.update(address.lower() for address in raw_addresses(text))
    found.update(address.lower() for address in _deobfuscated(text))
    return found


def _deobfuscated(text):
    return [f"{m.group(1)}@{DOT.sub('.', m.group(2))}" for m in OBFUSCATED.finditer(text)]


def _single_contact(row, cells):
    """A row whose addresses all sit in one cell holds one contact; a grid of cards in cells holds several."""
    return sum(1 for cell in row.select(cells) if _addresses_in(cell)) <= 1


def _dl_group(dl, element):
    """A definition list of one person (labels as terms) is the person; of several, the term and its details."""
    if len(_addresses_in(dl)) <= 1 and len(dl.get_text(" ", strip=True)) <= CONTEXT_LIMIT:
        return dl
    node = element
    while node is not None and node.parent is not dl:
        node = node.parent
    if node is None:
        return dl
    group = [node]
    if node.name == "dd":
        sibling = node.find_previous_sibling(["dt", "dd"])
        while sibling is not None:
            group.insert(0, sibling)
            if sibling.name == "dt":
                break
            sibling = sibling.find_previous_sibling(["dt", "dd"])
    return _Group(group)


class _Group:
    """Consecutive siblings (a term and its details) standing in for one element."""

    name = "dl-group"

    def __init__(self, nodes):
        self.nodes = nodes

    def get_text(self, separator="", strip=False):
        return separator.join(node.get_text(separator, strip=strip) for node in self.nodes)

    def select_one(self, selector):
        return next((found for node in self.nodes if (found := node.select_one(selector)) is not None), None)


def _context(element):
    """(context text ≤ CONTEXT_LIMIT, the container, structured fields the container's labels name)."""
    node = _container(element)
    fields = {}
    if getattr(node, "name", None) == "tr":
        fields = _row_fields(node)
        text = " | ".join(cell.get_text(" ", strip=True) for cell in node.select("td, th"))
    elif getattr(node, "name", None) == "dl":
        fields = _dl_fields(node)
        text = node.get_text("\n", strip=True)
    else:
        text = node.get_text("\n", strip=True)
    return text[:CONTEXT_LIMIT], node, fields


def _row_fields(row):
    """The row's cells under the header cells of its table that name a field ('Name', 'Firma', 'Land')."""
    table = row.find_parent("table")
    header = table.select_one("thead tr") if table else None
    if header is None and table is not None:
        first = table.find("tr")
        header = first if first is not None and first is not row and first.find("th") and not first.find("td") else None
    if header is None:
        return {}
    labels = [match_header(cell.get_text(" ", strip=True)) for cell in header.select("th, td")]
    cells = row.select("td, th")
    return _fields(zip(labels, (cell.get_text(" ", strip=True) for cell in cells), strict=False))


def _dl_fields(dl):
    pairs = []
    for term in dl.find_all("dt"):
        detail = term.find_next_sibling("dd")
        if detail is not None:
            pairs.append((match_header(term.get_text(" ", strip=True)), detail.get_text(" ", strip=True)))
    return _fields(pairs)


def _fields(pairs):
    fields = {}
    for label, value in pairs:
        if label and label != "email" and value and label not in fields:
            fields[label] = value
    first, last = fields.pop("first_name", ""), fields.pop("last_name", "")
    if not fields.get("contact_name") and (first or last):
        fields["contact_name"] = f"{first} {last}".strip()
    return fields


def _phone_near(node):
    link = node.select_one('a[href^="tel:"]') if hasattr(node, "select_one") else None
    return unquote(link["href"][4:]).strip() if link else None


def _block(email, element, page_url, confidence):
    context, node, fields = _context(element)
    block = {
        "emails": [email],
        "context": context,
        "source_url": page_url,
        "phone": _phone_near(node),
        "confidence": confidence,
    }
    for name, value in fields.items():
        if not block.get(name):
            block[name] = value
    return block


def _mailto_blocks(soup, page_url):
    blocks = []
    for link in soup.select('a[href^="mailto:" i]'):
        address = unquote(link["href"][7:].split("?", 1)[0])
        for email in re.split(r"[,;]", address):
            if email.strip():
                blocks.append(_block(email.strip(), link, page_url, 0.7))
    return blocks


def _text_blocks(soup, page_url):
    blocks = []
    for text_node in soup.find_all(string=True):
        if type(text_node) is not NavigableString:
            continue  # comments, CDATA, doctype: nothing a visitor sees
        parent = text_node.parent
        if parent is not None and parent.name == "a" and parent.get("href", "").lower().startswith("mailto:"):
            continue  # already taken by the mailto pass
        text = str(text_node)
        found = list(raw_addresses(text)) + _deobfuscated(text)
        for email in dict.fromkeys(found):
            blocks.append(_block(email, parent or text_node, page_url, 0.6))
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
        for item, organization in _walk_json_ld(data):
            block = _json_ld_block(item, organization, page_url)
            if block:
                blocks.append(block)
    return blocks


ORGANIZATION_TYPES = {
    "Organization",
    "Corporation",
    "LocalBusiness",
    "NGO",
    "EducationalOrganization",
    "GovernmentOrganization",
    "NewsMediaOrganization",
    "ProfessionalService",
    "Store",
    "SportsOrganization",
    "MedicalOrganization",
    "OnlineBusiness",
    "Hotel",
    "Restaurant",
}
JSON_LD_DEPTH = 8


def _walk_json_ld(data, organization=None, depth=0):
    """(item, the organisation it belongs to) for every node with an email: Person, Organization (and its
    subtypes), ContactPoint; people under an organisation's employee/member/founder work for it."""
    if depth > JSON_LD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_json_ld(item, organization, depth + 1)
        return
    if not isinstance(data, dict):
        return
    types = set(_types(data))
    if types & ORGANIZATION_TYPES:
        organization = data
    if data.get("email") and types & (ORGANIZATION_TYPES | {"Person", "ContactPoint"}):
        yield data, organization
    for key, value in data.items():
        if key in (
            "@graph",
            "employee",
            "employees",
            "member",
            "members",
            "founder",
            "founders",
            "contactPoint",
            "contactPoints",
            "worksFor",
            "memberOf",
            "department",
            "subOrganization",
            "organizer",
            "author",
            "publisher",
            "itemListElement",
            "item",
            "mainEntity",
        ):
            yield from _walk_json_ld(value, organization if key != "worksFor" else None, depth + 1)


def _types(item):
    types = item.get("@type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _text(value):
    if isinstance(value, dict):
        return value.get("name") or value.get("@id")
    if isinstance(value, list):
        return _text(value[0]) if value else None
    return value if isinstance(value, str) else None


def _json_ld_block(item, organization, page_url):
    emails = item.get("email")
    emails = [_text(email) for email in (emails if isinstance(emails, list) else [emails])]
    emails = [email.removeprefix("mailto:").strip() for email in emails if email]
    if not emails:
        return None
    types = _types(item)
    is_person = "Person" in types
    works_for = item.get("worksFor") if is_person else None
    employer = works_for if isinstance(works_for, dict) else organization if organization is not item else None
    address = next(
        (place.get("address") for place in (item, employer or {}) if isinstance(place.get("address"), dict)), {}
    )
    name = _text(item.get("name"))
    if is_person and not name and (item.get("givenName") or item.get("familyName")):
        name = " ".join(filter(None, (_text(item.get("givenName")), _text(item.get("familyName")))))
    if is_person:
        company = _text(works_for) or (_text(employer.get("name")) if employer else None)
    elif "ContactPoint" in types:
        company = _text(organization.get("name")) if organization else None
    else:
        company = name
    return {
        "emails": emails,
        "contact_name": name if is_person else None,
        "company_name": company,
        "job_title": _text(item.get("jobTitle")) if is_person else None,
        "phone": _text(item.get("telephone"))
        or (_text(employer.get("telephone")) if employer and not is_person else None),
        "country": _text(address.get("addressCountry")),
        "city": _text(address.get("addressLocality")),
        "address": _text(address.get("streetAddress")),
        "website": _text(item.get("url")) or (_text(employer.get("url")) if employer else None),
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
        emails += list(raw_addresses(text))
        if not emails:
            continue
        block = {
            "emails": list(dict.fromkeys(emails)),
            "context": text[:CONTEXT_LIMIT],
            "source_url": page_url,
            "confidence": 0.8,
        }
        for name, selectors in HCARD_FIELDS.items():
            element = card.select_one(", ".join(selectors))
            if element is not None:
                block[name] = (
                    element.get("href")
                    if name == "website" and element.get("href")
                    else element.get_text(" ", strip=True)
                )
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
