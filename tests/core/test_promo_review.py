"""Promo codes against what was built beside them: subcategories, variants, refunds."""

from __future__ import annotations

from core.accounts.access import SYSTEM
from core.catalog.commands import CategoryDraft
from core.shop import Shop
from tests.core.promos import cart_with_code, new_code
from tests.factories import NewProduct, NewUser


async def test_a_code_for_a_category_covers_the_products_of_its_subcategories(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=teas.id))
    await new_code(shop, "TEAS", value=50, categoryIds=[str(teas.id)])
    user = await new_user()
    sencha = await new_product(name="Sencha", price=1000, category_id=green.id)
    cake = await new_product(name="Cake", price=600)
    await cart_with_code(shop, user, cake, code="teas")
    await cart_with_code(shop, user, sencha, code="teas")
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and (view.promo.discount, view.promo.problem) == (500, None)
    order = await shop.checkout.place_order(user.id)
    assert order.promo is not None and (order.promo.discount, order.total_amount) == (500, 1100)
