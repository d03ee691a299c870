"""A process killed at any write of a checkout with a promo code, or of its cancellation,
neither loses a use nor counts one twice (see ``test_crash_recovery.py`` for the method)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.base import clock
from core.messaging.notifications import NotificationQueue
from core.sales.commands import StatusUpdate
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.shop import Shop
from tests.core.crashes import LEASE, checkout_on, dying_store, run_until_killed, stock_on
from tests.core.promos import STAFF, cart_with_code, new_code, used
from tests.factories import NewProduct, NewUser


async def _recover_later(shop: Shop) -> None:
    await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))


async def _tally(shop: Shop) -> list[int]:
    """Each customer's uses, as their tallies hold them (and the orders listed agree);
    a tally whose use was given back holds none."""
    tallies = await shop.store.promo_customers.find().to_list()
    assert all(t["used"] == len(t["orders"]) for t in tallies)
    return sorted(t["used"] for t in tallies if t["used"])


async def test_a_checkout_with_a_code_killed_at_every_write_keeps_the_uses_exact(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, usageLimit=100, perCustomer=1)
    tea = await new_product(stock=100)
    placed, outcomes = 0, set()
    for writes in range(40):
        user = await new_user()
        await cart_with_code(shop, user, tea)
        checkout = checkout_on(shop, dying_store(shop.store, writes))

        killed = await run_until_killed(lambda: checkout.place_order(user.id, "key"))  # noqa: B023
        await _recover_later(shop)

        orders = await shop.store.orders.find({"userId": user.id}).to_list()
        placed += len(orders)
        assert await used(shop, promo) == placed  # and no mark left behind
        assert await _tally(shop) == [1] * placed
        cart = await shop.carts.get(user.id)
        if orders:  # rolled forward: the discount kept, the code gone from the cart
            assert orders[0]["promo"]["discount"] == 45
            assert cart.promo_code is None
        else:  # rolled back: the code still in the cart, and the customer may order with it
            assert cart.promo_code == "SAVE10"
            order = await shop.checkout.place_order(user.id, "key")
            assert order.promo is not None
            placed += 1
            assert await used(shop, promo) == placed
        outcomes.add(bool(orders))
        if not killed:
            break
    else:
        pytest.fail("the checkout never completed within the write budget")
    assert outcomes == {True, False}


async def test_a_cancellation_killed_at_every_write_gives_the_use_back_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, perCustomer=1)
    tea = await new_product(stock=100)
    held = 0
    for writes in range(30):
        user = await new_user()
        await cart_with_code(shop, user, tea)
        order = await shop.checkout.place_order(user.id)
        held += 1
        store = dying_store(shop.store, writes)
        outbox = Outbox(store, NotificationQueue(store, LEASE), None)
        orders = Orders(store, outbox, stock_on(store), LEASE)

        killed = await run_until_killed(
            lambda: orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))  # noqa: B023
        )
        await _recover_later(shop)
        await _recover_later(shop)  # a second recovery gives nothing back twice

        stored = await shop.store.orders.find_one({"_id": order.id})
        assert stored is not None and "journal" not in stored
        if stored["status"] == "cancelled":
            held -= 1
            assert stored["promo"]["returned"] is True
        assert await used(shop, promo) == held
        assert sum(await _tally(shop)) == held
        if not killed:
            break
    else:
        pytest.fail("the cancellation never completed within the write budget")
