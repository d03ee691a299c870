"""Refusals about products, stock, categories and photos."""

from __future__ import annotations

from core.base.errors import Conflict, FieldError, InvalidInput
from core.catalog.commands import MAX_CATEGORIES
from core.catalog.models import MAX_PHOTOS, ImportReport


class StockOutOfRange(Conflict):
    """A stock adjustment would take stock below zero or above the most a product may hold."""

    code = "stock-out-of-range"

    def __init__(self, stock: int, delta: int, most: int) -> None:
        bound = "below zero" if delta < 0 else f"above {most}"
        super().__init__(f"Stock is {stock}; a change of {delta:+d} would take it {bound}.")


class SkuTaken(Conflict):
    """Another product has this SKU (the products' unique index said so)."""

    code = "sku-taken"

    def __init__(self, sku: str) -> None:
        super().__init__(f"Another product has the SKU {sku}.")
        self.sku = sku


class CategoriesChanged(Conflict):
    code = "categories-changed"

    def __init__(self) -> None:
        super().__init__(
            "List every category of that level (the top-level ones, or one parent's "
            "subcategories) exactly once, and nothing else."
        )


class TooManyCategories(Conflict):
    code = "too-many-categories"

    def __init__(self) -> None:
        super().__init__(f"A shop has at most {MAX_CATEGORIES} categories.")
        self.most = MAX_CATEGORIES


class UnfitParent(InvalidInput):
    """A subcategory's parent must be a top-level category that is not archived (one level
    of subcategories, no deeper)."""

    code = "unfit-parent"

    def __init__(self, why: str) -> None:
        super().__init__(f"This category cannot have subcategories: {why}.")


class WrongCurrency(InvalidInput):
    REASONS = ("wrong-currency",)

    def __init__(self, currency: str) -> None:
        super().__init__(f"This shop sells in {currency} only.")
        self.currency = currency


class InvalidPhoto(InvalidInput):
    code = "invalid-photo"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The photo cannot be used: {reason}.", [FieldError(("photo",), reason, "photo")]
        )


class InvalidImport(InvalidInput):
    """The file (or the ZIP of photos) as a whole cannot be imported: not UTF-8, not CSV,
    too large, no ``sku`` column, a broken ZIP."""

    code = "invalid-import"

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"The {part} cannot be imported: {reason}.", [FieldError((part,), reason)])


class ImportRefused(InvalidInput):
    """Rows have problems and the import is all-or-nothing, so nothing was written;
    ``report`` says which rows and why."""

    code = "import-refused"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"Nothing was imported: {report.refused} of {report.rows} rows have problems.",
            [
                FieldError(("rows", p.row, p.column or "row"), p.message, p.reason)
                for p in report.problems
            ],
        )
        self.report = report


class StockFromKeys(Conflict):
    """A key product's stock is the number of its free keys: it follows the pool."""

    code = "stock-from-keys"

    def __init__(self) -> None:
        super().__init__("This product's stock is its free keys: add keys to raise it.")


class TooManyPhotos(Conflict):
    code = "too-many-photos"

    def __init__(self) -> None:
        super().__init__(f"A product has at most {MAX_PHOTOS} photos.")
        self.most = MAX_PHOTOS


class PhotosChanged(Conflict):
    code = "photos-changed"

    def __init__(self) -> None:
        super().__init__("List every photo of the product exactly once, and nothing else.")
