"""Customers and staff: the accounts with search, one account's page (orders, spending,
language, last delivery details), and for admins role changes and deactivation."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_api.web.visit import Visit
from core.accounts.commands import AccountChange, UserQuery
from core.accounts.models import Role, User
from core.base.commands import parse
from core.base.errors import Conflict, InvalidInput
from core.sales.commands import OrderQuery

PAGE_SIZE = 25
RECENT_ORDERS = 10
FILTERS = ("q", "role", "active")
MAX_TEAM = 100


async def list_customers(visit: Visit) -> web.StreamResponse:
    params = visit.request.query
    chosen = {name: params.get(name, "").strip() for name in FILTERS}
    data: dict[str, Any] = {k: v for k, v in chosen.items() if v}
    data |= {"page": params.get("page", "1") or "1", "limit": str(PAGE_SIZE)}
    context: dict[str, Any] = {"chosen": chosen, "roles": list(Role), "problems": []}
    try:
        query = parse(UserQuery, data)
    except InvalidInput as exc:
        context["problems"] = [f"{'.'.join(map(str, e.loc))}: {e.message}" for e in exc.errors]
        return visit.render("customers/list.html", 422, **context)
    found = await visit.shop.accounts.list(visit.actor, query)
    shown = {name: value for name, value in chosen.items() if value}

    def page_url(number: int) -> str:
        return str(visit.url("list_customers", {**shown, "page": str(number)}))

    return visit.render("customers/list.html", **context, found=found, page_url=page_url)


async def staff_list(visit: Visit) -> web.StreamResponse:
    """The shop's admins and operators (admins only: it is where staff are managed)."""
    teams = {
        role: await visit.shop.accounts.list(visit.actor, UserQuery(role=role, limit=MAX_TEAM))
        for role in (Role.ADMIN, Role.OPERATOR)
    }
    return visit.render("customers/staff.html", teams=teams)


async def customer_page(visit: Visit) -> web.StreamResponse:
    account = await visit.shop.accounts.get(visit.actor, visit.path_id)
    recent = OrderQuery(user_id=account.id, limit=RECENT_ORDERS)
    orders = await visit.shop.orders.search(visit.actor, recent)
    spending = await visit.shop.spending.of_customer(visit.actor, account.id)
    return visit.render(
        "customers/customer.html",
        account=account,
        orders=orders,
        spending=spending,
        roles=list(Role),
        may_change=visit.actor.role is Role.ADMIN,
    )


async def _change(visit: Visit, change: dict[str, Any], done: str) -> web.StreamResponse:
    page = visit.url("customer_page", id=visit.path_id)
    try:
        account: User = await visit.shop.accounts.change(
            visit.actor, visit.path_id, parse(AccountChange, change)
        )
    except (Conflict, InvalidInput) as exc:
        return visit.redirect(page, f"Nothing was changed: {exc.message}", error=True)
    return visit.redirect(page, done.format(name=account.name))


async def change_role(visit: Visit) -> web.StreamResponse:
    role = visit.form.get("role", "")
    return await _change(visit, {"role": role}, f"{{name}} is now {role}.")


async def change_activity(visit: Visit) -> web.StreamResponse:
    active = visit.form.get("active") == "true"
    done = "{name} can sign in again." if active else "{name} is deactivated."
    return await _change(visit, {"active": active}, done)
