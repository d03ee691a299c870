"""Variants as stored and returned."""

from __future__ import annotations

from pydantic import Field

from core.base.ids import Id
from core.base.models import Document, Model
from core.catalog.models import Product


class Variant(Document):
    """One combination of a product's options, sold on its own."""

    product_id: Id
    sku: str | None = Field(
        default=None, description="Unique in the shop among products and variants; upper case."
    )
    name: str = Field(description='Shown to customers: "M, Red".')
    options: dict[str, str] = Field(description="A value of each of the product's options.")
    price: int | None = Field(
        default=None, description="Unit price in minor units; null: the product's."
    )
    stock: int
    photo_id: Id | None = Field(
        default=None,
        description="One of its product's photos (its `fileId`), which the variant's card "
        "shows; null: the product's first.",
    )
    active: bool = Field(default=True, description="false: archived, hidden from customers.")
    version: int = 0

    def unit_price(self, product: Product) -> int:
        return product.price if self.price is None else self.price


class VariantList(Model):
    """A product's variants: only those on sale for customers."""

    product_id: Id
    items: tuple[Variant, ...]


def sells(product: Product, variant: Variant | None) -> bool:
    """Whether a cart line of ``product`` (and ``variant``) can be ordered as it is: a
    product with options only by one of its variants on sale, one without only by itself."""
    if not product.on_sale:
        return False
    if variant is None:
        return not product.options
    return bool(product.options) and variant.active


def label(product: Product, variant: Variant | None) -> str:
    """What a cart line, an order line and every text made from them call the item:
    ``T-shirt (M, Red)``, or the product's name alone."""
    return product.name if variant is None else f"{product.name} ({variant.name})"
