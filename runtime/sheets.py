"""CSV exports on the command line: the options read into core's filter, and the file
written as core reads it."""

from __future__ import annotations

import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.base.commands import parse
from core.base.errors import InvalidInput
from core.reports.dashboard import local_midnight
from core.reports.models import CsvExport
from core.sales.commands import OrderFilter

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
OPTIONS = {"from": "--since", "to": "--until", "status": "--status", "userId": "--user-id"}


def period(since: str | None, until: str | None, zone: ZoneInfo) -> dict[str, str | None]:
    """``--since`` and ``--until`` as the filter's ``from`` and ``to``: a day is its local
    midnight (``--until``: the next one, so that day is included); a moment stays as given."""
    return {"from": _moment(since, zone, 0), "to": _moment(until, zone, 1)}


def _moment(given: str | None, zone: ZoneInfo, days_after: int) -> str | None:
    if given is None or not DAY.fullmatch(given):
        return given
    try:
        day = date.fromisoformat(given)
    except ValueError:
        return given  # refused as a date-time, with the filter's own words
    return local_midnight(day + timedelta(days=days_after), zone).isoformat()


def order_filter(options: dict[str, str]) -> OrderFilter:
    """The filter of ``options`` (named as the API names them), or exit with one line
    naming the option that is wrong."""
    try:
        return parse(OrderFilter, options)
    except InvalidInput as invalid:
        error = invalid.errors[0]
        field = str(error.loc[0])
        problem = error.message.removeprefix("Value error, ")
        raise SystemExit(f"error: {OPTIONS.get(field, field)} {problem}") from None


async def save(export: CsvExport, output: Path | None) -> None:
    """Write ``export`` to ``output`` (whole or not at all: through a file beside it,
    renamed at the end), or to standard output."""
    if output is None:
        async for chunk in export.chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    partial = output.with_name(f".{output.name}.part")
    try:
        with partial.open("wb") as file:
            async for chunk in export.chunks:
                file.write(chunk)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    print(f"wrote {output}", file=sys.stderr)
