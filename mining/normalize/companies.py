"""Company names and websites."""
import re
from urllib.parse import urlsplit

FREE_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "ymail.com",
    "hotmail.com", "hotmail.de", "hotmail.fr", "hotmail.co.uk", "outlook.com", "outlook.de", "live.com",
    "live.de", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "aol.de", "yandex.com", "yandex.ru",
    "mail.ru", "bk.ru", "list.ru", "inbox.ru", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "web.de",
    "t-online.de", "freenet.de", "proton.me", "protonmail.com", "pm.me", "tutanota.com", "zoho.com",
    "qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "naver.com", "daum.net", "rediffmail.com",
    "libero.it", "virgilio.it", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "seznam.cz",
    "wp.pl", "o2.pl", "onet.pl", "interia.pl", "abv.bg", "rambler.ru", "ukr.net", "hushmail.com",
    "fastmail.com", "mail.com", "email.com", "btinternet.com", "bluewin.ch", "telenet.be", "skynet.be",
}
LEGAL_SUFFIX = (
    r"GmbH\s*&\s*Co\.?\s*KG|GmbH|gGmbH|AG|KG|OHG|UG|e\.\s?V\.|Ltd\.?|Limited|LLC|L\.L\.C\.|LLP|PLC|Inc\.?|"
    r"Incorporated|Corp\.?|Corporation|Co\.,?\s*Ltd\.?|Pty\.?\s*Ltd\.?|S\.A\.S\.?|SAS|SARL|S\.à\s?r\.l\.|"
    r"S\.A\.|SA|S\.L\.|SL|S\.p\.A\.|SpA|S\.r\.l\.|Srl|B\.V\.|BV|N\.V\.|NV|Oy|Oyj|AB|ApS|A/S|AS|ASA|"
    r"Sp\.\s?z\s?o\.\s?o\.|s\.r\.o\.|a\.s\.|Kft\.?|Zrt\.?|d\.o\.o\.|A\.Ş\.|AŞ|Ltd\.?\s?Şti\.?|Tic\.|San\.|"
    r"SE|KGaA"
)
COMPANY_IN_TEXT = re.compile(rf"(?<![\w])({LEGAL_SUFFIX})(?![\w])", re.UNICODE)
CONNECTORS = {"&", "and", "und", "et", "ve", "y", "e", "of", "für", "for"}
# Capitalised words that open a sentence rather than a company name.
LEAD_WORDS = {"the", "die", "der", "das", "le", "la", "el", "il", "contact", "kontakt", "welcome", "willkommen",
              "visit", "besuchen", "call", "email", "write", "about", "organised", "organized", "powered",
              "copyright", "bei", "at", "by", "from", "von", "chez", "c/o", "©", "our", "unsere", "your"}


def clean_company(value):
    """Trimmed company name, or None when empty, too long or not a name (contains '@' or '|')."""
    if not value or not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value).strip(" \t-–,;:·•")
    if "@" in text or "|" in text or not 2 <= len(text) <= 255 or not any(ch.isalpha() for ch in text):
        return None
    return text


def company_from_text(text):
    """A company named with a legal suffix in free text ('… at Acme Trading GmbH, Berlin'), or None."""
    if not text:
        return None
    for line in re.split(r"[\n\r|•·;,]|\s[-–—]\s", text):
        for match in COMPANY_IN_TEXT.finditer(line):
            # the capitalised words just before the suffix: "Contact Initech LLC today" → "Initech LLC"
            name = []
            for word in reversed(line[:match.start()].split()[-6:]):
                if word[:1].isupper() or word[:1].isdigit() or (name and word.lower() in CONNECTORS):
                    name.insert(0, word)
                else:
                    break
            while name and (name[0].lower() in LEAD_WORDS or name[0].lower() in CONNECTORS):
                name.pop(0)
            if name:
                return clean_company(" ".join([*name, match.group(1)]))
    return None


def normalize_website(value):
    """'WWW.Acme.com/about/' → 'https://www.acme.com/about'; None for what is not a web address."""
    if not value or not isinstance(value, str) or "@" in value:
        return None
    text = value.strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if "." not in host or " " in host:
        return None
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{host}{path}"


def is_free_mail(domain):
    return domain.lower() in FREE_MAIL_DOMAINS


def website_from_email(email):
    domain = email.rsplit("@", 1)[-1].lower()
    return None if is_free_mail(domain) else f"https://{domain}"
