"""Schemathesis hooks of the contract test (``hooks`` in ``schemathesis.toml``).

A photo upload's document says the file is ``image/jpeg``, ``image/png`` or ``image/webp``
(the multipart ``encoding``), but a schema cannot say "an image Pillow can read". So the
strategies below make such files (real images of sizes Telegram accepts) for the parts
schemathesis fills from them, and the one failure it may still find there is dropped:
a made-up file refused as ``invalid-photo`` (422), the answer the document promises for it.
Every other failure of that operation, and of all others, still fails the run.

A product import's CSV file and ZIP of photos are made the same way: a CSV of good rows
under new SKUs, a ZIP of an image (a photo for no row, or none).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, HookContext, Response
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import RejectedPositiveData

from tests.images import image_bytes
from tests.sheets import csv_file, zip_file

UPLOADS = {
    ("POST", "/api/products/{id}/photo"),
    ("POST", "/api/products/{id}/photos"),
    ("PUT", "/api/products/{id}/photos/{photo}"),
}
SIDES = st.tuples(st.integers(1, 48), st.integers(1, 48)).filter(
    lambda size: max(size) <= 20 * min(size)
)

for media_type, kind in (("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp", "WEBP")):
    schemathesis.openapi.media_type(
        media_type, st.builds(image_bytes, st.just(kind), SIDES, st.sampled_from(["teal", "red"]))
    )

SKUS = st.lists(st.from_regex(r"[A-Z]{1,4}-[0-9]{1,3}", fullmatch=True), max_size=3, unique=True)
schemathesis.openapi.media_type(
    "text/csv",
    SKUS.map(
        lambda skus: csv_file(*[[sku, f"Tea {sku}", "", "4.50", 3, "", "", ""] for sku in skus])
    ),
)
schemathesis.openapi.media_type(
    "application/zip",
    st.sampled_from([zip_file({}), zip_file({"unused.png": image_bytes()})]),
)


@schemathesis.hook
def filter_failure(
    context: HookContext, failure: Failure, case: Case[Any], response: Response
) -> bool:
    """Keep every failure but a made-up photo refused for not being an image."""
    refused_as_not_an_image = (
        isinstance(failure, RejectedPositiveData)
        and (case.operation.method.upper(), case.operation.path) in UPLOADS
        and response.status_code == 422
        and json.loads(response.content).get("code") == "invalid-photo"
    )
    return not refused_as_not_an_image
