"""A start link as read, and the campaigns report's figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from core.base.ids import Id
from core.base.models import Model


class StartLink(Model):
    """What a ``/start`` payload asks for: a product's card, a campaign to credit, both, or
    nothing (an unknown or malformed payload, or none)."""

    product_id: Id | None = None
    campaign: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.product_id is None and self.campaign is None


class CampaignFigures(Model):
    """One campaign's orders over the period, counted as the dashboard counts them
    (``core/reports/tallies.py``); amounts in minor units of the shop's currency."""

    campaign: str | None = Field(description="Its name; null for orders of no campaign.")
    orders: int = Field(description="Orders placed, in any status.")
    customers: int = Field(description="Customers who placed them.")
    paid_orders: int = Field(description="Orders that were paid for.")
    sales: int = Field(description="The totals of the orders paid for.")
    refunds: int = Field(description="What of those sales was refunded.")
    revenue: int = Field(description="Sales minus refunds.")


class CampaignReport(Model):
    """Orders and revenue by campaign, most revenue first, over ``[since, until)``."""

    since: datetime | None = Field(description="From this moment on; null: from the first order.")
    until: datetime | None = Field(description="Before this moment; null: up to now.")
    currency: str
    campaigns: tuple[CampaignFigures, ...] = Field(
        description="Each campaign with orders in the period, most revenue first (at most `limit`)."
    )
    more: int = Field(description="Campaigns with orders in the period left off by `limit`.")
    without_campaign: CampaignFigures = Field(
        description="The orders of customers who came by no campaign link, for comparison."
    )
