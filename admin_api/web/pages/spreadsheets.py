"""Spreadsheets: CSV exports of orders (with the orders page's filters), customers and
products, streamed as core reads them; and the product import (admins), checked first in
a dry run and then applied.

The applied files must be the ones that were checked. Nothing is kept on the server
between the two steps (any API process may serve either, and an abandoned check leaves
nothing behind): the dry run's report carries a fingerprint, the SHA-256 of the CSV file,
the ZIP of photos and the chosen option, and applying sends the files again with it. If
they differ the import is refused, unchecked, and nothing is written. With JavaScript the
check is made by htmx without leaving the page, so the form still holds the chosen files
and applying is one click; without it the page asks to choose the same files again.
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from admin_api.payloads import stream_csv
from admin_api.web.pages import orders
from admin_api.web.uploads import read_upload
from admin_api.web.visit import Visit
from core.accounts.models import Role
from core.base.commands import parse
from core.base.errors import InvalidInput
from core.catalog.commands import ImportOptions
from core.catalog.errors import ImportRefused
from core.catalog.import_files import MAX_CSV_BYTES, MAX_ZIP_BYTES
from core.catalog.models import ImportReport
from core.sales.commands import OrderFilter
from core.sales.models import OrderStatus, PaymentState

SHEET, PHOTOS = "file", "photos"
LIMITS = {SHEET: MAX_CSV_BYTES, PHOTOS: MAX_ZIP_BYTES}
ORDER_FILTERS = tuple(
    name
    for name in orders.FILTERS
    if name in {field.alias or key for key, field in OrderFilter.model_fields.items()}
)
"""The orders page's filters that the export takes too (``from`` and ``to`` are days)."""


async def spreadsheets(visit: Visit) -> web.StreamResponse:
    chosen = {name: visit.request.query.get(name, "") for name in ORDER_FILTERS}
    return _page(visit, chosen=chosen)


async def export_orders(visit: Visit) -> web.StreamResponse:
    chosen = {name: visit.request.query.get(name, "").strip() for name in ORDER_FILTERS}
    try:
        listed = orders.order_query(chosen, "1", visit.shop.settings.zone)
    except InvalidInput as exc:
        problems = [f"{'.'.join(map(str, e.loc))}: {e.message}" for e in exc.errors]
        return _page(visit, 422, chosen=chosen, problems=problems)
    query = parse(
        OrderFilter,
        listed.model_dump(by_alias=True, include=set(OrderFilter.model_fields), exclude_none=True),
    )
    return await stream_csv(visit.request, await visit.shop.exports.orders(visit.actor, query))


async def export_customers(visit: Visit) -> web.StreamResponse:
    return await stream_csv(visit.request, await visit.shop.exports.customers(visit.actor))


async def export_products(visit: Visit) -> web.StreamResponse:
    return await stream_csv(visit.request, await visit.shop.exports.products(visit.actor))


async def export_variants(visit: Visit) -> web.StreamResponse:
    return await stream_csv(visit.request, await visit.shop.exports.variants(visit.actor))


async def check_import(visit: Visit) -> web.StreamResponse:
    """The dry run: every problem by row and column, and what each row would do."""
    return await _import(visit, dry_run=True)


async def apply_import(visit: Visit) -> web.StreamResponse:
    """Apply the files checked by the dry run whose fingerprint the form carries."""
    return await _import(visit, dry_run=False)


async def _import(visit: Visit, *, dry_run: bool) -> web.StreamResponse:
    upload = await read_upload(visit, LIMITS)
    sheet, photos = upload.files.get(SHEET), upload.files.get(PHOTOS)
    partial = upload.fields.get("partial") == "true"
    if sheet is None:
        return _report(visit, dry_run, error="Choose the CSV file to import.")
    if upload.too_large(PHOTOS, MAX_ZIP_BYTES):
        return _report(visit, dry_run, error=f"The ZIP is larger than {MAX_ZIP_BYTES} bytes.")
    fingerprint = _fingerprint(sheet, photos, partial)
    checked = upload.fields.get("checked", "")
    if not dry_run and not hmac.compare_digest(checked.encode(), fingerprint.encode()):
        error = (
            "These are not the files that were checked (or the option changed), so nothing "
            "was imported. Check them first."
        )
        return _report(visit, dry_run, error=error)
    options = parse(ImportOptions, {"dryRun": dry_run, "partial": partial})
    try:
        report = await visit.shop.imports.run(visit.actor, sheet, options, photos)
    except ImportRefused as exc:
        return _report(visit, dry_run, report=exc.report, error=exc.message)
    except InvalidInput as exc:
        return _report(visit, dry_run, error=exc.message)
    return _report(visit, dry_run, report=report, fingerprint=fingerprint, partial=partial)


def _fingerprint(sheet: bytes, photos: bytes | None, partial: bool) -> str:
    digest = hashlib.sha256()
    for part in (sheet, photos or b""):
        digest.update(hashlib.sha256(part).digest())
    digest.update(b"partial" if partial else b"whole")
    return digest.hexdigest()


def _report(
    visit: Visit,
    dry_run: bool,
    *,
    report: ImportReport | None = None,
    error: str | None = None,
    fingerprint: str = "",
    partial: bool = False,
) -> web.StreamResponse:
    """The import's result: the fragment alone for htmx, else the whole page with it."""
    status = 422 if error else 200
    context = {
        "report": report,
        "import_error": error,
        "dry_run": dry_run,
        "fingerprint": fingerprint if dry_run and report and _appliable(report) else "",
        "partial": partial,
    }
    if visit.request.headers.get("HX-Request") == "true":
        return visit.render("spreadsheets/import_report.html", status, **context)
    return _page(visit, status, chosen=dict.fromkeys(ORDER_FILTERS, ""), **context)


def _appliable(report: ImportReport) -> bool:
    """Whether applying the checked files would write anything: every row is good, or the
    good ones go in alone."""
    return report.rows > report.refused and (report.partial or not report.refused)


def _page(visit: Visit, status: int = 200, **context: object) -> web.StreamResponse:
    defaults: dict[str, object] = {
        "problems": [],
        "statuses": list(OrderStatus),
        "payment_states": list(PaymentState),
        "delivery_methods": [(m.code, m.title) for m in visit.shop.delivery.methods],
        "report": None,
        "import_error": None,
        "dry_run": True,
        "fingerprint": "",
        "partial": False,
        "may_import": visit.staff is not None and visit.staff.role is Role.ADMIN,
    }
    return visit.render("spreadsheets/page.html", status, **(defaults | context))
