"""The promo codes pages: operators create and edit codes, see each one's figures, pause,
resume and archive them; wrong terms are shown beside their fields."""

from __future__ import annotations

import re

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.promotions.commands import PromoEntry
from core.promotions.models import PromoKind, PromoState
from core.sales.commands import CartChange
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.factories import NewProduct, NewUser
from tests.web.office import Office


def _promo_id(location: str) -> str:
    found = re.search(r"/admin/promo-codes/([0-9a-f]{24})", location)
    assert found, location
    return found.group(1)


async def test_an_operator_makes_a_code_and_sees_what_it_did(
    office: Office,
    new_account: NewAccount,
    shop: Shop,
    new_user: NewUser,
    new_product: NewProduct,
) -> None:
    operator = await new_account(Role.OPERATOR, name="Olga")
    await office.sign_in(operator.email, PASSWORD)
    assert (await office.get("/admin/")).shows("Promo codes")
    assert (await office.get("/admin/promo-codes/new")).status == 200
    wrong = await office.post("/admin/promo-codes", {"code": "bad code", "kind": "percent",
                                                     "value": "150"})  # fmt: skip
    assert wrong.status == 422 and wrong.shows("letters (A-Z) or digits")
    fields = {"code": "autumn5", "kind": "fixed", "value": "5.00", "minTotal": "20",
              "usageLimit": "3", "endsAt": "2999-01-01T00:00"}  # fmt: skip
    created = await office.post("/admin/promo-codes", fields)
    assert created.status == 303
    promo_id = _promo_id(created.location)
    promo = (await shop.promotions.get(SYSTEM, promo_id)).promo
    assert (promo.code, promo.kind, promo.value, promo.min_total, promo.usage_limit) == (
        "AUTUMN5",
        PromoKind.FIXED,
        500,
        2000,
        3,
    )
    assert (await office.follow(created)).shows("AUTUMN5 was created.")

    customer, tea = await new_user(), await new_product(price=2500)
    await shop.carts.add(customer.id, CartChange(product_id=tea.id, quantity=1))
    await shop.cart_codes.add(customer.id, PromoEntry(code="autumn5"))
    await shop.checkout.place_order(customer.id)
    listed = await office.get("/admin/promo-codes")
    assert listed.shows("AUTUMN5") and listed.shows("1 / 3")
    assert listed.shows("$5.00") and listed.shows("$20.00")  # discount given, revenue

    page = await office.get(f"/admin/promo-codes/{promo_id}")
    edited = await office.post(f"/admin/promo-codes/{promo_id}", {"kind": "fixed",
        "value": "6", "usageLimit": "", "expectedVersion": "0"})  # fmt: skip
    assert edited.status == 303, edited.text[:500]
    promo = (await shop.promotions.get(SYSTEM, promo_id)).promo
    assert (promo.value, promo.usage_limit, promo.min_total) == (600, None, None)
    assert page.status == 200

    await office.get(f"/admin/promo-codes/{promo_id}")
    paused = await office.post(f"/admin/promo-codes/{promo_id}/state", {"state": "paused"})
    assert (await office.follow(paused)).shows("AUTUMN5 is paused")
    archived = await office.post(f"/admin/promo-codes/{promo_id}/state", {"state": "archived"})
    assert (await office.follow(archived)).shows("AUTUMN5 is archived.")
    promo = (await shop.promotions.get(SYSTEM, promo_id)).promo
    assert promo.state is PromoState.ARCHIVED
    assert not (await office.get("/admin/promo-codes")).shows("AUTUMN5")
    assert (await office.get("/admin/promo-codes?includeArchived=true")).shows("AUTUMN5")
