"""CSV as spreadsheets read it: UTF-8 with a byte order mark (so Excel reads UTF-8), RFC 4180
quoting and line ends, and no formulas.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and some take a tab
or carriage return before them) as a formula, and customers type their own names, addresses
and notes in Telegram. Every text cell that begins so gets a ``'`` in front (OWASP, "CSV
injection"): Excel shows the text as typed, other programs show the quote too. Numbers the
shop writes itself (amounts, counts) are written as they are.

Rows come in batches (one per database batch) and each batch becomes one chunk of bytes,
written through the standard ``csv`` module into a buffer that lives for that batch only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import datetime
from decimal import Decimal

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | bool | Decimal | datetime | None
Row = Sequence[Cell]


def guarded(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def written(cell: Cell) -> str:
    """A cell's text: times in ISO 8601 with their offset, decimals in plain notation,
    booleans as ``true``/``false``, nothing as an empty cell."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime):
        return cell.isoformat(timespec="seconds")
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, int):
        return str(cell)
    return guarded(cell)


async def csv_chunks(
    header: Sequence[str], batches: AsyncIterator[list[Row]]
) -> AsyncGenerator[bytes, None]:
    """The byte order mark and ``header`` at once, then one chunk per batch of rows."""
    yield BOM.encode() + _lines([list(header)])
    async for rows in batches:
        if rows:
            yield _lines([[written(cell) for cell in row] for row in rows])


def _lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()
