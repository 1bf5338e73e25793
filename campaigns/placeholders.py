"""The placeholder engine of templates: {{field}}, {{a|b|"literal"}} fallbacks, plain text → HTML.

Pure functions: no database, no organizer. Values come from a recipient (its name, email and meta).
"""

import html
import re

FIELDS = (
    "first_name",
    "last_name",
    "name",
    "company_name",
    "company",
    "display_name",
    "email",
    "country",
    "position",
    "website",
    "tag",
    "unsubscribe_url",
    "unsubscribe_link",
)
DEFAULT_DISPLAY_NAME = "Valued Partner"
PIPE = re.compile(r"\{\{\s*([^{}]*\|[^{}]*?)\s*\}\}")
SIMPLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
SEGMENT = re.compile(r"""\s*("[^"]*"|'[^']*'|[^|]*?)\s*(?:\||$)""")
ANY_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")
TAG = re.compile(r"<[A-Za-z/!][^>]*>")
TEXT_STYLE = "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.6;color:#333"


def recipient_values(*, name=None, email=None, meta=None, unsubscribe_url=None):
    """The placeholder values of one recipient."""
    meta = meta or {}

    def first_of(*keys):
        for key in keys:
            value = meta.get(key)
            if value not in (None, ""):
                return str(value).strip()
        return ""

    first_name, last_name = first_of("first_name"), first_of("last_name")
    name = (name or "").strip()
    if not first_name and name:
        first, _, rest = name.partition(" ")
        first_name, last_name = first, last_name or rest.strip()
    company = first_of("company", "company_name")
    tags = meta.get("tags")
    tag = str(tags[0]) if isinstance(tags, list) and tags else first_of("tag")
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "name": name or " ".join(filter(None, [first_name, last_name])),
        "company": company,
        "company_name": company,
        "display_name": first_name or company or DEFAULT_DISPLAY_NAME,
        "email": (email or "").strip(),
        "country": first_of("country"),
        "position": first_of("position", "job_title", "title"),
        "website": first_of("website"),
        "tag": tag,
    }
    if unsubscribe_url is not None:
        values["unsubscribe_url"] = values["unsubscribe_link"] = unsubscribe_url
    return values


def render(text, values, *, html_body=False):
    """Replace placeholders in `text`. Values are HTML-escaped when `html_body`; unknown fields stay as written."""
    if not text:
        return text or ""
    lowered = {key.lower(): value for key, value in values.items()}

    def value_of(field):
        value = lowered.get(field.lower())
        return None if value is None else (html.escape(value) if html_body else value)

    def pipe(match):
        for segment in _segments(match.group(1)):
            if len(segment) >= 2 and segment[0] == segment[-1] and segment[0] in "\"'":
                return segment[1:-1]
            value = value_of(segment)
            if value:
                return value
        return ""

    def simple(match):
        value = value_of(match.group(1))
        return match.group(0) if value is None else value

    return SIMPLE.sub(simple, PIPE.sub(pipe, text))


def _segments(inner):
    segments = [m.group(1) for m in SEGMENT.finditer(inner) if m.group(0)]
    return [segment for segment in segments if segment != ""]


def text_to_html(body):
    """A plain-text body becomes paragraphs; a body that already has tags is left alone."""
    if not body or TAG.search(ANY_PLACEHOLDER.sub("", body)):
        return body or ""
    paragraphs = [p for p in re.split(r"\r?\n\s*\r?\n", body.strip()) if p.strip()]
    inner = "".join("<p>" + re.sub(r"\r?\n", "<br>", p.strip()) + "</p>" for p in paragraphs)
    return f'<div style="{TEXT_STYLE}">{inner}</div>'
