"""Bounded reading of uploaded tables (CSV and XLSX): the one reader of the list import and the table miner.

`open_table(file_name, data)` finds the header row among the first rows (multilingual whole-word
aliases) and returns a `Table`; `table.data_rows()` streams the rows below it, `table.count()` reads
them all once to check the file. Every problem a file can have is a `TableFileError` whose message
names it (row number, limit), never another exception:

- CSV: UTF-8 with or without a byte order mark, UTF-16 (with a BOM, or recognised by its zero
  bytes), else Windows-1252; delimiter `,` `;` tab or `|`. Refused: bad UTF-8 after a UTF-8 BOM, cut
  UTF-16, NUL characters, a cell over the csv module's field size limit, and a row with more cells
  than the header (its values would land in the wrong columns: a quoting or delimiter problem).
  Shorter rows are fine (missing cells are empty).
- XLSX: the zip's declared sizes are checked before anything is unpacked (TABLE_MAX_UNCOMPRESSED_BYTES
  in all, no part compressed more than MAX_COMPRESSION_RATIO to 1, at most MAX_ZIP_MEMBERS parts; zip
  checks every part against its declared size as it unpacks), then the first sheet is streamed in
  openpyxl's read-only mode, values only, ignoring the sheet's declared dimensions and reading only
  the header's columns. Cells right of the header are ignored (notes beside a table are common).
- Both: at most TABLE_MAX_ROWS rows and TABLE_MAX_CELLS cells below the header; a cell over the
  csv module's field size limit is refused in a workbook too.
"""

import csv
import io
import logging
import re
import unicodedata
import zipfile
from contextlib import closing

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from liffy.csv_export import unguarded
from liffy.errors import InvalidInput
from liffy.uploads import check_size, describe_size

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10
HEADER_MAX_COLUMNS = 200  # a header further right is not looked for
HEADER_MAX_CHARS = 100  # a longer cell is data, never a column name
MAX_ZIP_MEMBERS = 1000
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE = 1024 * 1024  # small parts (styles, themes) may compress well without harm
DELIMITERS = (",", ";", "\t", "|")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

# field → header aliases (lower-case, accents folded); the longest whole-word match wins
ALIASES = {
    "email": [
        "email",
        "e-mail",
        "e mail",
        "mail",
        "email address",
        "e-mail address",
        "e-mail-adresse",
        "eposta",
        "e-posta",
        "correo",
        "correo electronico",
        "courriel",
        "adresse e-mail",
        "posta elettronica",
        "e-mailadres",
        "emailadres",
    ],
    "company_name": [
        "company",
        "company name",
        "organization",
        "organisation",
        "organization name",
        "firma",
        "firmenname",
        "unternehmen",
        "empresa",
        "societe",
        "entreprise",
        "azienda",
        "sirket",
        "firma adi",
        "exhibitor",
        "aussteller",
        "account",
        "account name",
        "business name",
        "bedrijf",
        "bedrijfsnaam",
        "ragione sociale",
        "raison sociale",
        "razao social",
    ],
    "contact_name": [
        "name",
        "full name",
        "contact",
        "contact name",
        "contact person",
        "ansprechpartner",
        "nombre completo",
        "nom complet",
        "ad soyad",
        "adi soyadi",
        "isim",
        "yetkili",
        "contactpersoon",
        "referente",
        "contato",
        "contacto",
    ],
    "first_name": [
        "first name",
        "firstname",
        "given name",
        "vorname",
        "nombre",
        "prenom",
        "nome",
        "ad",
        "adi",
        "voornaam",
    ],
    "last_name": [
        "last name",
        "lastname",
        "surname",
        "family name",
        "nachname",
        "apellido",
        "apellidos",
        "nom",
        "cognome",
        "soyad",
        "soyadi",
        "achternaam",
        "apelido",
        "sobrenome",
    ],
    "job_title": [
        "title",
        "job title",
        "position",
        "role",
        "job",
        "funktion",
        "position title",
        "cargo",
        "poste",
        "fonction",
        "ruolo",
        "unvan",
        "gorev",
        "designation",
        "functie",
    ],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "mobile",
        "phone number",
        "telefon",
        "telefono",
        "telephone number",
        "cell",
        "gsm",
    ],
    "country": ["country", "land", "pais", "pays", "paese", "ulke", "nation", "country code"],
    "city": ["city", "town", "stadt", "ort", "ciudad", "ville", "citta", "sehir", "il"],
    "address": ["address", "street", "adresse", "anschrift", "direccion", "indirizzo", "adres", "strasse"],
    "website": [
        "website",
        "web",
        "url",
        "homepage",
        "web site",
        "webseite",
        "internet",
        "sitio web",
        "site web",
        "web sitesi",
    ],
}
ALIAS_PATTERNS = [
    (field_name, alias, re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w-])"))
    for field_name, aliases in ALIASES.items()
    for alias in aliases
]

NOT_TEXT = "The file is not readable text (a binary file, or an unknown encoding): save it as CSV in UTF-8."
NOT_A_WORKBOOK = "The file is not a readable XLSX workbook."


class TableFileError(ValueError):
    """A file that cannot be read as a table, with a message for the user."""


def fold(text):
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().replace("ı", "i"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[_./:()#*]+", " ", plain).split())


def match_header(cell):
    """The field a header cell names: aliases must appear as whole words ('lead source' names nothing);
    one that ends the header wins ('Contact Email' is an email), then the longest ('Company Name')."""
    if len(cell) > HEADER_MAX_CHARS:
        return None
    words = fold(cell)
    if not words:
        return None
    best, best_score = None, (False, 0)
    for field_name, alias, pattern in ALIAS_PATTERNS:
        match = pattern.search(words)
        if match:
            score = (match.end() == len(words), len(alias))
            if score > best_score:
                best, best_score = field_name, score
    return best


def find_header(rows):
    """(the header's (row number, cells), {column: field}) — of `rows`, the one that maps the most
    columns, an email among them; (None, {}) when none does."""
    best = (None, {})
    for number, cells in rows:
        mapping = {}
        for column, cell in enumerate(cells[:HEADER_MAX_COLUMNS]):
            field_name = match_header(cell)
            if field_name and field_name not in mapping.values():
                mapping[column] = field_name
        if "email" in mapping.values() and len(mapping) > len(best[1]):
            best = ((number, cells), mapping)
    return best


def decode_text(data):
    """UTF-8 (with or without BOM), UTF-16 (with a BOM, or detected by its zero bytes), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise TableFileError(
                f"The file starts with a UTF-8 byte order mark but is not UTF-8: byte "
                f"{error.start + 3:,} cannot be read. Save it as CSV in UTF-8 again."
            ) from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise TableFileError(
                f"The file is UTF-16 (it starts with a byte order mark) but is cut short or "
                f"damaged at byte {error.start:,}."
            ) from error
    sample = data[:4096]
    if b"\x00" in sample:
        # UTF-16 without a BOM has a zero in every other byte of plain ASCII text
        for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if zeros.count(0) > len(zeros) * 0.6:
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError as error:
                    raise TableFileError(
                        f"The file looks like UTF-16 but is cut short or damaged at byte {error.start:,}."
                    ) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > len(text) * 0.01:
        raise TableFileError(NOT_TEXT)
    return text


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


def _too_many_rows():
    return TableFileError(f"The file has more than {settings.TABLE_MAX_ROWS:,} rows, the most a file may have.")


def _cell_too_long(number):
    return TableFileError(f"Row {number} has a cell longer than {csv.field_size_limit():,} characters.")


class _CsvSource:
    def __init__(self, data):
        self.text = decode_text(data)
        nul = self.text.find("\x00")
        if nul >= 0:
            line = self.text.count("\n", 0, nul) + 1
            raise TableFileError(f"The file contains a NUL character (line {line}): it is not a text CSV file.")
        self.delimiter = detect_delimiter(self.text)

    def rows(self, columns):
        """(row number, stripped cells) of every record; CSV rows come whole (`columns` is for workbooks)."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        number = 0
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise _cell_too_long(number) from error
                raise TableFileError(f"Row {number} cannot be read as CSV: {error}.") from error
            if number > settings.TABLE_MAX_ROWS:
                raise _too_many_rows()
            yield number, [cell.strip() for cell in cells]

    def close(self):
        self.text = None


class _WorkbookSource:
    def __init__(self, data):
        from openpyxl import load_workbook

        _check_archive(data)
        try:
            self.workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            self.sheet = self.workbook.worksheets[0]
        except Exception as error:  # openpyxl raises whatever its parsers meet in a bad file
            logger.info("unreadable workbook: %r", error)
            raise TableFileError(NOT_A_WORKBOOK) from error
        self.sheet.reset_dimensions()  # a declared size (e.g. A1:XFD1048576) would pad every row

    def rows(self, columns):
        """(row number, stripped cells) of every row, cut or padded to `columns` cells."""
        limit = csv.field_size_limit()
        with closing(self.sheet.iter_rows(max_col=columns, values_only=True)) as rows:
            for number in range(1, settings.TABLE_MAX_ROWS + 2):
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except Exception as error:  # as above: a damaged sheet
                    logger.info("unreadable worksheet row %d: %r", number, error)
                    raise TableFileError(f"{NOT_A_WORKBOOK} Row {number} is damaged.") from error
                if number > settings.TABLE_MAX_ROWS:
                    raise _too_many_rows()
                cells = ["" if value is None else str(value).strip() for value in values]
                if any(len(cell) > limit for cell in cells):
                    raise _cell_too_long(number)
                yield number, cells

    def close(self):
        self.workbook.close()


def _check_archive(data):
    """Refuse a zip bomb before a byte is unpacked: by the parts' declared sizes (zip holds each part to
    its declared size while unpacking, so a part that lies is caught there)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise TableFileError(NOT_A_WORKBOOK) from error
    if len(parts) > MAX_ZIP_MEMBERS:
        raise TableFileError(f"The workbook has {len(parts):,} parts, more than the {MAX_ZIP_MEMBERS:,} allowed.")
    unpacked, limit = sum(part.file_size for part in parts), settings.TABLE_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        raise TableFileError(
            f"The workbook unpacks to {describe_size(unpacked)}, more than the {describe_size(limit)} allowed."
        )
    for part in parts:
        if part.file_size > RATIO_CHECKED_ABOVE and part.file_size > MAX_COMPRESSION_RATIO * max(part.compress_size, 1):
            raise TableFileError(
                f"The workbook part {part.filename} is compressed more than "
                f"{MAX_COMPRESSION_RATIO} to 1: refused as a possible zip bomb."
            )


def is_workbook(file_name, data):
    return (file_name or "").lower().endswith(WORKBOOK_SUFFIXES) or data[:4] == b"PK\x03\x04"


class Table:
    """A readable table with its header found. Use it as a context manager (a workbook stays open)."""

    def __init__(self, source, header_number, header, mapping):
        self._source = source
        self.header_number = header_number  # 1-based row number in the file
        self.header = header
        self.mapping = mapping  # column index → field name (see ALIASES)
        self._count = None

    @property
    def width(self):
        return len(self.header)

    def data_rows(self):
        """(row number, cells) of each non-empty row below the header; TableFileError on the first problem."""
        cells_read, cell_limit = 0, settings.TABLE_MAX_CELLS
        with closing(self._source.rows(self.width)) as rows:
            for number, cells in rows:
                if number <= self.header_number or not any(cells):
                    continue
                if len(cells) > self.width and any(cells[self.width :]):
                    used = max(index for index, cell in enumerate(cells) if cell) + 1
                    raise TableFileError(
                        f"Row {number} has {used} cells but the header (row {self.header_number}) "
                        f"has {self.width}: check the delimiter and the quoting."
                    )
                cells_read += len(cells)
                if cells_read > cell_limit:
                    raise TableFileError(f"The file has more than {cell_limit:,} cells, the most a file may have.")
                yield number, cells

    def count(self):
        """How many data rows the file has, after reading every one (which checks the whole file)."""
        if self._count is None:
            self._count = sum(1 for _ in self.data_rows())
        return self._count

    def values(self, cells):
        """{field: value} of the mapped columns of a data row (a formula guard of an export taken off)."""
        return {name: unguarded(cells[column]) for column, name in self.mapping.items() if column < len(cells)}

    def close(self):
        self._source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_table(file_name, data):
    """The table in `data` (CSV, or XLSX by its name or content) with its header found; TableFileError
    when it is empty, unreadable, or has no email column among its first rows."""
    if not data:
        raise TableFileError("The file is empty.")
    source = _WorkbookSource(data) if is_workbook(file_name, data) else _CsvSource(data)
    try:
        first = []
        with closing(source.rows(HEADER_MAX_COLUMNS)) as rows:
            for number, cells in rows:
                if any(cells):
                    first.append((number, _trimmed(cells)))
                    if len(first) == HEADER_SEARCH_ROWS:
                        break
        if not first:
            raise TableFileError("The file has no rows.")
        header, mapping = find_header(first)
        if header is None:
            found = ", ".join(f'"{cell}"' for cell in first[0][1][:30] if cell) or "none"
            raise TableFileError(f"No email column found. Columns in the first row: {found}.")
    except Exception:
        source.close()
        raise
    return Table(source, header[0], header[1], mapping)


def count_data_rows(file_name, data):
    """How many data rows the file has, after reading all of it: TableFileError when anything in it is
    unreadable, so a file that passes can be imported or mined later without surprises."""
    with open_table(file_name, data) as table:
        return table.count()


def read_upload(upload: UploadedFile) -> tuple[bytes, int]:
    """(bytes, data row count) of an uploaded table file, read whole; InvalidInput on `file` naming
    what is wrong with it: its size (UPLOAD_MAX_BYTES) or whatever makes it unreadable."""
    check_size(upload)
    upload.seek(0)
    data = upload.read()
    try:
        return data, count_data_rows(upload.name, data)
    except TableFileError as problem:
        raise InvalidInput({"file": str(problem)}) from problem


def _trimmed(cells):
    """The cells without the empty ones at the end of the row."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
