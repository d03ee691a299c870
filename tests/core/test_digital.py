"""Digital goods in core: key pools (sealed, stock = free keys), delivery once per unit
under concurrency, redelivered payments and crashes, returns on refunds, files, and
Telegram's rule that digital goods are paid in Stars only."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role, User
from core.base import clock
from core.base.errors import NotFound
from core.catalog.commands import MAX_STOCK, ImportOptions, ProductDraft, ProductPatch
from core.catalog.errors import StockFromKeys
from core.catalog.models import GoodsKind, Product
from core.digital.commands import KeyListQuery
from core.digital.delivery import Deliveries
from core.digital.errors import InvalidKeys, KeyNotReturned, OtherGoods, StarsOnly
from core.digital.models import KeyState
from core.digital.pool import KeyPool, Restocked
from core.digital.sealing import Sealer
from core.messaging.models import NoticeKind
from core.messaging.notifications import NotificationQueue
from core.sales.commands import CartChange, StatusUpdate
from core.sales.errors import OutOfStock, PaymentRefused, Unpayable
from core.sales.models import Order, OrderStatus, PaymentMethod, PaymentOutcome, PaymentState
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.sales.payments import Payments
from core.shop import Shop
from core.store import Store
from tests.core.crashes import LEASE, dying_store, run_until_killed, stock_on
from tests.core.paying import SHOPS, STAFF, payment_of, stored_order, telegram_customer
from tests.sheets import csv_file

ADMIN = Actor(None, Role.ADMIN)


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {**SHOPS["stars"], "lease_seconds": 60}


async def _key_product(shop: Shop, keys: list[str], price: int = 10) -> Product:
    product = await shop.catalog.create(SYSTEM, ProductDraft(name="Game key", price=price, stock=0))
    await shop.keys.add_text(ADMIN, product.id, "\n".join(keys))
    return await shop.catalog.get(product.id)


async def _order(shop: Shop, user: User, product: Product, quantity: int = 1) -> Order:
    await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=quantity))
    return await shop.checkout.place_order(user.id)


async def _pay(shop: Shop, user: User, order: Order, charge: str | None = None) -> PaymentOutcome:
    return await shop.payments.record(user.id, payment_of(order, charge))


async def _keys_of(shop: Shop, order: Order) -> list[str]:
    return [shop.keys.open(key) for key in await shop.keys.of_order(order.id)]


async def _goods_notices(shop: Shop, order: Order | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"kind": NoticeKind.GOODS.value}
    if order is not None:
        query["orderId"] = order.id
    return await shop.store.notifications.find(query).to_list()


def _restocked(shop: Shop) -> Restocked:
    return Restocked(shop.stock_alerts, shop.restock_alerts)


async def _assert_pool_matches_stock(shop: Shop, product: Product) -> None:
    counts = await shop.keys.counts(ADMIN, product.id)
    assert counts.stock == counts.free


# -- the pool ------------------------------------------------------------------------------


async def test_uploaded_keys_are_the_stock_sealed_and_each_once(shop: Shop) -> None:
    product = await _key_product(shop, ["AAAA-1111", "BBBB-2222", "AAAA-1111", ""])
    assert product.digital is not None and product.digital.kind is GoodsKind.KEYS
    assert product.stock == 2
    report = await shop.keys.add_text(ADMIN, product.id, "key\nBBBB-2222\nCCCC-3333, note\n")
    assert (report.added, report.duplicates) == (1, 1)
    assert (report.pool.free, report.pool.stock) == (3, 3)
    raw = await shop.store.goods_keys.find().to_list()
    dump = repr(raw)
    for secret in ("AAAA-1111", "BBBB-2222", "CCCC-3333"):
        assert secret not in dump  # a database dump alone is no list of keys
    listed = await shop.keys.listing(ADMIN, product.id, KeyListQuery(secrets=True))
    assert sorted(k.secret or "" for k in listed.items) == ["AAAA-1111", "BBBB-2222", "CCCC-3333"]
    hidden = await shop.keys.listing(ADMIN, product.id, KeyListQuery())
    assert {k.secret for k in hidden.items} == {None}


async def test_a_key_products_stock_follows_its_keys_only(shop: Shop) -> None:
    product = await _key_product(shop, ["K1", "K2"])
    for patch in (ProductPatch(stock=5), ProductPatch(stock_delta=1)):
        with pytest.raises(StockFromKeys):
            await shop.catalog.update(ADMIN, product.id, patch)
    same = await shop.catalog.update(ADMIN, product.id, ProductPatch(stock=2, name="Game"))
    assert (same.stock, same.name) == (2, "Game")  # a form sending every field still saves


async def test_an_import_may_not_change_a_key_products_stock(shop: Shop) -> None:
    draft = ProductDraft(name="Game", price=5, stock=0, sku="GAME-1")
    product = await shop.catalog.create(SYSTEM, draft)
    await shop.keys.add_text(ADMIN, product.id, "K1\nK2")
    same = csv_file(["GAME-1", "Game", "", "5", 2, "", "", ""])
    report = await shop.imports.run(ADMIN, same, ImportOptions())
    assert report.unchanged == 1
    more = csv_file(["GAME-1", "Game", "", "5", 9, "", "", ""])
    refused = await shop.imports.run(ADMIN, more, ImportOptions(partial=True))
    assert [p.reason for p in refused.problems] == ["stock-from-keys"]
    assert (await shop.catalog.get(product.id)).stock == 2


async def test_a_bad_upload_adds_nothing(shop: Shop) -> None:
    product = await _key_product(shop, ["ONE"])
    with pytest.raises(InvalidKeys):
        await shop.keys.add_text(ADMIN, product.id, "TWO\n" + "x" * 600)
    with pytest.raises(InvalidKeys):
        await shop.keys.add_text(ADMIN, product.id, "\n \n")
    assert (await shop.keys.counts(ADMIN, product.id)).free == 1
    file_product = await shop.catalog.create(SYSTEM, ProductDraft(name="E-book", price=5, stock=0))
    await shop.goods_files.attach(ADMIN, file_product.id, "book.pdf", b"%PDF-1.4 ...")
    with pytest.raises(OtherGoods):
        await shop.keys.add_text(ADMIN, file_product.id, "ABC-123")


async def test_a_shop_without_stars_sells_no_digital_goods(
    shop: Shop, core_overrides: dict[str, Any]
) -> None:
    plain = Shop.build(shop.settings.model_copy(update={"payment_methods": ()}), shop.client)
    product = await plain.catalog.create(SYSTEM, ProductDraft(name="Key", price=5, stock=0))
    with pytest.raises(StarsOnly):
        await plain.keys.add_text(ADMIN, product.id, "KEY-1")
    with pytest.raises(StarsOnly):
        await plain.goods_files.attach(ADMIN, product.id, "a.txt", b"hello")
    assert (await plain.catalog.get(product.id)).digital is None


# -- delivery once -------------------------------------------------------------------------


async def test_fifty_buyers_of_ten_keys_get_ten_different_keys(shop: Shop) -> None:
    keys = [f"KEY-{n:04d}" for n in range(10)]
    product = await _key_product(shop, keys)
    buyers = [await telegram_customer(shop, f"Buyer {n}") for n in range(50)]
    for buyer in buyers:
        await shop.carts.add(buyer.id, CartChange(product_id=product.id, quantity=1))
    placed = await asyncio.gather(
        *(shop.checkout.place_order(buyer.id) for buyer in buyers), return_exceptions=True
    )
    orders = [o for o in placed if isinstance(o, Order)]
    assert len(orders) == 10
    assert all(isinstance(o, OutOfStock) for o in placed if not isinstance(o, Order))
    by_user = {buyer.id: buyer for buyer in buyers}
    # every payment delivered twice at once (a redelivered update, two bot processes)
    outcomes = await asyncio.gather(
        *(
            _pay(shop, by_user[order.user_id], order, f"charge-{order.id}")
            for order in orders
            for _ in range(2)
        )
    )
    assert sorted(outcomes).count(PaymentOutcome.PAID) == 10
    delivered = {order.id: await _keys_of(shop, order) for order in orders}
    assert all(len(k) == 1 for k in delivered.values())
    assert sorted(k for ks in delivered.values() for k in ks) == keys
    for order in orders:
        [notice] = await _goods_notices(shop, order)
        assert notice["chatId"] == by_user[order.user_id].telegram_id
        assert delivered[order.id][0] not in repr(notice)  # the notice holds no key
        line = await shop.deliveries.line_goods(_as_notice(notice))
        assert line.keys == tuple(delivered[order.id])
        assert (await stored_order(shop, order)).goods_sent_at is not None
    counts = await shop.keys.counts(ADMIN, product.id)
    assert (counts.free, counts.taken, counts.stock) == (0, 10, 0)


def _as_notice(document: dict[str, Any]) -> Any:
    from core.messaging.models import NOTIFICATION

    return NOTIFICATION.validate_python(document)


async def test_two_relays_of_one_payment_take_one_key_per_unit(shop: Shop) -> None:
    product = await _key_product(shop, [f"K{n}" for n in range(6)])
    alice = await telegram_customer(shop)
    order = await _order(shop, alice, product, quantity=3)
    await _pay(shop, alice, order)
    document = await shop.store.orders.find_one({"_id": order.id})
    assert document is not None
    entry = {"id": "again", "kind": "goods_send"}
    again = await asyncio.gather(*(shop.deliveries.send(document, entry) for _ in range(4)))
    assert {n["_id"] for batch in again for n in batch} == {f"goods:{order.id}:0"}
    assert len(set(await _keys_of(shop, order))) == 3
    assert (await shop.keys.counts(ADMIN, product.id)).free == 3
    assert len(await _goods_notices(shop, order)) == 1


async def test_the_buyer_and_admins_see_the_keys_nobody_else(shop: Shop) -> None:
    product = await _key_product(shop, ["SECRET-1"])
    alice, bob = await telegram_customer(shop), await telegram_customer(shop, "Bob")
    order = await _order(shop, alice, product)
    with pytest.raises(NotFound):  # not paid: nothing sent yet
        await shop.deliveries.goods_of(Actor.of(alice), order.id)
    await _pay(shop, alice, order)
    mine = await shop.deliveries.goods_of(Actor.of(alice), order.id)
    assert mine.lines[0].keys == ("SECRET-1",)
    assert (await shop.deliveries.goods_of(ADMIN, order.id)).lines[0].keys == ("SECRET-1",)
    for stranger in (Actor.of(bob), STAFF):
        with pytest.raises(NotFound):
            await shop.deliveries.goods_of(stranger, order.id)
    listed = await shop.orders.search(STAFF, _all_orders())
    assert "SECRET-1" not in listed.model_dump_json()


def _all_orders() -> Any:
    from core.sales.commands import OrderQuery

    return OrderQuery()


async def test_a_customer_whose_goods_were_sent_may_erase_their_data(shop: Shop) -> None:
    product = await _key_product(shop, ["K1"])
    alice = await telegram_customer(shop)
    order = await _order(shop, alice, product)
    await _pay(shop, alice, order)
    report = await shop.privacy.erase(Actor.of(alice), alice.id)
    assert report.erased and report.kept_orders == (order.number,)
    assert (await stored_order(shop, order)).status is OrderStatus.PAID  # the sale stands


# -- returns and refunds -------------------------------------------------------------------


async def test_a_refunded_orders_key_is_returned_until_staff_put_it_back(shop: Shop) -> None:
    product = await _key_product(shop, ["K1", "K2"])
    alice = await telegram_customer(shop)
    order = await _order(shop, alice, product)
    await _pay(shop, alice, order)
    [key] = await shop.keys.of_order(order.id)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.CANCELLED))
    cancelled = await stored_order(shop, order)
    assert cancelled.payment.state is PaymentState.REFUND_DUE
    assert await shop.store.refunds.count_documents({"orderId": order.id}) == 1  # Stars back
    counts = await shop.keys.counts(ADMIN, product.id)
    assert (counts.free, counts.returned, counts.stock) == (1, 1, 1)  # not sold again
    with pytest.raises(NotFound):
        await shop.deliveries.goods_of(Actor.of(alice), order.id)
    with pytest.raises(KeyNotReturned):
        free = await shop.store.goods_keys.find_one({"state": KeyState.FREE.value})
        assert free is not None
        await shop.keys.put_back(ADMIN, product.id, free["_id"])
    counts = await shop.keys.put_back(ADMIN, product.id, key["_id"])
    assert (counts.free, counts.returned, counts.stock) == (2, 0, 2)
    bob = await telegram_customer(shop, "Bob")
    second = await _order(shop, bob, product, quantity=2)
    await _pay(shop, bob, second)
    assert sorted(await _keys_of(shop, second)) == ["K1", "K2"]


async def test_an_unpaid_cancelled_order_puts_its_stock_back(shop: Shop) -> None:
    product = await _key_product(shop, ["K1"])
    alice = await telegram_customer(shop)
    order = await _order(shop, alice, product)
    assert (await shop.catalog.get(product.id)).stock == 0
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.CANCELLED))
    await _assert_pool_matches_stock(shop, product)
    assert (await shop.catalog.get(product.id)).stock == 1


async def test_a_payment_that_slipped_past_an_empty_pool_is_refunded_at_once(shop: Shop) -> None:
    product = await _key_product(shop, ["ONLY-ONE"])
    await shop.store.products.update_one({"_id": product.id}, {"$inc": {"stock": 1}})  # drift
    alice, bob = await telegram_customer(shop), await telegram_customer(shop, "Bob")
    first, second = await _order(shop, alice, product), await _order(shop, bob, product)
    assert await _pay(shop, alice, first) is PaymentOutcome.PAID
    assert await _pay(shop, bob, second) is PaymentOutcome.PAID
    assert await _keys_of(shop, first) == ["ONLY-ONE"]
    refunded = await stored_order(shop, second)
    assert refunded.status is OrderStatus.CANCELLED
    assert refunded.payment.state is PaymentState.REFUND_DUE
    job = await shop.store.refunds.find_one({"orderId": second.id})
    assert job is not None and job["telegramUserId"] == bob.telegram_id
    assert await _goods_notices(shop, second) == []
    counts = await shop.keys.counts(ADMIN, product.id)
    assert (counts.free, counts.taken, counts.stock) == (0, 1, 0)


# -- crashes -------------------------------------------------------------------------------


def _dying_payments(shop: Shop, store: Store) -> Payments:
    """Payments, with its delivery of digital goods, on a store that dies at some write."""
    queue = NotificationQueue(store, LEASE)
    outbox = Outbox(store, queue, None)
    orders = Orders(store, outbox, stock_on(store), LEASE)
    sealer = Sealer(shop.settings.goods_secret())
    pool = KeyPool(store, shop.catalog, sealer, True, LEASE, _restocked(shop))
    Deliveries(store, orders, shop.catalog, pool, shop.goods_files).register(outbox)
    return Payments(store, orders, outbox, shop.settings)


async def test_a_delivery_killed_at_every_write_ends_with_one_key_per_unit(shop: Shop) -> None:
    keys = [f"K{n:03d}" for n in range(40)]
    product = await _key_product(shop, keys)
    writes = 0
    while True:
        alice = await telegram_customer(shop)
        order = await _order(shop, alice, product, quantity=2)
        payment = payment_of(order)
        payments = _dying_payments(shop, dying_store(shop.store, writes, bulk=True))
        killed = await run_until_killed(lambda: payments.record(alice.id, payment))  # noqa: B023
        await shop.recover(clock.now() + 2 * LEASE)
        await shop.payments.record(alice.id, payment)  # Telegram delivers the update again
        await shop.recover(clock.now() + 2 * LEASE)
        assert (await stored_order(shop, order)).status is OrderStatus.PAID
        taken = await _keys_of(shop, order)
        assert len(taken) == 2 and len(set(taken)) == 2, writes
        assert len(await _goods_notices(shop, order)) == 1, writes
        if not killed:
            break
        writes += 1
    assert writes > 3
    everyone = [shop.keys.open(k) for k in await shop.store.goods_keys.find().to_list()]
    assert sorted(everyone) == keys  # none lost, none made twice
    slots = await shop.store.goods_keys.distinct("slot", {"state": KeyState.TAKEN.value})
    assert len(slots) == (await shop.keys.counts(ADMIN, product.id)).taken
    await _assert_pool_matches_stock(shop, product)


async def test_an_upload_killed_at_every_write_counts_its_keys_once(shop: Shop) -> None:
    product = await _key_product(shop, ["FIRST"])
    sealer = Sealer(shop.settings.goods_secret())
    writes = 0
    while True:
        store = dying_store(shop.store, writes, bulk=True)
        pool = KeyPool(store, shop.catalog, sealer, True, LEASE, _restocked(shop))
        batch = f"A{writes}\nB{writes}"
        killed = await run_until_killed(lambda: pool.add_text(ADMIN, product.id, batch))  # noqa: B023
        await shop.keys.recover(clock.now() + 2 * LEASE)
        await _assert_pool_matches_stock(shop, product)
        adding = await shop.store.goods_keys.count_documents({"state": KeyState.ADDING.value})
        assert adding == 0
        if not killed:
            break
        writes += 1
    assert writes >= 3
    assert (await shop.catalog.get(product.id)).stock >= 3


# -- files ---------------------------------------------------------------------------------


async def test_a_file_product_is_unlimited_and_sends_its_file(shop: Shop) -> None:
    product = await shop.catalog.create(SYSTEM, ProductDraft(name="E-book", price=25, stock=0))
    attached = await shop.goods_files.attach(ADMIN, product.id, "book.pdf", b"%PDF-1.4 one")
    assert attached.stock == MAX_STOCK
    assert attached.digital is not None and attached.digital.file is not None
    replaced = await shop.goods_files.attach(ADMIN, product.id, "book-2.pdf", b"%PDF-1.4 two")
    assert replaced.digital is not None and replaced.digital.file is not None
    assert await shop.store.goods_files.count_documents({}) == 1
    alice = await telegram_customer(shop)
    order = await _order(shop, alice, replaced, quantity=1)
    await _pay(shop, alice, order)
    [notice] = await _goods_notices(shop, order)
    line = await shop.deliveries.line_goods(_as_notice(notice))
    assert line.kind is GoodsKind.FILE and line.file is not None
    assert await shop.goods_files.content(line.file) == b"%PDF-1.4 two"


# -- Telegram's rule: Stars only -----------------------------------------------------------


async def test_digital_orders_are_paid_in_stars_only(shop: Shop) -> None:
    product = await _key_product(shop, ["K1"])
    alice = await telegram_customer(shop)
    order = await _order(shop, alice, product)
    assert order.products[0].digital is GoodsKind.KEYS
    with pytest.raises(PaymentRefused) as refused:
        await shop.payments.choose_manual(alice.id, order.id)
    assert refused.value.reason == Unpayable.STARS_ONLY
    with pytest.raises(PaymentRefused):
        await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.PAID))
    invoice = await shop.payments.invoice_for(alice.id, order.id, PaymentMethod.STARS)
    assert invoice.currency == "XTR" and invoice.provider_token == ""
    assert await _keys_of(shop, order) == []


async def test_recovery_leaves_an_upload_alone_until_its_lease_ends(shop: Shop) -> None:
    product = await _key_product(shop, ["K1"])
    sealer = Sealer(shop.settings.goods_secret())
    dying = dying_store(shop.store, 1, bulk=True)
    pool = KeyPool(dying, shop.catalog, sealer, True, LEASE, _restocked(shop))
    assert await run_until_killed(lambda: pool.add_text(ADMIN, product.id, "K2\nK3"))
    assert await shop.keys.recover(clock.now() + timedelta(seconds=1)) == 0  # in flight
    adding = {"state": KeyState.ADDING.value}
    assert await shop.store.goods_keys.count_documents(adding) == 2
    assert await shop.keys.recover(clock.now() + 2 * LEASE) == 1  # never counted: undone
    assert await shop.store.goods_keys.count_documents(adding) == 0
    counts = await shop.keys.counts(ADMIN, product.id)
    assert (counts.free, counts.stock) == (1, 1)


async def test_keys_uploaded_or_put_back_tell_those_waiting_that_it_is_back_in_stock(
    shop: Shop,
) -> None:
    product = await _key_product(shop, ["K1"])
    alice, bob = await telegram_customer(shop), await telegram_customer(shop, "Bob")
    order = await _order(shop, bob, product)  # the last key
    assert await shop.restock_alerts.watch(alice.id, product.id)

    await shop.keys.add_text(ADMIN, product.id, "K2")
    alerts = {"kind": NoticeKind.BACK_IN_STOCK.value, "userId": alice.id}
    assert await shop.store.notifications.count_documents(alerts) == 1  # before it answered

    await _pay(shop, bob, order)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status=OrderStatus.CANCELLED))
    second = await _order(shop, bob, product)  # K2: sold out again, K1 returned
    await _pay(shop, bob, second)
    assert await shop.restock_alerts.watch(alice.id, product.id)
    [returned] = await shop.store.goods_keys.find({"state": KeyState.RETURNED.value}).to_list()
    await shop.keys.put_back(ADMIN, product.id, returned["_id"])
    assert await shop.store.notifications.count_documents(alerts) == 2
