"""``python -m runtime import-products``: a product import from the command line, its report
in plain words."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.accounts.access import SYSTEM
from core.catalog.commands import ImportOptions
from core.catalog.errors import ImportRefused
from core.catalog.models import ImportReport
from core.shop import Shop


async def import_products(shop: Shop, args: argparse.Namespace) -> None:
    """Import (or with ``--dry-run`` check) a CSV file and a ZIP of photos; print the
    report; exit 1 when a row has a problem."""
    sheet = _read(args.file)
    photos = None if args.photos is None else _read(args.photos)
    options = ImportOptions(dry_run=args.dry_run, partial=args.partial)
    try:
        report = await shop.imports.run(SYSTEM, sheet, options, photos)
    except ImportRefused as refused:
        print("\n".join(describe(refused.report)))
        raise SystemExit(f"error: {refused.message}") from None
    print("\n".join(describe(report)))
    if report.problems:
        raise SystemExit(f"error: {report.refused} of {report.rows} rows have problems")


def describe(report: ImportReport) -> list[str]:
    """The report as lines for a person: what was (or would be) done, then each problem."""
    refused = f", {report.refused} refused" if report.refused else ""
    if report.dry_run:
        head = (
            f"dry run, nothing written: {report.created} to create, {report.updated} to "
            f"update, {report.unchanged} unchanged{refused}"
        )
    elif report.applied:
        head = (
            f"imported: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged{refused}"
        )
    else:
        head = "nothing imported: a row has problems (--partial imports the good rows)"
    lines = [head]
    lines += [
        f"row {p.row}{f', {p.column}' if p.column else ''}"
        f"{f' (SKU {p.sku})' if p.sku else ''}: {p.message}"
        for p in report.problems
    ]
    if report.ignored_columns:
        lines.append(f"columns ignored: {', '.join(report.ignored_columns)}")
    if report.unused_photos:
        lines.append(f"photos no row uses: {', '.join(report.unused_photos)}")
    return lines


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SystemExit(f"error: cannot read {path}: {error.strerror}") from None


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``import-products`` subcommand."""
    command = commands.add_parser(
        "import-products",
        help="import products from a CSV file (columns in docs/api.md), matched by SKU: "
        "new SKUs are created, known ones updated where they differ",
    )
    command.add_argument("file", type=Path, help="the CSV file")
    command.add_argument(
        "--photos", type=Path, help="a ZIP of photos named by SKU (ABC-1.jpg, then ABC-1-2.jpg ...)"
    )
    command.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    command.add_argument(
        "--partial",
        action="store_true",
        help="import the good rows even when others have problems (otherwise nothing is "
        "imported unless every row is good)",
    )
    command.set_defaults(run=import_products)
