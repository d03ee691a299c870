"""CSV files and ZIP archives made in memory, for tests of product imports."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence

HEADER = ("sku", "name", "description", "price", "stock", "category", "archived", "photo")


def csv_file(
    *rows: Sequence[object], header: Sequence[str] = HEADER, delimiter: str = ",", bom: bool = False
) -> bytes:
    """A CSV file of ``header`` and ``rows`` (each cell written with ``str``), UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[str(cell) for cell in row] for row in rows])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def zip_file(files: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP archive of ``files`` by name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
