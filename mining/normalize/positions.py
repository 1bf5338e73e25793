"""Job titles: a cleaned structured value, or a title phrase found in the text around an email."""

import re

TITLE_WORDS = (
    r"CEO|CFO|CTO|COO|CMO|CIO|CRO|CPO|Founder|Co-?Founder|Owner|Proprietor|Partner|President|Vice President|VP|"
    r"Chairman|Chairwoman|Chair|Managing Director|Managing Partner|General Manager|Director|Head|Manager|"
    r"Lead|Leader|Officer|Executive|Coordinator|Co-ordinator|Specialist|Consultant|Advisor|Adviser|Assistant|"
    r"Representative|Engineer|Architect|Analyst|Administrator|Secretary|Accountant|Buyer|Curator|Editor|Producer|"
    r"Agent|Broker|Planner|Organi[sz]er|Associate|Principal|Supervisor|Superintendent|Intern|"
    r"Geschäftsführer(?:in)?|Inhaber(?:in)?|Leiter(?:in)?|Vorstand|Prokurist(?:in)?|Vertriebsleiter(?:in)?|"
    r"Referent(?:in)?|Sachbearbeiter(?:in)?|Projektleiter(?:in)?|Verkaufsleiter(?:in)?|"
    r"Directeur|Directrice|Responsable|Chargée?|Gérante?|Président(?:e)?|"
    r"Director[a]?|Gerente|Jefe|Jefa|Responsabile|Direttore|Direttrice|Amministratore|Titolare|Presidente|"
    r"Vicepresidente|Diretor[a]?(?:-Geral)?|Gestor[a]?|Sóci[oa](?:-Diretor[a]?)?|Administrador[a]?|"
    r"Comprador[a]?|Acheteur|Acheteuse|Fondat(?:eur|rice)|Gründer(?:in)?|Fundador[a]?|Enólog[oa]|Enologo|"
    r"Exportador[a]?|Zaakvoerder|Eigenaar|Directeur|Projectleider|Inkoper|Accountmanager|Bedrijfsleider|"
    r"Müdür(?:ü)?|Genel Müdür|Uzman(?:ı)?|Yönetici(?:si)?|Sorumlu(?:su)?|Temsilci(?:si)?|Koordinatör(?:ü)?|"
    r"Başkan(?:ı)?|Satış|Pazarlama"
)
TITLE = re.compile(rf"(?<![\w-])(?:{TITLE_WORDS})(?![\w-])", re.UNICODE)
# What separates a title from the name or the next field in a contact block.
SEPARATORS = re.compile(r"[\n\r|•·,;:()\[\]<>]|\s[-–—/]\s|\s{2,}|\S+@\S+|\+?\d[\d\s().-]{5,}")


def clean_position(value):
    if not value or not isinstance(value, str):
        return None
    text = " ".join(value.split()).strip(" -–|,;:.")
    if "@" in text or not 2 <= len(text) <= 100:
        return None
    return text


def position_from_text(text):
    """The title phrase around the first job-title word in `text` (bounded by separators), or None."""
    if not text:
        return None
    match = TITLE.search(text)
    if not match:
        return None
    start = max((m.end() for m in SEPARATORS.finditer(text, 0, match.start())), default=0)
    end_match = SEPARATORS.search(text, match.end())
    end = end_match.start() if end_match else len(text)
    phrase = text[start:end].strip()
    if len(phrase) > 60 or len(phrase.split()) > 6:
        phrase = text[match.start() : end].strip()  # too long to be only a title: keep from the title word on
    return clean_position(phrase)
