"""The bot's routers, fresh for every dispatcher, in the order they are tried."""

from __future__ import annotations

from aiogram import Router

from bot.customers import MembersOnly, StaffActor
from bot.handlers import (
    cart,
    catalog,
    checkout,
    delivery,
    fallback,
    goods,
    help_cancel,
    menu,
    orders,
    payments,
    photos,
    privacy,
    profile,
    promo,
    restock,
    service,
    staff_broadcasts,
    staff_orders,
    start,
    variants,
)


def build_routers() -> list[Router]:
    """Payments first (nothing may hold them up), service messages (no reply, whatever the
    state), /help and /cancel (every state), then signup, then staff tools (before the
    catalog takes any text as a search), then what needs an account."""
    staff = Router(name="staff")
    staff.message.middleware(StaffActor())
    staff.callback_query.middleware(StaffActor())
    staff.include_routers(staff_orders.build_router(), staff_broadcasts.build_router())
    members = Router(name="members")
    members.message.middleware(MembersOnly())
    members.callback_query.middleware(MembersOnly())
    members.include_routers(
        *(
            module.build_router()
            for module in (
                menu,
                catalog,
                variants,
                cart,
                delivery,
                checkout,
                orders,
                goods,
                profile,
                privacy,
                promo,
            )
        ),
        restock.build_router(),
    )
    members.include_router(photos.build_router())
    return [
        payments.build_router(),
        service.build_router(),
        help_cancel.build_router(),
        start.build_router(),
        staff,
        members,
        fallback.build_router(),
    ]
