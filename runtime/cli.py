"""The shop's command line for operators of the installation (not of the shop)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import random
import sys
from collections.abc import Awaitable, Callable

from core.access import SYSTEM
from core.commands import AdminAccount, ProductDraft, parse
from core.config import CoreSettings, ensure_generated_secret, load
from core.errors import DomainError
from core.shop import Shop, open_shop
from runtime.database import database_uri

DEMO_PRODUCTS = [
    ("Green tea", "Sencha from Shizuoka, 100 g.", 650),
    ("Black tea", "Assam, malty and strong, 100 g.", 550),
    ("Oolong", "Tie Guan Yin, floral, 50 g.", 890),
    ("Earl Grey", "Black tea with bergamot, 100 g.", 600),
    ("Matcha", "Ceremonial grade, 30 g tin.", 1990),
    ("Teapot", "Cast iron, 0.8 l.", 4500),
    ("Mug", "Stoneware, 350 ml.", 1200),
    ("Honey", "Wildflower honey, 250 g jar.", 790),
]


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


def _progress(done: int, total: int, width: int = 30) -> None:
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


async def seed_demo(shop: Shop, args: argparse.Namespace) -> None:
    """A sample catalog: the demo products, then numbered variants up to ``--count``."""
    rng = random.Random(args.count)  # noqa: S311 - sample data, not security
    for index in range(args.count):
        name, description, price = DEMO_PRODUCTS[index % len(DEMO_PRODUCTS)]
        if index >= len(DEMO_PRODUCTS):
            name = f"{name} #{index // len(DEMO_PRODUCTS) + 1}"
        draft = ProductDraft(
            name=name, description=description, price=price, stock=rng.randint(5, 50)
        )
        await shop.catalog.create(SYSTEM, draft)
        _progress(index + 1, args.count)
    print(f"added {args.count} products")


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
    seed.add_argument("--count", type=int, default=len(DEMO_PRODUCTS))
    seed.set_defaults(run=seed_demo)
    commands.add_parser("recover", help="finish interrupted work now").set_defaults(run=recover)
    return parser


async def _run(command: Command, args: argparse.Namespace) -> None:
    settings = load(CoreSettings)
    async with database_uri(settings) as uri, open_shop(settings, uri) as shop:
        await command(shop, args)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    ensure_generated_secret()
    try:
        asyncio.run(_run(args.run, args))
    except DomainError as error:
        raise SystemExit(f"error: {error.message}") from None
