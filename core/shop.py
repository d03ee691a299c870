"""Wires the core together: one ``Shop`` per process, opened by every entrypoint and test."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener

from core.accounts.passwords import PasswordHasher
from core.accounts.roles import Accounts
from core.accounts.staff_sessions import StaffSessions
from core.accounts.throttle import Backoff, Counters, Limits, Throttle
from core.accounts.tokens import TokenService
from core.accounts.users import Users
from core.base import clock
from core.base.leases import Leases
from core.base.recovery import UNWATCHED, RecoveryWatcher
from core.campaigns.attribution import Campaigns
from core.catalog.categories import Categories
from core.catalog.currency import currency_mismatch
from core.catalog.imports import ProductImports
from core.catalog.photos import ProductPhotos
from core.catalog.products import Catalog
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock import Stock
from core.catalog.stock_alerts import StockAlerts
from core.catalog.variants.service import Variants
from core.config import ConfigError, CoreSettings
from core.digital.delivery import Deliveries
from core.digital.files import GoodsFiles
from core.digital.pool import KeyPool, Restocked
from core.digital.sealing import Sealer
from core.messaging.broadcasts import Broadcasts
from core.messaging.figures import NoticeFigures
from core.messaging.notifications import NotificationQueue
from core.messaging.pacing import SendPacing
from core.privacy.erasure import Privacy
from core.promotions.cart_codes import CartCodes
from core.promotions.codes import Promotions
from core.reports.campaigns import CampaignReports
from core.reports.dashboard import Reports
from core.reports.exports import Exports
from core.sales.cart_reminders import CartReminders
from core.sales.carts import Carts
from core.sales.checkout import Checkout
from core.sales.delivery import Delivery
from core.sales.desk import StaffDesk
from core.sales.figures import SalesFigures
from core.sales.models import PaymentMethod
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.sales.payments import Payments
from core.sales.refund_jobs import StarRefunds
from core.sales.spending import Spending
from core.sales.star_ledger import StarLedger
from core.sales.visits import Visits
from core.store import Store, connect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shop:
    settings: CoreSettings
    client: AsyncMongoClient[dict[str, Any]]
    store: Store
    users: Users
    accounts: Accounts
    catalog: Catalog
    variants: Variants
    categories: Categories
    photos: ProductPhotos
    carts: Carts
    delivery: Delivery
    checkout: Checkout
    orders: Orders
    payments: Payments
    refunds: StarRefunds
    star_ledger: StarLedger
    outbox: Outbox
    stock_alerts: StockAlerts
    restock_alerts: RestockAlerts
    notifications: NotificationQueue
    pacing: SendPacing
    broadcasts: Broadcasts
    staff: StaffDesk
    throttle: Throttle
    leases: Leases
    visits: Visits
    staff_sessions: StaffSessions
    spending: Spending
    reports: Reports
    exports: Exports
    privacy: Privacy
    imports: ProductImports
    promotions: Promotions
    cart_codes: CartCodes
    cart_reminders: CartReminders
    # Metrics: figures read from the database, and who hears what recovery did.
    sales_figures: SalesFigures
    notice_figures: NoticeFigures
    watcher: RecoveryWatcher
    # Digital goods (core/digital/).
    keys: KeyPool
    goods_files: GoodsFiles
    deliveries: Deliveries
    # Links and campaigns: the campaign a customer came by, and orders by campaign.
    campaigns: Campaigns
    campaign_reports: CampaignReports

    @classmethod
    def build(
        cls,
        settings: CoreSettings,
        client: AsyncMongoClient[dict[str, Any]],
        *,
        throttle_clock: Callable[[], datetime] = clock.now,
        watcher: RecoveryWatcher = UNWATCHED,
    ) -> Shop:
        """The shop's services over ``client``; ``throttle_clock`` times the guessing
        limits (tests freeze it); ``watcher`` hears what recovery did."""
        store = Store.of(client[settings.mongodb_database])
        lease = timedelta(seconds=settings.lease_seconds)
        tokens = TokenService(
            settings.jwt_secret.get_secret_value(), timedelta(minutes=settings.jwt_ttl_minutes)
        )
        categories = Categories(store, lease)
        notifications = NotificationQueue(store, lease)
        outbox = Outbox(store, notifications, settings.operator_chat_id)
        alerts = StockAlerts(store, notifications, settings.low_stock_threshold, outbox)
        restock = RestockAlerts(store, notifications, lease)
        catalog = Catalog(store, settings.shop_currency, categories, alerts, restock)
        carts = Carts(store, catalog)
        delivery = Delivery(store, settings.delivery_methods, settings.delivery_phone_region)
        stock = Stock(store, alerts, restock)
        forget_after = timedelta(seconds=settings.login_window_seconds)
        max_delay = timedelta(seconds=settings.throttle_max_delay_seconds)
        throttle = Throttle(
            logins=Backoff(
                store.throttles,
                free=settings.login_failures_per_email,
                max_delay=max_delay,
                forget_after=forget_after,
                now=throttle_clock,
            ),
            signups=Backoff(
                store.throttles,
                free=settings.registration_conflicts_per_address,
                max_delay=max_delay,
                forget_after=forget_after,
                now=throttle_clock,
            ),
            address_failures=Counters(store.throttles, forget_after, throttle_clock),
            limits=Limits(
                failures_per_address=settings.login_failures_per_address,
                slowdown=timedelta(seconds=settings.login_slowdown_seconds),
            ),
        )
        orders = Orders(store, outbox, stock, lease)
        users = Users(store, PasswordHasher(settings.bcrypt_rounds), tokens, throttle)
        payments = Payments(store, orders, outbox, settings)
        photos = ProductPhotos(store, catalog, settings.photo_max_bytes, lease)
        stars = PaymentMethod.STARS in settings.payment_methods
        restocked = Restocked(alerts, restock)  # what adding keys or a file owes
        keys = KeyPool(store, catalog, Sealer(settings.goods_secret()), stars, lease, restocked)
        goods_files = GoodsFiles(store, catalog, stars, lease, restocked)
        deliveries = Deliveries(store, orders, catalog, keys, goods_files)
        deliveries.register(outbox)
        promotions = Promotions(store, settings.shop_currency)
        return cls(
            settings=settings,
            client=client,
            store=store,
            users=users,
            accounts=Accounts(store, users, lease),
            catalog=catalog,
            variants=Variants(store, catalog, restock),
            categories=categories,
            photos=photos,
            carts=carts,
            delivery=delivery,
            checkout=Checkout(
                store, catalog, carts, delivery, outbox, stock, lease, watcher, promotions
            ),
            orders=orders,
            payments=payments,
            star_ledger=StarLedger(store, users, payments),
            refunds=StarRefunds(store, payments, lease),
            outbox=outbox,
            stock_alerts=alerts,
            restock_alerts=restock,
            notifications=notifications,
            pacing=SendPacing(store),
            broadcasts=Broadcasts(store, notifications, lease),
            staff=StaffDesk(store, orders),
            throttle=throttle,
            leases=Leases(store.leases),
            visits=Visits(store),
            staff_sessions=StaffSessions(
                store, users, tokens, timedelta(minutes=settings.staff_session_minutes)
            ),
            spending=Spending(store),
            reports=Reports(store, settings),
            exports=Exports(store, settings),
            privacy=Privacy(store, orders, store.users.database[settings.fsm_collection], lease),
            imports=ProductImports(catalog, categories, photos),
            promotions=promotions,
            cart_codes=CartCodes(promotions, carts),
            cart_reminders=CartReminders(
                store, carts, CartCodes(promotions, carts), notifications, settings
            ),
            sales_figures=SalesFigures(store),
            notice_figures=NoticeFigures(store),
            watcher=watcher,
            keys=keys,
            goods_files=goods_files,
            deliveries=deliveries,
            campaigns=Campaigns(store),
            campaign_reports=CampaignReports(store, settings),
        )

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo interrupted checkouts, cancellations, notice and low-stock alert
        relays, broadcast fan-outs, account changes, category archives, photo uploads and
        erasures of customers' data,
        and take over Stars refunds an earlier version queued as notices; how many.

        Only work whose lease expired before ``at`` (default: now) is touched. The
        ``watcher`` hears how many of each (checkout's own actions from checkout).
        """
        recovered = await self.checkout.recover(at)
        others: tuple[tuple[str, Callable[[], Awaitable[int]]], ...] = (
            ("cancellation", lambda: self.orders.recover(at)),
            ("star_refund_notice", self.refunds.adopt_old_notices),
            ("outbox", lambda: self.outbox.relay_pending(at)),
            ("stock_alert", lambda: self.stock_alerts.recover(at)),
            ("restock_alert", lambda: self.restock_alerts.recover(at)),
            ("broadcast", lambda: self.broadcasts.recover(at)),
            ("account_change", lambda: self.accounts.recover(at)),
            ("category_archive", lambda: self.categories.recover(at)),
            ("photo_upload", lambda: self.photos.recover(at)),
            ("erasure", lambda: self.privacy.recover(at)),
            ("key_batch", lambda: self.keys.recover(at)),
            ("goods_file", lambda: self.goods_files.recover(at)),
        )
        for work, recover in others:
            if count := await recover():
                self.watcher.recovered(work, "resumed", count)
                recovered += count
        return recovered

    async def keep_recovering(self) -> None:
        """Run ``recover`` once a lease period, for long-running processes, cancel orders
        left unpaid past ``ORDER_PAYMENT_MINUTES``, queue reminders of carts left untouched
        (``CART_REMINDER_HOURS``), and drop throttle windows that ended and
        leases whose holder died."""
        while True:
            await asyncio.sleep(self.settings.lease_seconds)
            try:
                if recovered := await self.recover():
                    log.warning("recovered interrupted work", extra={"count": recovered})
                if expired := await self.payments.expire_unpaid():
                    log.info("cancelled orders left unpaid", extra={"count": expired})
                if reminded := await self.cart_reminders.queue_due():
                    log.info("queued cart reminders", extra={"count": reminded})
                await self.throttle.prune()
                await self.leases.prune()
                await self.staff_sessions.prune()
            except Exception:
                log.exception("recovery failed; will retry")

    async def is_ready(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:
            return False
        return True


@contextlib.asynccontextmanager
async def open_shop(
    settings: CoreSettings,
    uri: str,
    *,
    check_prices: bool = True,
    listeners: Sequence[CommandListener] = (),
    watcher: RecoveryWatcher = UNWATCHED,
) -> AsyncIterator[Shop]:
    """Connect, create indexes, refuse prices in another currency than ``SHOP_CURRENCY``
    (unless ``check_prices`` is off: to convert them) and recover interrupted work, then
    hand out the shop; ``listeners`` see every command it sends, ``watcher`` hears what
    recovery did."""
    client = connect(
        uri,
        settings.mongodb_write_concern,
        timedelta(seconds=settings.mongodb_timeout_seconds),
        listeners,
    )
    try:
        shop = Shop.build(settings, client, watcher=watcher)
        await shop.store.ensure_indexes()
        if check_prices and (
            problem := await currency_mismatch(shop.store, settings.shop_currency)
        ):
            raise ConfigError(problem)
        if recovered := await shop.recover():
            log.warning("recovered interrupted work at startup", extra={"count": recovered})
        yield shop
    finally:
        await client.close()
