"""Email rules of the B2B policy: role addresses are kept, only non-person system addresses are dropped."""
import re
from urllib.parse import unquote

# Extraction pattern for text; validation below is stricter.
EMAIL_PATTERN = re.compile(r"[\w.%+'’-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

FILE_EXTENSIONS = {
    "jpg", "jpeg", "png", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "avif",
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "7z", "gz",
    "js", "css", "mp4", "mp3", "woff", "woff2",
}
SYSTEM_LOCAL_PARTS = {
    "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "mailer-daemon",
    "postmaster", "hostmaster", "abuse", "spam", "webmaster", "test",
}
PLACEHOLDER_DOMAINS = {
    "example.com", "example.org", "example.net", "example.de", "localhost", "127.0.0.1", "domain.com",
    "email.com", "yourdomain.com", "your-domain.com", "yourcompany.com", "mydomain.com", "company.com",
    "test.com",
}
# Error-tracking and site-builder addresses that appear in page source but reach nobody.
TRACKING_DOMAINS = ("sentry.io", "wixpress.com", "sentry-next.wixpress.com")
# Address formats shown as examples ("write to firstname.lastname@acme.com").
PLACEHOLDER_LOCAL_PARTS = {"youremail", "your.email", "your-email", "yourname", "your.name", "firstname.lastname",
                           "vorname.nachname", "max.mustermann", "prenom.nom"}

LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
TLD = re.compile(r"^[a-z]{2,24}$")
LEADING_STRIP = " \t\r\n<>()[]{}\"'`,;:!?*/\\|"
TRAILING_STRIP = LEADING_STRIP + "."


def clean_email(value):
    """The address lower-cased and trimmed when it passes every rule, else None."""
    email, _reason = check_email(value)
    return email


def check_email(value):
    """(address, None) when acceptable, else (None, reason) — the reason feeds job statistics."""
    if not value or not isinstance(value, str):
        return None, "empty"
    email = unquote(value).strip().lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:"):]
    # a sentence may end right after the address; a leading dot is part of a broken address
    email = email.split("?", 1)[0].lstrip(LEADING_STRIP).rstrip(TRAILING_STRIP)
    if email.count("@") != 1:
        return None, "syntax"
    local, domain = email.split("@")
    if not local or len(local) > 64 or len(email) > 254 or not LOCAL_PART.match(local):
        return None, "syntax"
    labels = domain.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        return None, "syntax"
    if labels[-1] in FILE_EXTENSIONS:
        return None, "file_name"
    if not TLD.match(labels[-1]):
        return None, "syntax"
    if local in SYSTEM_LOCAL_PARTS:
        return None, "system_address"
    if (
        domain in PLACEHOLDER_DOMAINS
        or local in PLACEHOLDER_LOCAL_PARTS
        or any(domain == tracker or domain.endswith("." + tracker) for tracker in TRACKING_DOMAINS)
    ):
        return None, "placeholder"
    return email, None


def find_emails(text):
    """Every distinct acceptable address in `text`, in order of appearance."""
    seen = {}
    for match in EMAIL_PATTERN.finditer(text or ""):
        email = clean_email(match.group(0))
        if email:
            seen.setdefault(email, match.start())
    return list(seen)


def email_domain(email):
    return email.rsplit("@", 1)[-1]
