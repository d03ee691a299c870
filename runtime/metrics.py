"""Each process's Prometheus endpoint (``METRICS_PORT``): its own counters, and the shop's
figures read from the database at each scrape.

Every process serves its own registry (prometheus_client's default one, with the
``process_`` and ``python_`` figures), from a thread beside its event loop, so several
processes need no shared directory. What a process counts itself (Bot API calls, updates,
HTTP requests, recovery) is counted where it happens (``bot/metrics.py``,
``admin_api/metrics.py``, ``CountRecoveries`` here). What must agree across processes
(orders, payments, refunds, notices, the outbox) is read from the database at each scrape
(``core/sales/figures.py``, ``core/messaging/figures.py``), so it is right however many
processes run and survives their restarts; only one process serves it
(``METRICS_SHOP_FIGURES``), so that nothing is scraped twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, Counter, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import Field, SecretStr

from core.config import SHOWN_DEFAULT, BaseConfig, ConfigError
from core.messaging.models import NoticeCounts
from core.sales.models import SalesCounts
from core.shop import Shop

log = logging.getLogger(__name__)

READ_SECONDS = 10.0
"""How long a scrape waits for the shop's figures before it reports them unreadable."""


class MetricsSettings(BaseConfig):
    """Every process: metrics for Prometheus (see "Metrics")."""

    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description='Port of this process\'s Prometheus endpoint (`/metrics`; see "Metrics"). '
        "Unset: none. Processes on one host each need their own.",
        examples=[9100],
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the metrics endpoint listens on (`0.0.0.0` in a container, on a "
        "network only Prometheus reaches; never publish it).",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, a scrape must send `Authorization: Bearer <token>`; any other "
        'gets `401`. One: `python3 -c "import secrets; print(secrets.token_urlsafe(32))"`.',
    )
    metrics_shop_figures: bool | None = Field(
        default=None,
        description="Whether this process's endpoint also serves the shop's figures, read "
        "from the database at each scrape (orders, payments, refunds, notices, the outbox). "
        "Turn it on in one process only, or each figure is scraped twice.",
        json_schema_extra={SHOWN_DEFAULT: "on in the API and `./run`, off in the others"},
    )


RECOVERED = Counter(
    "shop_recovery_actions",
    "Interrupted work this process finished or undid (checkout: rolled_back, "
    "rolled_forward, released_claim; other work: resumed).",
    ["work", "action"],
)


class CountRecoveries:
    """The process's ``RecoveryWatcher``: counts into ``shop_recovery_actions_total``."""

    def recovered(self, work: str, action: str, count: int = 1) -> None:
        RECOVERED.labels(work, action).inc(count)


class ShopFigures(Collector):
    """The shop's figures, read through core on the process's event loop at each scrape."""

    def __init__(self, shop: Shop, loop: asyncio.AbstractEventLoop) -> None:
        self._shop = shop
        self._loop = loop

    async def _read(self) -> tuple[SalesCounts, NoticeCounts]:
        return await asyncio.gather(
            self._shop.sales_figures.read(), self._shop.notice_figures.read()
        )

    def describe(self) -> Iterable[Metric]:
        """Nothing: else registering would collect, on the event loop it waits for."""
        return []

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "shop_figures_up", "1 when the shop's figures could be read from the database."
        )
        try:
            reading = asyncio.run_coroutine_threadsafe(self._read(), self._loop)
            sales, notices = reading.result(READ_SECONDS)
        except Exception as error:  # the database is unreachable, say: say so, and go on
            log.warning("cannot read the shop's figures: %r", error)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *sales_metrics(sales), *notice_metrics(notices)]


def _labelled(
    family: type[CounterMetricFamily | GaugeMetricFamily],
    name: str,
    doc: str,
    label: str,
    values: dict[Any, int],
) -> Metric:
    metric = family(name, doc, labels=[label])
    for key, value in values.items():
        metric.add_metric([str(key)], value)
    return metric


def sales_metrics(sales: SalesCounts) -> Iterator[Metric]:
    yield CounterMetricFamily("shop_orders_placed", "Orders placed.", value=sales.placed)
    yield _labelled(
        GaugeMetricFamily, "shop_orders", "Placed orders by status now.", "status", sales.orders
    )
    yield _labelled(
        CounterMetricFamily,
        "shop_payments",
        "Orders paid (refunded since or not), by payment method.",
        "method",
        sales.payments,
    )
    yield GaugeMetricFamily(
        "shop_refunds_due", "Orders with a payment owed back now.", value=sales.refunds_due
    )
    yield CounterMetricFamily(
        "shop_refunds", "Orders with a payment given back.", value=sales.refunded
    )
    yield _labelled(
        GaugeMetricFamily, "shop_refund_jobs", "Stars refunds by state.", "state", sales.refund_jobs
    )
    yield GaugeMetricFamily(
        "shop_outbox_oldest_age_seconds",
        "How long the oldest order outbox entry has waited to be relayed (0: none waits).",
        value=sales.outbox_oldest_seconds,
    )


def notice_metrics(notices: NoticeCounts) -> Iterator[Metric]:
    yield _labelled(
        GaugeMetricFamily,
        "shop_notices",
        "Notifications (order notices, staff cards, broadcast messages) by send state.",
        "state",
        notices.by_state,
    )
    yield GaugeMetricFamily(
        "shop_notices_oldest_due_age_seconds",
        "How long the longest-waiting notice due now has waited for a notifier (0: none).",
        value=notices.oldest_due_seconds,
    )


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged."""


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _guarded(app: WsgiApp, token: SecretStr | None) -> WsgiApp:
    """``app``, answering 401 to a request without ``Authorization: Bearer <token>``."""
    if token is None:
        return app
    expected = f"Bearer {token.get_secret_value()}".encode()

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        given = environ.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, expected):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [b"401: a bearer token is required (METRICS_TOKEN)\n"]
        return app(environ, start_response)

    return guarded


@contextlib.asynccontextmanager
async def serve_metrics(
    shop: Shop, settings: MetricsSettings, *, figures: bool = False
) -> AsyncIterator[int | None]:
    """Serve ``/metrics`` on ``METRICS_HOST:METRICS_PORT`` for the block (nothing when the
    port is unset), with the shop's figures if ``METRICS_SHOP_FIGURES`` (default:
    ``figures``) says so; yields the port."""
    if settings.metrics_port is None:
        yield None
        return
    collector = None
    if settings.metrics_shop_figures if settings.metrics_shop_figures is not None else figures:
        collector = ShopFigures(shop, asyncio.get_running_loop())
        REGISTRY.register(collector)
    try:
        server_class = _Server6 if ":" in settings.metrics_host else _Server
        app = _guarded(make_wsgi_app(REGISTRY), settings.metrics_token)
        try:
            server = make_server(
                settings.metrics_host, settings.metrics_port, app, server_class, _Quiet
            )
        except OSError as error:
            raise ConfigError(
                f"cannot serve metrics on {settings.metrics_host}:{settings.metrics_port}: "
                f"{error.strerror} (set METRICS_HOST or METRICS_PORT)"
            ) from None
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        log.info("metrics", extra={"host": settings.metrics_host, "port": settings.metrics_port})
        try:
            yield settings.metrics_port
        finally:
            await asyncio.to_thread(server.shutdown)
            server.server_close()
    finally:
        if collector is not None:
            REGISTRY.unregister(collector)
