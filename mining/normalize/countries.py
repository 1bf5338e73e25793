"""Country → ISO 3166-1 alpha-2, from codes, names in the languages mined, phone prefixes, and (weakly) the TLD.

Names: pycountry's names (short, official, common) in English and in its German, French, Spanish,
Italian, Portuguese, Dutch and Turkish translations, plus a small alias table for what it lacks (short
forms, local and old names). A name that two countries share is dropped rather than guessed.

In free text a name counts only as whole capitalised words ("Turkey", never "turkey sandwich"; "Chile",
never "chile peppers"), short forms only in capitals (USA, UK, UAE), country names that are also given
names or common words (Jordan, Chad, Island, Maurice …) never; a phone prefix only inside a phone number
(`+49 30 1234567`, never `+30 %`). A country-code TLD is the last resort, generic-use ones (.io, .co, .me,
.tv, .ai …) never.
"""

import gettext
import re
import unicodedata
from functools import lru_cache

import pycountry

# Names pycountry does not know: local names, short forms, old names.
ALIASES = {
    "deutschland": "DE",
    "germany": "DE",
    "allemagne": "DE",
    "alemania": "DE",
    "germania": "DE",
    "almanya": "DE",
    "turkey": "TR",
    "turkiye": "TR",
    "turkei": "TR",
    "turquie": "TR",
    "turquia": "TR",
    "turchia": "TR",
    "espana": "ES",
    "spanien": "ES",
    "espagne": "ES",
    "spagna": "ES",
    "ispanya": "ES",
    "italia": "IT",
    "italien": "IT",
    "italie": "IT",
    "italya": "IT",
    "frankreich": "FR",
    "francia": "FR",
    "fransa": "FR",
    "nederland": "NL",
    "holland": "NL",
    "the netherlands": "NL",
    "niederlande": "NL",
    "pays-bas": "NL",
    "hollanda": "NL",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "isvicre": "CH",
    "osterreich": "AT",
    "autriche": "AT",
    "avusturya": "AT",
    "belgie": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "belcika": "BE",
    "polska": "PL",
    "polen": "PL",
    "cesko": "CZ",
    "czech republic": "CZ",
    "tschechien": "CZ",
    "slovensko": "SK",
    "magyarorszag": "HU",
    "ungarn": "HU",
    "romania": "RO",
    "rumanien": "RO",
    "sverige": "SE",
    "schweden": "SE",
    "norge": "NO",
    "norwegen": "NO",
    "danmark": "DK",
    "danemark": "DK",
    "suomi": "FI",
    "finnland": "FI",
    "eire": "IE",
    "ireland": "IE",
    "hellas": "GR",
    "ellada": "GR",
    "griechenland": "GR",
    "yunanistan": "GR",
    "portugal": "PT",
    "hrvatska": "HR",
    "srbija": "RS",
    "slovenija": "SI",
    "bulgaria": "BG",
    "balgariya": "BG",
    "ukraina": "UA",
    "rossiya": "RU",
    "russia": "RU",
    "russland": "RU",
    "rusya": "RU",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "vereinigte staaten": "US",
    "etats-unis": "US",
    "estados unidos": "US",
    "abd": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united kingdom": "GB",
    "grossbritannien": "GB",
    "vereinigtes konigreich": "GB",
    "royaume-uni": "GB",
    "reino unido": "GB",
    "ingiltere": "GB",
    "uae": "AE",
    "u.a.e.": "AE",
    "emirates": "AE",
    "united arab emirates": "AE",
    "dubai": "AE",
    "birlesik arap emirlikleri": "AE",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "syria": "SY",
    "brasil": "BR",
    "mexico": "MX",
    "argentinien": "AR",
    "peru": "PE",
    "chile": "CL",
    "kolumbien": "CO",
    "china": "CN",
    "prc": "CN",
    "zhongguo": "CN",
    "cin": "CN",
    "japan": "JP",
    "nippon": "JP",
    "japon": "JP",
    "hong kong": "HK",
    "taiwan": "TW",
    "macau": "MO",
    "indien": "IN",
    "hindistan": "IN",
    "saudi arabia": "SA",
    "suudi arabistan": "SA",
    "misr": "EG",
    "egypt": "EG",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "czechia": "CZ",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "palestine": "PS",
    "kosovo": "XK",
    "macedonia": "MK",
    "north macedonia": "MK",
    "bosnia": "BA",
    "azerbaycan": "AZ",
    "kazakhstan": "KZ",
    "kazakistan": "KZ",
    "gurcistan": "GE",
    "sakartvelo": "GE",
    "magyar": "HU",
    "lietuva": "LT",
    "latvija": "LV",
    "eesti": "EE",
    "island": "IS",
    "luxemburg": "LU",
    "weissrussland": "BY",
    "belarus": "BY",
    "u.s": "US",
    "us": "US",
    "u.k": "GB",
}
# Country names that are also given names, surnames, US states, regions or common words even when capitalised:
# trusted in a country field, never picked out of prose ("Jordan Smith", "Tom Holland", "Latin America",
# "Island Records"). Lower-case words ("turkey sandwich", "bone china") never count in prose anyway.
NOT_IN_PROSE = {
    "jordan",
    "chad",
    "georgia",
    "jersey",
    "guernsey",
    "niger",
    "mali",
    "israel",
    "america",
    "holland",
    "panama",
    "lebanon",
    "island",
    "maurice",
    "man",
    "guinea",
    "dominica",
    "salvador",
    "marshall",
    "cook",
    "christmas",
    "norfolk",
    "victoria",
    "hellas",
    "magyar",
    "eire",
}
# Capitalised phrases where a country name is a common noun ("Fine Bone China Ltd", "Chile Peppers").
COMMON_PHRASES = {
    "bone china",
    "fine china",
    "china clay",
    "china ware",
    "china shop",
    "roast turkey",
    "turkey breast",
    "chile pepper",
    "chile peppers",
    "chile con",
    "guinea pig",
    "guinea fowl",
    "french fries",
    "spanish rice",
    "swiss cheese",
    "jordan almonds",
    "jersey cow",
}
# Upper-case short forms recognised in prose.
PROSE_ABBREVIATIONS = {
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "UK": "GB",
    "U.K.": "GB",
    "UAE": "AE",
    "U.A.E.": "AE",
    "KSA": "SA",
    "PRC": "CN",
    "ROK": "KR",
    "BRD": "DE",
    "KKTC": "CY",
    "ABD": "US",
}
CODE_ALIASES = {"UK": "GB", "EL": "GR"}
LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "tr")
PHONE_PREFIXES = {
    "20": "EG",
    "27": "ZA",
    "30": "GR",
    "31": "NL",
    "32": "BE",
    "33": "FR",
    "34": "ES",
    "36": "HU",
    "39": "IT",
    "40": "RO",
    "41": "CH",
    "43": "AT",
    "44": "GB",
    "45": "DK",
    "46": "SE",
    "47": "NO",
    "48": "PL",
    "49": "DE",
    "51": "PE",
    "52": "MX",
    "54": "AR",
    "55": "BR",
    "56": "CL",
    "57": "CO",
    "58": "VE",
    "60": "MY",
    "61": "AU",
    "62": "ID",
    "63": "PH",
    "64": "NZ",
    "65": "SG",
    "66": "TH",
    "81": "JP",
    "82": "KR",
    "84": "VN",
    "86": "CN",
    "90": "TR",
    "91": "IN",
    "92": "PK",
    "98": "IR",
    "212": "MA",
    "213": "DZ",
    "216": "TN",
    "234": "NG",
    "254": "KE",
    "351": "PT",
    "352": "LU",
    "353": "IE",
    "354": "IS",
    "356": "MT",
    "357": "CY",
    "358": "FI",
    "359": "BG",
    "370": "LT",
    "371": "LV",
    "372": "EE",
    "380": "UA",
    "381": "RS",
    "385": "HR",
    "386": "SI",
    "387": "BA",
    "389": "MK",
    "420": "CZ",
    "421": "SK",
    "852": "HK",
    "886": "TW",
    "961": "LB",
    "962": "JO",
    "965": "KW",
    "966": "SA",
    "971": "AE",
    "972": "IL",
    "973": "BH",
    "974": "QA",
    "994": "AZ",
    "995": "GE",
}
# +1 (USA, Canada, Caribbean) and +7 (Russia, Kazakhstan) are shared: no guess from them. A number is a phone
# number when it has 8–15 digits after the + or 00 and nothing but digits, spaces and . / ( ) - inside it.
PHONE_NUMBER = re.compile(
    r"(?:(?<![\w+])\+|(?<![\w.,])00)\s?(\d{1,3})((?:[\s./-]|\(0?\d*\))*\d[\d\s./()-]*)(?![\w%‰€$£])"
)
# Country-code TLDs sold for generic use: never a country signal.
GENERIC_TLDS = {
    "io",
    "co",
    "me",
    "tv",
    "ai",
    "ly",
    "fm",
    "am",
    "gg",
    "to",
    "ws",
    "cc",
    "eu",
    "nu",
    "tk",
    "la",
    "ac",
    "sh",
    "so",
    "vc",
    "im",
    "gl",
    "ms",
    "cx",
    "st",
    "bz",
    "pw",
    "ml",
    "ga",
    "cf",
    "gq",
    "app",
    "dev",
    "md",
    "sx",
    "xyz",
}
# Words of prose; an apostrophe separates ("l'Allemagne", "Almanya'da").
PROSE_WORD = re.compile(r"[^\W\d_]+(?:[.-][^\W\d_]+)*\.?", re.UNICODE)
# Lower-case words allowed inside a capitalised country name ("Bosnia and Herzegovina", "Pays-Bas").
NAME_CONNECTORS = {
    "and",
    "of",
    "the",
    "und",
    "et",
    "de",
    "des",
    "du",
    "la",
    "le",
    "y",
    "del",
    "e",
    "da",
    "do",
    "das",
    "dos",
    "di",
    "en",
    "ve",
    "van",
    "het",
}
MAX_NAME_WORDS = 6


def fold(text):
    """Lower-case without accents: 'Türkiye' → 'turkiye', 'Österreich' → 'osterreich'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


@lru_cache(maxsize=1)
def _names():
    """folded name → ISO-2, over English and the translated names; names shared by two countries dropped."""
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext for language in LANGUAGES
    ]
    names, shared = {}, set()

    def add(name, code):
        key = fold(name)
        if names.get(key, code) != code:
            shared.add(key)
        names.setdefault(key, code)

    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            for name in {value, *(translate(value) for translate in translations)}:
                add(name, country.alpha_2)
                if ", " in name:  # "Korea, Republik" → "Republik Korea"
                    head, _, qualifier = name.partition(", ")
                    add(f"{qualifier} {head}", country.alpha_2)
    for key in shared:
        del names[key]
    names.update(ALIASES)
    return names


@lru_cache(maxsize=1)
def _prose_names():
    """Names that may be read out of free text: 4+ letters ("us", "hr" and "in" never match) and not ambiguous."""
    return {name: code for name, code in _names().items() if len(name) >= 4 and name not in NOT_IN_PROSE}


@lru_cache(maxsize=4096)
def to_iso2(value):
    """A structured country value (code or name in any of the languages) → ISO-2, or None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().strip(",;")
    if text.endswith(".") and not _code_or_name(text):
        text = text.rstrip(".")
    if not text:
        return None
    code = _code_or_name(text)
    if code:
        return code
    # "Germany (DE)", "DE - Deutschland", "Deutschland / Germany": every part that names a country agrees
    parts = {_code_or_name(part.strip(" .")) for part in re.split(r"[()/|,;]|\s[-–]\s", text) if part.strip(" .")}
    parts.discard(None)
    return parts.pop() if len(parts) == 1 else None


def _code_or_name(text):
    if len(text) == 2 and text.isalpha():
        upper = CODE_ALIASES.get(text.upper(), text.upper())
        return upper if pycountry.countries.get(alpha_2=upper) else None
    folded = fold(text)
    by_name = _names().get(folded) or _names().get(folded.replace(".", ""))
    if by_name:
        return by_name
    if len(text) == 3 and text.isalpha():
        country = pycountry.countries.get(alpha_3=text.upper())
        return country.alpha_2 if country else None
    return None


def country_from_phone(text):
    """The country of the first phone number in `text` with an unshared country prefix, or None."""
    if not text or ("+" not in text and "00" not in text):
        return None
    for match in PHONE_NUMBER.finditer(text):
        digits = match.group(1) + re.sub(r"\D", "", match.group(2))
        if not 8 <= len(digits) <= 15:
            continue
        for length in (3, 2):
            if match.group(1)[:length] in PHONE_PREFIXES and len(match.group(1)) >= length:
                return PHONE_PREFIXES[match.group(1)[:length]]
            if digits[:length] in PHONE_PREFIXES:
                return PHONE_PREFIXES[digits[:length]]
    return None


def country_from_text(text):
    """A country named in free text as whole capitalised words (or an upper-case short form), or None."""
    if not text:
        return None
    names = _prose_names()
    words = list(PROSE_WORD.finditer(text))
    for index, match in enumerate(words):
        word = match.group(0)
        if word in PROSE_ABBREVIATIONS:
            return PROSE_ABBREVIATIONS[word]
        if not word[:1].isupper():
            continue
        key, end = fold(word), index + 1
        best = names.get(key)
        while end < len(words) and end - index < MAX_NAME_WORDS:
            following = words[end]
            if text[words[end - 1].end() : following.start()] != " ":
                break
            token = following.group(0)
            if not (token[:1].isupper() or token in NAME_CONNECTORS):
                break
            key = f"{key} {fold(token)}"
            end += 1
            if token[:1].isupper() and key in names:
                best = names[key]
        if best and not _in_common_phrase(words, index, end):
            return best
    return None


def _in_common_phrase(words, start, end):
    before = f"{fold(words[start - 1].group(0))} {fold(words[start].group(0))}" if start else ""
    after = f"{fold(words[end - 1].group(0))} {fold(words[end].group(0))}" if end < len(words) else ""
    return before in COMMON_PHRASES or after in COMMON_PHRASES


def country_from_domain(domain):
    """The weak signal: a country-code TLD, only when nothing else is known."""
    tld = (domain or "").rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in GENERIC_TLDS:
        return None
    return to_iso2(tld)
