"""CSV files users download. Every cell goes through `spreadsheet_safe` (OWASP CSV injection).

A cell starting with `=`, `+`, `-`, `@`, a tab, CR or LF is run as a formula by Excel, LibreOffice
and Google Sheets when the file is opened (`=HYPERLINK(...)`, DDE `=cmd|' /C calc'!A0`). Such a cell
gets a leading apostrophe, which spreadsheets read as "this is text" and do not show; values that
merely contain these characters later on are left as they are. `unguarded` reads such a cell back
(uploads of a file Liffy exported keep their values: a phone `+49 30 1234`, an address `-info@…`).
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguarded(cell: str) -> str:
    """A cell as `spreadsheet_safe` wrote it, back to its value: `'+49 30 1234` → `+49 30 1234`; any other
    cell (`'quoted`, `x'`) as it is."""
    if cell[:1] == "'" and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class SpreadsheetSafeWriter:
    """`csv.writer` whose rows are neutralised cell by cell."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_safe(value) for value in row])
