"""CSV files users download. Every cell goes through `spreadsheet_safe` (OWASP CSV injection).

A cell starting with `=`, `+`, `-`, `@`, a tab, CR or LF is run as a formula by Excel, LibreOffice
and Google Sheets when the file is opened (`=HYPERLINK(...)`, DDE `=cmd|' /C calc'!A0`). Such a cell
gets a leading apostrophe, which spreadsheets read as "this is text" and do not show; values that
merely contain these characters later on are left as they are.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetSafeWriter:
    """`csv.writer` whose rows are neutralised cell by cell."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_safe(value) for value in row])
