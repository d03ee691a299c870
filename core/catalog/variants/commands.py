"""Validated input for options and variants."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from core.base.commands import Command, Version
from core.base.fields import QueryFlag, given
from core.base.ids import Id
from core.base.text import Printable
from core.catalog.commands import Price, Sku, Stock, StockDelta

MAX_OPTIONS = 3
MAX_VALUES = 30
MAX_VARIANTS = 90
"""Variants of one product (archived ones count): a picker of buttons, not a warehouse. The
bot's options card has a button for each one in stock, besides the photo flipper, Share,
Back and Cart, and Telegram takes at most 100 buttons on a message."""


def _storable(name: str) -> str:
    """An option name is a key of each variant's stored ``options``, and MongoDB keys may
    not start with ``$`` nor hold a ``.`` (a path)."""
    if name.startswith("$") or "." in name:
        raise ValueError("an option name may neither start with $ nor contain a dot")
    return name


OptionName = Annotated[
    str, StringConstraints(max_length=40), Printable(required=True), AfterValidator(_storable)
]
OptionValue = Annotated[str, StringConstraints(max_length=40), Printable(required=True)]
VariantName = Annotated[str, StringConstraints(max_length=100), Printable(required=True)]


def _unique(values: object) -> object:
    if isinstance(values, list) and len({repr(v) for v in values}) != len(values):
        raise ValueError("name each value once")
    return values


OptionValues = Annotated[
    list[OptionValue],
    BeforeValidator(_unique),
    Field(min_length=1, max_length=MAX_VALUES, json_schema_extra={"uniqueItems": True}),
]
NAMES_ONLY: JsonDict = {
    "additionalProperties": False,
    "propertyNames": {"minLength": 1, "maxLength": 40, "pattern": r"^[^$.][^.]*$"},
}
"""JSON Schema of a map keyed by option names: no key but a name (its pattern is the
map's ``patternProperties``)."""


class OptionsChange(Command):
    """A product's options, all of them, in the order customers read them, each with its
    values; none: the product is sold as itself again (once no variant is on sale)."""

    options: Annotated[
        dict[OptionName, OptionValues],
        Field(
            max_length=MAX_OPTIONS,
            description='`{"Size": ["S", "M", "L"], "Colour": ["Red", "Blue"]}`.',
            json_schema_extra=NAMES_ONLY,
        ),
    ]
    expected_version: Version | None = Field(default=None, description="The product's.")

    @field_validator("options", mode="after")
    @classmethod
    def _each_value_once(cls, options: dict[str, list[str]]) -> dict[str, list[str]]:
        """Values that differ only by the spaces around them are one (kept where first)."""
        return {name: list(dict.fromkeys(values)) for name, values in options.items()}


class VariantDraft(Command):
    options: dict[OptionName, OptionValue] = Field(
        max_length=MAX_OPTIONS,
        description='A value of each of the product\'s options: `{"Size": "M", "Colour": "Red"}`.',
        json_schema_extra=NAMES_ONLY,
    )
    sku: Sku | None = None
    name: VariantName | None = Field(default=None, description='Unset: the values, "M, Red".')
    price: Price | None = Field(default=None, description="Unset: the product's price.")
    stock: Stock = 0
    photo_id: Id | None = Field(
        default=None, description="One of the product's photos (its `fileId`); unset: none."
    )


class VariantPatch(Command):
    sku: Sku | None = Field(default=None, description="null removes the variant's SKU.")
    name: VariantName | None = None
    price: Price | None = Field(default=None, description="null: the product's price again.")
    stock: Stock | None = None
    stock_delta: StockDelta | None = None
    photo_id: Id | None = Field(
        default=None,
        description="One of the product's photos (its `fileId`); null: none (the product's).",
    )
    active: StrictBool | None = Field(default=None, description="false archives, true restores.")
    expected_version: Version | None = None

    model_config = ConfigDict(
        json_schema_extra={"not": {"allOf": [given("stock"), given("stockDelta")]}}
    )

    @model_validator(mode="after")
    def _one_way_to_change_stock(self) -> Self:
        if self.stock is not None and self.stock_delta is not None:
            raise ValueError("give either stock or stockDelta, not both")
        return self


class VariantQuery(Command):
    include_inactive: QueryFlag = Field(
        default=False, description="Staff only: archived variants too."
    )
