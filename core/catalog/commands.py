"""Validated input for the catalog: products and categories."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.base.commands import Command, Name, PageNumber, PageSize, Version
from core.base.fields import (
    WHOLE_NUMBER,
    QueryFlag,
    ShopCurrency,
    given,
)
from core.base.ids import ID_PATTERN, Id
from core.base.text import Printable
from core.catalog.models import MAX_PHOTOS

MAX_PRICE = 100_000_000_00  # minor units


MAX_STOCK = 1_000_000


ProductName = Annotated[str, StringConstraints(max_length=200), Printable(required=True)]


Description = Annotated[str, StringConstraints(max_length=2000), Printable(multiline=True)]


Price = Annotated[StrictInt, Field(ge=0, le=MAX_PRICE), WHOLE_NUMBER]


Stock = Annotated[StrictInt, Field(ge=0, le=MAX_STOCK), WHOLE_NUMBER]


StockDelta = Annotated[StrictInt, Field(ge=-MAX_STOCK, le=MAX_STOCK), WHOLE_NUMBER]


MAX_SKU_LENGTH = 64
SKU = re.compile(rf" *([A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_SKU_LENGTH - 1}}}) *")


def _sku(value: str) -> str:
    """A stock-keeping unit as stored: spaces around trimmed, upper case (``abc-1`` and
    ``ABC-1`` are one SKU, so it can name a photo file on any system)."""
    if not (match := SKU.fullmatch(value)):
        raise PydanticCustomError(
            "sku",
            f"must be 1 to {MAX_SKU_LENGTH} letters, digits, '-', '_' or '.', "
            "starting with a letter or digit",
        )
    return match.group(1).upper()


Sku = Annotated[
    str,
    AfterValidator(_sku),
    Field(
        json_schema_extra={"pattern": f"^{SKU.pattern}$"},
        description="Stock-keeping unit, unique in the shop; stored in upper case.",
    ),
]


class ProductDraft(Command):
    sku: Sku | None = None
    name: ProductName
    description: Description = ""
    price: Price
    currency: ShopCurrency | None = None
    stock: Stock = 0
    low_stock_threshold: Stock | None = None
    active: StrictBool = True
    category_id: Id | None = None


class ProductPatch(Command):
    sku: Sku | None = Field(default=None, description="null removes the product's SKU.")
    name: ProductName | None = None
    description: Description | None = None
    price: Price | None = None
    stock: Stock | None = None
    stock_delta: StockDelta | None = None
    low_stock_threshold: Stock | None = Field(
        default=None, description="null: the shop's `LOW_STOCK_THRESHOLD` again."
    )
    active: StrictBool | None = None
    category_id: Id | None = Field(default=None, description="null takes it out of its category.")
    expected_version: Version | None = None

    model_config = ConfigDict(
        json_schema_extra={"not": {"allOf": [given("stock"), given("stockDelta")]}}
    )

    @model_validator(mode="after")
    def _one_way_to_change_stock(self) -> Self:
        if self.stock is not None and self.stock_delta is not None:
            raise ValueError("give either stock or stockDelta, not both")
        return self


class ProductSort(StrEnum):
    NEWEST = "newest"
    PRICE_ASC = "price"
    PRICE_DESC = "-price"
    NAME = "name"


NO_CATEGORY = "none"


class ProductQuery(Command):
    page: PageNumber = 1
    limit: PageSize = 20
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    sort: ProductSort = ProductSort.NEWEST
    include_inactive: QueryFlag = False
    category: (
        Annotated[
            str,
            StringConstraints(pattern=f"^(?:{ID_PATTERN}|{NO_CATEGORY})$"),
            Field(description=f"A category's id, or `{NO_CATEGORY}` for products in none."),
        ]
        | None
    ) = None
    subcategories: QueryFlag = Field(
        default=True,
        description="With a parent `category`: its subcategories' products too; false: only "
        "the products placed in the parent itself.",
    )


MAX_CATEGORIES = 200
"""Enough shelves for a small shop; keeps the category screen and a reorder body small."""


MAX_SUBCATEGORIES = 60
"""Subcategories of one category: the bot shows them all as buttons above a page of its
products (at most 20, with the pager, Back, Cart and Home), and Telegram takes at most 100
buttons on a message."""


Position = Annotated[StrictInt, Field(ge=0, le=MAX_CATEGORIES * 10), WHOLE_NUMBER]


class CategoryDraft(Command):
    name: Name
    description: Description = ""
    position: Position | None = Field(default=None, description="Unset: after its siblings.")
    parent_id: Id | None = Field(
        default=None,
        description="Make it a subcategory of this top-level, not archived category; it stays "
        "there (a category's parent never changes).",
    )


class CategoryPatch(Command):
    name: Name | None = None
    description: Description | None = None
    position: Position | None = None
    active: StrictBool | None = Field(default=None, description="false archives, true restores.")


class CategoryOrder(Command):
    """Every id of one set of siblings (the top-level categories, or the subcategories of
    ``parent_id``), once each, in the order customers should see them."""

    ids: Annotated[
        list[Id],
        Field(min_length=1, max_length=MAX_CATEGORIES, json_schema_extra={"uniqueItems": True}),
    ]

    parent_id: Id | None = Field(
        default=None, description="Whose subcategories `ids` orders; null: the top-level ones."
    )

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("name each category once")
        return self


TOP_LEVEL = "none"
"""A ``CategoryQuery.parent`` for the categories that have no parent."""


class CategoryQuery(Command):
    include_inactive: QueryFlag = False
    parent: (
        Annotated[
            str,
            StringConstraints(pattern=f"^(?:{ID_PATTERN}|{TOP_LEVEL})$"),
            Field(
                description=f"Only the subcategories of this category, or `{TOP_LEVEL}` for "
                "the top-level categories; unset: every category, each parent followed by "
                "its subcategories."
            ),
        ]
        | None
    ) = None


class Rounding(StrEnum):
    """How a converted price that falls between two minor units is rounded."""

    UP = "up"
    DOWN = "down"
    NEAREST = "nearest"
    """Half a unit goes up."""


class ImportOptions(Command):
    """How to run a product import (``core/catalog/imports.py``)."""

    dry_run: QueryFlag = Field(
        default=False, description="Check the file and report; write nothing."
    )
    partial: QueryFlag = Field(
        default=False,
        description="Write the good rows and refuse the bad ones; otherwise a file with any "
        "bad row writes nothing.",
    )


class PhotoOrder(Command):
    """Every photo of a product (by its `fileId`), once each, in the order customers should
    flip through them."""

    ids: Annotated[
        list[Id],
        Field(min_length=1, max_length=MAX_PHOTOS, json_schema_extra={"uniqueItems": True}),
    ]

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("name each photo once")
        return self
