"""The table file miner: CSV or XLSX with a header row somewhere in the first rows (read by liffy.tables)."""

import re

from liffy.tables import TableFileError, open_table
from mining.miners.base import FAILED, SUCCESS, Miner, MinerOutput

EMAIL_IN_CELL = re.compile(r"[^\s,;<>]+@[^\s,;<>]+")
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


class TableFileMiner(Miner):
    name = "table_file"

    def applies_to(self, source):
        return bool(source.file_data) and (source.file_name or "").lower().endswith(SUFFIXES)

    def mine(self, source, should_continue=lambda: True):
        output = MinerOutput(self.name, source_url=source.file_name, confidence_hint=0.9)
        rows = 0
        try:
            with open_table(source.file_name, source.file_data) as table:
                output.event(
                    "info",
                    "Header found",
                    row=table.header_number,
                    columns={table.header[column]: name for column, name in table.mapping.items()},
                )
                for number, cells in table.data_rows():
                    rows += 1
                    block = _row_block(table, cells, source.file_name, number)
                    if block:
                        output.blocks.append(block)
        except TableFileError as error:
            output.status, output.error, output.blocks = FAILED, str(error), []
            return output
        output.stats.update(rows=rows, emails_raw=sum(len(b["emails"]) for b in output.blocks))
        output.status = SUCCESS
        return output


def _row_block(table, cells, file_name, number):
    values = table.values(cells)
    emails = EMAIL_IN_CELL.findall(values.pop("email", ""))
    if not emails:
        return None
    first, last = values.pop("first_name", ""), values.pop("last_name", "")
    if not values.get("contact_name") and (first or last):
        values["contact_name"] = f"{first} {last}".strip()
    unmapped = {
        table.header[column] or f"column {column + 1}": cell
        for column, cell in enumerate(cells)
        if column not in table.mapping and cell
    }
    return {
        "emails": emails,
        **{k: v for k, v in values.items() if v},
        "context": "",
        "source_url": f"{file_name}#row={number}",
        "raw": unmapped or None,
        "confidence": 0.9,
    }
