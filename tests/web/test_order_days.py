"""The orders list's days are the shop's (``SHOP_TIMEZONE``), not UTC's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.accounts.models import Role
from core.sales.commands import CartChange
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.clocks import FakeClock
from tests.factories import NewProduct
from tests.web.office import Office


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"shop_timezone": "Europe/Moscow"}  # UTC+3


async def test_a_day_in_the_filters_is_a_day_in_the_shops_time_zone(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop, clock: FakeClock
) -> None:
    clock.moment = datetime(2030, 3, 1, 22, 30, tzinfo=UTC)  # 01:30 on 2 March in Moscow
    customer = await new_account(name="Nina")
    await shop.carts.add(customer.user.id, CartChange(product_id=(await new_product()).id))
    late = await shop.checkout.place_order(customer.user.id)
    staff = await new_account(Role.OPERATOR, name="Oleg")
    assert (await office.sign_in(staff.email, PASSWORD)).status == 303

    second = await office.get("/admin/orders?from=2030-03-02&to=2030-03-02")
    first = await office.get("/admin/orders?from=2030-03-01&to=2030-03-01")

    assert second.shows(f"#{late.number}")
    assert not first.shows(f"#{late.number}")
