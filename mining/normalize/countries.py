"""Country → ISO 3166-1 alpha-2, from codes, English and local names, phone prefixes, and (weakly) the TLD."""
import re
import unicodedata
from functools import lru_cache

import pycountry

# Names pycountry does not know: local names, short forms, old names.
ALIASES = {
    "deutschland": "DE", "germany": "DE", "allemagne": "DE", "alemania": "DE", "germania": "DE", "almanya": "DE",
    "turkey": "TR", "turkiye": "TR", "turkei": "TR", "turquie": "TR", "turquia": "TR", "turchia": "TR",
    "espana": "ES", "spanien": "ES", "espagne": "ES", "spagna": "ES", "ispanya": "ES",
    "italia": "IT", "italien": "IT", "italie": "IT", "italya": "IT",
    "frankreich": "FR", "francia": "FR", "fransa": "FR",
    "nederland": "NL", "holland": "NL", "the netherlands": "NL", "niederlande": "NL", "pays-bas": "NL",
    "hollanda": "NL",
    "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "isvicre": "CH",
    "osterreich": "AT", "autriche": "AT", "avusturya": "AT",
    "belgie": "BE", "belgique": "BE", "belgien": "BE", "belcika": "BE",
    "polska": "PL", "polen": "PL", "cesko": "CZ", "czech republic": "CZ", "tschechien": "CZ",
    "slovensko": "SK", "magyarorszag": "HU", "ungarn": "HU", "romania": "RO", "rumanien": "RO",
    "sverige": "SE", "schweden": "SE", "norge": "NO", "norwegen": "NO", "danmark": "DK", "danemark": "DK",
    "suomi": "FI", "finnland": "FI", "eire": "IE", "ireland": "IE", "hellas": "GR", "ellada": "GR",
    "griechenland": "GR", "yunanistan": "GR", "portugal": "PT", "hrvatska": "HR", "srbija": "RS",
    "slovenija": "SI", "bulgaria": "BG", "balgariya": "BG", "ukraina": "UA", "rossiya": "RU", "russia": "RU",
    "russland": "RU", "rusya": "RU",
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "united states": "US", "united states of america": "US",
    "america": "US", "vereinigte staaten": "US", "etats-unis": "US", "estados unidos": "US", "abd": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "united kingdom": "GB", "grossbritannien": "GB",
    "vereinigtes konigreich": "GB", "royaume-uni": "GB", "reino unido": "GB", "ingiltere": "GB",
    "uae": "AE", "u.a.e.": "AE", "emirates": "AE", "united arab emirates": "AE", "dubai": "AE",
    "birlesik arap emirlikleri": "AE", "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "north korea": "KP", "iran": "IR", "vietnam": "VN", "viet nam": "VN", "laos": "LA", "syria": "SY",
    "brasil": "BR", "mexico": "MX", "argentinien": "AR", "peru": "PE", "chile": "CL", "kolumbien": "CO",
    "china": "CN", "prc": "CN", "zhongguo": "CN", "cin": "CN", "japan": "JP", "nippon": "JP", "japon": "JP",
    "hong kong": "HK", "taiwan": "TW", "macau": "MO", "indien": "IN", "hindistan": "IN",
    "saudi arabia": "SA", "suudi arabistan": "SA", "misr": "EG", "egypt": "EG", "ivory coast": "CI",
    "cote d'ivoire": "CI", "czechia": "CZ", "moldova": "MD", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "palestine": "PS", "kosovo": "XK", "macedonia": "MK", "north macedonia": "MK",
    "bosnia": "BA", "azerbaycan": "AZ", "kazakhstan": "KZ", "kazakistan": "KZ", "gurcistan": "GE",
    "sakartvelo": "GE", "magyar": "HU", "lietuva": "LT", "latvija": "LV", "eesti": "EE", "island": "IS",
    "luxemburg": "LU",
}
# Country names that are also first names, surnames, US states or continents: trusted in a country
# field, never picked out of prose ("Jordan Smith", "Tom Holland", "Latin America").
NOT_IN_PROSE = {"jordan", "chad", "georgia", "jersey", "guernsey", "niger", "mali", "israel", "america", "holland",
                "panama", "lebanon"}
CODE_ALIASES = {"UK": "GB", "EL": "GR"}
PHONE_PREFIXES = {
    "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES", "36": "HU", "39": "IT",
    "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK", "46": "SE", "47": "NO", "48": "PL", "49": "DE",
    "51": "PE", "52": "MX", "54": "AR", "55": "BR", "56": "CL", "57": "CO", "58": "VE", "60": "MY", "61": "AU",
    "62": "ID", "63": "PH", "64": "NZ", "65": "SG", "66": "TH", "81": "JP", "82": "KR", "84": "VN", "86": "CN",
    "90": "TR", "91": "IN", "92": "PK", "98": "IR", "212": "MA", "213": "DZ", "216": "TN", "234": "NG",
    "254": "KE", "351": "PT", "352": "LU", "353": "IE", "354": "IS", "356": "MT", "357": "CY", "358": "FI",
    "359": "BG", "370": "LT", "371": "LV", "372": "EE", "380": "UA", "381": "RS", "385": "HR", "386": "SI",
    "387": "BA", "389": "MK", "420": "CZ", "421": "SK", "852": "HK", "886": "TW", "961": "LB", "962": "JO",
    "965": "KW", "966": "SA", "971": "AE", "972": "IL", "973": "BH", "974": "QA", "994": "AZ", "995": "GE",
}
# +1 (USA, Canada, Caribbean) and +7 (Russia, Kazakhstan) are shared: no guess from them.
PHONE_NUMBER = re.compile(r"(?:(?<![\w+])\+|\b00)\s?(\d{1,3})[\s./()-]*\d")
# Country-code TLDs used as generic ones: never a country signal.
GENERIC_TLDS = {"io", "co", "me", "tv", "ai", "ly", "fm", "am", "gg", "to", "ws", "cc", "eu", "app", "dev"}


def fold(text):
    """Lower-case without accents: 'Türkiye' → 'turkiye', 'Österreich' → 'osterreich'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


@lru_cache(maxsize=1)
def _names():
    names = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[fold(value)] = country.alpha_2
    names.update(ALIASES)
    return names


@lru_cache(maxsize=1)
def _name_pattern():
    # longest first, whole words only; names of 4+ letters so "us", "hr" or "in" never match in prose
    names = sorted((name for name in _names() if len(name) >= 4 and name not in NOT_IN_PROSE), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(name) for name in names) + r")(?![\w-])")


def to_iso2(value):
    """A structured country value (code or name) → ISO-2, or None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().strip(".,;")
    if not text:
        return None
    upper = text.upper()
    if len(text) == 2 and text.isalpha():
        upper = CODE_ALIASES.get(upper, upper)
        return upper if pycountry.countries.get(alpha_2=upper) else None
    by_name = _names().get(fold(text)) or _names().get(fold(text).replace(".", ""))
    if by_name:
        return by_name
    if len(text) == 3 and text.isalpha():
        country = pycountry.countries.get(alpha_3=upper)
        return country.alpha_2 if country else None
    return None


def country_from_phone(text):
    for match in PHONE_NUMBER.finditer(text or ""):
        digits = match.group(1)
        for length in (3, 2):
            if digits[:length] in PHONE_PREFIXES:
                return PHONE_PREFIXES[digits[:length]]
    return None


def country_from_text(text):
    """A country named in free text (whole words, 4+ letters), or None."""
    if not text:
        return None
    match = _name_pattern().search(fold(text))
    return _names()[match.group(1)] if match else None


def country_from_domain(domain):
    """The weak signal: a country-code TLD, only when nothing else is known."""
    tld = (domain or "").rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in GENERIC_TLDS:
        return None
    return to_iso2(tld)
