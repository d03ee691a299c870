"""Input about campaigns: a campaign's name, and the period of the campaigns report."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from core.base.commands import Command
from core.base.fields import QUERY_NUMBER, Timestamp

MAX_CAMPAIGN_LENGTH = 32
"""Short enough that a product link naming a campaign fits Telegram's 64 characters."""

CAMPAIGN_PATTERN = rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_CAMPAIGN_LENGTH - 1}}}"
"""A campaign's name: letters, digits, ``_`` and ``-``, starting with a letter or a digit.
It is kept as written: ``Insta`` and ``insta`` are two campaigns."""

CampaignName = Annotated[str, StringConstraints(pattern=f"^{CAMPAIGN_PATTERN}$")]

MAX_CAMPAIGNS_SHOWN = 200


class CampaignQuery(Command):
    """The campaigns report's period (orders placed in ``[from, to)``; either end may be
    left open, and ``to`` at or before ``from`` selects nothing, as the orders' filters do)
    and how many campaigns to list."""

    created_from: Timestamp | None = Field(default=None, alias="from")
    created_to: Timestamp | None = Field(default=None, alias="to")
    limit: Annotated[int, Field(ge=1, le=MAX_CAMPAIGNS_SHOWN), QUERY_NUMBER] = Field(
        default=50, description="Campaigns listed, most revenue first."
    )
