"""The dashboard's figures, as core computes them and the API and the web pages show them.

Every amount is an integer in the shop currency's minor units. Orders count on the day they
were placed, in the shop's time zone (``SHOP_TIMEZONE``):

- ``sales``: the totals of the orders that were paid for (by hand, a card or Stars), even if
  cancelled and refunded later;
- ``refunds``: what of those sales was refunded (recorded as made);
- ``revenue``: sales minus refunds; a refund still due counts until it is made (it is
  listed under ``refundsDue`` meanwhile);
- a payment an order did not need (a second one, or one after the order was cancelled) is
  no sale: it is owed back, and shown under ``refundsDue`` until it is refunded.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from core.base.ids import Id
from core.base.models import Model
from core.sales.models import OrderStatus


class Period(StrEnum):
    """How far back a period reaches: today, or the last 7 or 30 days, today included."""

    TODAY = "today"
    WEEK = "7d"
    MONTH = "30d"

    @property
    def days(self) -> int:
        return {Period.TODAY: 1, Period.WEEK: 7, Period.MONTH: 30}[self]


class BestSeller(Model):
    """A product as its paid or shipped orders' lines sold it."""

    product_id: Id
    name: str = Field(description="As the catalog names it now.")
    units: int
    revenue: int = Field(description="The lines' totals.")


class PeriodFigures(Model):
    period: Period
    since: datetime = Field(description="Midnight in the shop's time zone, the period's start.")
    until: datetime = Field(description="The next midnight: the end of today.")
    orders: int = Field(description="Orders placed, in any status.")
    by_status: dict[OrderStatus, int] = Field(description="Every status, zero included.")
    paid_orders: int = Field(description="Orders paid for (the sales).")
    sales: int
    refunds: int = Field(description="Refunds made of those sales.")
    revenue: int = Field(description="Sales minus refunds.")
    average_order: int = Field(description="Sales per paid order, rounded; 0 without any.")
    best_sellers: tuple[BestSeller, ...] = Field(description="At most 10, most units first.")


class DayFigures(Model):
    day: date = Field(description="A day in the shop's time zone.")
    orders: int
    revenue: int


class LowStockProduct(Model):
    """An active product at or under its low-stock threshold."""

    product_id: Id
    name: str
    stock: int
    threshold: int = Field(description="Its own, else the shop's `LOW_STOCK_THRESHOLD`.")


class RefundsDue(Model):
    """Money owed back to customers (any time, not only in a period)."""

    orders: int
    charges: int = Field(description="Payments owed back; an order may owe several.")
    amount: int


class OverdueOrder(Model):
    order_id: Id
    number: int
    created_at: datetime
    total_amount: int


class OverduePending(Model):
    """Orders still pending longer than the payment window (``ORDER_PAYMENT_MINUTES``, or
    60 minutes when orders never expire)."""

    older_than_minutes: int
    orders: int
    oldest: tuple[OverdueOrder, ...] = Field(description="At most 10, oldest first.")


class Dashboard(Model):
    at: datetime = Field(description="When the figures were read, in the shop's time zone.")
    time_zone: str
    currency: str
    periods: tuple[PeriodFigures, ...] = Field(description="Today, 7 days and 30 days.")
    days: tuple[DayFigures, ...] = Field(description="The last 30 days, oldest first.")
    low_stock: tuple[LowStockProduct, ...] = Field(description="At most 100, lowest first.")
    refunds_due: RefundsDue
    overdue_pending: OverduePending

    def period(self, period: Period) -> PeriodFigures:
        return next(figures for figures in self.periods if figures.period is period)


@dataclass(frozen=True)
class CsvExport:
    """A CSV file being read: its name, and its bytes as they are read (the first chunk, the
    byte order mark and the header, comes before the database is read)."""

    filename: str
    chunks: AsyncGenerator[bytes, None]
