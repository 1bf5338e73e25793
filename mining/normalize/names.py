"""Person names from structured fields, the text around an email, or a `first.last` local part.

No name is better than a wrong name: anything that does not look like a person's name is dropped.
"""
import re
import unicodedata

from mining.normalize.positions import position_from_text

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "herr", "frau", "dipl",
          "ing", "mag", "bay", "bayan", "sayın", "sayin", "m", "mme", "mlle", "monsieur", "madame", "sr", "sra",
          "srta", "don", "dona", "doña", "dott", "dottssa", "sig", "signora", "pan", "pani", "av", "op", "doç",
          "doc", "uzm", "eng"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "ph.d", "md", "m.d", "esq", "mba", "msc", "bsc", "cpa", "dds"}
TITLES |= {"dr.", "prof.", "mr.", "mrs.", "ms."}
# Local parts and words that name a function, never a person.
ROLE_WORDS = {
    "info", "contact", "kontakt", "sales", "vertrieb", "office", "buero", "admin", "support", "hello", "hallo",
    "general", "enquiries", "enquiry", "inquiries", "marketing", "mail", "team", "service", "services", "help",
    "booking", "bookings", "reservations", "press", "presse", "media", "hr", "jobs", "careers", "karriere",
    "billing", "accounts", "accounting", "finance", "invoice", "orders", "order", "shop", "store", "events",
    "event", "expo", "fair", "messe", "export", "import", "purchasing", "einkauf", "management", "director",
    "manager", "ceo", "cfo", "cto", "reception", "empfang", "secretary", "sekretariat", "welcome", "news",
    "newsletter", "legal", "privacy", "datenschutz", "impressum", "bilgi", "iletisim", "satis", "destek",
    "muhasebe", "ventas", "contacto", "informacion", "commercial", "direction", "accueil", "vendite",
    "amministrazione", "ufficio", "customer", "customerservice", "partner", "partners", "business", "company",
    "firma", "group", "global", "international", "europe", "email", "e-mail", "phone", "tel", "fax", "mobile",
    "address", "adresse", "web", "website", "www", "http", "https", "com", "org", "net", "the", "and", "und",
    "our", "your", "us", "we", "for", "of", "to", "at", "by", "in", "on", "with", "from", "head", "chief",
    "officer", "executive", "assistant", "coordinator", "department", "abteilung", "gmbh", "ltd", "inc", "llc",
    "street", "strasse", "straße", "road", "avenue", "city", "country", "germany", "deutschland", "turkey",
}
NAME_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*\.?$", re.UNICODE)
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ten",
             "ter", "bin", "ibn", "al", "el", "zu", "y", "st", "mac"}


def _nice(word):
    """Capitalise a word that arrived all lower or all upper case; keep 'McDonald' and 'van' as they are."""
    if word.lower() in PARTICLES:
        return word.lower() if (word.islower() or word.isupper()) else word
    if word.islower() or word.isupper():
        return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
    return word


def _is_name_word(word):
    return bool(NAME_TOKEN.match(word)) and word.lower().strip(".") not in ROLE_WORDS


def parse_name(text, allow_single=False):
    """'Dr. Jane van der Berg, PhD' → ('Jane', 'van der Berg'); (None, None) when it is not a person's name."""
    if not text or not isinstance(text, str) or "@" in text or any(ch.isdigit() for ch in text):
        return None, None
    text = re.sub(r"\s+", " ", text.strip(" \t\r\n-–|:;,.\"'()"))
    if not text or len(text) > 80:
        return None, None
    if text.count(",") == 1:  # "Doe, Jane" unless the part after the comma is a suffix
        last, first = (part.strip() for part in text.split(","))
        if first.lower().strip(".") not in SUFFIXES and first and last:
            text = f"{first} {last}"
    first, last = _split_name(text.split())
    words = f"{first} {last}".split()
    if not words or not all(_is_name_word(word) for word in words if word.lower() not in PARTICLES):
        return None, None
    if any(len(word.strip(".")) < 2 for word in words if word.lower() not in PARTICLES) and len(words) < 3:
        return None, None
    if not last and not allow_single:
        return None, None
    if last and all(word.lower() in PARTICLES for word in last.split()) or words[0].lower() in PARTICLES:
        return None, None
    if len(words) > 5:
        return None, None
    return " ".join(_nice(w) for w in first.split()) or None, " ".join(_nice(w) for w in last.split()) or None


def _split_name(tokens):
    """Tokens of a name → (given names, surname): titles and suffixes dropped, particles kept with the surname.

    (A small rule set rather than a general name parser: it is on the hot path of every import.)
    """
    while tokens and tokens[0].lower().strip(".,") in TITLES and len(tokens) > 1:
        tokens = tokens[1:]
    while tokens and tokens[-1].lower().strip(".,") in SUFFIXES and len(tokens) > 1:
        tokens = tokens[:-1]
    tokens = [token.strip(",") for token in tokens if token.strip(",")]
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return tokens[0], ""
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(tokens[:start]), " ".join(tokens[start:])


def name_from_local_part(email):
    """'jane.doe@…' or 'jane_doe@…' → ('Jane', 'Doe'); anything else → (None, None)."""
    local = email.split("@", 1)[0]
    parts = re.split(r"[._]", local)
    if len(parts) != 2 or not all(part.isalpha() and len(part) >= 2 for part in parts):
        return None, None
    if any(part.lower() in ROLE_WORDS for part in parts):
        return None, None
    return tuple(part.capitalize() for part in parts)


WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?", re.UNICODE)
LEADING_TITLES = {"dr", "prof", "mr", "mrs", "ms", "herr", "frau", "bay", "bayan", "sayın", "sayin", "m", "mme",
                  "mlle", "sir", "dipl", "ing", "mag"}


def _runs(context):
    """Runs of capitalised words (particles allowed inside) separated by spaces only: (words, start, end)."""
    run, runs = [], []
    for match in WORD.finditer(context):
        word = match.group(0)
        joined = run and context[run[-1].end():match.start()].strip(" ") == ""
        fits = word[:1].isupper() or (run and word.lower() in PARTICLES)
        if fits and (joined or not run):
            run.append(match)
            continue
        if run:
            runs.append(run)
        run = [match] if word[:1].isupper() else []
    if run:
        runs.append(run)
    return runs


def name_from_context(context, email):
    """The person's name written next to the address, if one is there and fits the address.

    A name is taken when its words appear in the local part (jane.doe@, jdoe@, jane@, doe@), or when the
    text labels it ("Contact: Jane Doe", "Dr. Jane Doe", "Jane Doe - Sales Manager"); else nothing.
    """
    if not context:
        return None, None
    local = re.sub(r"[^a-z]", "", _ascii(email.split("@", 1)[0]))
    best, best_score, labelled = None, 0, None
    for run in _runs(context):
        titled = False
        while run and run[0].group(0).lower().strip(".") in LEADING_TITLES:
            run, titled = run[1:], True
        for size in (2, 3, 4):
            for offset in range(0, len(run) - size + 1):
                window = run[offset:offset + size]
                first, last = parse_name(context[window[0].start():window[-1].end()])
                if not first or not last:
                    continue
                score = _fit_score(first, last, local)
                if score > best_score:
                    best, best_score = (first, last), score
        if labelled is None and 2 <= len(run) <= 3 and (titled or _is_labelled(context, run[0].start(), run[-1].end())):
            first, last = parse_name(context[run[0].start():run[-1].end()])
            if first and last:
                labelled = (first, last)
    return best or labelled or (None, None)


def _ascii(text):
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("ı", "i")


def _fit_score(first, last, local):
    """3: first and last name in the local part; 2: the last name or initial+last; 1: the first name alone."""
    if not local or local in ROLE_WORDS:
        return 0
    first_key = re.sub(r"[^a-z]", "", _ascii(first.split()[0]))
    last_key = re.sub(r"[^a-z]", "", _ascii(last.split()[-1]))
    has_first = len(first_key) >= 2 and first_key in local
    has_last = len(last_key) >= 2 and last_key in local
    if has_first and has_last:
        return 3
    if has_last and (local.startswith(first_key[:1]) or local == last_key) or local == first_key + last_key[:1]:
        return 2
    if has_first and local == first_key:
        return 1
    return 0


LABEL_BEFORE = re.compile(
    r"(?:contact(?: person)?|ansprechpartner(?:in)?|kontakt|name|yetkili|ilgili kişi|interlocuteur|"
    r"persona de contacto|referente|dr|prof|mr|mrs|ms|herr|frau|bay|bayan|sayın)\.?\s*[:\-–]?\s*$",
    re.IGNORECASE,
)
ROLE_AFTER = re.compile(r"^\s*(?:[,\-–|(/]|\n)\s*\S", re.UNICODE)


def _is_labelled(context, start, end):
    if LABEL_BEFORE.search(context[max(0, start - 30):start]):
        return True
    after = context[end:end + 60]
    return bool(ROLE_AFTER.match(after)) and position_from_text(after) is not None
