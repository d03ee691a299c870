"""The back office's order page shows a promo code's discount as a line of its own, so its
lines, fee and discount add up to its total."""

from __future__ import annotations

from core.accounts.models import Role
from core.sales.commands import StatusUpdate
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.core.promos import STAFF, cart_with_code, new_code
from tests.factories import NewProduct
from tests.web.office import Office


async def test_the_order_page_shows_the_discount_as_a_line_of_its_own(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    await new_code(shop, value=10)
    customer = await new_account(name="Dora")
    await cart_with_code(shop, customer.user, await new_product(price=1250))
    order = await shop.checkout.place_order(customer.user.id)
    staff = await new_account(Role.OPERATOR, name="Olga")
    assert (await office.sign_in(staff.email, PASSWORD)).status == 303

    page = await office.get(f"/admin/orders/{order.id}")
    assert page.status == 200
    for text in ("$12.50", "Promo code SAVE10", "-$1.25", "$11.25"):
        assert page.shows(text), text
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    assert (await office.get(f"/admin/orders/{order.id}")).shows("(use given back)")
