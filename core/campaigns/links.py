"""The payloads of the shop's start links, ``https://t.me/<bot>?start=<payload>``.

Telegram passes the payload to the bot as ``/start <payload>``: up to 64 of ``A-Z a-z 0-9 _
-``. The shop reads three forms, and anything else as no link at all:

- ``p-<product id>``: open that product's card;
- ``c-<campaign>``: credit the campaign (``core/campaigns/attribution.py``);
- ``p-<product id>-c-<campaign>``: both.

Whoever sends ``/start`` chooses the payload (typing it, or editing a link), so it is
untrusted: reading it only ever yields an id of the id's form and a campaign name of the
campaigns' form (``CAMPAIGN_PATTERN``); whether the product exists is the catalog's to say.
"""

from __future__ import annotations

import re

from bson import ObjectId

from core.base.ids import ID_PATTERN
from core.campaigns.commands import CAMPAIGN_PATTERN
from core.campaigns.models import StartLink

MAX_PAYLOAD_LENGTH = 64
"""Telegram's limit on a start parameter."""

PRODUCT, CAMPAIGN = "p-", "c-"

_LINK = re.compile(
    rf"(?:{PRODUCT}(?P<product>{ID_PATTERN}))?"
    rf"(?:(?(product)-){CAMPAIGN}(?P<campaign>{CAMPAIGN_PATTERN}))?",
    # "P-", "C-" and ids in capitals too (an id is kept in lower case), but ASCII only:
    # without re.ASCII, a long s (U+017F) would match "s" and the Kelvin sign (U+212A) "k"
    re.IGNORECASE | re.ASCII,
)


def read_start(payload: str | None) -> StartLink:
    """What ``payload`` (the text after ``/start``) asks for; nothing unless it is exactly
    one of the shop's forms."""
    text = (payload or "").strip()
    if len(text) > MAX_PAYLOAD_LENGTH or not (found := _LINK.fullmatch(text)):
        return StartLink()
    product, campaign = found["product"], found["campaign"]
    return StartLink(
        product_id=ObjectId(product.lower()) if product else None,
        campaign=campaign or None,
    )


def start_payload(product_id: ObjectId | None = None, campaign: str | None = None) -> str:
    """The payload of a link to ``product_id``'s card, crediting ``campaign`` if given."""
    parts = []
    if product_id is not None:
        parts.append(f"{PRODUCT}{product_id}")
    if campaign is not None:
        if not re.fullmatch(CAMPAIGN_PATTERN, campaign):
            raise ValueError(f"not a campaign name: {campaign!r}")
        parts.append(f"{CAMPAIGN}{campaign}")
    if not parts:
        raise ValueError("a start link names a product, a campaign or both")
    return "-".join(parts)
