"""Order statuses: who may change them, along which transitions, and restocking."""

import pytest

from core.accounts.access import Actor
from core.accounts.models import Role, User
from core.base.errors import Forbidden, NotFound, VersionConflict
from core.sales.commands import CartChange, OrderQuery, StatusUpdate
from core.sales.errors import IllegalTransition
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from tests.factories import NewProduct, NewUser


async def _order(shop: Shop, user: User, product_id: object, quantity: int = 2) -> Order:
    await shop.carts.add(
        user.id, CartChange.model_validate({"productId": product_id, "quantity": quantity})
    )
    return await shop.checkout.place_order(user.id)


async def test_staff_move_orders_along_allowed_transitions(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    customer, staff = await new_user(), await new_user(name="Olga")
    operator = Actor(staff.id, Role.OPERATOR)
    order = await _order(shop, customer, (await new_product()).id)

    with pytest.raises(Forbidden):
        await shop.orders.change_status(Actor.of(customer), order.id, StatusUpdate(status="paid"))
    with pytest.raises(IllegalTransition):
        await shop.orders.change_status(operator, order.id, StatusUpdate(status="shipped"))
    paid = await shop.orders.change_status(operator, order.id, StatusUpdate(status="paid"))
    shipped = await shop.orders.change_status(operator, order.id, StatusUpdate(status="shipped"))

    assert (paid.status, shipped.status, shipped.version) == ("paid", "shipped", 2)
    assert [(c.from_status, c.to_status, c.by) for c in shipped.history] == [
        (None, OrderStatus.PENDING, customer.id),
        (OrderStatus.PENDING, OrderStatus.PAID, staff.id),
        (OrderStatus.PAID, OrderStatus.SHIPPED, staff.id),
    ]
    for target in ("paid", "pending", "cancelled"):
        with pytest.raises(IllegalTransition):
            await shop.orders.change_status(operator, order.id, StatusUpdate(status=target))


async def test_a_stale_version_is_refused(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    customer = await new_user()
    admin = Actor(None, Role.ADMIN)
    order = await _order(shop, customer, (await new_product()).id)
    await shop.orders.change_status(admin, order.id, StatusUpdate(status="paid"))
    with pytest.raises(VersionConflict):
        await shop.orders.change_status(
            admin, order.id, StatusUpdate(status="cancelled", expected_version=0)
        )


@pytest.mark.parametrize("path", [["cancelled"], ["paid", "cancelled"]])
async def test_cancelling_puts_the_stock_back_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct, path: list[str]
) -> None:
    customer = await new_user()
    tea = await new_product(stock=5)
    order = await _order(shop, customer, tea.id, quantity=2)
    assert (await shop.catalog.get(tea.id)).stock == 3

    for status in path:
        await shop.orders.change_status(
            Actor(None, Role.OPERATOR), order.id, StatusUpdate(status=status)
        )

    assert (await shop.catalog.get(tea.id)).stock == 5
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None and "journal" not in stored
    marks = await shop.store.products.find_one({"_id": tea.id})
    assert marks is not None and marks["restockedBy"] == []


async def test_staff_search_filters_orders(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    alice, bob = await new_user(), await new_user(name="Bob")
    tea = await new_product(stock=20)
    first = await _order(shop, alice, tea.id)
    second = await _order(shop, bob, tea.id)
    staff = Actor(None, Role.OPERATOR)
    await shop.orders.change_status(staff, second.id, StatusUpdate(status="paid"))

    paid = await shop.orders.search(staff, OrderQuery(status="paid"))
    assert [o.id for o in paid.items] == [second.id]
    alices = await shop.orders.search(staff, OrderQuery(user_id=alice.id))
    assert [o.id for o in alices.items] == [first.id]
    window = await shop.orders.search(
        staff, OrderQuery.model_validate({"from": first.created_at.isoformat()})
    )
    assert window.total == 2
    with pytest.raises(Forbidden):
        await shop.orders.search(Actor.of(alice), OrderQuery())
    with pytest.raises(NotFound):
        await shop.orders.get(staff, "0" * 24)
