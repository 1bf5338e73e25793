"""Email rules of the B2B policy: role addresses are kept, only non-person system addresses are dropped.

Syntax validity agrees with the `email-validator` package (no DNS look-up): a compiled pattern accepts the
plain ASCII addresses that make up nearly every row (each one an address the library accepts too), and
everything else (internationalised addresses, punycode, unusual characters) is decided by the library
itself. Two deliberate differences, both stricter or looser in one documented place only:
`.test` domains are accepted, as the library does in its own `test_environment` mode, and a top-level
domain of one letter is refused (the spec asks for two; no such TLD exists).

Canonical form: lower case, Unicode NFC, and the domain in its Unicode spelling (IDNA 2008 / UTS-46, the
library's `normalized` form). `jane@xn--mller-kva.de` and `Jane@MÜLLER.de` are both `jane@müller.de`, so
the punycode and the Unicode spelling of an address are one person.
"""

import re
from functools import lru_cache
from urllib.parse import unquote

from email_validator import EmailNotValidError, validate_email

# Extraction pattern for text; validation below is stricter.
EMAIL_PATTERN = re.compile(r"[\w.%+'’-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

FILE_EXTENSIONS = {
    "jpg",
    "jpeg",
    "png",
    "gif",
    "svg",
    "webp",
    "bmp",
    "ico",
    "tif",
    "tiff",
    "avif",
    "heic",
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "zip",
    "rar",
    "7z",
    "gz",
    "tar",
    "js",
    "mjs",
    "css",
    "map",
    "json",
    "mp4",
    "mp3",
    "webm",
    "mov",
    "woff",
    "woff2",
    "ttf",
    "eot",
    "otf",
}
SYSTEM_LOCAL_PARTS = {
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "mailer-daemon",
    "postmaster",
    "hostmaster",
    "abuse",
    "spam",
    "webmaster",
    "test",
}
PLACEHOLDER_DOMAINS = {
    "example.com",
    "example.org",
    "example.net",
    "example.de",
    "localhost",
    "127.0.0.1",
    "domain.com",
    "email.com",
    "yourdomain.com",
    "your-domain.com",
    "yourcompany.com",
    "mydomain.com",
    "company.com",
    "test.com",
}
# Error-tracking and site-builder addresses that appear in page source but reach nobody.
TRACKING_DOMAINS = ("sentry.io", "wixpress.com", "sentry-next.wixpress.com")
TRACKING_SUBDOMAINS = tuple("." + domain for domain in TRACKING_DOMAINS)
# Address formats shown as examples ("write to firstname.lastname@acme.com").
PLACEHOLDER_LOCAL_PARTS = {
    "youremail",
    "your.email",
    "your-email",
    "yourname",
    "your.name",
    "firstname.lastname",
    "vorname.nachname",
    "max.mustermann",
    "prenom.nom",
    "nombre.apellido",
    "nome.cognome",
    "ad.soyad",
    "voornaam.achternaam",
}
# Special-use names (RFC 6761) the library refuses; `test` is allowed as in its test environment.
SPECIAL_USE_TLDS = {"arpa", "invalid", "local", "localhost", "onion"}

# Every address this matches, email-validator accepts: dot-atom ASCII local part, LDH labels without
# the "xx--" form reserved for punycode, an alphabetic TLD. The lengths are checked apart.
FAST_ADDRESS = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
LEADING_STRIP = " \t\r\n<>()[]{}\"'`,;:!?*/\\|«»“”‘’„"
TRAILING_STRIP = LEADING_STRIP + ".…"


def clean_email(value):
    """The address in canonical form when it passes every rule, else None."""
    return check_email(value)[0]


def check_email(value):
    """(address, None) when acceptable, else (None, reason) — the reason feeds job statistics."""
    if not value or not isinstance(value, str):
        return None, "empty"
    email = (unquote(value) if "%" in value else value).strip().lower()
    if "\u0307" in email:
        email = email.replace("i\u0307", "i")  # Turkish İ lower-cases to i + a combining dot
    if email.startswith("mailto:"):
        email = email[7:]
    if "?" in email:
        email = email.split("?", 1)[0]
    # a sentence may end right after the address; a leading dot is part of a broken address
    email = email.lstrip(LEADING_STRIP).rstrip(TRAILING_STRIP)
    if email.count("@") != 1:
        return None, "syntax"
    if len(email) > 254 or not FAST_ADDRESS.fullmatch(email):
        if _is_version_string(email):
            return None, "version_string"
        email = _library_form(email)
        if email is None:
            return None, "syntax"
    local, domain = email.split("@")
    if len(local) > 64:
        return None, "syntax"
    tld = domain.rsplit(".", 1)[-1]
    if tld in FILE_EXTENSIONS:
        return None, "file_name"
    if len(tld) < 2 or tld in SPECIAL_USE_TLDS:
        return None, "syntax"
    if local in SYSTEM_LOCAL_PARTS:
        return None, "system_address"
    if (
        domain in PLACEHOLDER_DOMAINS
        or local in PLACEHOLDER_LOCAL_PARTS
        or domain in TRACKING_DOMAINS
        or domain.endswith(TRACKING_SUBDOMAINS)
    ):
        return None, "placeholder"
    return email, None


def is_valid_syntax(address):
    """Whether `address`, exactly as given, is a syntactically valid address (the email-validator verdict)."""
    if not isinstance(address, str) or address.count("@") != 1:
        return False
    lowered = address.lower()
    if len(lowered) <= 254 and FAST_ADDRESS.fullmatch(lowered) and len(lowered.split("@")[0]) <= 64:
        return lowered.rsplit(".", 1)[-1] not in SPECIAL_USE_TLDS
    canonical = _library_form(lowered)
    return canonical is not None and len(canonical.rsplit(".", 1)[-1]) >= 2


@lru_cache(maxsize=8192)
def _library_form(address):
    """email-validator's normalized (Unicode) form of a lower-cased address, or None when it refuses it."""
    try:
        result = validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return None
    if "." not in result.domain:
        return None  # the test environment would allow a bare "@test"
    return result.normalized.lower()


def _is_version_string(email):
    """'lodash@4.17.21', 'pkg@1.2.3-beta': a package pinned to a version, not an address."""
    domain = email.rsplit("@", 1)[-1]
    return bool(domain) and domain[0].isdigit() and not domain.rsplit(".", 1)[-1].isalpha()


def raw_addresses(text):
    """Address-like strings in free text, without those that are part of a URL.

    `https://cdn.example.net/npm/pkg@1.2.3/x.js`, `https://user@host.com/` or `medium.com/@jane` hold no
    address; a query value (`?contact=jane@acme.de`) does.
    """
    for match in EMAIL_PATTERN.finditer(text or ""):
        start = match.start()
        token_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
        prefix = text[token_start:start]
        if ("/" in prefix or prefix.startswith("www.")) and not prefix.endswith(("=", "mailto:")):
            continue
        yield match.group(0)


def find_emails(text):
    """Every distinct acceptable address in `text`, in order of appearance."""
    return list(dict.fromkeys(filter(None, map(clean_email, raw_addresses(text)))))


def email_domain(email):
    return email.rsplit("@", 1)[-1]
