"""A product sold by variant, for the variants' tests: a T-shirt in sizes and colours."""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts.access import SYSTEM
from core.catalog.models import Product
from core.catalog.variants.commands import OptionsChange, VariantDraft
from core.catalog.variants.models import Variant
from core.sales.commands import CartChange
from core.shop import Shop
from tests.factories import NewProduct


@dataclass(frozen=True)
class Shirt:
    product: Product
    red_m: Variant
    blue_l: Variant

    def change(self, variant: Variant, quantity: int = 1) -> CartChange:
        return CartChange(product_id=self.product.id, variant_id=variant.id, quantity=quantity)


async def make_shirt(
    shop: Shop, new_product: NewProduct, *, stock: int = 5, name: str = "T-shirt"
) -> Shirt:
    """Sizes S, M, L; colours Red, Blue; variants M/Red (the product's price) and L/Blue
    (its own, 1500), ``stock`` each."""
    product = await new_product(name, price=1200, stock=0)
    options = OptionsChange(options={"Size": ["S", "M", "L"], "Colour": ["Red", "Blue"]})
    product = await shop.variants.set_options(SYSTEM, product.id, options)
    red_m = await shop.variants.create(
        SYSTEM, product.id, VariantDraft(options={"Size": "M", "Colour": "Red"}, stock=stock)
    )
    blue_l = await shop.variants.create(
        SYSTEM,
        product.id,
        VariantDraft(options={"Colour": "Blue", "Size": "L"}, stock=stock, price=1500),
    )
    return Shirt(product, red_m, blue_l)


async def variant_stock(shop: Shop, variant: Variant) -> int:
    document = await shop.store.variants.find_one({"_id": variant.id})
    assert document is not None
    return int(document["stock"])
