"""Product imports over HTTP: a multipart form with the CSV, a ZIP of photos and the options;
the report; problems as problem+json that write nothing; admins only; SKUs in the API."""

from __future__ import annotations

import aiohttp

from core.accounts.models import Role
from core.catalog.import_files import MAX_CSV_BYTES
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.images import image_bytes, noise_bytes
from tests.sheets import csv_file, zip_file

URL = "/api/imports/products"
SHEET = csv_file(
    ["TEA-1", "Green tea", "Sencha", "6.50", 20, "", "", ""],
    ["TEA-2", "Black tea", "", "5.50", 3, "", "yes", "black.png"],
)
PHOTOS = zip_file({"TEA-1.jpg": image_bytes("JPEG", (30, 20)), "black.png": image_bytes()})


def form(
    sheet: bytes | None = SHEET, photos: bytes | None = None, **fields: str
) -> aiohttp.FormData:
    data = aiohttp.FormData(default_to_multipart=True)
    if sheet is not None:
        data.add_field("file", sheet, filename="products.csv", content_type="text/csv")
    if photos is not None:
        data.add_field("photos", photos, filename="photos.zip", content_type="application/zip")
    for name, value in fields.items():
        data.add_field(name, value)
    return data


async def test_dry_run_apply_and_again(api: Api, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    dry = await api.post(URL, data=form(photos=PHOTOS, dryRun="true"), token=admin.token)
    assert dry.status == 200, dry.body
    assert (dry.body["dryRun"], dry.body["applied"], dry.body["created"]) == (True, False, 2)
    assert [row["changes"] for row in dry.body["results"]] == [["photo"], ["photo"]]
    listed = await api.get("/api/products?includeInactive=true", token=admin.token)
    assert listed.body["total"] == 0

    applied = await api.post(URL, data=form(photos=PHOTOS), token=admin.token)
    assert (applied.status, applied.body["applied"], applied.body["created"]) == (200, True, 2)
    products = await api.get("/api/products?includeInactive=true", token=admin.token)
    by_sku = {p["sku"]: p for p in products.body["items"]}
    assert by_sku["TEA-1"]["price"] == 650 and by_sku["TEA-1"]["active"] is True
    assert by_sku["TEA-2"]["active"] is False
    assert by_sku["TEA-1"]["photo"]["contentType"] == "image/jpeg"
    photo = await api.get(f"/api/products/{by_sku['TEA-2']['id']}/photo", token=admin.token)
    assert photo.body == image_bytes()

    again = await api.post(URL, data=form(photos=PHOTOS, partial="false"), token=admin.token)
    assert (again.status, again.body["unchanged"], again.body["updated"]) == (200, 2, 0)


async def test_bad_rows_are_a_problem_and_write_nothing_unless_partial(
    api: Api, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    bad = csv_file(
        ["OK-1", "Fine", "", "1.00", 1, "", "", ""],
        ["NEG-1", "Tea", "", "1.00", -5, "", "", ""],
        ["CAT-1", "Tea", "", "1.00", 1, "Nowhere", "", ""],
    )
    refused = await api.post(URL, data=form(bad), token=admin.token)
    assert (refused.status, refused.code) == (422, "import-refused")
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.body["detail"] == "Nothing was imported: 2 of 3 rows have problems."
    assert [e["field"] for e in refused.body["errors"]] == ["rows.3.stock", "rows.4.category"]
    listed = await api.get("/api/products?includeInactive=true", token=admin.token)
    assert listed.body["total"] == 0

    dry = await api.post(URL, data=form(bad, dryRun="true"), token=admin.token)
    assert dry.status == 200
    assert [(p["row"], p["column"]) for p in dry.body["problems"]] == [
        (3, "stock"),
        (4, "category"),
    ]

    partial = await api.post(URL, data=form(bad, partial="true"), token=admin.token)
    assert partial.status == 200
    assert (partial.body["created"], partial.body["refused"]) == (1, 2)
    listed = await api.get("/api/products?includeInactive=true", token=admin.token)
    assert [p["sku"] for p in listed.body["items"]] == ["OK-1"]


async def test_bad_forms_and_files_get_problems(api: Api, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    cases = [
        (form(None, dryRun="true"), 400, "missing-file"),
        (form(b"\xff\xfe not utf-8"), 422, "invalid-import"),
        (form(b"name,price\nTea,1\n"), 422, "invalid-import"),
        (form(photos=b"not a zip"), 422, "invalid-import"),
        (form(dryRun="maybe"), 422, "invalid-input"),
        (form(dry_run_please="true"), 422, "invalid-input"),
        (form(b"x" * (MAX_CSV_BYTES + 1)), 413, "body-too-large"),
    ]
    for data, status, code in cases:
        reply = await api.post(URL, data=data, token=admin.token)
        assert (reply.status, reply.code) == (status, code), reply.body
    twice = form()
    twice.add_field("file", SHEET, filename="again.csv", content_type="text/csv")
    repeated = await api.post(URL, data=twice, token=admin.token)
    assert (repeated.status, repeated.code) == (400, "repeated-field")
    as_json = await api.post(URL, json={"file": "sku\n"}, token=admin.token)
    assert (as_json.status, as_json.code) == (415, "unsupported-media-type")
    invalid = await api.post(URL, data=form(b"name,price\nTea,1\n"), token=admin.token)
    assert invalid.body["errors"] == [
        {"field": "file", "message": "its header has no sku column (every row needs its SKU)"}
    ]
    listed = await api.get("/api/products?includeInactive=true", token=admin.token)
    assert listed.body["total"] == 0


async def test_only_admins_import(api: Api, new_account: NewAccount) -> None:
    operator, alice = await new_account(Role.OPERATOR), await new_account()
    assert (await api.post(URL, data=form())).status == 401
    for who in (operator, alice):
        reply = await api.post(URL, data=form(dryRun="true"), token=who.token)
        assert (reply.status, reply.code) == (403, "forbidden")
    admin = await new_account(Role.ADMIN)
    listed = await api.get("/api/products?includeInactive=true", token=admin.token)
    assert listed.body["total"] == 0


async def test_skus_in_the_api(api: Api, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    body = {"name": "Tea", "price": 100, "sku": " tea-1 "}
    created = await api.post("/api/products", json=body, token=admin.token)
    assert (created.status, created.body["sku"]) == (201, "TEA-1")
    plain = await api.post("/api/products", json={"name": "Mate", "price": 1}, token=admin.token)
    assert plain.body["sku"] is None
    taken = await api.post("/api/products", json={**body, "sku": "Tea-1"}, token=admin.token)
    assert (taken.status, taken.code) == (409, "sku-taken")
    assert taken.body["detail"] == "Another product has the SKU TEA-1."
    mate = f"/api/products/{plain.body['id']}"
    clash = await api.patch(mate, json={"sku": "TEA-1"}, token=admin.token)
    assert (clash.status, clash.code) == (409, "sku-taken")
    bad = await api.patch(mate, json={"sku": "tea 1"}, token=admin.token)
    assert (bad.status, bad.body["errors"][0]["field"]) == (422, "sku")
    tea = f"/api/products/{created.body['id']}"
    cleared = await api.patch(tea, json={"sku": None}, token=admin.token)
    assert (cleared.status, cleared.body["sku"]) == (200, None)
    moved = await api.patch(mate, json={"sku": "tea-1"}, token=admin.token)
    assert (moved.status, moved.body["sku"]) == (200, "TEA-1")


async def test_a_catalog_of_fifty_products_with_photos_in_one_request(
    api: Api, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    category = await api.post("/api/categories", json={"name": "Tea"}, token=admin.token)
    rows, files = [], {}
    for n in range(50):
        sku = f"TEA-{n:02d}"
        rows.append([sku, f"Tea {n}", "", f"{n + 1}.99", 10, "Tea", "", ""])
        files[f"{sku}.jpg"] = noise_bytes("JPEG", (240, 180))  # tens of KB each
    photos = zip_file(files)
    assert len(photos) > 1_000_000
    reply = await api.post(URL, data=form(csv_file(*rows), photos), token=admin.token)
    assert (reply.status, reply.body["created"], reply.body["problems"]) == (200, 50, [])
    listed = await api.get(f"/api/products?category={category.body['id']}&limit=100")
    assert listed.body["total"] == 50
    assert all(p["photo"]["contentType"] == "image/jpeg" for p in listed.body["items"])
    tea_7 = next(p for p in listed.body["items"] if p["sku"] == "TEA-07")
    served = await api.get(f"/api/products/{tea_7['id']}/photo")
    assert served.body == files["TEA-07.jpg"]
