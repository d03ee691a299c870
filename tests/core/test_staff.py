"""Staff views and moves: the order with its people, moves from a view that may be stale,
the new-order card for the operators, broadcasts started idempotently from a chat."""

import asyncio

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.commands import AccountChange
from core.accounts.models import Language, Role, User
from core.base.commands import parse
from core.base.errors import Forbidden, InvalidInput
from core.messaging.commands import BroadcastDraft, Segment
from core.sales.commands import CartChange
from core.sales.models import Channel, Order, OrderStatus
from core.shop import Shop
from tests.factories import NewProduct, NewUser


async def _staff(shop: Shop, new_user: NewUser, name: str, telegram_id: int | None) -> User:
    user = await new_user(name=name)
    if telegram_id is not None:
        await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": telegram_id}})
    return await shop.accounts.set_role(SYSTEM, user.id, Role.OPERATOR)


async def _order(shop: Shop, user: User, new_product: NewProduct) -> Order:
    product = await new_product(name="Tea", price=450)
    await shop.carts.add(user.id, CartChange.model_validate({"productId": product.id}))
    return await shop.checkout.place_order(user.id)


async def test_a_view_names_the_customer_and_who_made_each_change(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    customer = await new_user(name="Dora")
    olga = await _staff(shop, new_user, "Olga", None)
    order = await _order(shop, customer, new_product)

    moved = await shop.staff.move(
        Actor.of(olga), order.id, OrderStatus.PAID, order.version, Channel.BACK_OFFICE
    )

    assert moved.moved
    view = moved.view
    assert view.customer is not None and view.customer.name == "Dora"
    assert [(c.to_status, c.by_name, c.by_role, c.channel) for c in view.history] == [
        (OrderStatus.PENDING, "Dora", Role.USER, None),
        (OrderStatus.PAID, "Olga", Role.OPERATOR, Channel.BACK_OFFICE),
    ]
    assert view.next_statuses == (OrderStatus.SHIPPED, OrderStatus.CANCELLED)


async def test_a_move_from_a_stale_view_changes_nothing(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    """A card shown while pending must not cancel an order that was paid since."""
    olga = Actor.of(await _staff(shop, new_user, "Olga", None))
    order = await _order(shop, await new_user(), new_product)
    await shop.staff.move(olga, order.id, OrderStatus.PAID, order.version, Channel.TELEGRAM)

    stale = await shop.staff.move(
        olga, order.id, OrderStatus.CANCELLED, order.version, Channel.TELEGRAM
    )

    assert not stale.moved and stale.view.order.status is OrderStatus.PAID


async def test_two_operators_moving_at_once_make_one_change(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    olga = Actor.of(await _staff(shop, new_user, "Olga", None))
    petr = Actor.of(await _staff(shop, new_user, "Petr", None))
    order = await _order(shop, await new_user(), new_product)

    outcomes = await asyncio.gather(
        *(
            shop.staff.move(a, order.id, OrderStatus.PAID, order.version, Channel.TELEGRAM)
            for a in (olga, petr)
        )
    )

    assert sorted(o.moved for o in outcomes) == [False, True]
    assert all(o.view.order.status is OrderStatus.PAID for o in outcomes)
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None
    assert [change["to"] for change in stored["history"]] == ["pending", "paid"]
    assert await shop.store.notifications.count_documents({"kind": "order_status"}) == 0


async def test_only_staff_as_they_are_now_may_view_count_or_move(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    customer = await new_user()
    order = await _order(shop, customer, new_product)
    demoted = await _staff(shop, new_user, "Olga", None)
    await shop.accounts.set_role(SYSTEM, demoted.id, Role.USER)
    for account in (customer, await shop.users.get(demoted.id)):
        actor = Actor.of(account)
        with pytest.raises(Forbidden):
            await shop.staff.move(
                actor, order.id, OrderStatus.PAID, order.version, Channel.TELEGRAM
            )
        with pytest.raises(Forbidden):
            await shop.staff.view(actor, order.id)
        with pytest.raises(Forbidden):
            await shop.staff.counts(actor)
    assert (await shop.orders.get(SYSTEM, order.id)).status is OrderStatus.PENDING


async def test_a_forged_version_is_refused(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    order = await _order(shop, await new_user(), new_product)
    with pytest.raises(InvalidInput):
        await shop.staff.move(SYSTEM, order.id, OrderStatus.PAID, -1, Channel.TELEGRAM)


async def test_counts_by_status(shop: Shop, new_user: NewUser, new_product: NewProduct) -> None:
    customer = await new_user()
    first = await _order(shop, customer, new_product)
    await _order(shop, customer, new_product)
    await shop.staff.move(SYSTEM, first.id, OrderStatus.PAID, first.version, Channel.TELEGRAM)
    counts = await shop.staff.counts(SYSTEM)
    assert counts == {
        OrderStatus.PENDING: 1,
        OrderStatus.PAID: 1,
        OrderStatus.SHIPPED: 0,
        OrderStatus.CANCELLED: 0,
    }


async def test_without_an_operators_chat_each_active_staff_member_on_telegram_gets_the_card(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    assert shop.outbox.operator_chat_id is None
    await _staff(shop, new_user, "Olga", 501)
    await _staff(shop, new_user, "Petr", 502)
    await _staff(shop, new_user, "Web only", None)
    gone = await _staff(shop, new_user, "Gone", 505)
    await shop.accounts.change(SYSTEM, gone.id, AccountChange(active=False))
    admin = await new_user(name="Ada")
    await shop.store.users.update_one({"_id": admin.id}, {"$set": {"telegramId": 503}})
    await shop.accounts.set_role(SYSTEM, admin.id, Role.ADMIN)
    customer = await new_user()
    await shop.store.users.update_one({"_id": customer.id}, {"$set": {"telegramId": 504}})

    order = await _order(shop, customer, new_product)
    await shop.outbox.relay(order.id)  # relaying again queues nothing new

    cards = await shop.store.notifications.find({"kind": "new_order"}).to_list()
    assert sorted(card["chatId"] for card in cards) == [501, 502, 503]
    assert {card["orderId"] for card in cards} == {order.id}


async def test_each_staff_members_card_is_in_their_language(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    olga = await _staff(shop, new_user, "Olga", 501)
    await shop.store.users.update_one({"_id": olga.id}, {"$set": {"language": "ru"}})
    await _staff(shop, new_user, "Petr", 502)  # none chosen: the bot's default
    await _order(shop, await new_user(), new_product)
    cards = await shop.store.notifications.find({"kind": "new_order"}).to_list()
    assert {card["chatId"]: card["language"] for card in cards} == {501: "ru", 502: None}


async def test_with_an_operators_chat_only_that_chat_gets_the_card(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shop.outbox.operator_chat_id = -100
    await _staff(shop, new_user, "Olga", 501)
    await _order(shop, await new_user(), new_product)
    cards = await shop.store.notifications.find({"kind": "new_order"}).to_list()
    assert [card["chatId"] for card in cards] == [-100]


def _draft(text: str = "Sale!", *, formatted: bool = False) -> BroadcastDraft:
    return parse(BroadcastDraft, {"text": text, "formatted": formatted, "segment": {"kind": "all"}})


async def test_a_broadcast_started_twice_with_one_id_is_one_broadcast(
    shop: Shop, new_user: NewUser
) -> None:
    for chat in (11, 12):
        user = await new_user()
        await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": chat}})
    broadcast_id = shop.broadcasts.new_id()

    first = await shop.broadcasts.start(
        SYSTEM,
        _draft(formatted=True),
        broadcast_id=broadcast_id,
        report_to=(7, 70),
        report_language=Language.RU,
    )
    again = await shop.broadcasts.start(
        SYSTEM, _draft("Other"), broadcast_id=broadcast_id, report_to=(7, 71)
    )

    assert str(first.id) == str(again.id) == broadcast_id
    assert again.text == "Sale!" and again.formatted
    assert await shop.store.broadcasts.count_documents({}) == 1
    notices = await shop.store.notifications.find({"broadcastId": first.id}).to_list()
    assert len(notices) == 2 and all(n["formatted"] for n in notices)
    [report] = await shop.broadcasts.reports_due()
    assert (report.broadcast_id, report.chat_id, report.message_id) == (first.id, 7, 70)
    assert report.language is Language.RU  # the progress stays in the sender's language
    await shop.broadcasts.reported(first.id)
    assert await shop.broadcasts.reports_due() == []


async def test_a_forged_broadcast_id_is_refused(shop: Shop) -> None:
    with pytest.raises(InvalidInput):
        await shop.broadcasts.start(SYSTEM, _draft(), broadcast_id="{'$ne': null}")
    assert await shop.store.broadcasts.count_documents({}) == 0


async def test_recipients_are_counted_like_they_are_reached(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    buyer = await new_user()
    for chat, user in ((21, buyer), (22, await new_user()), (23, await new_user())):
        await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": chat}})
    await _staff(shop, new_user, "Olga", 24)
    await _order(shop, buyer, new_product)

    everyone = Segment(kind="all")
    pending = Segment(kind="order_status", status=OrderStatus.PENDING)
    paid = Segment(kind="order_status", status=OrderStatus.PAID)
    counted = [await shop.broadcasts.count_recipients(SYSTEM, s) for s in (everyone, pending, paid)]
    assert counted == [3, 1, 0]
    with pytest.raises(Forbidden):
        await shop.broadcasts.count_recipients(Actor.of(buyer), everyone)
