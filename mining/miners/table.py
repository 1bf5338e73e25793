"""The table file miner: CSV or XLSX with a header row somewhere in the first rows."""
import csv
import io
import re
import unicodedata
import zipfile

from mining.miners.base import FAILED, SUCCESS, Miner, MinerOutput

HEADER_SEARCH_ROWS = 10
# field → header aliases (lower-case, accents folded); the longest whole-word match wins
ALIASES = {
    "email": ["email", "e-mail", "e mail", "mail", "email address", "e-mail address", "e-mail-adresse", "eposta",
              "e-posta", "correo", "correo electronico", "courriel", "adresse e-mail", "posta elettronica",
              "e-mailadres", "emailadres"],
    "company_name": ["company", "company name", "organization", "organisation", "organization name", "firma",
                     "firmenname", "unternehmen", "empresa", "societe", "entreprise", "azienda", "sirket",
                     "firma adi", "exhibitor", "aussteller", "account", "account name", "business name", "bedrijf",
                     "bedrijfsnaam", "ragione sociale", "raison sociale", "razao social"],
    "contact_name": ["name", "full name", "contact", "contact name", "contact person", "ansprechpartner",
                     "nombre completo", "nom complet", "ad soyad", "adi soyadi", "isim", "yetkili", "contactpersoon",
                     "referente", "contato", "contacto"],
    "first_name": ["first name", "firstname", "given name", "vorname", "nombre", "prenom", "nome", "ad", "adi",
                   "voornaam"],
    "last_name": ["last name", "lastname", "surname", "family name", "nachname", "apellido", "apellidos", "nom",
                  "cognome", "soyad", "soyadi", "achternaam", "apelido", "sobrenome"],
    "job_title": ["title", "job title", "position", "role", "job", "funktion", "position title", "cargo", "poste",
                  "fonction", "ruolo", "unvan", "gorev", "designation", "functie"],
    "phone": ["phone", "telephone", "tel", "mobile", "phone number", "telefon", "telefono", "telephone number",
              "cell", "gsm"],
    "country": ["country", "land", "pais", "pays", "paese", "ulke", "nation", "country code"],
    "city": ["city", "town", "stadt", "ort", "ciudad", "ville", "citta", "sehir", "il"],
    "address": ["address", "street", "adresse", "anschrift", "direccion", "indirizzo", "adres", "strasse"],
    "website": ["website", "web", "url", "homepage", "web site", "webseite", "internet", "sitio web", "site web",
                "web sitesi"],
}
EMAIL_IN_CELL = re.compile(r"[^\s,;<>]+@[^\s,;<>]+")


class TableFileError(ValueError):
    """A file that cannot be mined, with a message for the user."""


def fold(text):
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().replace("ı", "i"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[_./:()#*]+", " ", plain).split())


def match_header(cell):
    """The field a header cell names: aliases must appear as whole words ('lead source' names nothing);
    one that ends the header wins ('Contact Email' is an email), then the longest ('Company Name')."""
    words = fold(cell)
    if not words:
        return None
    best, best_score = None, (False, 0)
    for field_name, aliases in ALIASES.items():
        for alias in aliases:
            match = re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", words)
            if match:
                score = (match.end() == len(words), len(alias))
                if score > best_score:
                    best, best_score = field_name, score
    return best


def find_header(rows):
    """(index of the header row, {column index: field}) — the early row that maps the most columns."""
    best = (None, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = {}
        for column, cell in enumerate(row):
            field_name = match_header(cell)
            if field_name and field_name not in mapping.values():
                mapping[column] = field_name
        if "email" in mapping.values() and len(mapping) > len(best[1]):
            best = (index, mapping)
    return best


NOT_TEXT = "The file is not readable text (a binary file, or an unknown encoding): save it as CSV in UTF-8."


def decode_text(data):
    """UTF-8 (with or without BOM), UTF-16 (with a BOM, or detected by its zero bytes), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    sample = data[:4096]
    if b"\x00" in sample:
        # UTF-16 without a BOM has a zero in every other byte of plain ASCII text
        for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if zeros.count(0) > len(zeros) * 0.6:
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    break
        raise TableFileError(NOT_TEXT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > len(text) * 0.01:
        raise TableFileError(NOT_TEXT)
    return text


DELIMITERS = (",", ";", "\t", "|")


def detect_delimiter(text):
    """The delimiter that splits the most of the first lines into the same number of cells.

    (csv.Sniffer gives up on files that open with a title line above the table.)
    """
    lines = [line for line in text[:50_000].splitlines()[:30] if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        nonzero = [count for count in counts if count]
        if not nonzero:
            continue
        modal = max(set(nonzero), key=nonzero.count)
        score = nonzero.count(modal) * (modal + 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data):
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    return [row for row in reader if any(cell.strip() for cell in row)]


def read_xlsx(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableFileError("The file is not a readable XLSX workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        return [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
            if any(cell not in (None, "") for cell in row)
        ]
    finally:
        workbook.close()


def read_rows(file_name, data):
    if not data:
        raise TableFileError("The file is empty.")
    if (file_name or "").lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    return read_csv(data)


class TableFileMiner(Miner):
    name = "table_file"

    def applies_to(self, source):
        return bool(source.file_data) and (source.file_name or "").lower().endswith((".csv", ".txt", ".xlsx", ".xlsm"))

    def mine(self, source, should_continue=lambda: True):
        output = MinerOutput(self.name, source_url=source.file_name, confidence_hint=0.9)
        try:
            rows = read_rows(source.file_name, source.file_data)
            if not rows:
                raise TableFileError("The file has no rows.")
            header_index, mapping = find_header(rows)
            if header_index is None:
                found = ", ".join(cell for cell in rows[0][:20] if cell) or "none"
                raise TableFileError(f"No email column found. Columns in the first row: {found}.")
        except TableFileError as error:
            output.status, output.error = FAILED, str(error)
            return output
        header = rows[header_index]
        output.event("info", "Header found", row=header_index + 1,
                     columns={header[column]: field_name for column, field_name in mapping.items()})
        for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
            block = _row_block(row, header, mapping, source.file_name, number)
            if block:
                output.blocks.append(block)
        output.stats.update(rows=len(rows) - header_index - 1, emails_raw=sum(len(b["emails"]) for b in output.blocks))
        output.status = SUCCESS
        return output


def _row_block(row, header, mapping, file_name, number):
    values = {field_name: row[column].strip() for column, field_name in mapping.items() if column < len(row)}
    emails = EMAIL_IN_CELL.findall(values.pop("email", ""))
    if not emails:
        return None
    first, last = values.pop("first_name", ""), values.pop("last_name", "")
    if not values.get("contact_name") and (first or last):
        values["contact_name"] = f"{first} {last}".strip()
    unmapped = {header[column] or f"column {column + 1}": cell for column, cell in enumerate(row)
                if column not in mapping and column < len(header) and cell}
    return {"emails": emails, **{k: v for k, v in values.items() if v}, "context": "",
            "source_url": f"{file_name}#row={number}", "raw": unmapped or None, "confidence": 0.9}
