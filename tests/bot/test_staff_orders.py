"""Staff handle orders from the chat: the new-order card in the operators' group, moving an
order from it (the customer told once), two operators racing, the /staff menu, and every
refusal (a forged button, a demoted operator, a group member who is not staff)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.callbacks import StaffMenu, StaffMove
from bot.config import BotSettings
from core.accounts.access import SYSTEM
from core.accounts.models import Role, User
from core.catalog.models import Product
from core.sales.models import Channel, Order, OrderStatus
from core.shop import Shop
from sandbox import FakeGroup, FakeUser, Message, SandboxServer
from tests.bot.chat import Customer, fill_cart, make_bot_settings
from tests.bot.workers import working

FORBIDDEN = "Your role may not do this."
ONLY_STAFF = "Only the shop's staff can do this."
MOVED = "Someone else changed this order first. Here it is as it is now."


@pytest.fixture
def bot_settings(sandbox_server: SandboxServer) -> BotSettings:
    return make_bot_settings(sandbox_server, orders_page_size=2)


@pytest.fixture
def operator(shop: Shop, customer: Customer) -> Customer:
    """A Telegram user signed up and made an operator."""

    async def create(first_name: str = "Olga") -> tuple[FakeUser, User]:
        player, account = await customer(first_name)
        return player, await shop.accounts.set_role(SYSTEM, account.id, Role.OPERATOR)

    return create


async def _order(shop: Shop, account: User, product: Product, quantity: int = 1) -> Order:
    await fill_cart(shop, account, (product, quantity))
    return await shop.checkout.place_order(account.id)


def _buttons(message: Message) -> list[str]:
    return [button.text for row in message.buttons for button in row]


async def _status(shop: Shop, order: Order) -> OrderStatus:
    return (await shop.orders.get(SYSTEM, order.id)).status


async def _status_notices(shop: Shop, order: Order) -> int:
    return await shop.store.notifications.count_documents(
        {"kind": "order_status", "orderId": order.id}
    )


@pytest.fixture
async def delivering(shop: Shop, bot_settings: BotSettings) -> AsyncIterator[None]:
    async with working(shop, bot_settings):
        yield


Operators = tuple[FakeUser, FakeUser, FakeGroup]


@pytest.fixture
async def operators(
    shop: Shop,
    sandbox_server: SandboxServer,
    running_bot: None,
    delivering: None,
    operator: Customer,
) -> Operators:
    """Two operators, Olga and Petr, in the operators' group (``OPERATOR_CHAT_ID``)."""
    olga, _ = await operator("Olga")
    petr, _ = await operator("Petr")
    group = FakeGroup.create(sandbox_server.sandbox, "Operators", [olga, petr])
    shop.outbox.operator_chat_id = group.id
    return olga, petr, group


async def _card(chat: FakeGroup | FakeUser, order: Order) -> Message:
    return await chat.wait_for(lambda m: f"New order #{order.number}" in (m.text or ""))


async def test_a_new_order_card_in_the_operators_group_moves_the_order_and_tells_the_customer(
    shop: Shop, operators: Operators, customer: Customer, new_product: Callable[..., Any]
) -> None:
    olga, petr, group = operators
    buyer, account = await customer("Dora")
    order = await _order(shop, account, await new_product(name="Tea <b>", price=450), 2)

    card = await _card(group, order)
    assert (card.text or "").splitlines()[:5] == [
        f"New order #{order.number}: $9.00",
        f"Customer: Dora, {account.email}",
        "",
        "Tea <b> x 2 = $9.00",
        "",
    ]
    assert "Status: pending" in (card.text or "")
    assert _buttons(card) == ["✅ Mark paid", "✖ Cancel"]

    await olga.press("✅ Mark paid", message_id=card.message_id, chat_id=group.id, wait_edit=True)
    moved = group.chat.messages[card.message_id]
    assert "Status: paid, set by Olga (operator) at " in (moved.text or "")
    assert _buttons(moved) == ["🚚 Shipped", "✖ Cancel"]
    notice = await buyer.wait_for(lambda m: "is now paid" in (m.text or ""))
    assert f"#{order.number} ($9.00) is now paid" in (notice.text or "")

    await petr.press("🚚 Shipped", message_id=card.message_id, chat_id=group.id, wait_edit=True)
    shipped = group.chat.messages[card.message_id]
    assert "Status: shipped, set by Petr (operator)" in (shipped.text or "")
    assert _buttons(shipped) == []  # nothing follows shipped
    await buyer.wait_for(lambda m: "is now shipped" in (m.text or ""))
    assert [m.text for m in buyer.bot_messages if "is now" in (m.text or "")] == [
        notice.text,
        f"Your order #{order.number} ($9.00) is now shipped.",
    ]  # each change told once
    assert await _status_notices(shop, order) == 2
    assert [m.message_id for m in group.bot_messages] == [card.message_id]  # edited in place
    assert (shipped.text or "").startswith(f"Order #{order.number}: $9.00\n")


async def test_two_operators_pressing_at_once_make_one_change(
    shop: Shop,
    sandbox_server: SandboxServer,
    operators: Operators,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    olga, petr, group = operators
    buyer, account = await customer("Dora")
    order = await _order(shop, account, await new_product())
    card = await _card(group, order)

    answers = await asyncio.gather(
        *(
            player.press("✅ Mark paid", message_id=card.message_id, chat_id=group.id)
            for player in (olga, petr)
        )
    )

    assert sorted(answer.text or "" for answer in answers) == ["", MOVED]
    await group.wait_for(lambda m: m.message_id == card.message_id and "paid" in (m.text or ""))
    final = group.chat.messages[card.message_id]
    assert "Status: paid, set by " in (final.text or "")
    assert _buttons(final) == ["🚚 Shipped", "✖ Cancel"]
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None
    assert [change["to"] for change in stored["history"]] == ["pending", "paid"]
    await buyer.wait_for(lambda m: "is now paid" in (m.text or ""))
    assert await _status_notices(shop, order) == 1
    assert [c for c in sandbox_server.sandbox.calls if c.status >= 400] == []  # one redraw sent


Backlog = tuple[FakeUser, User, list[Order]]


@pytest.fixture
async def backlog(
    shop: Shop,
    running_bot: None,
    customer: Customer,
    operator: Customer,
    new_product: Callable[..., Any],
) -> Backlog:
    """Olga, an operator, and three pending orders of Dora's, oldest first."""
    olga, _ = await operator("Olga")
    _, account = await customer("Dora")
    product = await new_product(name="Tea", price=450)
    return olga, account, [await _order(shop, account, product) for _ in range(3)]


async def test_the_staff_menu_lists_orders_by_status_opens_one_and_moves_it(
    shop: Shop, backlog: Backlog
) -> None:
    olga, account, orders = backlog
    await shop.staff.move(
        SYSTEM, orders[0].id, OrderStatus.CANCELLED, orders[0].version, Channel.TELEGRAM
    )

    menu = await olga.send("/staff")
    assert menu is not None
    assert "Orders: 2 pending, 0 paid, 0 shipped, 1 cancelled." in (menu.text or "")
    assert _buttons(menu) == ["Pending", "Paid", "Shipped", "Cancelled", "📣 Broadcast"]

    listed = await _tap(olga, "Pending")
    assert "Orders pending" in (listed.text or "") and "page 1 of 1" in (listed.text or "")
    newest = f"#{orders[2].number} · $4.50 · pending"
    assert _buttons(listed) == [newest, f"#{orders[1].number} · $4.50 · pending", "« Staff menu"]

    details = await _tap(olga, newest)
    text = details.text or ""
    assert (
        f"Order #{orders[2].number}: $4.50" in text and f"Customer: Dora, {account.email}" in text
    )
    assert "History" in text and "pending by Dora" in text
    assert _buttons(details) == ["✅ Mark paid", "✖ Cancel", "« Orders pending", "« Staff menu"]

    paid = await _tap(olga, "✅ Mark paid")
    assert "Status: paid, set by Olga (operator)" in (paid.text or "")
    assert "paid by Olga (operator)" in (paid.text or "")  # and in the history
    assert await _status(shop, orders[2]) is OrderStatus.PAID

    back = await _tap(olga, "« Orders pending")
    assert _buttons(back) == [f"#{orders[1].number} · $4.50 · pending", "« Staff menu"]
    await _tap(olga, "« Staff menu")
    cancelled = await _tap(olga, "Cancelled")
    assert _buttons(cancelled) == [f"#{orders[0].number} · $4.50 · cancelled", "« Staff menu"]


async def test_orders_by_status_page_by_page(backlog: Backlog) -> None:
    olga, _, orders = backlog
    await olga.send("/staff")

    first = await _tap(olga, "Pending")
    assert "page 1 of 2" in (first.text or "") and "▶" in _buttons(first)
    second = await _tap(olga, "▶")
    assert "page 2 of 2" in (second.text or "")
    assert [b for b in _buttons(second) if b.startswith("#")] == [
        f"#{orders[0].number} · $4.50 · pending"
    ]


async def _tap(player: FakeUser, button: str) -> Message:
    query = await player.press(button, wait_edit=True)
    return player.chat.messages[query.message_id]


# -- refusals: core checks every staff button against the presser's role as it is now -----


async def test_a_customer_pressing_a_forged_staff_button_is_refused(
    shop: Shop, running_bot: None, customer: Customer, new_product: Callable[..., Any]
) -> None:
    player, account = await customer("Mallory")
    order = await _order(shop, account, await new_product())
    await player.send("/start")

    forged = StaffMove(order_id=str(order.id), status=OrderStatus.PAID, version=order.version)
    answer = await player.send_callback(forged.pack())
    menu = await player.send_callback(StaffMenu().pack())
    typed = await player.send("/staff")

    assert (answer.text, answer.show_alert) == (FORBIDDEN, True)
    assert menu.text == FORBIDDEN and typed is not None and typed.text == FORBIDDEN
    assert await _status(shop, order) is OrderStatus.PENDING
    assert await _status_notices(shop, order) == 0


async def test_a_demoted_operator_pressing_an_old_card_is_refused(
    shop: Shop,
    running_bot: None,
    delivering: None,
    customer: Customer,
    operator: Customer,
    new_product: Callable[..., Any],
) -> None:
    """Without an operators' chat the card goes to each operator's private chat."""
    olga, staff_account = await operator("Olga")
    _, account = await customer("Dora")
    order = await _order(shop, account, await new_product())
    card = await _card(olga, order)
    await shop.accounts.set_role(SYSTEM, staff_account.id, Role.USER)

    answer = await olga.press("✅ Mark paid", message_id=card.message_id)

    assert (answer.text, answer.show_alert) == (FORBIDDEN, True)
    assert olga.chat.messages[card.message_id].text == card.text  # the card is left alone
    assert await _status(shop, order) is OrderStatus.PENDING
    assert await _status_notices(shop, order) == 0


async def test_group_members_who_are_not_staff_are_refused(
    shop: Shop,
    sandbox_server: SandboxServer,
    operators: Operators,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    new_product: Callable[..., Any],
) -> None:
    _, _, group = operators
    shopper, _ = await customer("Sam")  # has an account, as a customer
    stranger = make_user("Eve")  # never signed up
    for member in (shopper, stranger):
        sandbox_server.sandbox.set_member(group.id, member.id)
    _, account = await customer("Dora")
    order = await _order(shop, account, await new_product())
    card = await _card(group, order)

    answers = [
        await player.press("✖ Cancel", message_id=card.message_id, chat_id=group.id)
        for player in (shopper, stranger)
    ]

    assert [(a.text, a.show_alert) for a in answers] == [(FORBIDDEN, True), (ONLY_STAFF, True)]
    assert group.chat.messages[card.message_id].text == card.text
    assert await _status(shop, order) is OrderStatus.PENDING
    assert await shop.store.products.find_one({"stock": {"$ne": 9}}) is None  # not restocked


async def test_a_card_another_operator_moved_is_not_redrawn_as_it_is(
    shop: Shop,
    sandbox_server: SandboxServer,
    operators: Operators,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    olga, petr, group = operators
    _, account = await customer("Dora")
    order = await _order(shop, account, await new_product())
    card = await _card(group, order)
    mark_paid = card.button("✅ Mark paid")
    assert mark_paid is not None and mark_paid.callback_data is not None
    await olga.press("✅ Mark paid", message_id=card.message_id, chat_id=group.id, wait_edit=True)
    shown = group.chat.messages[card.message_id].text

    late = await petr.send_callback(  # pressed before Olga's edit reached Petr's app
        mark_paid.callback_data, message_id=card.message_id, chat_id=group.id
    )

    assert (late.text, late.show_alert) == (MOVED, True)
    assert group.chat.messages[card.message_id].text == shown
    assert [c for c in sandbox_server.sandbox.calls if c.status >= 400] == []
