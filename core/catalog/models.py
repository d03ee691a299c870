"""Products, their photos and categories, as stored and returned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    Field,
    computed_field,
    model_validator,
)

from core.base.ids import Id
from core.base.models import Document, Model


class TelegramFile(Model):
    """A file as one bot knows it on Telegram's servers."""

    file_id: str
    file_unique_id: str


class Photo(Model):
    """A product's photo, kept in GridFS (``core/catalog/photos.py``)."""

    file_id: Id = Field(description="Changes with every upload; the photo's ETag.")
    content_type: str
    size: int = Field(description="Bytes.")
    width: int
    height: int
    uploaded_at: datetime
    sha256: str | None = Field(
        default=None, description="SHA-256 of the file, in hex; null for earlier uploads."
    )
    telegram: dict[str, TelegramFile] = Field(
        default_factory=dict, exclude=True, description="Per bot id: the photo on Telegram."
    )


class GoodsKind(StrEnum):
    """What a digital product delivers in the chat (``core/digital/``)."""

    KEYS = "keys"
    """One unique item (a licence key, a gift code) per unit, from a pool staff fill."""
    FILE = "file"
    """One file, the same for every buyer."""


class GoodsFile(Model):
    """A digital product's file, kept in GridFS (``core/digital/files.py``)."""

    file_id: Id = Field(description="Changes with every upload.")
    name: str
    content_type: str
    size: int = Field(description="Bytes.")
    sha256: str
    uploaded_at: datetime
    telegram: dict[str, TelegramFile] = Field(
        default_factory=dict, exclude=True, description="Per bot id: the file on Telegram."
    )


class DigitalGoods(Model):
    """How a product is delivered when it is digital."""

    kind: GoodsKind
    file: GoodsFile | None = Field(default=None, description="The file, for `file` products.")


class ProductOption(Model):
    """One way a product comes (``Size``), with the values it comes in (``S``, ``M``, ``L``)."""

    name: str
    values: tuple[str, ...]


MAX_PHOTOS = 10
"""Photos a product may have (as many as a Telegram album)."""


def stored_photos(document: Mapping[str, Any]) -> list[Any]:
    """A stored product's photos, first first: its ``photos``, or, for a product stored
    before products had several, its one ``photo`` (read as it is: see ``Product``)."""
    if "photos" in document:
        return list(document["photos"])
    return [document["photo"]] if document.get("photo") else []


class Product(Document):
    sku: str | None = Field(
        default=None, description="Stock-keeping unit, unique in the shop, upper case."
    )
    name: str
    description: str = ""
    price: int = Field(description="Unit price in minor units (cents).")
    currency: str
    stock: int
    active: bool = True
    category_id: Id | None = None
    category_hidden: bool = Field(
        default=False,
        description="Its category (or that category's parent) is archived, so customers do "
        "not see it.",
    )
    photos: tuple[Photo, ...] = Field(
        default=(),
        max_length=MAX_PHOTOS,
        description=f"At most {MAX_PHOTOS}, in the order customers flip through them; each "
        "is served at `/api/products/{id}/photos/{fileId}`.",
    )
    low_stock_threshold: int | None = Field(
        default=None,
        description="Operators hear when stock falls to or below this; null: the shop's.",
    )
    low_stock: bool = Field(
        default=False,
        description="Operators were told the stock is low; cleared once it is above again.",
    )
    digital: DigitalGoods | None = Field(
        default=None,
        description="Set for digital goods, sent in the chat once paid (in Telegram Stars "
        "only); null for goods the shop ships.",
    )
    version: int = 0
    options: tuple[ProductOption, ...] = Field(
        default=(),
        description="Its options (size, colour); with any, it is sold only by variant "
        "(`/api/products/{id}/variants`).",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_photo_as_before(cls, data: Any) -> Any:
        """A document stored with one ``photo`` (before ``photos``) reads as that one."""
        if isinstance(data, dict) and "photo" in data and "photos" not in data:
            return {**data, "photos": stored_photos(data)}
        return data

    @computed_field(  # type: ignore[prop-decorator]
        description="The first of `photos` (served at `/api/products/{id}/photo`), or null."
    )
    @property
    def photo(self) -> Photo | None:
        return self.photos[0] if self.photos else None

    @property
    def on_sale(self) -> bool:
        """Customers may see and buy it: active, and not in an archived category."""
        return self.active and not self.category_hidden


class Album(Model):
    """A product's photos, in the order customers flip through them."""

    product_id: Id
    version: int = Field(description="The product's version; every photo change moves it on.")
    photos: tuple[Photo, ...]


class Category(Document):
    name: str
    description: str = ""
    position: int = Field(description="Where it is shown among its siblings: smaller first.")
    active: bool = True
    version: int = 0
    parent_id: Id | None = Field(
        default=None,
        description="The top-level category this is a subcategory of, set when it is created; "
        "null: a top-level category.",
    )


class Shelf(Category):
    """A category with how many products customers can buy in it now."""

    products: int = Field(
        description="Products on sale in it; a parent's count includes its subcategories'."
    )
    subcategories: int = Field(
        default=0, description="Its subcategories in this listing (archived ones for staff)."
    )


class Shelves(Model):
    """The categories in the order shown, and the products on sale that have none."""

    items: tuple[Shelf, ...]
    uncategorized: int


class CategoryLevel(Model):
    """A category as customers open it: a subcategory with its parent, or a top-level
    category with the subcategories they see."""

    category: Category
    parent: Category | None = None
    subcategories: tuple[Shelf, ...] = ()


class ImportProblem(Model):
    """Why a row of an import (or one of its cells) is refused."""

    row: int = Field(description="The row as a spreadsheet numbers it: the header is row 1.")
    column: str | None = Field(description="The column, or null for the row as a whole.")
    sku: str | None = None
    message: str
    reason: str = Field(
        description="Stable kind of problem: a validation error type such as "
        "`greater_than_equal`, or core's own such as `no-such-category`."
    )


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


class ImportedRow(Model):
    row: int
    sku: str | None
    outcome: RowOutcome
    changes: tuple[str, ...] = Field(
        default=(), description="The columns that changed (or would), `photo` included."
    )
    product_id: Id | None = Field(
        default=None, description="The product, once it exists (not for a new one in a dry run)."
    )


class ImportReport(Model):
    """What an import did, or in a dry run would do, row by row."""

    dry_run: bool
    partial: bool
    applied: bool = Field(description="Rows were written: neither a dry run nor refused.")
    rows: int = Field(description="Rows read, blank ones not counted.")
    created: int
    updated: int
    unchanged: int
    refused: int
    problems: tuple[ImportProblem, ...]
    results: tuple[ImportedRow, ...]
    ignored_columns: tuple[str, ...] = Field(
        default=(), description="Header cells that name no column the import knows."
    )
    unused_photos: tuple[str, ...] = Field(
        default=(), description="Files in the ZIP that no row uses."
    )
