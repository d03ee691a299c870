"""A process killed at any write of a checkout or a cancellation loses nothing.

The store's collections are wrapped so that the N-th write raises instead of running,
as if the process died right there; a fresh shop then recovers once the lease expired.
Every N from 0 to the last write is tried.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from core import clock
from core.access import Actor
from core.carts import Carts
from core.checkout import Checkout
from core.commands import CartChange, StatusUpdate
from core.models import Role
from core.notifications import NotificationQueue
from core.orders import Orders
from core.outbox import Outbox
from core.shop import Shop
from core.store import Store

from ..conftest import NewProduct, NewUser

WRITES = {"insert_one", "update_one", "find_one_and_update", "delete_one"}
LEASE = timedelta(seconds=60)


class Killed(Exception):
    """The process 'died' before this write."""


class WriteBudget:
    def __init__(self, writes: int) -> None:
        self.left = writes

    def spend(self) -> None:
        if self.left == 0:
            raise Killed()
        self.left -= 1


class DyingCollection:
    def __init__(self, inner: Any, budget: WriteBudget) -> None:
        self._inner = inner
        self._budget = budget

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in WRITES:
            return attribute

        async def write(*args: Any, **kwargs: Any) -> Any:
            self._budget.spend()
            return await attribute(*args, **kwargs)

        return write


def dying_store(store: Store, writes: int) -> Store:
    budget = WriteBudget(writes)
    return Store(*(DyingCollection(c, budget) for c in vars(store).values()))  # type: ignore[arg-type]


async def _run_until_killed(action: Callable[[], Awaitable[object]]) -> bool:
    try:
        await action()
    except Killed:
        return True
    return False


async def _recover_later(shop: Shop) -> None:
    assert await shop.recover() == 0  # nothing expired yet: live attempts are left alone
    await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))


async def test_checkout_killed_at_every_write_recovers(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    outcomes = set()
    for writes in range(40):
        user = await new_user()
        tea, cake = await new_product(stock=5), await new_product(name="Cake", stock=5)
        for product in (tea, cake):
            await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=2))
        store = dying_store(shop.store, writes)
        carts = Carts(store, shop.catalog)
        checkout = Checkout(
            store, shop.catalog, carts, Outbox(store, NotificationQueue(store, LEASE), None), LEASE
        )

        killed = await _run_until_killed(lambda: checkout.place_order(user.id, "key"))  # noqa: B023
        await _recover_later(shop)

        orders = await shop.store.orders.find({"userId": user.id}).to_list()
        cart = await shop.carts.get(user.id)
        stocks = [(await shop.catalog.get(p.id)).stock for p in (tea, cake)]
        assert all("journal" not in order and not order.get("outbox") for order in orders)
        if orders:  # rolled forward: one order, stock taken once, cart emptied
            assert [o["placed"] for o in orders] == [True]
            assert (stocks, cart.products) == ([3, 3], ())
        else:  # rolled back: stock and cart as before
            assert stocks == [5, 5]
            assert [line.quantity for line in cart.products] == [2, 2]
        for product in (tea, cake):
            marks = await shop.store.products.find_one({"_id": product.id})
            assert marks is not None and marks.get("reservedBy", []) == []
        # Retrying with the same key after recovery still yields at most one order.
        if killed and not orders:
            await shop.checkout.place_order(user.id, "key")
        assert await shop.store.orders.count_documents({"userId": user.id}) == 1
        outcomes.add(bool(orders))
        if not killed:
            break
    else:
        pytest.fail("the checkout never completed within the write budget")
    assert outcomes == {True, False}


async def test_cancellation_killed_at_every_write_restocks_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    staff = Actor(None, Role.OPERATOR)
    for writes in range(20):
        user = await new_user()
        tea, cake = await new_product(stock=5), await new_product(name="Cake", stock=5)
        for product in (tea, cake):
            await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=2))
        await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": 1000 + writes}})
        order = await shop.checkout.place_order(user.id)
        store = dying_store(shop.store, writes)
        orders = Orders(store, Outbox(store, NotificationQueue(store, LEASE), None), LEASE)

        killed = await _run_until_killed(
            lambda: orders.change_status(staff, order.id, StatusUpdate(status="cancelled"))  # noqa: B023
        )
        await _recover_later(shop)

        stored = await shop.store.orders.find_one({"_id": order.id})
        assert stored is not None and "journal" not in stored
        stocks = [(await shop.catalog.get(p.id)).stock for p in (tea, cake)]
        cancelled = stored["status"] == "cancelled"
        assert stocks == ([5, 5] if cancelled else [3, 3])
        # The customer's notice exists exactly when the status changed, and only once.
        assert stored["outbox"] == []
        notices = await shop.store.notifications.find({"orderId": order.id}).to_list()
        assert [n["status"] for n in notices] == (["cancelled"] if cancelled else [])
        if not killed:
            break
    else:
        pytest.fail("the cancellation never completed within the write budget")
