"""``python -m runtime import-keys``: fill a digital product's pool of keys from a text or
CSV file (one key a line, the first column), as admins do with ``/keys/import``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.accounts.access import SYSTEM
from core.shop import Shop


async def import_keys(shop: Shop, args: argparse.Namespace) -> None:
    """Add the file's keys to the product named by id or SKU; print the pool's counts
    (never a key)."""
    text = _read(args.file)
    product_id = args.product
    if not _is_id(product_id):
        found = (await shop.catalog.with_skus([product_id.upper()])).get(product_id.upper())
        if found is None:
            raise SystemExit(f"error: no product has the id or SKU {product_id}")
        product_id = str(found.id)
    report = await shop.keys.add_text(SYSTEM, product_id, text)
    pool = report.pool
    print(
        f"added {report.added} keys ({report.duplicates} already in the pool); "
        f"{pool.free} free, {pool.taken} sold, {pool.returned} returned; stock {pool.stock}"
    )


def _is_id(text: str) -> bool:
    return len(text) == 24 and all(c in "0123456789abcdef" for c in text)


def _read(path: Path) -> str:
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as error:
        raise SystemExit(f"error: cannot read {path}: {error.strerror}") from None
    return data.decode("utf-8-sig", errors="replace")


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``import-keys`` subcommand."""
    command = commands.add_parser(
        "import-keys",
        help="add keys (licence keys, gift codes) to a digital product's pool from a text "
        "or CSV file, one a line; keys already in the pool are skipped",
    )
    command.add_argument("product", help="the product's id or SKU")
    command.add_argument("file", type=Path, help="the file (- for standard input)")
    command.set_defaults(run=import_keys)
