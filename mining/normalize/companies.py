"""Company names and websites."""

import re

FREE_MAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.de",
    "yahoo.fr",
    "ymail.com",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "hotmail.co.uk",
    "outlook.com",
    "outlook.de",
    "live.com",
    "live.de",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "aol.de",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "gmx.de",
    "gmx.net",
    "gmx.at",
    "gmx.ch",
    "gmx.com",
    "web.de",
    "t-online.de",
    "freenet.de",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "tutanota.com",
    "zoho.com",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "foxmail.com",
    "naver.com",
    "daum.net",
    "rediffmail.com",
    "libero.it",
    "virgilio.it",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "interia.pl",
    "abv.bg",
    "rambler.ru",
    "ukr.net",
    "hushmail.com",
    "fastmail.com",
    "mail.com",
    "email.com",
    "btinternet.com",
    "bluewin.ch",
    "telenet.be",
    "skynet.be",
}
# Legal forms, composite ones first so that "GmbH & Co. KG" or "Co., Ltd." is taken whole, never cut at
# its own comma or dot.
LEGAL_SUFFIX = (
    r"(?:GmbH|AG|SE|UG(?:\s*\(haftungsbeschränkt\))?)\s*&\s*Co\.\s*(?:KGaA|KG|OHG)|GmbH\s*&\s*Co\.?\s*KG|"
    r"San\.\s*(?:ve|&)\s*Tic\.\s*(?:Ltd\.\s*Şti\.|A\.\s?Ş\.)|Tic\.\s*(?:Ltd\.\s*Şti\.|A\.\s?Ş\.)|"
    r"Ltd\.?\s*Şti\.?|A\.\s?Ş\.|AŞ|"
    r"Co\.,?\s*Ltd\.?|Co\.,?\s*Limited|Pty\.?\s*Ltd\.?|Pte\.?\s*Ltd\.?|Pvt\.?\s*Ltd\.?|Sdn\.?\s*Bhd\.?|"
    r"S\.\s?A\.\s?(?:de\s*C\.\s?V\.|U\.)|S\.\s?L\.\s?U\.|S\.à\s?r\.\s?l\.|S\.a\.r\.l\.|"
    r"Sp\.\s?z\s?o\.\s?o\.|spol\.\s?s\s?r\.\s?o\.|S\.p\.A\.|S\.r\.l\.|S\.n\.c\.|S\.a\.s\.|S\.A\.S\.?|"
    r"PartG\s*mbB|PartG|mbB|GmbH|gGmbH|mbH|AG|KGaA|KG|OHG|UG|e\.\s?V\.|e\.\s?K\.|"
    r"Ltd\.?|Limited|LLC|L\.L\.C\.|LLP|PLC|plc|Inc\.?|"
    r"Incorporated|Corp\.?|Corporation|SAS|SARL|S\.A\.|SA|S\.L\.|SL|SpA|Srl|SRL|B\.V\.|BV|N\.V\.|NV|"
    r"V\.O\.F\.|BVBA|SPRL|Lda\.?|Ltda\.?|Oy|Oyj|AB|ApS|A/S|AS|ASA|s\.r\.o\.|a\.s\.|Kft\.?|Zrt\.?|Nyrt\.?|"
    r"d\.o\.o\.|K\.K\.|SE"
)
COMPANY_IN_TEXT = re.compile(rf"(?<![\w])({LEGAL_SUFFIX})(?![\w])", re.UNICODE)
# What ends the words of a name before its legal form.
NAME_BOUNDARY = re.compile(r"[\n\r|•·;,:()\[\]]|\s[-–—]\s")
CONNECTORS = {
    "&",
    "and",
    "und",
    "et",
    "ve",
    "y",
    "e",
    "of",
    "für",
    "for",
    "der",
    "die",
    "das",
    "del",
    "de",
    "du",
    "des",
    "do",
    "da",
    "di",
    "della",
    "van",
    "von",
    "en",
    "i",
}
# Capitalised words that open a sentence rather than a company name.
LEAD_WORDS = {
    "the",
    "die",
    "der",
    "das",
    "le",
    "la",
    "el",
    "il",
    "contact",
    "kontakt",
    "welcome",
    "willkommen",
    "visit",
    "besuchen",
    "call",
    "email",
    "write",
    "about",
    "organised",
    "organized",
    "powered",
    "copyright",
    "bei",
    "at",
    "by",
    "from",
    "von",
    "chez",
    "c/o",
    "©",
    "our",
    "unsere",
    "your",
}


def clean_company(value):
    """Trimmed company name, or None when empty, too long or not a name (contains '@' or '|')."""
    if not value or not isinstance(value, str):
        return None
    text = " ".join(value.split()).strip(" \t-–,;:·•")
    if "@" in text or "|" in text or not 2 <= len(text) <= 255 or not any(map(str.isalpha, text)):
        return None
    return text


def company_from_text(text):
    """A company named with a legal form in free text ('… at Acme Trading GmbH, Berlin'), or None."""
    if not text:
        return None
    for match in COMPANY_IN_TEXT.finditer(text):
        before = text[: match.start()].rstrip()
        comma = before.endswith(",")  # "Luso Eventos, Lda.", "Vinhos do Douro, S.A."
        before = before[:-1] if comma else before
        boundaries = list(NAME_BOUNDARY.finditer(before))
        if boundaries:
            before = before[boundaries[-1].end() :]
        # the capitalised words just before the legal form: "Contact Initech LLC today" → "Initech LLC"
        name = []
        for word in reversed(before.split()[-6:]):
            if word[:1].isupper() or word[:1].isdigit() or (name and word.lower() in CONNECTORS):
                name.insert(0, word)
            else:
                break
        while name and (name[0].lower() in LEAD_WORDS or name[0].lower() in CONNECTORS):
            name.pop(0)
        if name:
            return clean_company(" ".join(name) + ("," if comma else "") + " " + match.group(1))
    return None


# A web address already in canonical form (lower-case http(s) and host, no port, query, fragment or final
# slash): nearly every stored website, returned as it is.
CANONICAL_WEBSITE = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^?#\s]*[^/?#\s])?")


def normalize_website(value):
    """'WWW.Acme.com/about/' → 'https://www.acme.com/about'; None for what is not a web address.

    (String operations only: this runs once per imported row.)
    """
    if not value or not isinstance(value, str) or "@" in value:
        return None
    text = value.strip()
    if CANONICAL_WEBSITE.fullmatch(text):
        return text
    scheme = text[:8].lower()
    if scheme.startswith("https://"):
        scheme, rest = "https", text[8:]
    elif scheme.startswith("http://"):
        scheme, rest = "http", text[7:]
    else:
        scheme, rest = "https", text
    end = len(rest)
    for mark in "/?#":
        position = rest.find(mark)
        if position != -1 and position < end:
            end = position
    host = rest[:end].split(":", 1)[0].lower()
    if "." not in host or " " in host or host.startswith(".") or host.endswith("."):
        return None
    path = rest[end:]
    for mark in "?#":
        path = path.split(mark, 1)[0]
    return f"{scheme}://{host}{path.rstrip('/')}"


def domain_names_company(domain, company):
    """Whether a mail domain is the company's own: 'expoform-messebau.de' for 'Expoform Messebau GmbH'."""
    if is_free_mail(domain):
        return False
    labels = domain.lower().split(".")
    label = (
        labels[-3]
        if len(labels) > 2 and labels[-2] in ("com", "co", "org", "net", "gov")
        else labels[-2]
        if len(labels) > 1
        else labels[0]
    )
    key = "".join(ch for ch in label if ch.isalnum())
    words = ["".join(ch for ch in word if ch.isalnum()) for word in company.lower().split()]
    joined = "".join(words)
    return len(key) >= 3 and (key in joined or any(len(word) >= 4 and word in key for word in words))


def is_free_mail(domain):
    return domain.lower() in FREE_MAIL_DOMAINS


def website_from_email(email):
    domain = email.rsplit("@", 1)[-1].lower()
    return None if is_free_mail(domain) else f"https://{domain}"
