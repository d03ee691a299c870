"""The files of a product import, read and checked before anything else: the CSV sheet
(``read_sheet``) and the ZIP of photos (``PhotoArchive``). What the rows mean is
``core/catalog/imports.py``'s; the formats and limits are described there and in
docs/api.md ("SKUs and imports").

A ZIP bomb costs nothing: the archive's declared sizes are checked against
``MAX_UNCOMPRESSED_BYTES`` and ``MAX_ZIP_ENTRIES`` before anything is unpacked, a file
declared larger than the photo limit is not unpacked, and none is unpacked past its declared
size (``zipfile`` stops there, and a file that holds more fails its checksum).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from core.catalog.errors import InvalidImport, InvalidPhoto
from core.catalog.models import MAX_PHOTOS, ImportProblem
from core.catalog.photos import inspect

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ZIP_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
END_RECORD_SEARCH = 22 + 0xFFFF  # the record, and a comment of at most 64 KiB after it


class Column(StrEnum):
    """The columns an import reads (docs/api.md, "SKUs and imports")."""

    SKU = "sku"
    NAME = "name"
    DESCRIPTION = "description"
    PRICE = "price"
    STOCK = "stock"
    CATEGORY = "category"
    LOW_STOCK_THRESHOLD = "low_stock_threshold"
    ARCHIVED = "archived"
    ACTIVE = "active"
    """``archived`` the other way round, as an export writes it; one or the other."""
    PHOTO = "photo"


COLUMN_NAMES = frozenset(column.value for column in Column)
TEXT = (Column.NAME, Column.DESCRIPTION)
"""Cells kept as written: the commands trim them, and refuse what they refuse."""
DELIMITERS = (",", ";", "\t")
"""Commas; semicolons, as Excel writes CSV where the decimal point is a comma; tabs, as a
spreadsheet copied as text is. The header line's most frequent one is the file's."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell beginning with one of these is written by an export with a ``'`` before it, so
no spreadsheet runs it as a formula; an import drops that ``'`` again."""


# -- reading the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    number: int
    cells: Mapping[Column, str]


@dataclass(frozen=True)
class Sheet:
    rows: tuple[Row, ...]
    ignored: tuple[str, ...]
    problems: tuple[ImportProblem, ...]
    """Rows that cannot be read at all (too many or too few cells)."""


def read_sheet(data: bytes) -> Sheet:
    """The rows of a CSV file, or ``InvalidImport`` saying why it cannot be read."""
    if len(data) > MAX_CSV_BYTES:
        raise InvalidImport("file", f"it is larger than {MAX_CSV_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidImport(
            "file", f"line {line} is not UTF-8 text (save it as CSV UTF-8)"
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)  # the first of equals: a comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = [(number, record) for number, record in enumerate(reader, start=1)]
    except csv.Error as error:
        raise InvalidImport("file", f"line {reader.line_num} is not CSV ({error})") from None
    filled = [(number, record) for number, record in records if any(c.strip() for c in record)]
    if not filled:
        raise InvalidImport("file", "it is empty")
    (_, header), body = filled[0], filled[1:]
    if len(body) > MAX_ROWS:
        raise InvalidImport("file", f"it has more than {MAX_ROWS} rows")
    places, ignored = _header(header)
    rows: list[Row] = []
    problems: list[ImportProblem] = []
    for number, record in body:
        extra = record[len(header) :]
        if len(record) < len(header) or any(cell.strip() for cell in extra):
            message = f"has {len(record)} cells where the header has {len(header)}"
            problems.append(ImportProblem(row=number, column=None, message=message, reason="cells"))
            continue
        cells = {
            column: _unquoted(record[place] if column in TEXT else record[place].strip())
            for column, place in places.items()
        }
        rows.append(Row(number, cells))
    return Sheet(tuple(rows), ignored, tuple(problems))


def _header(header: list[str]) -> tuple[dict[Column, int], tuple[str, ...]]:
    """Where each known column is, and the header cells that name none."""
    places: dict[Column, int] = {}
    ignored: list[str] = []
    for place, title in enumerate(header):
        name = re.sub(r"[\s-]+", "_", title.strip().lower())
        if name not in COLUMN_NAMES:
            if title.strip():
                ignored.append(title.strip())
            continue
        column = Column(name)
        if column in places:
            raise InvalidImport("file", f"the header names the column {column} twice")
        places[column] = place
    if Column.ARCHIVED in places and Column.ACTIVE in places:
        raise InvalidImport("file", "give the column archived or active, not both")
    if Column.SKU not in places:
        raise InvalidImport("file", "its header has no sku column (every row needs its SKU)")
    return places, tuple(ignored)


def _unquoted(cell: str) -> str:
    """``cell`` without the ``'`` an export puts before what looks like a formula."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


# -- the ZIP of photos --------------------------------------------------------------------


class PhotoArchive:
    """The photos in a ZIP by file name, read one at a time, each within its declared size
    and the photo limit."""

    def __init__(self, data: bytes, max_bytes: int) -> None:
        if len(data) > MAX_ZIP_BYTES:
            raise InvalidImport("photos", f"the ZIP is larger than {MAX_ZIP_BYTES} bytes")
        too_many = InvalidImport("photos", f"the ZIP has more than {MAX_ZIP_ENTRIES} files")
        if _declared_entries(data) > MAX_ZIP_ENTRIES:
            raise too_many  # before zipfile reads an entry for each into memory
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            entries = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            raise InvalidImport("photos", "it is not a ZIP archive") from None
        if len(entries) > MAX_ZIP_ENTRIES:
            raise too_many
        if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
            raise InvalidImport(
                "photos", f"the ZIP unpacks to more than {MAX_UNCOMPRESSED_BYTES} bytes"
            )
        self.max_bytes = max_bytes
        self._files: dict[str, zipfile.ZipInfo] = {}
        for entry in entries:
            name = _base_name(entry)
            if entry.is_dir() or name.startswith(".") or entry.filename.startswith("__MACOSX/"):
                continue
            if name.upper() in self._files:
                raise InvalidImport("photos", f"the ZIP has two files named {name}")
            self._files[name.upper()] = entry

    def names(self) -> set[str]:
        """Every file's name (without folders), upper case."""
        return set(self._files)

    def find(self, name: str) -> str | None:
        """The key of the file called ``name`` (any case), if there is one."""
        return name.upper() if name.upper() in self._files else None

    def find_for(self, sku: str, others: Collection[str] = ()) -> list[str]:
        """The keys of the SKU's own photos, in order: ``<SKU>.jpg`` (or ``.jpeg``, ``.png``,
        ``.webp``), then ``<SKU>-2.jpg`` up to ``<SKU>-10.jpg``. A name that is the SKU of
        one of ``others`` (``ABC-2`` beside ``ABC``) is that one's own photo, not a second."""
        stems = [sku] + [
            stem
            for number in range(2, MAX_PHOTOS + 1)
            if (stem := f"{sku}-{number}").upper() not in others
        ]
        return [key for stem in stems if (key := self._own(stem)) is not None]

    def _own(self, stem: str) -> str | None:
        return next(
            (key for ext in PHOTO_EXTENSIONS if (key := f"{stem}.{ext}".upper()) in self._files),
            None,
        )

    def name_of(self, key: str) -> str:
        """The file's name as the archive writes it (without folders)."""
        return _base_name(self._files[key])

    def read(self, key: str) -> bytes:
        """The file's bytes, or ``InvalidPhoto`` (too large, encrypted, damaged)."""
        entry = self._files[key]
        if entry.file_size > self.max_bytes:
            raise InvalidPhoto(f"it is larger than {self.max_bytes} bytes")
        if entry.flag_bits & 0x1:
            raise InvalidPhoto("it is encrypted")
        try:
            with self._zip.open(entry) as stream:
                return stream.read(self.max_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, ValueError):
            raise InvalidPhoto("it cannot be unpacked from the ZIP") from None


def checked_photo(archive: PhotoArchive, key: str) -> str:
    """The SHA-256 of a photo in the archive that passes the upload's checks."""
    data = archive.read(key)
    inspect(data, archive.max_bytes)
    return hashlib.sha256(data).hexdigest()


def _declared_entries(data: bytes) -> int:
    """How many files the ZIP's end record says it has (0 without one: ``zipfile`` then
    refuses it). A ZIP64 archive says 0xFFFF here, more than an import takes anyway."""
    end = data.rfind(END_OF_CENTRAL_DIRECTORY, max(0, len(data) - END_RECORD_SEARCH))
    if end < 0 or end + 12 > len(data):
        return 0
    return int.from_bytes(data[end + 10 : end + 12], "little")


def _base_name(entry: zipfile.ZipInfo) -> str:
    return PurePosixPath(entry.filename.replace("\\", "/")).name
