"""A process killed at any write of a checkout or a cancellation loses nothing.

The store's collections are wrapped so that the N-th write raises instead of running,
as if the process died right there; a fresh shop then recovers once the lease expired.
Every N from 0 to the last write is tried. A write can also be held back (a process
stalled past its lease) while recovery runs.
"""

import asyncio
from datetime import timedelta

import pytest

from core.accounts.access import Actor
from core.accounts.models import Role, User
from core.base import clock
from core.catalog.models import Product
from core.messaging.notifications import NotificationQueue
from core.sales.commands import CartChange, StatusUpdate
from core.sales.errors import CheckoutInProgress, EmptyCart, OutOfStock
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.shop import Shop
from tests.core.crashes import (
    LEASE,
    Killed,
    WriteBudget,
    checkout_on,
    dying_store,
    run_until_killed,
    stock_on,
)
from tests.factories import NewProduct, NewUser


class SoldMeanwhile:
    """Another buyer leaves one unit of ``product`` (run before the attempt takes stock)."""

    def __init__(self, shop: Shop, product: Product) -> None:
        self._shop, self._product = shop, product
        self.happened = False

    async def __call__(self) -> None:
        await self._shop.store.products.update_one(
            {"_id": self._product.id}, {"$set": {"stock": 1}}
        )
        self.happened = True


async def _tea_and_cake_in_a_cart(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> tuple[User, Product, Product]:
    user = await new_user()
    tea, cake = await new_product(stock=5), await new_product(name="Cake", stock=5)
    for product in (tea, cake):
        await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=2))
    return user, tea, cake


async def _assert_untouched(shop: Shop, user: User, *stocks: tuple[Product, int]) -> None:
    """No order, the stock as given, the cart's two lines kept and free to check out."""
    assert await shop.store.orders.count_documents({"userId": user.id}) == 0
    assert [(await shop.catalog.get(p.id)).stock for p, _ in stocks] == [s for _, s in stocks]
    for product, _ in stocks:
        marks = await shop.store.products.find_one({"_id": product.id})
        assert marks is not None and marks.get("reservedBy", []) == []
    cart = await shop.carts.get(user.id)
    assert [line.quantity for line in cart.products] == [2, 2]
    assert cart.checkout is None


async def _recover_later(shop: Shop) -> None:
    assert await shop.recover() == 0  # nothing expired yet: live attempts are left alone
    await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))


async def test_checkout_killed_at_every_write_recovers(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    outcomes = set()
    for writes in range(40):
        user, tea, cake = await _tea_and_cake_in_a_cart(shop, new_user, new_product)
        checkout = checkout_on(shop, dying_store(shop.store, writes))

        killed = await run_until_killed(lambda: checkout.place_order(user.id, "key"))  # noqa: B023
        await _recover_later(shop)

        orders = await shop.store.orders.find({"userId": user.id}).to_list()
        cart = await shop.carts.get(user.id)
        stocks = [(await shop.catalog.get(p.id)).stock for p in (tea, cake)]
        assert all("journal" not in order and not order.get("outbox") for order in orders)
        if orders:  # rolled forward: one order, stock taken once, cart emptied and free
            assert [o["placed"] for o in orders] == [True]
            assert (stocks, cart.products, cart.checkout) == ([3, 3], (), None)
        else:  # rolled back: stock and cart as before, and the cart no longer claimed
            await _assert_untouched(shop, user, (tea, 5), (cake, 5))
        for product in (tea, cake):
            marks = await shop.store.products.find_one({"_id": product.id})
            assert marks is not None and marks.get("reservedBy", []) == []
        # Retrying with the same key after recovery still yields at most one order, and
        # another key finds the cart ordered.
        if killed and not orders:
            await shop.checkout.place_order(user.id, "key")
        with pytest.raises(EmptyCart):
            await shop.checkout.place_order(user.id, "another key")
        assert await shop.store.orders.count_documents({"userId": user.id}) == 1
        outcomes.add(bool(orders))
        if not killed:
            break
    else:
        pytest.fail("the checkout never completed within the write budget")
    assert outcomes == {True, False}


async def test_a_retried_checkout_finishes_an_order_placed_before_the_kill_at_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    """Killed after its order was placed, before the cart was settled: the customer's retry
    (same key) gets the order and finds the cart finished, without waiting for recovery's
    lease; a new checkout finds it empty instead of "still being placed"."""
    finished = 0
    for writes in range(40):
        user, tea, cake = await _tea_and_cake_in_a_cart(shop, new_user, new_product)
        killed = await run_until_killed(
            lambda: checkout_on(shop, dying_store(shop.store, writes)).place_order(user.id, "key")  # noqa: B023
        )
        if not killed:
            break
        placed = await shop.store.orders.find_one({"userId": user.id, "placed": True})
        if placed is None or "journal" not in placed:  # not placed, or nothing to finish
            await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))
            continue

        order = await shop.checkout.place_order(user.id, "key")
        cart = await shop.carts.get(user.id)
        assert order.id == placed["_id"]
        assert (cart.products, cart.checkout) == ((), None)
        with pytest.raises(EmptyCart):
            await shop.checkout.place_order(user.id, "another key")
        document = await shop.store.orders.find_one({"_id": order.id})
        assert document is not None and "journal" not in document
        assert [(await shop.catalog.get(p.id)).stock for p in (tea, cake)] == [3, 3]
        later = clock.now() + LEASE + timedelta(seconds=1)
        assert await shop.checkout.recover(later) == 0  # nothing was left for recovery
        await shop.recover(later)  # a low-stock alert the kill left unrelayed, say
        finished += 1  # nothing was left for recovery
    assert finished > 0, "no kill landed between placing the order and settling the cart"


async def test_a_new_checkout_finishes_the_placed_order_that_still_claims_the_cart(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    """The same crash, then a checkout with a new key (a new Confirm): it settles the placed
    order holding the cart at once and finds the cart ordered."""
    user, _, _ = await _tea_and_cake_in_a_cart(shop, new_user, new_product)
    # Writes: 0 order number, 1 insert, 2 claim, 3-4 stock, 5 commit, 6 settle the cart.
    assert await run_until_killed(
        lambda: checkout_on(shop, dying_store(shop.store, 6)).place_order(user.id, "key")
    )
    assert (await shop.carts.get(user.id)).checkout is not None

    with pytest.raises(EmptyCart):
        await shop.checkout.place_order(user.id, "new key")
    cart = await shop.carts.get(user.id)
    assert (cart.products, cart.checkout) == ((), None)
    assert await shop.store.orders.count_documents({"userId": user.id, "placed": True}) == 1


async def test_a_refused_checkout_killed_at_every_write_of_its_rollback_recovers(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    """Another buyer takes the last cakes between pricing and taking: the attempt rolls back
    (tea's stock, the claim, the order), and dies before each of those writes in turn."""
    for writes in range(40):
        user, tea, cake = await _tea_and_cake_in_a_cart(shop, new_user, new_product)
        store = dying_store(shop.store, writes)
        sold = SoldMeanwhile(shop, cake)
        store.products.before_first_write = sold  # type: ignore[attr-defined]

        outcome: BaseException | None = None
        try:
            await checkout_on(shop, store).place_order(user.id, "key")
        except (Killed, OutOfStock) as error:
            outcome = error
        if isinstance(outcome, OutOfStock):  # the cart is free at once, not after the lease
            assert (await shop.carts.get(user.id)).checkout is None
        await _recover_later(shop)

        assert outcome is not None, "the checkout ordered a cake that was gone"
        await _assert_untouched(shop, user, (tea, 5), (cake, 1 if sold.happened else 5))
        if isinstance(outcome, OutOfStock):
            break
    else:
        pytest.fail("the rollback never completed within the write budget")


@pytest.mark.parametrize("dies", [False, True], ids=["resumes", "dies after claiming"])
async def test_an_attempt_stalled_past_its_lease_cannot_order(
    shop: Shop, new_user: NewUser, new_product: NewProduct, dies: bool
) -> None:
    """Stalled after inserting its order, the attempt is rolled back by recovery; it then
    claims the cart for an order that no longer exists, which can never be committed."""
    user, tea, cake = await _tea_and_cake_in_a_cart(shop, new_user, new_product)
    # Writes: 0 order number, 1 insert, 2 claim, 3 first stock.
    budget = WriteBudget(3 if dies else 100, stall_at=2)
    attempt = asyncio.create_task(
        checkout_on(shop, dying_store(shop.store, budget)).place_order(user.id, "key")
    )
    await budget.stalled.wait()
    assert await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1)) == 1
    budget.resume.set()

    with pytest.raises(Killed if dies else CheckoutInProgress):
        await attempt
    if dies:  # its claim names a deleted order: released once its lease has expired
        assert (await shop.carts.get(user.id)).checkout is not None
        await _recover_later(shop)
    await _assert_untouched(shop, user, (tea, 5), (cake, 5))
    order = await shop.checkout.place_order(user.id, "key")
    assert order.total_amount == 4 * 450
    assert [(await shop.catalog.get(p.id)).stock for p in (tea, cake)] == [3, 3]


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
        outbox = Outbox(store, NotificationQueue(store, LEASE), None)
        orders = Orders(store, outbox, stock_on(store), LEASE)

        killed = await run_until_killed(
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
