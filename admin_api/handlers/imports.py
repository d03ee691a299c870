"""Product imports: admins send a CSV file (and a ZIP of photos named by SKU); core checks
every row and, unless asked for a dry run, imports it."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call, Submitted
from admin_api.payloads import respond
from core.catalog.commands import ImportOptions

SHEET, PHOTOS = "file", "photos"


async def import_products(call: Call[Submitted[ImportOptions], None]) -> web.Response:
    """The CSV in the field `file` (columns in docs/api.md, "Importing products"), a ZIP
    of photos in `photos` (optional), `dryRun` and `partial` (`true` or `false`). Answers
    the report: per row its outcome and the columns that changed, every problem by row and
    column. Unless `partial`, a file with any bad row is refused whole (422
    `import-refused`, its `errors` named `rows.<row>.<column>`) and nothing is written; a
    file that cannot be read at all is 422 `invalid-import`."""
    form = call.body
    report = await call.shop.imports.run(
        call.actor, form.files[SHEET], form.fields, form.files.get(PHOTOS)
    )
    return respond(report)
