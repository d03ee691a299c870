"""The back office attacked as an outsider would: forged and replayed forms, open
redirects, stolen or planted cookies, markup typed into every field, hostile URLs and
bodies. Each attack is refused with a readable page and writes nothing."""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from http.cookies import SimpleCookie

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from admin_api.app import create_app
from admin_api.web import uploads
from admin_api.web.app import mount
from admin_api.web.routes import PAGES
from admin_api.web.visit import PageRoute, Visit
from core.shop import Shop
from tests.api.client import api_settings
from tests.api.world import PASSWORD, World
from tests.databases import Snapshot
from tests.sheets import csv_file, zip_file
from tests.web.hostile import HOSTILE, hostile_things, html_pages, with_ids
from tests.web.office import Office, OpenOffice, Page


def _ids(path: str, world: World) -> str:
    """``path`` with the id of a thing of its kind in the world."""
    kinds = {
        "/orders/": world.order_id,
        "/customers/": world.alice.id,
        "/products/": str(world.tea.id),
        "/categories/": world.category_id,
        "/broadcasts/": world.broadcast_id,
        "/promo-codes/": world.promo_id,
    }
    path = with_ids(path, kinds).replace("{photo}", str(world.tea.photos[0].file_id))
    return path.replace("{key}", "0" * 24)  # a key of a pool (none: the action refuses first)


async def _snapshot(shop: Shop) -> Snapshot:
    return await Snapshot.of(shop.client[shop.settings.mongodb_database])


def _is_page(page: Page) -> bool:
    return page.headers["Content-Type"].startswith("text/html") and "Traceback" not in page.text


async def test_every_form_action_refuses_a_missing_wrong_or_borrowed_token(
    open_office: OpenOffice, shop: Shop, world: World
) -> None:
    admin, other = await open_office(), await open_office()
    await admin.sign_in(world.admin.email, PASSWORD)
    await other.sign_in(world.admin.email, PASSWORD)
    borrowed = (await other.get("/admin/")).csrf
    before = await _snapshot(shop)
    posts = [page for page in PAGES if page.method == "POST" and page.path != "/sign-in"]
    for page in posts:
        path = _ids(page.path, world)
        for token in ("", "forged", borrowed):
            refused = await admin.post(path, {"name": "x", "text": "x"}, csrf=token)
            assert refused.status == 403 and _is_page(refused), (path, token, refused.status)
        upload = FormData({"csrf_token": borrowed})
        upload.add_field("file", b"x", filename="x.csv")
        refused = await admin.request("POST", path, data=upload)
        assert refused.status == 403, (path, refused.status)
    assert await _snapshot(shop) == before
    assert (await admin.get("/admin/")).status == 200  # still signed in


async def test_reading_every_page_writes_nothing(office: Office, shop: Shop, world: World) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    before = await _snapshot(shop)
    for page in PAGES:
        if page.method == "GET":
            async with office.client.get(_ids(page.path, world)) as reply:
                assert reply.status == 200, (page.path, reply.status)
    await office.get("/admin/sign-out")
    assert await _snapshot(shop) == before
    assert (await office.get("/admin/")).status == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/admin/../..//evil.example",
        "/admin/..%2F..%2F%2Fevil.example",
        "/admin//evil.example",
        "/admin/\r\nSet-Cookie: planted=1",
        "/admin/%0d%0aSet-Cookie:%20planted=1",
        "/admin/\t/evil.example",
        "javascript:alert(1)",
        "/admin/ /evil.example",
    ],
)
async def test_sign_in_never_leaves_the_back_office(
    open_office: OpenOffice, world: World, target: str
) -> None:
    office = await open_office()
    await office.get("/admin/sign-in", params={"next": target})
    reply = await office.post(
        "/admin/sign-in", {"email": world.admin.email, "password": PASSWORD, "next": target}
    )
    assert reply.status == 303, reply.text[:500]
    location = reply.location
    assert location.startswith("/admin/") and not location.startswith("//"), location
    assert "\\" not in location and "\n" not in location and "\r" not in location
    assert "planted" not in str(reply.headers.getall("Set-Cookie", []))
    again = await office.get("/admin/sign-in", params={"next": target})
    assert again.status == 303 and again.location.startswith("/admin/")
    assert not again.location.startswith("//")


async def test_a_cookie_planted_before_sign_in_never_becomes_the_session(
    office: Office, world: World
) -> None:
    planted = {"shop_admin_session": "planted", "shop_admin_form": "planted"}
    office.client.session.cookie_jar.update_cookies(planted)
    signed_in = await office.sign_in(world.admin.email, PASSWORD)
    assert signed_in.status == 303
    (issued,) = [
        c["shop_admin_session"] for c in _set_cookies(signed_in) if "shop_admin_session" in c
    ]
    assert issued.value not in ("", "planted")
    dashboard = await office.get("/admin/", cookies={"shop_admin_session": issued.value})
    assert dashboard.status == 200


async def test_api_tokens_and_session_tokens_are_not_interchangeable(
    office: Office, world: World
) -> None:
    office.client.session.cookie_jar.update_cookies({"shop_admin_session": world.admin.token})
    refused = await office.get("/admin/")
    assert refused.status == 303 and refused.location.startswith("/admin/sign-in")
    office.forget_cookies()
    await office.sign_in(world.admin.email, PASSWORD)
    cookie = office.session_cookie
    api = await office.get("/api/orders", headers={"Authorization": f"Bearer {cookie}"})
    assert api.status == 401


async def test_a_password_change_ends_the_back_office_session(office: Office, world: World) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    changed = await office.request(
        "PATCH",
        "/api/auth/me",
        json={"oldPassword": PASSWORD, "newPassword": "a new horse battery staple"},
        headers={"Authorization": f"Bearer {world.admin.token}"},
    )
    assert changed.status == 200, changed.text
    ended = await office.get("/admin/")
    assert ended.status == 303 and ended.location.startswith("/admin/sign-in")


def _set_cookies(page: Page) -> list[SimpleCookie]:
    found = []
    for value in page.headers.getall("Set-Cookie", []):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value)
        found.append(cookie)
    return found


async def test_every_cookie_is_http_only_same_site_strict_and_scoped(
    office: Office, world: World
) -> None:
    pages = [await office.get("/admin/sign-in")]
    pages.append(await office.post("/admin/sign-in", {"email": "x@example.com", "password": "y"}))
    pages.append(await office.sign_in(world.admin.email, PASSWORD))
    pages.append(await office.get("/admin/"))
    pages.append(await office.post("/admin/sign-out"))
    pages.append(await office.get("/admin/sign-in"))
    pages.append(await office.get("/admin/orders"))
    seen = 0
    for page in pages:
        for cookie in _set_cookies(page):
            for morsel in cookie.values():
                seen += 1
                assert morsel["httponly"] and morsel["samesite"] == "Strict", morsel
                assert morsel["path"] == "/admin", morsel
    assert seen >= 4


def _raw_markup(page: Page) -> bool:
    """Whether ``HOSTILE`` (or its tags) reached the page as markup instead of text."""
    return "<script>alert" in page.text or "</textarea>{{" in page.text or "\"'>" in page.text


async def test_typed_text_is_shown_as_text_on_every_page(
    office: Office, shop: Shop, world: World
) -> None:
    ids = await hostile_things(shop)
    await office.sign_in(world.admin.email, PASSWORD)
    for path in html_pages(ids):
        reply = await office.get(path)
        assert reply.status in (200, 303) and not _raw_markup(reply), (path, reply.status)
    listed = await office.get("/admin/products")
    assert listed.shows(HOSTILE)


async def test_input_echoed_back_is_shown_as_text(office: Office, world: World) -> None:
    await office.get("/admin/sign-in")
    refused = await office.post(
        "/admin/sign-in", {"email": HOSTILE, "password": HOSTILE, "next": HOSTILE}
    )
    assert refused.status in (401, 422) and not _raw_markup(refused)
    await office.sign_in(world.admin.email, PASSWORD)
    query = {name: HOSTILE for name in ("q", "status", "paymentState", "from", "sort", "userId")}
    for path in (
        "/admin/orders",
        "/admin/exports/orders.csv",
        "/admin/customers",
        "/admin/products",
    ):
        reply = await office.get(path, params=query)
        assert reply.status in (200, 422) and _is_page(reply), (path, reply.status)
        assert not _raw_markup(reply), path
    await office.get("/admin/products/new")
    fields = {"name": HOSTILE, "description": HOSTILE, "price": HOSTILE, "sku": HOSTILE}
    refused = await office.post("/admin/products", fields)
    assert refused.status == 422 and not _raw_markup(refused)
    await office.get("/admin/broadcasts")
    for formatted in ("true", ""):
        fields = {"text": HOSTILE, "formatted": formatted, "segment": HOSTILE}
        preview = await office.post("/admin/broadcasts/preview", fields)
        assert not _raw_markup(preview), preview.text
    link = {"text": '<a href="javascript:alert(1)">x</a>', "formatted": "true", "segment": "all"}
    preview = await office.post("/admin/broadcasts/preview", link)
    assert (
        "javascript:"
        not in preview.text.split("<textarea", 1)[0] + preview.text.split("</textarea>", 1)[-1]
    )


async def test_an_import_report_shows_cells_and_file_names_as_text(
    office: Office, world: World
) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    token = (await office.get("/admin/spreadsheets")).csrf
    sheet = csv_file([HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE])
    form = FormData({"csrf_token": token})
    form.add_field("file", sheet, filename=HOSTILE + ".csv", content_type="text/csv")
    form.add_field("photos", b"not a zip", filename=HOSTILE + ".zip")
    report = await office.request("POST", "/admin/imports/check", data=form)
    assert report.status in (200, 422) and _is_page(report) and not _raw_markup(report)


def _has_page_headers(page: Page) -> bool:
    policy = page.headers.get("Content-Security-Policy", "")
    return (
        "frame-ancestors 'none'" in policy
        and "unsafe-inline" not in policy
        and page.headers.get("X-Content-Type-Options") == "nosniff"
        and page.headers.get("Referrer-Policy") in ("no-referrer", "same-origin")
    )


async def test_every_kind_of_answer_carries_the_headers(
    open_office: OpenOffice, world: World
) -> None:
    office, operator = await open_office(), await open_office()
    answers = {
        "redirect to sign in": await office.get("/admin/orders"),
        "bare prefix": await office.get("/admin"),
        "403 form": await office.post("/admin/sign-in", {"email": "a@b.c"}, csrf="forged"),
        "405": await office.get("/admin/sign-out"),
        "static": await office.get("/admin/static/back-office.css"),
        "static 404": await office.get("/admin/static/nothing.css"),
    }
    await office.sign_in(world.admin.email, PASSWORD)
    await operator.sign_in(world.operator.email, PASSWORD)
    answers |= {
        "404": await office.get("/admin/orders/0123456789abcdef01234567"),
        "422": await office.get("/admin/orders", params={"status": "x"}),
        "403 role": await operator.get("/admin/products"),
        "trailing slash": await office.get("/admin/orders/"),
        "csv": await office.get("/admin/exports/customers.csv"),
    }
    for what, page in answers.items():
        assert _has_page_headers(page), (what, page.status, dict(page.headers))
    for what in ("404", "422", "403 role", "csv", "redirect to sign in"):
        assert answers[what].headers.get("Cache-Control") == "no-store", what
    csv = answers["csv"]
    assert csv.headers["Content-Disposition"].startswith("attachment; filename=")
    assert csv.headers["Content-Type"].startswith("text/csv")


async def test_every_page_and_action_refuses_strangers_customers_and_operators(
    open_office: OpenOffice, world: World
) -> None:
    stranger, customer, operator = await open_office(), await open_office(), await open_office()
    await stranger.get("/admin/sign-in")
    signed_out_customer = await customer.sign_in(world.alice.email, PASSWORD)
    assert signed_out_customer.status == 401 and customer.session_cookie is None
    await operator.sign_in(world.operator.email, PASSWORD)
    await operator.get("/admin/")
    for page in PAGES:
        if page.access.value == "public":
            continue
        path = _ids(page.path, world)
        reply = await stranger.request(
            page.method, path, data={"csrf_token": stranger.last.csrf if stranger.last else ""}
        )
        assert reply.status == 303 and reply.location.startswith("/admin/sign-in"), (
            path,
            reply.status,
        )
        if page.access.value == "admin":
            data = {"csrf_token": operator.last.csrf if operator.last else ""}
            refused = await operator.request(
                page.method, path, data=data if page.method == "POST" else None
            )
            assert refused.status == 403 and _is_page(refused), (path, refused.status)
            assert refused.shows("Not allowed")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orders/not-an-id",
        "/admin/orders/0123456789abcdef0123456",
        "/admin/orders/%00",
        "/admin/orders/{}",
        "/admin/customers/../orders",
        "/admin/customers/ffffffffffffffffffffffff",
        "/admin/products/ffffffffffffffffffffffff",
        "/admin/products/ffffffffffffffffffffffff/photo",
        "/admin/products/zz",
        "/admin/broadcasts/zz",
        "/admin/broadcasts/zz/progress",
        "/admin/broadcasts/ffffffffffffffffffffffff/progress",
        "/admin/orders?page=-1",
        "/admin/orders?page=0",
        "/admin/orders?page=1000000000",
        "/admin/orders?page=1e9",
        "/admin/orders?page=99999999999999999999999999",
        "/admin/orders?sort=%00",
        "/admin/orders?from=9999-99-99&to=0000-01-01",
        "/admin/orders?from=2026-01-01T00:00",
        "/admin/orders?userId=%00",
        "/admin/orders?status=pending&status=paid",
        "/admin/customers?page=-1",
        "/admin/customers?role=%3Cscript%3E",
        "/admin/customers?q=" + "x" * 5000,
        "/admin/products?page=abc",
        "/admin/products?category=zz",
        "/admin/broadcasts?page=-5",
        "/admin/staff?page=-5",
        "/admin/?period=%3Cscript%3E",
        "/admin/?period=",
        "/admin/exports/orders.csv?page=-1&from=x",
    ],
)
async def test_malformed_ids_and_queries_are_readable_pages(
    office: Office, world: World, path: str
) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    async with office.client.get(path, allow_redirects=False) as reply:
        body = await reply.read()
        assert reply.status in (200, 303, 308, 404, 422), (path, reply.status, body[:300])
        assert b"config.py" not in body or reply.status != 200
        assert b"class CoreSettings" not in body and b"Index of" not in body
        if reply.status >= 400:
            assert reply.headers["Content-Type"].startswith("text/html"), path
        if reply.status == 200 and "photo" not in path:
            assert reply.headers["Content-Type"].startswith(("text/html", "text/csv")), path


async def test_static_files_have_their_types(office: Office) -> None:
    for path, kind in (
        ("/admin/static/back-office.css", "text/css"),
        ("/admin/static/photo-upload.js", "application/javascript"),
        ("/admin/static/vendor/htmx.min.js", "application/javascript"),
    ):
        async with office.client.get(path) as reply:
            assert reply.status == 200 and reply.headers["Content-Type"].startswith(kind), (
                path,
                reply.headers["Content-Type"],
            )


async def _raw_get(office: Office, target: str) -> tuple[int, bytes]:
    """GET ``target`` exactly as written (a client would normalise its dots)."""
    url = office.client.make_url("/")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head + b"\n" + body


@pytest.mark.parametrize(
    "target",
    [
        "/admin/static/../../core/config.py",
        "/admin/static/../templates/base.html",
        "/admin/static/..%2f..%2fcore%2fconfig.py",
        "/admin/static/%2e%2e/%2e%2e/core/config.py",
        "/admin/static/%2e%2e%2ftemplates%2fbase.html",
        "/admin/static/..\\..\\core\\config.py",
        "/admin/static//etc/passwd",
        "/admin/static/%2fetc%2fpasswd",
        "/admin/static/",
        "/admin/static/vendor/",
        "/admin/static/vendor",
    ],
)
async def test_static_files_stay_in_their_folder(office: Office, target: str) -> None:
    status, answer = await _raw_get(office, target)
    assert status in (400, 403, 404), (target, status)
    assert b"CoreSettings" not in answer and b"root:" not in answer and b"{% block" not in answer
    assert b"Index of" not in answer and b"<li>" not in answer


WEIRD = ("", "-1", "9" * 40, "\x00", "1e400", "nan", HOSTILE, "ffffffffffffffffffffffff")
FIELDS = (
    "name", "description", "price", "sku", "stock", "amount", "how", "expectedVersion",
    "categoryId", "lowStockThreshold", "active", "status", "role", "text", "formatted",
    "segment", "broadcastId", "note", "partial", "checked", "email", "password", "next",
)  # fmt: skip


async def test_any_form_body_is_a_readable_answer(office: Office, world: World) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    token = (await office.get("/admin/")).csrf
    posts = [page for page in PAGES if page.method == "POST" and page.path != "/sign-out"]
    for page in posts:
        path = _ids(page.path, world)
        bodies: list[object] = [{}, *({name: value for name in FIELDS} for value in WEIRD)]
        for body in bodies:
            form = {"csrf_token": token, **body}  # type: ignore[dict-item]
            reply = await office.request("POST", path, data=form)
            assert reply.status < 500 and (reply.status == 303 or _is_page(reply)), (
                path, body, reply.status, reply.text[-400:],
            )  # fmt: skip
        for files in ({}, {"wrong": b"x"}, {"file": b""}, {"photo": b""}, {"photos": b"PK"}):
            multipart = FormData({"csrf_token": token}, default_to_multipart=True)
            for name, data in files.items():
                multipart.add_field(name, data, filename="x.bin")
            reply = await office.request("POST", path, data=multipart)
            assert reply.status < 500 and (reply.status == 303 or _is_page(reply)), (
                path, files, reply.status, reply.text[-400:],
            )  # fmt: skip


async def test_a_form_over_the_size_limit_is_a_readable_413(office: Office, world: World) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    token = (await office.get("/admin/")).csrf
    reply = await office.post("/admin/categories", {"name": "x" * 3_000_000}, csrf=token)
    assert reply.status == 413 and _is_page(reply)


def _upload_start(token: str) -> str:
    """A multipart body (boundary ``B``) up to its photo's first byte."""
    return (
        f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        '--B\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\n\r\n'
    )


async def _upload_answer(office: Office, path: str, declared: int | None, sent: int) -> bytes:
    """The answer to a photo upload of ``sent`` bytes declared as ``declared`` (chunked if
    ``None``), read while the rest of the body is still unsent."""
    token = (await office.get("/admin/")).csrf
    url = office.client.make_url("/")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    start = _upload_start(token).encode() + b"\0" * sent
    length = f"Content-Length: {declared}" if declared else "Transfer-Encoding: chunked"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nCookie: shop_admin_session={office.session_cookie}"
        f"\r\nContent-Type: multipart/form-data; boundary=B\r\n{length}\r\n\r\n"
    ).encode()
    body = start if declared else f"{len(start):x}\r\n".encode() + start + b"\r\n"
    writer.write(head + body)
    await writer.drain()
    try:  # never answered before the fix: the whole declared body was awaited
        return await asyncio.wait_for(reader.read(4096), 60)
    finally:
        writer.close()


async def test_a_huge_upload_is_refused_before_it_is_read(
    office: Office, shop: Shop, world: World
) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    for path in (f"/admin/products/{world.tea.id}/photo", "/admin/imports/check"):
        answer = await _upload_answer(office, path, 1024**3, 64 * 1024)
        assert answer.startswith(b"HTTP/1.1 413") and b"Too large" in answer, answer[:300]
    room = uploads.OVERSIZE * shop.photos.max_bytes
    room += uploads.MAX_PARTS * (uploads.FIELD_BYTES + uploads.PART_OVERHEAD_BYTES)
    past = room + 4 * uploads.CHUNK_BYTES  # what the reader holds back to find a boundary
    answer = await _upload_answer(office, f"/admin/products/{world.tea.id}/photo", None, past)
    assert answer.startswith(b"HTTP/1.1 413") and b"larger than this form takes" in answer


OFF_SITE = ("javascript:", "data:text", "//", "http:", "https:")


class _Inline(HTMLParser):
    """What a page holds that its policy (no inline script or style) would block."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name.startswith("hx-on"):
                self.blocked.append(f"<{tag} {name}=…>")
            link = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction") and link.startswith(OFF_SITE):
                self.blocked.append(f"<{tag} {name}={value}>")
        if tag == "script" and not named.get("src"):
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style>")


async def test_no_page_holds_what_its_policy_would_block(
    open_office: OpenOffice, shop: Shop, world: World
) -> None:
    ids = await hostile_things(shop)
    office, operator = await open_office(), await open_office()
    pages = [await office.get("/admin/sign-in"), await office.get("/admin/sign-out")]
    await office.sign_in(world.admin.email, PASSWORD)
    await operator.sign_in(world.operator.email, PASSWORD)
    pages += [await operator.get("/admin/products"), await office.get("/admin/orders/zz")]
    pages.append(await office.get("/admin/orders", params={"status": "x"}))
    pages += [await office.get(path) for path in html_pages(ids)]
    await office.get("/admin/broadcasts")
    preview = {"text": "<b>x</b>", "formatted": "true", "segment": "all"}
    pages.append(await office.post("/admin/broadcasts/preview", preview))
    for page in pages:
        checker = _Inline()
        checker.feed(page.text)
        assert not checker.blocked, (page.status, checker.blocked, page.text[:200])


async def _fails(visit: Visit) -> web.StreamResponse:
    raise RuntimeError("secret detail of the failure")


async def test_a_failing_page_is_a_500_page_with_the_headers_and_no_detail(
    shop: Shop, world: World
) -> None:
    settings = api_settings(admin_web=False)
    app = create_app(shop, settings)
    mount(app, shop, settings, (*PAGES, PageRoute("GET", "/fails", _fails)))
    async with TestClient(TestServer(app)) as client:
        office = Office(client)
        await office.sign_in(world.operator.email, PASSWORD)
        failed = await office.get("/admin/fails")
        assert failed.status == 500 and _is_page(failed) and _has_page_headers(failed)
        assert "secret detail" not in failed.text and failed.headers["Cache-Control"] == "no-store"
        for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
            refused = await office.request(method, "/admin/orders")
            assert refused.status == 405 and _is_page(refused) and _has_page_headers(refused)


async def test_a_zip_bomb_through_the_import_page_is_refused_by_its_size(
    office: Office, shop: Shop, world: World
) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    token = (await office.get("/admin/spreadsheets")).csrf
    bomb = zip_file({"BOMB-1.png": bytes(64 * 1024 * 1024)})  # 64 MiB of zeros, ~64 kB
    before = await _snapshot(shop)
    form = FormData({"csrf_token": token})
    sheet = csv_file(["BOMB-1", "Bomb", "", "1.00", 1, "", "", "BOMB-1.png"])
    form.add_field("file", sheet, filename="products.csv", content_type="text/csv")
    form.add_field("photos", bomb, filename="photos.zip", content_type="application/zip")
    report = await office.request("POST", "/admin/imports/check", data=form)
    assert report.status in (200, 422) and _is_page(report)
    assert report.shows(f"larger than {shop.photos.max_bytes} bytes")
    assert await _snapshot(shop) == before


async def test_a_flash_message_naming_typed_text_shows_it_as_text(
    office: Office, world: World
) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    await office.get("/admin/categories")
    created = await office.post("/admin/categories", {"name": HOSTILE})
    assert created.status == 303
    shown = await office.follow(created)
    assert shown.shows(f"{HOSTILE} was created.") and not _raw_markup(shown)
    for cookie in _set_cookies(created):
        for morsel in cookie.values():
            assert not set(morsel.value) & set("\"';<> "), morsel.value


async def test_an_id_of_another_kind_of_thing_is_a_404_page(office: Office, world: World) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    ids = [world.order_id, world.alice.id, str(world.tea.id), world.category_id, world.broadcast_id]
    for kind, own in (
        ("orders", world.order_id),
        ("customers", world.alice.id),
        ("products", str(world.tea.id)),
        ("broadcasts", world.broadcast_id),
    ):
        for other in ids:
            if other != own:
                page = await office.get(f"/admin/{kind}/{other}")
                assert page.status == 404 and _is_page(page), (kind, other, page.status)
    token = (await office.get("/admin/categories")).csrf
    renamed = await office.post(f"/admin/categories/{world.order_id}", {"name": "x"}, csrf=token)
    assert renamed.status == 404 and _is_page(renamed)


@pytest.mark.parametrize(
    "cookies",
    [
        {"shop_admin_session": "x" * 3000},
        {"shop_admin_session": "e30.e30.e30"},
        {"shop_admin_session": "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."},
        {"shop_admin_flash": "e%ff%fe%zz" + "%" * 1000},
        {"shop_admin_flash": "d" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E"},
        {"shop_admin_form": "\u00e9\u00e9"},
    ],
)
async def test_a_forged_cookie_is_a_readable_answer(
    office: Office, cookies: dict[str, str]
) -> None:
    for path in ("/admin/", "/admin/sign-in"):
        page = await office.get(path, cookies=cookies)
        assert page.status in (200, 303) and (page.status == 303 or _is_page(page)), page.status
        assert not _raw_markup(page)
    signed_out = await office.get("/admin/orders", cookies=cookies)
    assert signed_out.status == 303 and signed_out.location.startswith("/admin/sign-in")


async def test_a_body_that_never_arrives_is_a_408_page(
    open_office: OpenOffice, world: World
) -> None:
    office = await open_office(api_body_timeout_seconds=0.3)
    await office.sign_in(world.admin.email, PASSWORD)
    token = (await office.get("/admin/")).csrf
    url = office.client.make_url("/")
    photo = f"/admin/products/{world.tea.id}/photo"
    for path, kind, body in (
        ("/admin/categories", "application/x-www-form-urlencoded", f"csrf_token={token}&na"),
        (photo, "multipart/form-data; boundary=B", _upload_start(token) + "\0" * 100),
    ):
        reader, writer = await asyncio.open_connection(url.host, url.port)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nCookie: shop_admin_session="
            f"{office.session_cookie}\r\nContent-Type: {kind}\r\nContent-Length: 100000\r\n\r\n"
        )
        writer.write((head + body).encode())
        await writer.drain()
        try:  # before the fix, no answer ever came: the rest of the body was awaited
            answer = await asyncio.wait_for(reader.read(4096), 60)
        finally:
            writer.close()
        assert answer.startswith(b"HTTP/1.1 408") and b"text/html" in answer, answer[:300]
        assert b"Too slow" in answer


async def test_an_htmx_request_without_a_session_sends_the_tab_to_sign_in(
    office: Office, world: World
) -> None:
    page = f"http://shop.example/admin/broadcasts/{world.broadcast_id}"
    headers = {"HX-Request": "true", "HX-Current-URL": page}
    poll = await office.get(f"/admin/broadcasts/{world.broadcast_id}/progress", headers=headers)
    assert poll.status == 204 and "Location" not in poll.headers  # htmx would swap its target
    target = URL(poll.headers["HX-Redirect"])
    assert target.path == "/admin/sign-in" and not target.is_absolute()
    assert target.query["next"] == f"/admin/broadcasts/{world.broadcast_id}"
    await office.get("/admin/sign-in")
    preview = await office.request(
        "POST",
        "/admin/broadcasts/preview",
        data={"text": "x"},
        headers={**headers, "HX-Current-URL": "https://evil.example//evil.example/x"},
    )
    assert preview.status == 204
    reply = await office.post(
        "/admin/sign-in",
        {
            "email": world.admin.email,
            "password": PASSWORD,
            "next": URL(preview.headers["HX-Redirect"]).query["next"],
        },
    )
    assert reply.location == "/admin/"  # sign-in still refuses a target off the back office
