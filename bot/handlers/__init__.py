"""The bot's routers, fresh for every dispatcher, in the order they are tried."""

from __future__ import annotations

from aiogram import Router

from bot.customers import MembersOnly
from bot.handlers import (
    cart,
    catalog,
    checkout,
    delivery,
    fallback,
    help_cancel,
    menu,
    orders,
    profile,
    start,
)


def build_routers() -> list[Router]:
    """/help and /cancel first (every state), then signup, then what needs an account."""
    members = Router(name="members")
    members.message.middleware(MembersOnly())
    members.callback_query.middleware(MembersOnly())
    members.include_routers(
        *(
            module.build_router()
            for module in (menu, catalog, cart, delivery, checkout, orders, profile)
        )
    )
    return [help_cancel.build_router(), start.build_router(), members, fallback.build_router()]
