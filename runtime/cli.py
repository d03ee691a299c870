"""The shop's command line for operators of the installation (not of the shop)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.accounts.access import SYSTEM
from core.accounts.commands import AdminAccount
from core.base.commands import parse
from core.base.errors import DomainError
from core.catalog import currency
from core.catalog.commands import Rounding
from core.config import CoreSettings, ensure_generated_secret, load
from core.promotions.conversion import convert_codes
from core.sales.models import OrderStatus
from core.shop import Shop, open_shop
from runtime import backup, demo, goods, imports, sheets
from runtime.database import database


def _read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise SystemExit("error: the passwords differ")
        return password
    return sys.stdin.readline().rstrip("\n")


async def create_admin(shop: Shop, args: argparse.Namespace) -> None:
    fields: dict[str, object] = {"name": args.name, "email": args.email}
    fields["password"] = _read_password()
    if args.telegram_id is not None:
        fields["telegramId"] = args.telegram_id
    user = await shop.accounts.create_admin(parse(AdminAccount, fields))
    linked = "" if user.telegram_id is None else f", Telegram user {user.telegram_id}"
    print(f"admin {user.email} ready (id {user.id}{linked})")


async def seed_demo(shop: Shop, args: argparse.Namespace) -> None:
    """A sample catalog: the demo products in their categories with photos, then numbered
    variants up to ``--count``."""
    await demo.seed(shop, args.count)
    print(f"added {args.count} products")


async def convert_currency(shop: Shop, args: argparse.Namespace) -> None:
    """Reprice the products priced in ``--from`` into ``--to`` (recorded; safe to re-run)."""
    run = await currency.convert(
        shop.store, args.source, args.target, args.rate, Rounding(args.round)
    )
    codes = await convert_codes(shop.store, run.source, run.target, run.rate, run.rounding)
    print(
        f"converted {run.converted} prices from {run.source} to {run.target} at "
        f"{run.rate} {run.target} per {run.source}, rounded {run.rounding.value} "
        f"(conversion {run.id}), and {codes} promo codes' amounts; "
        f"set SHOP_CURRENCY={run.target}"
    )


async def export_orders(shop: Shop, args: argparse.Namespace) -> None:
    """The orders ``--status``, ``--since``, ``--until`` and ``--user-id`` select, as CSV."""
    chosen = {"status": args.status, "userId": args.user_id}
    chosen |= sheets.period(args.since, args.until, shop.settings.zone)
    query = sheets.order_filter({name: value for name, value in chosen.items() if value})
    await sheets.save(await shop.exports.orders(SYSTEM, query), args.output)


async def export_customers(shop: Shop, args: argparse.Namespace) -> None:
    await sheets.save(await shop.exports.customers(SYSTEM), args.output)


async def export_products(shop: Shop, args: argparse.Namespace) -> None:
    await sheets.save(await shop.exports.products(SYSTEM), args.output)


async def recover(shop: Shop, args: argparse.Namespace) -> None:
    print(f"recovered {await shop.recover()} interrupted checkouts and cancellations")


Command = Callable[[Shop, argparse.Namespace], Awaitable[None]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m runtime", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser(
        "create-admin",
        help="create an admin, or promote an existing account (password read from a "
        "prompt, or the first line of standard input)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Admin")
    admin.add_argument(
        "--telegram-id",
        type=int,
        help="the admin's Telegram user id, so the bot knows them as staff",
    )
    admin.set_defaults(run=create_admin)
    seed = commands.add_parser("seed-demo", help="add a sample catalog")
    seed.add_argument("--count", type=int, default=len(demo.DEMO_PRODUCTS))
    seed.set_defaults(run=seed_demo)
    commands.add_parser("recover", help="finish interrupted work now").set_defaults(run=recover)
    conversion = commands.add_parser(
        "convert-currency",
        help="reprice the products of one currency in another, at a rate you give "
        "(recorded in the database; run it again if it was interrupted)",
    )
    conversion.add_argument("--from", dest="source", required=True, type=str.upper)
    conversion.add_argument("--to", dest="target", required=True, type=str.upper)
    conversion.add_argument(
        "--rate",
        required=True,
        type=_decimal,
        help="what one unit of --from is worth in --to (50 for 1 USD = 50 XTR)",
    )
    conversion.add_argument("--round", required=True, choices=[r.value for r in Rounding])
    conversion.set_defaults(run=convert_currency, check_prices=False)
    _add_exports(commands)
    imports.add_command(commands)
    goods.add_command(commands)
    commands.add_parser(
        "doctor",
        help="check the configuration against Telegram, the database and the public URL "
        "(the same as python -m bot.doctor, which needs the bot's settings)",
    ).set_defaults(module="bot.doctor")
    dump = commands.add_parser(
        "backup", help="copy the embedded database into a new folder (with the shop stopped)"
    )
    dump.add_argument("folder", type=Path)
    dump.set_defaults(alone=lambda args: backup.run_backup(args.folder))
    reload = commands.add_parser(
        "restore", help="load a backup made by `backup` into the embedded database"
    )
    reload.add_argument("folder", type=Path)
    reload.add_argument("--replace", action="store_true", help="drop what the database holds")
    reload.set_defaults(alone=lambda args: backup.run_restore(args.folder, args.replace))
    return parser


def _add_exports(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export-orders``, ``export-customers``, ``export-products``: CSV as the API's
    ``/api/exports/*.csv`` (docs/api.md, "Exports")."""
    orders = commands.add_parser("export-orders", help="write orders as CSV")
    orders.add_argument("--status", choices=[s.value for s in OrderStatus])
    for option, what in (("--since", "from"), ("--until", "up to and including")):
        orders.add_argument(
            option,
            help=f"orders placed {what} this day (YYYY-MM-DD, in SHOP_TIMEZONE) or moment "
            "(RFC 3339 with an offset)",
        )
    orders.add_argument("--user-id", help="one customer's orders")
    orders.set_defaults(run=export_orders)
    commands.add_parser("export-customers", help="write customers as CSV").set_defaults(
        run=export_customers
    )
    commands.add_parser("export-products", help="write products as CSV").set_defaults(
        run=export_products
    )
    for name in ("export-orders", "export-customers", "export-products"):
        commands.choices[name].add_argument(
            "-o", "--output", type=Path, help="the file to write (default: standard output)"
        )


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


async def _run(command: Command, args: argparse.Namespace) -> None:
    settings = load(CoreSettings)
    check = getattr(args, "check_prices", True)
    async with database(settings) as db, open_shop(settings, db.uri, check_prices=check) as shop:
        await command(shop, args)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if module := getattr(args, "module", None):
        # The check belongs to the bot, which runtime must not import: hand the process over.
        os.execv(sys.executable, [sys.executable, "-m", module])  # noqa: S606
    ensure_generated_secret()
    try:
        if alone := getattr(args, "alone", None):  # needs the database to itself
            asyncio.run(alone(args))
        else:
            asyncio.run(_run(args.run, args))
    except DomainError as error:
        raise SystemExit(f"error: {error.message}") from None
