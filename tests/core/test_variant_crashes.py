"""A process killed at any write of a checkout or a cancellation of variants loses nothing:
each variant's stock is taken once or given back, as for products
(``tests/core/test_crash_recovery.py``)."""

from datetime import timedelta

import pytest

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.messaging.notifications import NotificationQueue
from core.sales.commands import StatusUpdate
from core.sales.errors import EmptyCart
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.shop import Shop
from tests.core.crashes import LEASE, checkout_on, dying_store, run_until_killed, stock_on
from tests.core.variants import Shirt, make_shirt, variant_stock
from tests.factories import NewProduct, NewUser


async def _stocks(shop: Shop, shirt: Shirt) -> list[int]:
    return [await variant_stock(shop, v) for v in (shirt.red_m, shirt.blue_l)]


async def _unmarked(shop: Shop, shirt: Shirt) -> bool:
    for variant in (shirt.red_m, shirt.blue_l):
        document = await shop.store.variants.find_one({"_id": variant.id})
        assert document is not None
        if document.get("reservedBy") or document.get("restockedBy"):
            return False
    return True


async def _recover_later(shop: Shop) -> None:
    await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))


async def test_a_checkout_of_variants_killed_at_every_write_recovers(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    outcomes = set()
    for writes in range(40):
        shirt = await make_shirt(shop, new_product, name=f"T-shirt {writes}")
        user = await new_user()
        await shop.carts.add(user.id, shirt.change(shirt.red_m, 2))
        await shop.carts.add(user.id, shirt.change(shirt.blue_l, 2))
        checkout = checkout_on(shop, dying_store(shop.store, writes))

        killed = await run_until_killed(lambda: checkout.place_order(user.id, "key"))  # noqa: B023
        await _recover_later(shop)

        orders = await shop.store.orders.find({"userId": user.id}).to_list()
        cart = await shop.carts.get(user.id)
        assert all("journal" not in order for order in orders)
        if orders:  # rolled forward: stock of each variant taken once, the cart emptied
            assert [o["placed"] for o in orders] == [True]
            assert (await _stocks(shop, shirt), cart.products, cart.checkout) == ([3, 3], (), None)
        else:  # rolled back: each variant's stock as before, the cart kept and free
            assert await _stocks(shop, shirt) == [5, 5]
            assert [(ln.variant_id, ln.quantity) for ln in cart.products] == [
                (shirt.red_m.id, 2),
                (shirt.blue_l.id, 2),
            ]
            assert cart.checkout is None
        assert await _unmarked(shop, shirt)
        if killed and not orders:
            await shop.checkout.place_order(user.id, "key")
        with pytest.raises(EmptyCart):
            await shop.checkout.place_order(user.id, "another key")
        assert await _stocks(shop, shirt) == [3, 3]
        outcomes.add(bool(orders))
        if not killed:
            break
    else:
        pytest.fail("the checkout never completed within the write budget")
    assert outcomes == {True, False}


async def test_a_cancellation_of_variants_killed_at_every_write_restocks_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    staff = Actor(None, Role.OPERATOR)
    for writes in range(20):
        shirt = await make_shirt(shop, new_product, name=f"T-shirt {writes}")
        user = await new_user()
        await shop.carts.add(user.id, shirt.change(shirt.red_m, 2))
        await shop.carts.add(user.id, shirt.change(shirt.blue_l, 2))
        order = await shop.checkout.place_order(user.id)
        store = dying_store(shop.store, writes)
        orders = Orders(
            store, Outbox(store, NotificationQueue(store, LEASE), None), stock_on(store), LEASE
        )

        killed = await run_until_killed(
            lambda: orders.change_status(staff, order.id, StatusUpdate(status="cancelled"))  # noqa: B023
        )
        await _recover_later(shop)

        stored = await shop.store.orders.find_one({"_id": order.id})
        assert stored is not None and "journal" not in stored
        cancelled = stored["status"] == "cancelled"
        assert await _stocks(shop, shirt) == ([5, 5] if cancelled else [3, 3])
        assert await _unmarked(shop, shirt)
        if not killed:
            break
    else:
        pytest.fail("the cancellation never completed within the write budget")
