"""The dashboard's figures equal what the orders say: orders placed, paid, shipped, cancelled
and refunded through the real services at moments an injected clock chooses, counted by
day in the shop's time zone (midnight edges), with refunds, best sellers, low stock and
orders pending too long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role, User
from core.base import clock
from core.base.commands import HistoryQuery
from core.base.errors import Forbidden
from core.catalog.commands import CategoryDraft, ImportOptions, ProductDraft
from core.catalog.models import Product
from core.reports.exports import ORDER_COLUMNS
from core.reports.models import Dashboard, Period
from core.reports.sheets import written
from core.sales.commands import CartChange, OrderFilter, OrderQuery, StatusUpdate
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from tests.clocks import FakeClock
from tests.core.paying import SHOPS, payment_of, telegram_customer
from tests.factories import NewProduct, NewUser

STAFF = Actor(None, Role.OPERATOR)
NOW = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The shop's clock, at ``NOW`` until a test moves it."""
    fake = FakeClock(NOW)
    monkeypatch.setattr(clock, "now", fake)
    return fake


async def place(
    shop: Shop, moment: FakeClock, user: User, at: datetime, *lines: tuple[Product, int]
) -> Order:
    """``user``'s order of ``lines``, placed at ``at``; the clock goes back to ``NOW``."""
    moment.moment = at
    for product, quantity in lines:
        await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=quantity))
    order = await shop.checkout.place_order(user.id)
    moment.moment = NOW
    return order


async def move(shop: Shop, order: Order, *statuses: OrderStatus) -> None:
    for status in statuses:
        await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=status))


async def test_the_figures_are_what_the_orders_say(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(name="Tea", price=450, stock=100)
    cake = await new_product(name="Cake", price=1000, stock=100)
    alice, bob = await new_user(name="Alice"), await new_user(name="Bob")
    hour = timedelta(hours=1)
    paid_today = await place(shop, moment, alice, NOW - hour, (tea, 2))  # 900
    shipped_today = await place(shop, moment, bob, NOW - 2 * hour, (cake, 1), (tea, 1))  # 1450
    await place(shop, moment, alice, NOW - 3 * hour, (cake, 5))  # 5000, pending
    refunded = await place(shop, moment, bob, NOW - timedelta(days=3), (cake, 3))  # 3000
    refund_due = await place(shop, moment, alice, NOW - timedelta(days=5), (tea, 4))  # 1800
    cancelled = await place(shop, moment, bob, NOW - timedelta(days=10), (tea, 1))  # 450
    old = await place(shop, moment, alice, NOW - timedelta(days=20), (cake, 2))  # 2000
    too_old = await place(shop, moment, alice, NOW - timedelta(days=31), (cake, 9))
    await move(shop, paid_today, OrderStatus.PAID)
    await move(shop, shipped_today, OrderStatus.PAID, OrderStatus.SHIPPED)
    await move(shop, refunded, OrderStatus.PAID, OrderStatus.CANCELLED)
    await shop.payments.mark_refunded(STAFF, refunded.id, None)
    await move(shop, refund_due, OrderStatus.PAID, OrderStatus.CANCELLED)
    await move(shop, cancelled, OrderStatus.CANCELLED)
    await move(shop, old, OrderStatus.PAID, OrderStatus.SHIPPED)
    await move(shop, too_old, OrderStatus.PAID)

    dashboard = await shop.reports.dashboard(STAFF)

    today = dashboard.period(Period.TODAY)
    assert (today.orders, today.paid_orders, today.sales, today.refunds) == (3, 2, 2350, 0)
    assert (today.revenue, today.average_order) == (2350, 1175)
    assert today.by_status == {
        OrderStatus.PENDING: 1,
        OrderStatus.PAID: 1,
        OrderStatus.SHIPPED: 1,
        OrderStatus.CANCELLED: 0,
    }
    assert [(b.name, b.units, b.revenue) for b in today.best_sellers] == [
        ("Tea", 3, 1350),
        ("Cake", 1, 1000),
    ]
    week = dashboard.period(Period.WEEK)
    # sales: today's 2350, the refunded 3000 and the one owing 1800; 3000 refunded
    assert (week.orders, week.paid_orders, week.sales, week.refunds) == (5, 4, 7150, 3000)
    assert (week.revenue, week.average_order) == (4150, 1788)  # 7150 / 4 = 1787.5, half up
    assert week.by_status[OrderStatus.CANCELLED] == 2
    month = dashboard.period(Period.MONTH)
    assert (month.orders, month.paid_orders, month.revenue) == (7, 5, 6150)
    # as many cakes as teas sold: the larger revenue first
    assert [(b.name, b.units) for b in month.best_sellers] == [("Cake", 3), ("Tea", 3)]
    assert dashboard.refunds_due.model_dump() == {"orders": 1, "charges": 1, "amount": 1800}
    assert len(dashboard.days) == 30
    assert dashboard.days[-1].day == NOW.date()
    assert sum(day.revenue for day in dashboard.days) == month.revenue
    assert {day.day: day.revenue for day in dashboard.days if day.revenue} == {
        NOW.date(): 2350,
        (NOW - timedelta(days=5)).date(): 1800,
        (NOW - timedelta(days=20)).date(): 2000,
    }  # the refunded order's day: 3000 sold, 3000 refunded
    await _agrees_with_the_orders(shop, dashboard)


async def _agrees_with_the_orders(shop: Shop, dashboard: Dashboard) -> None:
    """Recount every period from the orders as staff list them."""
    page = await shop.orders.search(STAFF, _every_order())
    for figures in dashboard.periods:
        mine = [o for o in page.items if figures.since <= o.created_at < figures.until]
        paid = [o for o in mine if o.payment.state.value != "unpaid"]
        refunded = [o for o in paid if o.payment.state.value == "refunded"]
        assert figures.orders == len(mine)
        assert figures.paid_orders == len(paid)
        assert figures.sales == sum(o.total_amount for o in paid)
        assert figures.refunds == sum(o.total_amount for o in refunded)
        for status in OrderStatus:
            assert figures.by_status[status] == sum(o.status is status for o in mine)


def _every_order() -> OrderQuery:
    return OrderQuery(limit=100)


@pytest.mark.parametrize("core_overrides", [{"shop_timezone": "Europe/Moscow"}])
async def test_days_begin_at_midnight_in_the_shops_time_zone(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    """Moscow is UTC+3: 20:59 UTC is still the 9th there, 21:00 and 23:30 UTC the 10th."""
    tea = await new_product(price=100, stock=50)
    alice = await new_user()
    for hour, minute in ((20, 59), (21, 0), (23, 30)):
        order = await place(
            shop, moment, alice, datetime(2030, 3, 9, hour, minute, tzinfo=UTC), (tea, 1)
        )
        await move(shop, order, OrderStatus.PAID)
    moment.moment = datetime(2030, 3, 10, 20, 59, tzinfo=UTC)  # 23:59 in Moscow

    dashboard = await shop.reports.dashboard(STAFF)

    today = dashboard.period(Period.TODAY)
    assert (today.orders, today.revenue) == (2, 200)
    assert today.since == datetime(2030, 3, 9, 21, 0, tzinfo=UTC)
    assert today.since.utcoffset() == timedelta(hours=3)
    assert [(d.day.isoformat(), d.orders) for d in dashboard.days[-2:]] == [
        ("2030-03-09", 1),
        ("2030-03-10", 2),
    ]
    moment.moment = datetime(2030, 3, 10, 21, 0, tzinfo=UTC)  # midnight: a new day
    after = await shop.reports.dashboard(STAFF)
    assert after.period(Period.TODAY).orders == 0
    assert after.period(Period.WEEK).orders == 3


@pytest.mark.parametrize("core_overrides", [{"shop_timezone": "America/New_York"}])
async def test_a_shop_west_of_utc_counts_the_evening_on_its_own_day(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    """New York is UTC-5 until its clocks go forward at 2:00 on 10 March 2030 (a day of 23
    hours): 04:59 UTC on the 10th is 23:59 on the 9th there, 05:00 UTC its midnight."""
    tea = await new_product(price=100, stock=50)
    alice = await new_user()
    await place(shop, moment, alice, datetime(2030, 3, 10, 4, 59, tzinfo=UTC), (tea, 1))
    await place(shop, moment, alice, datetime(2030, 3, 10, 5, 0, tzinfo=UTC), (tea, 1))

    dashboard = await shop.reports.dashboard(STAFF)

    today = dashboard.period(Period.TODAY)
    assert today.orders == 1
    assert today.until.astimezone(UTC) - today.since.astimezone(UTC) == timedelta(hours=23)
    assert [(d.day.isoformat(), d.orders) for d in dashboard.days[-2:]] == [
        ("2030-03-09", 1),
        ("2030-03-10", 1),
    ]


async def test_periods_reach_back_to_midnight_of_their_first_day(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(price=100, stock=50)
    alice = await new_user()
    week_start = datetime(2030, 3, 4, tzinfo=UTC)  # 6 days before the 10th
    month_start = datetime(2030, 2, 9, tzinfo=UTC)  # 29 days before
    second = timedelta(seconds=1)
    for at in (week_start, week_start - second, month_start, month_start - second):
        await place(shop, moment, alice, at, (tea, 1))

    dashboard = await shop.reports.dashboard(STAFF)

    assert dashboard.period(Period.WEEK).orders == 1
    assert dashboard.period(Period.MONTH).orders == 3
    assert dashboard.days[0].day.isoformat() == "2030-02-09"


@pytest.mark.parametrize("core_overrides", [SHOPS["provider"]])
async def test_refunds_due_count_every_payment_owed_back(shop: Shop, moment: FakeClock) -> None:
    """A paid order cancelled, and a second payment for a paid order: both owed back; a
    second payment is no sale."""
    alice = await telegram_customer(shop)
    tea = await shop.catalog.create(SYSTEM, _draft(price=450))
    twice = await _card_order(shop, alice, tea)
    await shop.payments.record(alice.id, payment_of(twice))  # paid again
    cancelled = await _card_order(shop, alice, tea)
    await move(shop, cancelled, OrderStatus.CANCELLED)

    dashboard = await shop.reports.dashboard(STAFF)

    assert dashboard.refunds_due.model_dump() == {"orders": 2, "charges": 2, "amount": 1800}
    today = dashboard.period(Period.TODAY)
    assert (today.paid_orders, today.sales, today.refunds, today.revenue) == (2, 1800, 0, 1800)
    charge = (await shop.payments.refunds_due(STAFF, HistoryQuery())).items
    extra = next(o for o in charge if o.id == twice.id).payment.extra_charges[0]
    await shop.payments.mark_refunded(STAFF, twice.id, extra.telegram_payment_charge_id)
    await shop.payments.mark_refunded(STAFF, cancelled.id, None)
    after = await shop.reports.dashboard(STAFF)
    assert after.refunds_due.model_dump() == {"orders": 0, "charges": 0, "amount": 0}
    assert after.period(Period.TODAY).revenue == 900  # only the cancelled sale was refunded


def _draft(**fields: Any) -> ProductDraft:
    return ProductDraft(name="Tea", stock=50, **fields)


async def _card_order(shop: Shop, user: User, product: Product) -> Order:
    """``user``'s order of two of ``product``, paid by card."""
    await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=2))
    order = await shop.checkout.place_order(user.id)
    await shop.payments.record(user.id, payment_of(order))
    return order


@pytest.mark.parametrize("core_overrides", [{"low_stock_threshold": 3}])
async def test_low_stock_lists_active_products_at_or_under_their_threshold(
    shop: Shop, new_product: NewProduct
) -> None:
    await new_product(name="At the shop's", stock=3)
    await new_product(name="Above", stock=4)
    await new_product(name="Own threshold", stock=8, low_stock_threshold=10)
    await new_product(name="Own, above", stock=2, low_stock_threshold=1)
    archived = await new_product(name="Archived", stock=0)
    await shop.catalog.archive(SYSTEM, archived.id)

    dashboard = await shop.reports.dashboard(STAFF)

    assert [(p.name, p.stock, p.threshold) for p in dashboard.low_stock] == [
        ("At the shop's", 3, 3),
        ("Own threshold", 8, 10),
    ]


@pytest.mark.parametrize("core_overrides", [{"order_payment_minutes": 30}])
async def test_pending_orders_older_than_the_payment_window_are_listed(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(price=100, stock=50)
    alice = await new_user()
    late = await place(shop, moment, alice, NOW - timedelta(minutes=31), (tea, 1))
    await place(shop, moment, alice, NOW - timedelta(minutes=29), (tea, 1))
    paid = await place(shop, moment, alice, NOW - timedelta(hours=2), (tea, 1))
    await move(shop, paid, OrderStatus.PAID)

    overdue = (await shop.reports.dashboard(STAFF)).overdue_pending

    assert (overdue.older_than_minutes, overdue.orders) == (30, 1)
    assert [o.number for o in overdue.oldest] == [late.number]


async def test_only_staff_see_the_dashboard(shop: Shop, new_user: NewUser) -> None:
    customer = await new_user()
    with pytest.raises(Forbidden):
        await shop.reports.dashboard(Actor.of(customer))
    dashboard = await shop.reports.dashboard(Actor(None, Role.ADMIN))
    assert dashboard.period(Period.MONTH).orders == 0
    assert dashboard.time_zone == "UTC"


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (-5, "-5"),  # the shop's own numbers are written as numbers
        (Decimal(0).scaleb(-2), "0.00"),
        (Decimal(1250).scaleb(-2), "12.50"),
        (True, "true"),
        (None, ""),
        (datetime(2030, 1, 1, 23, 30, tzinfo=UTC), "2030-01-01T23:30:00+00:00"),
    ],
)
def test_cells_are_written_as_spreadsheets_read_them(cell: object, text: str) -> None:
    assert written(cell) == text  # type: ignore[arg-type]


async def test_an_export_hands_out_its_header_first_and_only_to_staff(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    customer = await new_user()
    tea = await new_product(price=100)
    await shop.carts.add(customer.id, CartChange(product_id=tea.id, quantity=1))
    placed = await shop.checkout.place_order(customer.id)
    who = Actor.of(customer)
    exports = shop.exports
    for refused in (
        exports.orders(who, OrderFilter()),
        exports.customers(who),
        exports.products(who),
    ):
        with pytest.raises(Forbidden):
            await refused

    export = await shop.exports.orders(STAFF, OrderFilter())
    header = await anext(export.chunks)
    rows = [chunk async for chunk in export.chunks]

    assert header == ("\ufeff" + ",".join(ORDER_COLUMNS) + "\r\n").encode()
    assert len(rows) == 1 and rows[0].startswith(f"{placed.number},{placed.id},".encode())


@pytest.mark.parametrize("core_overrides", [{"shop_currency": "EUR"}])
async def test_a_products_export_imported_again_changes_nothing(shop: Shop) -> None:
    """The export names its columns as the import reads them: prices in major units,
    categories by name, ``active``, a threshold only where the product has its own, and the
    quote before a formula-like text, which the import drops again."""
    herbal = await shop.categories.create(SYSTEM, CategoryDraft(name="Herbal"))
    drafts = [
        ProductDraft(name="Sencha", sku="SEN-1", price=1250, stock=7, category_id=herbal.id),
        ProductDraft(name="=Mate", sku="MAT-1", price=99, stock=0, low_stock_threshold=2),
        ProductDraft(name="Old", sku="OLD-1", price=5, description="-cheap", active=False),
    ]
    for draft in drafts:
        await shop.catalog.create(SYSTEM, draft)
    export = await shop.exports.products(STAFF)
    sheet = b"".join([chunk async for chunk in export.chunks])

    report = await shop.imports.run(SYSTEM, sheet, ImportOptions(dry_run=True))

    assert report.problems == ()
    assert (report.rows, report.unchanged, report.created, report.updated) == (3, 3, 0, 0)
