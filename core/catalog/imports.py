"""Products imported from a spreadsheet (CSV), with an optional ZIP of their photos.

The file is read whole and checked before anything is written: every cell goes through the
same commands as an edit in the API (``ProductDraft`` for a new SKU, ``ProductPatch`` for a
known one), so a row is refused for exactly the reasons an edit would be, and each problem
names its row and column. A dry run stops there. Otherwise, when no row has a problem (or
the options say ``partial``, and then only the good rows), each row is written through
``Catalog.create``, ``Catalog.update`` and ``ProductPhotos``, one product at a time.

Rows are matched to products by SKU, and a row changes only the fields (and the photo) that
differ from the product as it is now. So importing the same file again changes nothing, and
an import killed half-way, run again, writes what the first run did not and ends in the
same state as one run that was not interrupted. "Nothing is written" is the promise of the
check before the first write: the rows are not written in one transaction (MongoDB has none
across documents), so a killed import leaves the rows before the kill written, until it is
run again.

The files are read by ``core/catalog/import_files.py``: the CSV (UTF-8 with or without a
byte order mark, commas or Excel's semicolons, a header row naming the columns, within
``MAX_CSV_BYTES`` and ``MAX_ROWS``) and the ZIP of photos (within its limits, safe from
bombs). A column left out of the file leaves that field of known products alone; in a present
column an empty cell leaves ``name``, ``price``, ``stock`` and ``archived`` alone (a new
product needs a name and a price) and clears ``description``, ``category``,
``low_stock_threshold`` (the shop's again); an empty ``photo`` cell looks for the SKU's own
file in the ZIP. Photos are never removed by an import.

A row's photos (at most ``MAX_PHOTOS``) are the files its ``photo`` cell names, separated
by ``|`` (``tea.jpg|tea-back.jpg``), else the SKU's own: ``<SKU>.jpg`` (``.jpeg``, ``.png``,
``.webp``), then ``<SKU>-2.jpg`` up to ``<SKU>-10.jpg`` (unless the sheet has a row with that
SKU: then the file is its photo); names are matched without case and without folders. Each
photo is checked as an upload is (``inspect``), and compared by its SHA-256 with the
product's photo in the same place: a different one replaces it, one past the product's last
is added after it, and photos past the row's last stay.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from pydantic import TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base.commands import parse
from core.base.errors import FieldError, InvalidInput, Missing, NotFound
from core.base.money import minor_units
from core.catalog.categories import Categories
from core.catalog.commands import ImportOptions, ProductDraft, ProductPatch, Sku
from core.catalog.errors import ImportRefused, InvalidPhoto, SkuTaken, StockFromKeys
from core.catalog.import_files import Column, PhotoArchive, Sheet, checked_photo, read_sheet
from core.catalog.models import (
    MAX_PHOTOS,
    Category,
    GoodsKind,
    ImportedRow,
    ImportProblem,
    ImportReport,
    Photo,
    Product,
    RowOutcome,
)
from core.catalog.photos import ProductPhotos
from core.catalog.products import Catalog
from core.catalog.tree import SEPARATOR, path_names

TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0")
PHOTO_SEPARATOR = "|"
"""Between the names of a row's photos in its ``photo`` cell."""
SKU = TypeAdapter(Sku)

KEPT_WHEN_EMPTY = (Column.NAME, Column.PRICE, Column.STOCK, Column.ARCHIVED, Column.ACTIVE)
COMPARED = {
    "name": Column.NAME,
    "description": Column.DESCRIPTION,
    "price": Column.PRICE,
    "stock": Column.STOCK,
    "category_id": Column.CATEGORY,
    "low_stock_threshold": Column.LOW_STOCK_THRESHOLD,
    "active": Column.ARCHIVED,
}
"""The fields a row may change, as ``Product`` and ``ProductPatch`` name them, and their
columns."""
COLUMN_OF = {to_camel(name): column for name, column in COMPARED.items()} | {"sku": Column.SKU}
"""A command field's name as its errors give it, and the column it comes from."""


# -- checking rows against the catalog ----------------------------------------------------


@dataclass
class Plan:
    """One row, checked: what it would write, or why it cannot."""

    row: int
    sku: str | None = None
    product: Product | None = None
    """The product with the row's SKU when the row was checked; none: the row makes it."""
    draft: ProductDraft | None = None
    patch: ProductPatch | None = None
    """Only the fields that differ from the product's."""
    photos: list[str] = field(default_factory=list)
    """The archive's keys of the row's photos, in order."""
    changed_photos: list[int] = field(default_factory=list)
    """The places (from 0) of the row's photos that differ from the product's."""
    problems: list[ImportProblem] = field(default_factory=list)
    product_id: ObjectId | None = None

    def refuse(self, column: Column | None, message: str, reason: str) -> None:
        self.problems.append(
            ImportProblem(row=self.row, column=column, sku=self.sku, message=message, reason=reason)
        )

    @property
    def changes(self) -> tuple[str, ...]:
        fields = () if self.patch is None else self.patch.model_fields_set
        photo = (Column.PHOTO.value,) if self.changed_photos else ()
        return tuple(COMPARED[name].value for name in COMPARED if name in fields) + photo

    @property
    def outcome(self) -> RowOutcome:
        if self.problems:
            return RowOutcome.REFUSED
        if self.product is None:
            return RowOutcome.CREATED
        return RowOutcome.UPDATED if self.changes else RowOutcome.UNCHANGED


class CategoryNames:
    """The shop's categories, by id and by name: a subcategory also by its path name,
    ``Tea / Green`` (names are matched without case, and without spaces around ``/``)."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self._ids = {str(category.id): category.id for category in categories}
        self._names: dict[str, list[ObjectId]] = {}
        paths = path_names(categories)
        for category in categories:
            for name in {_name_key(category.name), _name_key(paths[category.id])}:
                self._names.setdefault(name, []).append(category.id)

    def find(self, cell: str) -> ObjectId:
        """The category a cell names, or a ``ValueError`` saying why none."""
        if found := self._ids.get(cell):
            return found
        named = self._names.get(_name_key(cell), [])
        if len(named) > 1:
            raise ValueError(f"{len(named)} categories are named {cell!r}; give its id")
        if not named:
            raise ValueError(f"no category is named {cell!r}")
        return named[0]


def _name_key(name: str) -> str:
    """A category's name as the import matches it: ``tea / green`` for ``Tea/Green``."""
    return SEPARATOR.join(part.strip() for part in name.split("/")).casefold()


class ProductImports:
    def __init__(self, catalog: Catalog, categories: Categories, photos: ProductPhotos) -> None:
        self._catalog = catalog
        self._categories = categories
        self._photos = photos

    async def run(
        self,
        actor: Actor,
        sheet: bytes,
        options: ImportOptions,
        photos: bytes | None = None,
    ) -> ImportReport:
        """Check the CSV file ``sheet`` (and the ZIP of ``photos``) and, unless
        ``options.dry_run``, import it. Raises ``ImportRefused`` (holding the report) when a
        row has a problem and the import is not ``partial``, and ``InvalidImport`` when a
        file as a whole cannot be read; in both cases nothing was written. Admins only."""
        actor.require(Role.ADMIN)
        read = await asyncio.to_thread(read_sheet, sheet)
        archive = None
        if photos is not None:
            archive = await asyncio.to_thread(PhotoArchive, photos, self._photos.max_bytes)
        plans = await self._check(read, archive)
        plans += [Plan(problem.row, problems=[problem]) for problem in read.problems]
        plans.sort(key=lambda plan: plan.row)
        good = [plan for plan in plans if not plan.problems]
        refused = len(plans) - len(good)
        applied = not options.dry_run and (options.partial or not refused)
        if applied:
            for plan in good:
                await self._write(actor, plan, archive)
        report = _report(plans, options, applied, read.ignored, archive)
        if refused and not options.dry_run and not options.partial:
            raise ImportRefused(report)
        return report

    async def _check(self, sheet: Sheet, archive: PhotoArchive | None) -> list[Plan]:
        """Every row checked, as far as it can be, without writing anything."""
        plans = [Plan(row.number) for row in sheet.rows]
        first_row: dict[str, int] = {}
        for plan, row in zip(plans, sheet.rows, strict=True):
            cell = row.cells[Column.SKU]
            if not cell:
                plan.refuse(Column.SKU, "required: every row needs its SKU", "missing")
                continue
            try:
                plan.sku = SKU.validate_python(cell)
            except ValidationError as error:
                plan.refuse(Column.SKU, error.errors()[0]["msg"], "sku")
                continue
            if (earlier := first_row.setdefault(plan.sku, plan.row)) != plan.row:
                plan.refuse(Column.SKU, f"the SKU is on row {earlier} too", "sku-repeated")
        known = await self._catalog.with_skus(plan.sku for plan in plans if plan.sku)
        of_variants = await self._catalog.variant_skus(plan.sku for plan in plans if plan.sku)
        for plan in plans:
            if plan.sku in of_variants:
                plan.refuse(Column.SKU, "a variant of a product has this SKU", "sku-taken")
        names = CategoryNames(await self._categories.all(include_inactive=True))
        digests: dict[str, str | InvalidPhoto] = {}
        skus = {plan.sku for plan in plans if plan.sku}
        for plan, row in zip(plans, sheet.rows, strict=True):
            plan.product = known.get(plan.sku) if plan.sku else None
            plan.product_id = plan.product.id if plan.product else None
            fields = _fields(plan, row.cells, names, self._catalog.currency)
            self._validate(plan, fields)
            if plan.sku is not None:
                cell = row.cells.get(Column.PHOTO, "")
                await self._check_photos(plan, cell, archive, digests, skus - {plan.sku})
        return plans

    def _validate(self, plan: Plan, fields: dict[str, Any]) -> None:
        """The row's fields through the command an edit in the API would use (a row without
        a SKU: each cell alone, as an edit's)."""
        unreadable = {problem.column for problem in plan.problems}
        try:
            if plan.sku is None:
                parse(ProductPatch, fields)
            elif plan.product is None:
                plan.draft = parse(ProductDraft, {**fields, "sku": plan.sku})
            else:
                patch = parse(ProductPatch, fields)
        except InvalidInput as error:
            for found in error.errors:
                column = COLUMN_OF.get(str(found.loc[0])) if found.loc else None
                if column is None or column not in unreadable:
                    plan.refuse(column, *_wording(found))
            return
        if plan.product is not None:
            plan.patch = ProductPatch(
                **{
                    name: getattr(patch, name)
                    for name in COMPARED
                    if name in patch.model_fields_set
                    and getattr(patch, name) != getattr(plan.product, name)
                }
            )
            digital = plan.product.digital
            if plan.patch.stock is not None and digital and digital.kind is GoodsKind.KEYS:
                plan.refuse(Column.STOCK, StockFromKeys().message, StockFromKeys.code)

    async def _check_photos(
        self,
        plan: Plan,
        cell: str,
        archive: PhotoArchive | None,
        digests: dict[str, str | InvalidPhoto],
        others: set[str],
    ) -> None:
        """Find the row's photos in the archive and check them (each file once); note which
        differ from the product's in the same place."""
        names = [name.strip() for name in cell.split(PHOTO_SEPARATOR) if name.strip()]
        if len(names) > MAX_PHOTOS:
            plan.refuse(Column.PHOTO, f"names more than {MAX_PHOTOS} photos", "too-many-photos")
            return
        for name in names:
            key = archive.find(name) if archive else None
            if key is None:
                missing = "no ZIP of photos was given" if archive is None else "the ZIP has none"
                plan.refuse(Column.PHOTO, f"names {name}, but {missing}", "no-photo")
                return
            if key in plan.photos:
                plan.refuse(Column.PHOTO, f"names {name} twice", "photo-repeated")
                return
            plan.photos.append(key)
        if archive is None:
            return
        if not names:
            plan.photos = archive.find_for(plan.sku or "", others)
        found = []
        for key in plan.photos:
            if key not in digests:
                try:
                    digests[key] = await asyncio.to_thread(checked_photo, archive, key)
                except InvalidPhoto as error:
                    digests[key] = error
            digest = digests[key]
            if isinstance(digest, InvalidPhoto):
                message = f"{archive.name_of(key)}: {digest.errors[0].message}"
                plan.refuse(Column.PHOTO, message, digest.code)
                return
            found.append(digest)
        if not plan.problems:
            current = plan.product.photos if plan.product else ()
            plan.changed_photos = [
                at
                for at, digest in enumerate(found)
                if at >= len(current) or await self._photo_differs(current[at], digest)
            ]

    async def _photo_differs(self, photo: Photo, digest: str) -> bool:
        if photo.sha256 is not None:
            return photo.sha256 != digest
        try:
            current = await self._photos.content(photo)  # uploaded before digests
        except NotFound:  # replaced since it was read
            return True
        return hashlib.sha256(current).hexdigest() != digest

    async def _write(self, actor: Actor, plan: Plan, archive: PhotoArchive | None) -> None:
        """Write one checked row: create or update its product, then attach its photo."""
        if plan.draft is not None:
            try:
                plan.product_id = (await self._catalog.create(actor, plan.draft)).id
            except SkuTaken:  # made by another import since the check: edit it instead
                [made] = (await self._catalog.with_skus([plan.draft.sku or ""])).values()
                plan.product_id = made.id
                given = plan.draft.model_fields_set - {"sku", "currency"}
                patch = ProductPatch(**{name: getattr(plan.draft, name) for name in given})
                await self._catalog.update(actor, made.id, patch)
        elif plan.patch is not None and plan.patch.model_fields_set and plan.product_id:
            await self._catalog.update(actor, plan.product_id, plan.patch)
        if archive and plan.product_id:
            for at in plan.changed_photos:
                await self._put_photo(actor, plan.product_id, at, archive, plan.photos[at])

    async def _put_photo(
        self, actor: Actor, product_id: ObjectId, at: int, archive: PhotoArchive, key: str
    ) -> None:
        """Put the archive's photo ``key`` in place ``at`` of the product's photos: replacing
        the one there, or after the last."""
        data = await asyncio.to_thread(archive.read, key)
        current = (await self._catalog.get(product_id, viewer=actor)).photos
        if at < len(current):
            await self._photos.replace(actor, product_id, current[at].file_id, data)
        else:
            await self._photos.add(actor, product_id, data)


def _report(
    plans: list[Plan],
    options: ImportOptions,
    applied: bool,
    ignored: tuple[str, ...],
    archive: PhotoArchive | None,
) -> ImportReport:
    outcomes = [plan.outcome for plan in plans]
    used = {key for plan in plans for key in plan.photos}
    unused = sorted(archive.name_of(key) for key in archive.names() - used) if archive else []
    return ImportReport(
        dry_run=options.dry_run,
        partial=options.partial,
        applied=applied,
        rows=len(plans),
        created=outcomes.count(RowOutcome.CREATED),
        updated=outcomes.count(RowOutcome.UPDATED),
        unchanged=outcomes.count(RowOutcome.UNCHANGED),
        refused=outcomes.count(RowOutcome.REFUSED),
        problems=tuple(problem for plan in plans for problem in plan.problems),
        results=tuple(
            ImportedRow(
                row=plan.row,
                sku=plan.sku,
                outcome=plan.outcome,
                changes=plan.changes,
                product_id=plan.product_id,
            )
            for plan in plans
        ),
        ignored_columns=ignored,
        unused_photos=tuple(unused),
    )


def _wording(error: FieldError) -> tuple[str, str]:
    """A command's field error as an import problem's message and reason."""
    if error.kind == "missing":
        return "required for a new product (no product has this SKU yet)", "missing"
    return error.message, error.kind


def _fields(
    plan: Plan, cells: Mapping[Column, str], categories: CategoryNames, currency: str
) -> dict[str, Any]:
    """The row's cells as a command's fields (by alias); a cell that cannot be read is a
    problem of the plan and left out."""
    fields: dict[str, Any] = {}
    for column, cell in cells.items():
        if column in (Column.SKU, Column.PHOTO) or (not cell.strip() and column in KEPT_WHEN_EMPTY):
            continue
        try:
            fields.update(_field(column, cell, categories, currency))
        except ValueError as error:
            reason = Missing.CATEGORY.value if column is Column.CATEGORY else "cell"
            plan.refuse(column, str(error), reason)
    return fields


def _field(column: Column, cell: str, categories: CategoryNames, currency: str) -> dict[str, Any]:
    """One cell as the command field it sets, or a ``ValueError`` saying why it cannot."""
    match column:
        case Column.PRICE:
            return {"price": minor_units(cell, currency)}
        case Column.STOCK:
            return {"stock": _whole_number(cell)}
        case Column.LOW_STOCK_THRESHOLD:
            return {"lowStockThreshold": _whole_number(cell) if cell else None}
        case Column.ARCHIVED:
            return {"active": not _flag(cell)}
        case Column.ACTIVE:
            return {"active": _flag(cell)}
        case Column.CATEGORY:
            return {"categoryId": categories.find(cell) if cell else None}
        case _:
            return {column.value: cell}


def _whole_number(cell: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", cell):
        raise ValueError("must be a whole number")
    return int(cell)


def _flag(cell: str) -> bool:
    if cell.lower() in TRUE:
        return True
    if cell.lower() in FALSE:
        return False
    raise ValueError("must be true or false (or yes, no, 1, 0)")
