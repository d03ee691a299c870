"""Customers' data: what the shop keeps about a customer, and erasing it (core/privacy)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.commands import Credentials, LanguageChoice, PasswordChange, TelegramSignup
from core.accounts.errors import AuthenticationFailed, BadToken
from core.accounts.models import Language, Role, User
from core.base import clock
from core.base.commands import HistoryQuery, parse
from core.base.errors import Forbidden
from core.catalog.commands import ProductDraft
from core.catalog.models import Product
from core.messaging.models import ORDER_CARDS, NoticeKind
from core.messaging.notifications import NotificationQueue
from core.privacy.erasure import CUSTOMER_KINDS, Privacy
from core.privacy.errors import DeliveryOutstanding, StaffAccount
from core.privacy.models import ERASED
from core.sales.commands import CartChange, DeliveryDetails, StatusUpdate
from core.sales.models import Order, OrderStatus
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.shop import Shop
from core.store import Store
from tests.core.crashes import (
    BULK_WRITES,
    LEASE,
    WRITES,
    DyingCollection,
    WriteBudget,
    dying_store,
    run_until_killed,
    stock_on,
)
from tests.core.paying import SHOPS, STAFF, payment_of
from tests.settings import ADDRESS, DELIVERY_METHODS

FSM = "bot_fsm"
COURIER = {"method": "courier", "phone": "+44 20 7946 0958", "address": "1 High St, London"}


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"delivery_methods": DELIVERY_METHODS, **SHOPS["provider"]}


@dataclass
class Customer:
    user: User
    telegram_id: int
    email: str
    shipped: Order
    pending: Order
    tea: Product


async def _customer(shop: Shop) -> Customer:
    """A Telegram customer with a bit of everything: a paid and shipped courier order, a
    pending pickup order, a cart, a form half filled in (in their chat and in a group) and
    notices queued."""
    telegram_id = uuid.uuid4().int % 10**9 + 1
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    user = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=telegram_id, name="Alice Liddell", email=email)
    )
    await shop.users.set_language(user.id, LanguageChoice(language=Language.RU))
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450, stock=10))
    courier = parse(DeliveryDetails, {**COURIER, "note": "Gate 4, ring twice"})
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=1))
    shipped = await shop.checkout.place_order(user.id, delivery=courier)
    await shop.payments.record(user.id, payment_of(shipped, charge=f"charge-{telegram_id}"))
    shipped = await shop.orders.change_status(STAFF, shipped.id, StatusUpdate(status="shipped"))
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=2))
    pickup = parse(DeliveryDetails, {"method": "pickup", "phone": "+44 20 7946 0959"})
    pending = await shop.checkout.place_order(user.id, delivery=pickup)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=3))
    cake = await shop.catalog.create(SYSTEM, ProductDraft(name="Cake", price=300, stock=0))
    assert await shop.restock_alerts.watch(user.id, cake.id)  # "🔔 Notify me"
    fsm = shop.store.users.database[FSM]
    await fsm.insert_many(
        [
            {"_id": f"fsm:{telegram_id}:{telegram_id}", "state": "Form:phone", "data": {"a": 1}},
            {"_id": f"fsm:-1001:{telegram_id}", "state": None, "data": {"draft": "Hi all"}},
            {"_id": f"fsm:{telegram_id}1:{telegram_id}1", "state": "Other:user", "data": {}},
        ]
    )
    return Customer(await shop.users.get(user.id), telegram_id, email, shipped, pending, tea)


async def _stock(shop: Shop, product: Product) -> int:
    return (await shop.catalog.get(product.id)).stock


async def test_the_export_lists_everything_the_shop_keeps(shop: Shop) -> None:
    alice = await _customer(shop)
    data = await shop.privacy.export(Actor.of(alice.user), alice.user.id)

    account = data.account
    assert (account.name, account.email, account.telegram_id, account.language) == (
        "Alice Liddell",
        alice.email,
        alice.telegram_id,
        Language.RU,
    )
    assert account.last_delivery is not None
    assert (account.last_delivery.recipient_name, account.last_delivery.phone) == (
        "Alice Liddell",
        "+442079460959",
    )
    assert data.cart is not None
    assert [(line.product_id, line.quantity) for line in data.cart.products] == [(alice.tea.id, 3)]
    assert sorted((str(c.state), c.data) for c in data.conversations) == [
        ("Form:phone", {"a": 1}),
        ("None", {"draft": "Hi all"}),
    ]
    assert [order.number for order in data.orders] == [alice.shipped.number, alice.pending.number]
    delivered = data.orders[0].delivery
    assert delivered is not None
    assert (delivered.phone, delivered.address, delivered.note) == (
        "+442079460958",
        "1 High St, London",
        "Gate 4, ring twice",
    )
    assert {notice.kind.value for notice in data.queued_notices} == {"order_status"}
    assert len(data.restock_requests) == 1  # the cake it waits for
    assert not data.erased
    dumped = data.model_dump(mode="json", by_alias=True)
    assert "passwordHash" not in dumped["account"]


async def test_erasure_clears_every_personal_field_and_keeps_the_accounts(shop: Shop) -> None:
    alice = await _customer(shop)
    stock_before = await _stock(shop, alice.tea)

    report = await shop.privacy.erase(Actor.of(alice.user), alice.user.id)

    assert report.erased
    assert report.cancelled_orders == (alice.pending.number,)
    assert report.kept_orders == (alice.shipped.number, alice.pending.number)
    assert await _stock(shop, alice.tea) == stock_before + 2  # the pending order's, back
    await _assert_erased(shop, alice)


async def _assert_erased(shop: Shop, alice: Customer) -> None:
    """Nothing personal is left of ``alice``; her orders are, for the accounts."""
    oid = alice.user.id
    account = await shop.store.users.find_one({"_id": oid})
    assert account is not None
    assert account["name"] == ERASED
    assert alice.email not in str(account)
    for gone in ("telegramId", "language", "lastDelivery", "journal"):
        assert gone not in account
    assert account["active"] is False and account["passwordHash"] is None
    assert "Alice" not in str(account)
    assert await shop.store.carts.find_one({"userId": oid}) is None
    assert await shop.store.restock_subscriptions.find_one({"userId": oid}) is None
    fsm = shop.store.users.database[FSM]
    ids = {document["_id"] async for document in fsm.find()}
    assert not {i for i in ids if i.endswith(f":{alice.telegram_id}")}
    assert f"fsm:{alice.telegram_id}1:{alice.telegram_id}1" in ids  # another user's
    notices = await shop.store.notifications.find({"userId": oid}).to_list()
    assert notices
    assert {n["state"] for n in notices} <= {"cancelled", "sent"}
    assert {n["chatId"] for n in notices} == {0}

    shipped = await shop.store.orders.find_one({"_id": alice.shipped.id})
    pending = await shop.store.orders.find_one({"_id": alice.pending.id})
    assert shipped is not None and pending is not None
    assert "Alice" not in str([shipped, pending]) and "+44" not in str([shipped, pending])
    assert "High St" not in str(shipped) and "Gate 4" not in str(shipped)
    kept = Order.model_validate(shipped)
    assert kept.delivery is not None
    assert (kept.delivery.recipient_name, kept.delivery.phone, kept.delivery.address) == (
        ERASED,
        ERASED,
        ERASED,
    )
    assert (kept.delivery.method, kept.delivery.fee) == ("courier", 500)
    assert kept.status is OrderStatus.SHIPPED
    assert kept.total_amount == alice.shipped.total_amount
    assert kept.products == alice.shipped.products
    assert kept.payment.telegram_payment_charge_id == f"charge-{alice.telegram_id}"
    assert kept.payment.provider_payment_charge_id is not None
    cancelled = Order.model_validate(pending)
    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.delivery is not None and cancelled.delivery.address is None
    assert await shop.store.users.count_documents({"journal": {"$exists": True}}) == 0
    assert await shop.store.orders.count_documents({"journal": {"$exists": True}}) == 0


async def test_the_customer_can_come_back_as_a_new_one_and_the_old_account_is_closed(
    shop: Shop,
) -> None:
    alice = await _customer(shop)
    password = "correct horse"
    await shop.users.change_password(
        alice.user.id, PasswordChange(new_password=password), address=ADDRESS
    )
    _, issued = await shop.users.log_in(
        Credentials(email=alice.email, password=password), address=ADDRESS
    )

    await shop.privacy.erase(Actor.of(alice.user), alice.user.id)

    with pytest.raises(BadToken):
        await shop.users.from_token(issued.token)
    with pytest.raises(AuthenticationFailed):
        await shop.users.log_in(Credentials(email=alice.email, password=password), address=ADDRESS)
    assert await shop.users.by_telegram(alice.telegram_id) is None
    again = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=alice.telegram_id, name="Alice", email=alice.email)
    )
    assert again.id != alice.user.id
    assert (again.last_delivery, again.language) == (None, None)
    assert (await shop.carts.view(again.id)).is_empty
    assert (await shop.orders.history(again.id, HistoryQuery())).total == 0
    await shop.carts.add(again.id, CartChange(product_id=alice.tea.id, quantity=1))
    pickup = parse(DeliveryDetails, {"method": "pickup", "phone": "+44 20 7946 0959"})
    assert (await shop.checkout.place_order(again.id, delivery=pickup)).user_id == again.id


async def test_a_second_erasure_finds_nothing_more_and_changes_nothing(shop: Shop) -> None:
    alice = await _customer(shop)
    await shop.privacy.erase(Actor.of(alice.user), alice.user.id)
    before = await _everything_of(shop, alice.user.id)

    again = await shop.privacy.erase(SYSTEM, alice.user.id)

    assert not again.erased
    assert again.cancelled_orders == ()
    assert again.kept_orders == (alice.shipped.number, alice.pending.number)
    assert await _everything_of(shop, alice.user.id) == before
    assert (await shop.privacy.export(SYSTEM, alice.user.id)).erased


async def _everything_of(shop: Shop, oid: ObjectId) -> list[Any]:
    store = shop.store
    return [
        await store.users.find_one({"_id": oid}),
        await store.orders.find({"userId": oid}).to_list(),
        await store.notifications.find({"userId": oid}).to_list(),
        await store.users.database[FSM].find().to_list(),
    ]


async def test_paid_orders_still_to_deliver_hold_the_erasure_back(shop: Shop) -> None:
    alice = await _customer(shop)
    paid = alice.pending
    await shop.payments.record(alice.user.id, payment_of(paid))
    before = await _everything_of(shop, alice.user.id)

    with pytest.raises(DeliveryOutstanding) as refused:
        await shop.privacy.erase(Actor.of(alice.user), alice.user.id)

    assert refused.value.numbers == (paid.number,)
    assert f"#{paid.number}" in refused.value.message
    assert await _everything_of(shop, alice.user.id) == before
    await shop.orders.change_status(STAFF, paid.id, StatusUpdate(status="shipped"))
    assert (await shop.privacy.erase(Actor.of(alice.user), alice.user.id)).erased


async def test_only_the_customer_or_an_admin_sees_and_erases_their_data(shop: Shop) -> None:
    alice, bob = await _customer(shop), await _customer(shop)
    operator = Actor(ObjectId(), Role.OPERATOR)
    for actor in (Actor.of(bob.user), operator):
        with pytest.raises(Forbidden):
            await shop.privacy.export(actor, alice.user.id)
        with pytest.raises(Forbidden):
            await shop.privacy.erase(actor, alice.user.id)
    assert (await shop.users.get(alice.user.id)).name == "Alice Liddell"
    admin = Actor(ObjectId(), Role.ADMIN)
    assert (await shop.privacy.export(admin, alice.user.id)).account.id == alice.user.id
    assert (await shop.privacy.erase(admin, alice.user.id)).erased


async def test_a_staff_account_is_not_erased(shop: Shop) -> None:
    alice = await _customer(shop)
    await shop.accounts.set_role(SYSTEM, alice.user.id, Role.OPERATOR)
    with pytest.raises(StaffAccount):
        await shop.privacy.erase(SYSTEM, alice.user.id)
    assert (await shop.users.get(alice.user.id)).telegram_id == alice.telegram_id


async def test_erasure_is_logged_with_who_and_whom_and_nothing_personal(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await _customer(shop)
    admin = Actor(ObjectId(), Role.ADMIN)
    with caplog.at_level("INFO", logger="core.privacy.erasure"):
        await shop.privacy.erase(admin, alice.user.id)
    [line] = [r for r in caplog.records if r.name == "core.privacy.erasure"]
    assert (line.customer, line.by) == (str(alice.user.id), str(admin.user_id))  # type: ignore[attr-defined]
    written = line.getMessage() + str(vars(line))
    for personal in ("Alice", alice.email, str(alice.telegram_id), "+44"):
        assert personal not in written


def _privacy_on(shop: Shop, store: Store, budget: WriteBudget) -> Privacy:
    queue = NotificationQueue(store, LEASE)
    orders = Orders(store, Outbox(store, queue, None), stock_on(store), LEASE)
    fsm = DyingCollection(shop.store.users.database[FSM], budget, WRITES | BULK_WRITES)
    return Privacy(store, orders, fsm, LEASE)  # type: ignore[arg-type]


@pytest.mark.parametrize("rerun", ["recovery", "request"])
async def test_an_erasure_killed_at_every_write_completes_when_run_again(
    shop: Shop, rerun: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed at each write in turn; then either recovery carries it on once its lease ran
    out, or the customer asks again (after the lease): either way it completes."""
    for writes in itertools.count():
        alice = await _customer(shop)
        stock_before = await _stock(shop, alice.tea)
        budget = WriteBudget(writes)
        privacy = _privacy_on(shop, dying_store(shop.store, budget, bulk=True), budget)
        if not await run_until_killed(lambda: privacy.erase(Actor.of(alice.user), alice.user.id)):  # noqa: B023
            break
        later = clock.now() + LEASE + timedelta(seconds=1)
        if rerun == "request":
            with monkeypatch.context() as patched:
                patched.setattr(clock, "now", lambda: later)  # noqa: B023
                report = await shop.privacy.erase(Actor.of(alice.user), alice.user.id)
            assert report.kept_orders == (alice.shipped.number, alice.pending.number)
        await shop.recover(later)  # a restock the kill left half done, say
        started = writes > 0  # the first write opens the erasure's journal
        if started or rerun == "request":
            await _assert_erased(shop, alice)
        final = await shop.privacy.erase(SYSTEM, alice.user.id)  # asked (once more)
        assert final.erased is (not started and rerun == "recovery")
        await _assert_erased(shop, alice)
        assert await _stock(shop, alice.tea) == stock_before + 2
    assert writes > 10  # every step of it was killed once


def test_every_kind_of_notice_is_the_customers_or_the_operators() -> None:
    """A new kind must be sorted: a customer's is cancelled on erasure, the rest is not."""
    operators = ORDER_CARDS | {NoticeKind.LOW_STOCK}
    assert set(CUSTOMER_KINDS) | operators == set(NoticeKind)
    assert not set(CUSTOMER_KINDS) & operators


async def test_an_order_placed_while_the_erasure_runs_is_cancelled_and_keeps_nothing(
    shop: Shop,
) -> None:
    """A checkout already under way when the customer asked (the API and the bot at once)
    places its order between the check and the commit: it is cancelled and anonymised too,
    and its delivery details are not saved on the closed account."""
    alice = await _customer(shop)
    await shop.privacy.erase(SYSTEM, alice.user.id)  # nothing pending any more ...
    bob = await _customer(shop)
    await shop.orders.change_status(STAFF, bob.pending.id, StatusUpdate(status="cancelled"))
    budget = WriteBudget(100, stall_at=1)  # ... so write 1 is the commit: hold it there
    privacy = _privacy_on(shop, dying_store(shop.store, budget, bulk=True), budget)
    erasing = asyncio.create_task(privacy.erase(Actor.of(bob.user), bob.user.id))
    await budget.stalled.wait()
    courier = parse(DeliveryDetails, {**COURIER, "phone": "+44 20 7946 0960"})
    late = await shop.checkout.place_order(bob.user.id, delivery=courier)
    budget.resume.set()
    report = await erasing

    assert report.cancelled_orders == (late.number,)
    stored = await shop.store.orders.find_one({"_id": late.id})
    assert stored is not None and stored["status"] == "cancelled"
    assert "+442079460960" not in str(stored) and "High St" not in str(stored)
    account = await shop.store.users.find_one({"_id": bob.user.id})
    assert account is not None and "lastDelivery" not in account
    assert late.delivery is not None
    await shop.delivery.remember(bob.user.id, late.delivery, clock.now())  # a settle after
    assert "lastDelivery" not in (await shop.store.users.find_one({"_id": bob.user.id}) or {})
