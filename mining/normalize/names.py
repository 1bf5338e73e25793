"""Person names from structured fields, the text around an email, or a `first.last` local part.

No name is better than a wrong name: anything that does not look like a person's name is dropped, and a
role mailbox (info@, office@, sales@, bilgi@, orders2024@ …) never receives a person's name.

Splitting uses python-nameparser, configured with the titles, suffixes and particles of the markets
Liffy serves. It costs ~90 µs a name, so plain names ("Jane Doe", "Dr. José Luis García") take a fast
path that gives the same answer without it, and the parser's answers are cached.
"""

import re
import unicodedata
from functools import lru_cache

from nameparser import Lexicon, Parser

from mining.normalize.positions import position_from_text

EXTRA_TITLES = {
    "bay",
    "bayan",
    "sayın",
    "sayin",
    "dipl",
    "dipl.-ing",
    "dr.-ing",
    "mag",
    "dott",
    "dott.ssa",
    "dottssa",
    "sig",
    "sig.ra",
    "sigra",
    "avv",
    "arch",
    "geom",
    "rag",
    "op",
    "doç",
    "doc",
    "uzm",
    "av",
    "müh",
    "ir",
    "drs",
    "lic",
    "lcdo",
    "lcda",
    "dña",
    "sra",
    "srta",
    "eng",
    "mme",
    "mlle",
    "me",
    "pr",
}
EXTRA_PARTICLES = {"ten", "vom", "zum", "zur", "dei", "degli", "delle", "della", "del", "do", "dos", "das"}
EXTRA_SUFFIXES = {"bey", "hanım", "hanim"}
LEXICON = Lexicon.default().add(titles=EXTRA_TITLES, particles=EXTRA_PARTICLES, suffix_words=EXTRA_SUFFIXES)
PARSER = Parser(lexicon=LEXICON)
# Words that make a name need the full parser: any title, suffix, particle, conjunction or bound given name.
SPECIAL_WORDS = (
    LEXICON.titles
    | LEXICON.suffix_acronyms
    | LEXICON.suffix_words
    | LEXICON.particles
    | LEXICON.conjunctions
    | LEXICON.bound_given_names
    | LEXICON.suffix_acronyms_ambiguous
)
# The titles the fast path may drop in front of a plain name.
FAST_TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "herr",
    "frau",
    "bay",
    "bayan",
    "sayın",
    "sayin",
    "m",
    "mme",
    "sr",
    "sra",
}
ROMAN = re.compile(r"[IVX]+")
PLAIN_WORD = re.compile(r"[^\W\d_][^\W\d_]*(?:[-'’][^\W\d_]+)?")
NAME_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*\.?$", re.UNICODE)
INITIALS = re.compile(r"^(?:[^\W\d_]\.){1,4}(?:[^\W\d_]\.?)?$|^[^\W\d_]\.$", re.UNICODE)
PARTICLES = LEXICON.particles
MAX_WORDS = 8

# Local parts (or their first word) of shared mailboxes in the languages Liffy mines, which are also words
# that name a function, never a person.
MAILBOX_WORDS = {
    "info",
    "contact",
    "kontakt",
    "sales",
    "vertrieb",
    "office",
    "buero",
    "büro",
    "admin",
    "support",
    "hello",
    "hallo",
    "general",
    "enquiries",
    "enquiry",
    "inquiries",
    "marketing",
    "mail",
    "team",
    "service",
    "services",
    "help",
    "booking",
    "bookings",
    "reservations",
    "press",
    "presse",
    "media",
    "hr",
    "jobs",
    "careers",
    "karriere",
    "billing",
    "accounts",
    "accounting",
    "finance",
    "invoice",
    "orders",
    "order",
    "shop",
    "store",
    "events",
    "event",
    "expo",
    "fair",
    "messe",
    "export",
    "import",
    "purchasing",
    "einkauf",
    "management",
    "director",
    "manager",
    "ceo",
    "cfo",
    "cto",
    "reception",
    "empfang",
    "secretary",
    "sekretariat",
    "welcome",
    "news",
    "newsletter",
    "legal",
    "privacy",
    "datenschutz",
    "impressum",
    "bilgi",
    "iletisim",
    "satis",
    "destek",
    "muhasebe",
    "ventas",
    "contacto",
    "informacion",
    "commercial",
    "direction",
    "accueil",
    "vendite",
    "amministrazione",
    "ufficio",
    "customer",
    "customerservice",
    "partner",
    "partners",
    "business",
    "company",
    "firma",
    "group",
    "global",
    "international",
    "europe",
    "email",
    "e-mail",
    "phone",
    "tel",
    "fax",
    "mobile",
    "address",
    "adresse",
    "web",
    "website",
    "officer",
    "executive",
    "assistant",
    "coordinator",
    "department",
    "abteilung",
    "gmbh",
    "ltd",
    "inc",
    "llc",
    "strasse",
    "straße",
    "avenue",
    "geschäftsführung",
    "geschaeftsfuehrung",
    "vorstand",
    "verwaltung",
    "satış",
    "departmanı",
    "departman",
    "bölümü",
    "departamento",
    "département",
    "servizio",
    "afdeling",
    "ventes",
    "vendas",
    "innendienst",
    "außendienst",
    "kundendienst",
    "zentrale",
    "redaktion",
}
# Words that name a function or a place next to a name, but no mailbox.
CONTEXT_WORDS = {
    "the",
    "and",
    "und",
    "our",
    "your",
    "us",
    "we",
    "for",
    "of",
    "to",
    "at",
    "by",
    "in",
    "on",
    "with",
    "from",
    "com",
    "org",
    "net",
    "http",
    "https",
    "www",
    "germany",
    "deutschland",
    "turkey",
    "head",
    "chief",
    "city",
    "country",
    "street",
    "road",
}
# Words that name a function, never a person (in a name field or in the text around an address).
ROLE_WORDS = MAILBOX_WORDS | CONTEXT_WORDS
# Shared mailboxes: those words, and local parts that do not mark a name as a role ("contest", "hola", …).
ROLE_MAILBOXES = MAILBOX_WORDS | {
    "contest",
    "hi",
    "hola",
    "ciao",
    "bonjour",
    "merhaba",
    "it",
    "pr",
    "ir",
    "ik",
    "rh",
    "ops",
    "operations",
    "recruiting",
    "recruitment",
    "compliance",
    "dpo",
    "gdpr",
    "security",
    "exhibitors",
    "exhibitor",
    "aussteller",
    "visitors",
    "registration",
    "tickets",
    "procurement",
    "logistics",
    "shipping",
    "dispatch",
    "warehouse",
    "frontdesk",
    "board",
    "sponsoring",
    "sponsorship",
    "sponsors",
    "feedback",
    "all",
    "staff",
    "members",
    "membership",
    "mitglieder",
    "verein",
    "geschaeftsstelle",
    "post",
    "poststelle",
    "kundenservice",
    "kundendienst",
    "anfrage",
    "anfragen",
    "bestellung",
    "bestellungen",
    "verwaltung",
    "zentrale",
    "buchhaltung",
    "rechnung",
    "rechnungen",
    "technik",
    "tech",
    "online",
    "digital",
    "social",
    "community",
    "investor",
    "investors",
    "payroll",
    "compta",
    "comptabilite",
    "recrutement",
    "secretariat",
    "devis",
    "commande",
    "commandes",
    "administracion",
    "comercial",
    "pedidos",
    "reservas",
    "recepcion",
    "commerciale",
    "segreteria",
    "ordini",
    "vendas",
    "contato",
    "geral",
    "atendimento",
    "financeiro",
    "verkoop",
    "inkoop",
    "algemeen",
    "receptie",
    "klantenservice",
    "administratie",
    "bestellingen",
    "siparis",
    "ihracat",
    "pazarlama",
    "insankaynaklari",
    "mailbox",
    "postmaster",
    "noreply",
    "hotline",
    "helpdesk",
    "servicedesk",
    "kundencenter",
    "vorstand",
    "praesidium",
    "geschaeftsfuehrung",
    "redaktion",
    "redaction",
    "editorial",
    "editor",
    "studio",
    "agency",
}
# Role words long enough to be recognised at the start of a glued local part ("infoberlin", "salesde").
ROLE_PREFIXES = (
    "info",
    "kontakt",
    "contact",
    "sales",
    "office",
    "support",
    "service",
    "bilgi",
    "admin",
    "marketing",
    "booking",
    "noreply",
    "vertrieb",
    "verkauf",
    "ventas",
    "vendite",
    "iletisim",
)


# The words of a local part: what lies between dots, dashes, underscores, digits and spaces.
LOCAL_PART_WORD = re.compile(r"[^\s._\-0-9]+")


def is_role_mailbox(email):
    """info@, sales.de@, office-berlin@, orders2024@, infoberlin@: a shared mailbox, not a person."""
    words = LOCAL_PART_WORD.findall(_strip_tag(email.split("@", 1)[0].lower()))
    if not words:
        return True
    if not ROLE_MAILBOXES.isdisjoint(words) or "".join(words) in ROLE_MAILBOXES:
        return True
    return words[0].startswith(ROLE_PREFIXES)


def _strip_tag(local):
    """'jane.doe+newsletter' → 'jane.doe' (sub-addressing)."""
    return local.split("+", 1)[0]


def _is_joining_word(word):
    """'van', 'de la', 'von und zu': particles, and a lower-case conjunction inside a surname."""
    return word.lower() in PARTICLES or (word.islower() and word in LEXICON.conjunctions)


def _is_full_word(word):
    return len(word) >= 2 and NAME_TOKEN.match(word) is not None and "." not in word


def _is_name_word(word):
    return bool(NAME_TOKEN.match(word)) and word.lower().strip(".") not in ROLE_WORDS


def parse_name(text, allow_single=False):
    """'Dr. Jane van der Berg, PhD' → ('Jane', 'van der Berg'); (None, None) when it is not a person's name.

    A single word is a name only when `allow_single` (a structured name field), never in free text.
    """
    if not text or not isinstance(text, str):
        return None, None
    first, last = _checked_name(text)
    if not last and not allow_single:
        return None, None
    return first, last


@lru_cache(maxsize=65536)
def _checked_name(text):
    if "@" in text or any(ch.isdigit() for ch in text):
        return None, None
    text = " ".join(text.split()).strip(" -–|:;,")
    if not text or len(text) > 120:
        return None, None
    first, last = split_name(text)
    words = f"{first} {last}".split()
    if not words or len(words) > MAX_WORDS:
        return None, None
    if not all(_is_name_word(word) or INITIALS.match(word) or _is_joining_word(word) for word in words):
        return None, None
    # a full word on each side: "J. Smith" and "Hari G.C." are names, "J.A. K.D." or "John V" are not
    if not any(_is_full_word(word) for word in words) or (last and len(last.strip(".")) < 2):
        return None, None
    if last and all(word.islower() and word in PARTICLES for word in last.split()):
        return None, None
    if all(word.lower() in PARTICLES for word in words):  # "van den", however it is written
        return None, None
    return first or None, last or None


@lru_cache(maxsize=65536)
def split_name(text):
    """A name → (given names, surname), titles, suffixes and nicknames dropped, capitalisation restored."""
    first, last = _split_name(text)
    if "\u0307" in first or "\u0307" in last:  # Turkish İ lower-cased to i + a combining dot
        first, last = first.replace("i\u0307", "i"), last.replace("i\u0307", "i")
    return first, last


def _split_name(text):
    capitals = _surname_in_capitals(text)
    if capitals is not None:
        return capitals
    fast = _fast_split(text)
    if fast is not None:
        return fast
    parsed = PARSER.parse(text)
    if text.isupper() or text.islower():
        parsed = parsed.capitalized(force=True)
    return " ".join(part for part in (parsed.given, parsed.middle) if part), parsed.family


def _surname_in_capitals(text):
    """'DUPONT Marie', 'Jean-Pierre LEFÈVRE': in a mixed-case name the words in capitals are the surname."""
    tokens = text.split(" ")
    if "," in text or not 2 <= len(tokens) <= 5 or not any(ch.islower() for ch in text):
        return None
    capital = [
        token.isupper()
        and (len(token) > 2 or token.lower() in PARTICLES)
        and not ROMAN.fullmatch(token)
        and (token.lower() in PARTICLES or token.lower().strip(".") not in SPECIAL_WORDS)
        for token in tokens
    ]
    if (
        all(capital)
        or not any(capital)
        or not any(len(token) > 2 for token, cap in zip(tokens, capital, strict=True) if cap)
    ):
        return None
    if any(not PLAIN_WORD.fullmatch(token) for token in tokens):
        return None
    count = capital.index(False)
    if count and not any(capital[count:]):  # capitals first: "DUPONT Marie", "DE LA CRUZ Maria"
        return " ".join(tokens[count:]), _capitalised(tokens[:count])
    count = len(tokens) - capital[::-1].index(False)
    if count < len(tokens) and not any(capital[:count]):  # capitals last: "Marie DUPONT"
        return " ".join(tokens[:count]), _capitalised(tokens[count:])
    return None


def _capitalised(words):
    return " ".join("-".join(part[:1] + part[1:].lower() for part in word.split("-")) for word in words)


def _fast_split(text):
    """The answer for a plain name of 2–3 capitalised words (after one of the common titles), else None."""
    tokens = text.split(" ")
    while len(tokens) > 2 and tokens[0].lower().rstrip(".") in FAST_TITLES:
        tokens = tokens[1:]
    if not 2 <= len(tokens) <= 3:
        return None
    for token in tokens:
        if (
            not PLAIN_WORD.fullmatch(token)
            or not token[0].isupper()
            or token[1:].isupper()
            or token.lower() in SPECIAL_WORDS
        ):
            return None
    return " ".join(tokens[:-1]), tokens[-1]


def name_from_local_part(email):
    """'jane.doe@…', 'jane_doe+news@…' → ('Jane', 'Doe'); role mailboxes and anything else → (None, None)."""
    if is_role_mailbox(email):
        return None, None
    local = _strip_tag(email.split("@", 1)[0])
    parts = re.split(r"[._]", local)
    if len(parts) != 2 or not all(part.isalpha() and len(part) >= 2 for part in parts):
        return None, None
    if any(part.lower() in ROLE_WORDS for part in parts):
        return None, None
    return tuple(part.capitalize() for part in parts)


WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?", re.UNICODE)
LEADING_TITLES = {
    "dr",
    "prof",
    "mr",
    "mrs",
    "ms",
    "herr",
    "frau",
    "bay",
    "bayan",
    "sayın",
    "sayin",
    "m",
    "mme",
    "mlle",
    "sir",
    "dipl",
    "ing",
    "mag",
    "dott",
    "sig",
    "sr",
    "sra",
    "av",
    "op",
}


def _runs(context):
    """Runs of capitalised words (particles allowed inside) separated by spaces only: (words, start, end)."""
    run, runs = [], []
    for match in WORD.finditer(context):
        word = match.group(0)
        joined = run and context[run[-1].end() : match.start()].strip(" ") == ""
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
    text labels it ("Contact: Jane Doe", "Dr. Jane Doe", "Jane Doe - Sales Manager"); else nothing. A role
    mailbox gets no name, whoever is named beside it.
    """
    if not context or is_role_mailbox(email):
        return None, None
    local = re.sub(r"[^a-z]", "", _ascii(_strip_tag(email.split("@", 1)[0])))
    best, best_score, labelled = None, 0, None
    for run in _runs(context):
        titled = False
        while run and run[0].group(0).lower().strip(".") in LEADING_TITLES:
            run, titled = run[1:], True
        for size in range(2, min(len(run), 6) + 1):
            for offset in range(len(run) - size + 1):
                window = run[offset : offset + size]
                first, last = parse_name(context[window[0].start() : window[-1].end()])
                if not first or not last:
                    continue
                score = _fit_score(first, last, local)
                if score and score >= best_score:  # on a tie the longer name: "Eva van den Berg"
                    best, best_score = (first, last), score
        if labelled is None and 2 <= len(run) <= 3 and (titled or _is_labelled(context, run[0].start(), run[-1].end())):
            first, last = parse_name(context[run[0].start() : run[-1].end()])
            if first and last:
                labelled = (first, last)
    return best or labelled or (None, None)


def _ascii(text):
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("ı", "i")


def _fit_score(first, last, local):
    """3: first and last name in the local part; 2: the last name or initial+last; 1: the first name alone."""
    if not local:
        return 0
    first_key = re.sub(r"[^a-z]", "", _ascii(first.split()[0]))
    last_keys = [re.sub(r"[^a-z]", "", _ascii(word)) for word in last.split() if word.lower() not in PARTICLES]
    last_key = next(
        (key for key in reversed(last_keys) if len(key) >= 2 and key in local), last_keys[-1] if last_keys else ""
    )
    has_first = len(first_key) >= 2 and first_key in local
    has_last = len(last_key) >= 2 and last_key in local
    if has_first and has_last:
        return 3
    if (has_last and (local.startswith(first_key[:1]) or local == last_key)) or local == first_key + last_key[:1]:
        return 2
    if has_first and local == first_key:
        return 1
    return 0


LABEL_BEFORE = re.compile(
    r"(?:contact(?: person)?|ansprechpartner(?:in)?|kontakt|name|yetkili|ilgili kişi|interlocuteur|"
    r"persona de contacto|referente|contactpersoon|pessoa de contacto|contato|"
    r"dr|prof|mr|mrs|ms|herr|frau|bay|bayan|sayın)\.?\s*[:\-–]?\s*$",
    re.IGNORECASE,
)
ROLE_AFTER = re.compile(r"^\s*(?:[,\-–|(/]|\n)\s*\S", re.UNICODE)


def _is_labelled(context, start, end):
    if LABEL_BEFORE.search(context[max(0, start - 30) : start]):
        return True
    after = context[end : end + 60]
    return bool(ROLE_AFTER.match(after)) and position_from_text(after) is not None
