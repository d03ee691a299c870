"""Start links and campaigns: what a ``/start`` payload may ask for (and that anything else
is no link), the campaign kept on the customer (last touch) and copied onto the orders they
place afterwards, and orders and revenue by campaign, counted as the dashboard counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role, User
from core.base import clock
from core.base.commands import parse
from core.base.errors import Forbidden, InvalidInput
from core.campaigns.commands import CampaignQuery
from core.campaigns.links import read_start, start_payload
from core.campaigns.models import CampaignFigures, StartLink
from core.catalog.models import Product
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from tests.clocks import FakeClock
from tests.core.promos import cart_with_code, new_code
from tests.factories import NewProduct, NewUser

STAFF = Actor(None, Role.OPERATOR)
NOW = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)
ID = "65a1b2c3d4e5f60718293a4b"


@pytest.mark.parametrize(
    ("payload", "product", "campaign"),
    [
        (f"p-{ID}", ID, None),
        ("c-spring_sale", None, "spring_sale"),
        ("c-Insta-2030", None, "Insta-2030"),  # kept as written
        (f"p-{ID}-c-insta", ID, "insta"),
        (f"P-{ID.upper()}-C-X", ID, "X"),
        (f"p-{ID}-c-{'a' * 32}", ID, "a" * 32),  # 63 characters: fits Telegram's 64
        ("  c-mail  ", None, "mail"),
    ],
)
def test_the_shop_s_links_are_read(payload: str, product: str | None, campaign: str | None) -> None:
    link = read_start(payload)
    assert link == StartLink(product_id=ObjectId(product) if product else None, campaign=campaign)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "",
        "hello",
        "p-",
        "c-",
        f"p-{ID[:-1]}",  # 23 hex digits
        f"p-{ID}0",
        f"p-{ID[:-1]}g",
        f"c-{ID}-p-{ID}",  # the campaign goes last
        f"p-{ID}c-x",
        f"p-{ID}-x",
        "c--x",  # a name starts with a letter or a digit
        "c-_x",
        f"c-{'a' * 33}",  # longer than a campaign may be
        "c-" + "a" * 62,  # 64 characters, but no campaign is this long
        "c-" + "a" * 100,
        'c-{"$gt":""}',
        "c-$where",
        "c-a.b",
        "c-a b",
        "c-a/../b",
        "c-<b>x</b>",
        "c-spring\nc-autumn",
        "c-ünï",
        "c-\u017fpring",  # a long s, which Unicode case folding takes for an s
        "c-\u212a",  # the Kelvin sign, taken for a K the same way
        "c-x\u200b",
        "p-' OR 1=1 --",
        f"p-{ID} c-x",
    ],
)
def test_anything_else_is_no_link(payload: str | None) -> None:
    assert read_start(payload).is_empty


def test_links_are_written_as_they_are_read() -> None:
    product = ObjectId()
    for payload in (
        start_payload(product),
        start_payload(campaign="spring"),
        start_payload(product, "Spring-2030"),
    ):
        assert len(payload) <= 64
    assert read_start(start_payload(product, "Spring")) == StartLink(
        product_id=product, campaign="Spring"
    )
    assert start_payload(campaign="Mail_1") == "c-Mail_1"
    with pytest.raises(ValueError, match="not a campaign name"):
        start_payload(product, "Spring sale")
    with pytest.raises(ValueError):
        start_payload()


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(NOW)
    monkeypatch.setattr(clock, "now", fake)
    return fake


async def order(shop: Shop, user: User, product: Product, quantity: int = 1) -> Order:
    await shop.carts.add(user.id, CartChange(product_id=product.id, quantity=quantity))
    return await shop.checkout.place_order(user.id)


async def campaign_of(shop: Shop, user: User) -> str | None:
    account = await shop.users.get(user.id)
    return None if account.campaign is None else account.campaign.name


async def test_the_last_campaign_followed_is_credited_to_later_orders(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(price=450, stock=100)
    alice = await new_user()
    before = await order(shop, alice, tea)

    await shop.campaigns.follow(alice.id, read_start("c-spring"))
    spring = await order(shop, alice, tea)
    moment.moment = NOW + timedelta(days=1)
    await shop.campaigns.follow(alice.id, read_start(f"p-{tea.id}"))  # no campaign: no change
    assert await campaign_of(shop, alice) == "spring"
    await shop.campaigns.follow(alice.id, read_start(f"p-{tea.id}-c-autumn"))
    autumn = await order(shop, alice, tea)

    assert (before.campaign, spring.campaign, autumn.campaign) == (None, "spring", "autumn")
    stored = {o.id: o.campaign for o in await _orders(shop)}
    assert stored == {before.id: None, spring.id: "spring", autumn.id: "autumn"}  # kept
    account = await shop.users.get(alice.id)
    assert account.campaign is not None
    assert (account.campaign.name, account.campaign.at) == ("autumn", NOW + timedelta(days=1))


async def test_an_older_touch_never_replaces_a_newer_one(
    shop: Shop, moment: FakeClock, new_user: NewUser
) -> None:
    alice = await new_user()
    await shop.campaigns.follow(alice.id, read_start("c-new"))
    moment.moment = NOW - timedelta(seconds=1)  # another process, a clock a second behind
    await shop.campaigns.follow(alice.id, read_start("c-old"))
    assert await campaign_of(shop, alice) == "new"


async def test_erasing_a_customer_forgets_their_campaign_not_their_orders(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(stock=5)
    alice = await new_user()
    await shop.campaigns.follow(alice.id, read_start("c-spring"))
    placed = await order(shop, alice, tea)
    await shop.orders.change_status(SYSTEM, placed.id, StatusUpdate(status=OrderStatus.PAID))
    await shop.orders.change_status(SYSTEM, placed.id, StatusUpdate(status=OrderStatus.SHIPPED))

    await shop.privacy.erase(Actor.of(alice), alice.id)

    document = await shop.store.users.find_one({"_id": alice.id})
    assert document is not None and "campaign" not in document
    assert [o.campaign for o in await _orders(shop)] == ["spring"]


async def _orders(shop: Shop) -> list[Order]:
    return [Order.model_validate(d) async for d in shop.store.orders.find().sort("number", 1)]


async def test_orders_and_revenue_by_campaign(
    shop: Shop, moment: FakeClock, new_user: NewUser, new_product: NewProduct
) -> None:
    tea = await new_product(name="Tea", price=450, stock=100)
    alice, bob, carol, dan = [await new_user(name=n) for n in ("Alice", "Bob", "Carol", "Dan")]
    await shop.campaigns.follow(alice.id, read_start("c-spring"))
    await shop.campaigns.follow(bob.id, read_start("c-spring"))
    await shop.campaigns.follow(carol.id, read_start("c-autumn"))
    day = timedelta(days=1)

    async def placed(user: User, quantity: int, at: datetime, *moves: OrderStatus) -> Order:
        moment.moment = at
        made = await order(shop, user, tea, quantity)
        for status in moves:
            await shop.orders.change_status(SYSTEM, made.id, StatusUpdate(status=status))
        moment.moment = NOW
        return made

    paid, cancelled = OrderStatus.PAID, OrderStatus.CANCELLED
    await placed(alice, 2, NOW - day, paid)  # spring: 900 sold
    await placed(alice, 1, NOW - day, paid, OrderStatus.SHIPPED)  # spring: 450 sold
    refunded = await placed(bob, 4, NOW - 2 * day, paid, cancelled)  # spring: 1800, refunded
    await shop.payments.mark_refunded(STAFF, refunded.id, None)
    await placed(bob, 3, NOW - 2 * day)  # spring: pending, no sale
    await placed(bob, 5, NOW - 2 * day, cancelled)  # spring: cancelled unpaid, no sale
    await placed(carol, 10, NOW - 3 * day, paid)  # autumn: 4500 sold
    await placed(dan, 1, NOW - day, paid)  # no campaign: 450
    await placed(alice, 7, NOW - 40 * day, paid)  # spring, long ago
    await placed(carol, 9, NOW + day, paid)  # autumn, after the period

    period = {"from": (NOW - 30 * day).isoformat(), "to": NOW.isoformat()}
    report = await shop.campaign_reports.figures(STAFF, parse(CampaignQuery, period))

    assert (report.since, report.until, report.currency) == (NOW - 30 * day, NOW, "USD")
    assert report.campaigns == (
        CampaignFigures(
            campaign="autumn",
            orders=1,
            customers=1,
            paid_orders=1,
            sales=4500,
            refunds=0,
            revenue=4500,
        ),
        CampaignFigures(
            campaign="spring",
            orders=5,
            customers=2,
            paid_orders=3,
            sales=3150,
            refunds=1800,
            revenue=1350,
        ),
    )
    assert report.more == 0
    assert report.without_campaign == CampaignFigures(
        campaign=None, orders=1, customers=1, paid_orders=1, sales=450, refunds=0, revenue=450
    )

    everything = await shop.campaign_reports.figures(STAFF, CampaignQuery())
    assert [(c.campaign, c.orders, c.revenue) for c in everything.campaigns] == [
        ("autumn", 2, 8550),
        ("spring", 6, 4500),
    ]
    assert (everything.since, everything.until) == (None, None)
    top = await shop.campaign_reports.figures(STAFF, parse(CampaignQuery, {"limit": "1"}))
    assert ([c.campaign for c in top.campaigns], top.more) == (["autumn"], 1)
    # the dashboard's month agrees: revenue by campaign adds up to the shop's revenue
    month = await shop.reports.dashboard(STAFF)
    assert month.periods[-1].revenue == 4500 + 1350 + 450


async def test_the_campaigns_report_is_for_staff_and_takes_a_period(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    alice = await new_user()
    await shop.campaigns.follow(alice.id, read_start("c-spring"))
    await order(shop, alice, await new_product())
    with pytest.raises(Forbidden):
        await shop.campaign_reports.figures(Actor.of(alice), CampaignQuery())
    now = clock.now()
    backwards = {"from": now.isoformat(), "to": (now - timedelta(days=1)).isoformat()}
    nothing = await shop.campaign_reports.figures(STAFF, parse(CampaignQuery, backwards))
    assert nothing.campaigns == () and nothing.without_campaign.orders == 0
    with pytest.raises(InvalidInput):
        parse(CampaignQuery, {"limit": "0"})
    with pytest.raises(InvalidInput):
        parse(CampaignQuery, {"from": "yesterday"})
    everything = await shop.campaign_reports.figures(STAFF, CampaignQuery())
    assert [(c.campaign, c.orders) for c in everything.campaigns] == [("spring", 1)]


async def test_a_campaign_s_revenue_is_what_its_orders_cost_after_their_promo_codes(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    """As the dashboard counts: a discounted order's sale is what was paid, a refund takes
    that back, and the campaigns add up to the dashboard's revenue."""
    tea = await new_product(name="Tea", price=1000, stock=100)
    alice, bob = await new_user(name="Alice"), await new_user(name="Bob")
    await new_code(shop, "SAVE10")
    for user in (alice, bob):
        await shop.campaigns.follow(user.id, read_start("c-spring"))
        await cart_with_code(shop, user, tea, quantity=3)
    kept, refunded = [await shop.checkout.place_order(u.id) for u in (alice, bob)]
    assert kept.total_amount == refunded.total_amount == 2700
    for made in (kept, refunded):
        await shop.orders.change_status(SYSTEM, made.id, StatusUpdate(status=OrderStatus.PAID))
    await shop.orders.change_status(SYSTEM, refunded.id, StatusUpdate(status=OrderStatus.CANCELLED))
    await shop.payments.mark_refunded(STAFF, refunded.id, None)

    [spring] = (await shop.campaign_reports.figures(STAFF, CampaignQuery())).campaigns
    assert (spring.sales, spring.refunds, spring.revenue) == (5400, 2700, 2700)
    month = await shop.reports.dashboard(STAFF)
    assert month.periods[-1].revenue == spring.revenue
