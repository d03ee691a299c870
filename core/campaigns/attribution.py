"""Which campaign a customer came by, and so which campaign their orders are credited to.

**Last touch.** The customer keeps the campaign of the latest campaign link they followed
(``users.campaign``: its name and when), whether it brought them to sign up or back later;
following another campaign's link replaces it, a link without a campaign leaves it. Each
order placed afterwards keeps a copy of the name (``orders.campaign``, written by checkout
with the order), so a later link, or erasing the customer, changes no order's campaign.
"""

from __future__ import annotations

from bson import ObjectId

from core.base import clock
from core.campaigns.models import StartLink
from core.store import Store


class Campaigns:
    def __init__(self, store: Store) -> None:
        self._users = store.users

    async def follow(self, user_id: ObjectId, link: StartLink) -> None:
        """The customer followed ``link``: credit its campaign, if it names one, to them
        from now on (never over a touch recorded later by another process)."""
        if link.campaign is None:
            return
        now = clock.now()
        await self._users.update_one(
            {"_id": user_id, "$or": [{"campaign": None}, {"campaign.at": {"$lte": now}}]},
            {"$set": {"campaign": {"name": link.campaign, "at": now}, "updatedAt": now}},
        )


async def order_campaign(store: Store, user_id: ObjectId) -> dict[str, str]:
    """The fields a new order of ``user_id`` takes from their campaign (none without one)."""
    found = await store.users.find_one({"_id": user_id}, {"campaign.name": 1})
    name = ((found or {}).get("campaign") or {}).get("name")
    return {"campaign": name} if name else {}
