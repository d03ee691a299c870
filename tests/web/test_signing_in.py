"""Signing in and out of the back office, its session cookie, CSRF and its headers."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

from multidict import CIMultiDictProxy
from pymongo import AsyncMongoClient

from core.accounts.access import SYSTEM
from core.accounts.commands import AccountChange
from core.accounts.models import Role
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.clocks import FakeClock
from tests.settings import make_settings
from tests.web.office import Office, OpenOffice


def _cookie(headers: CIMultiDictProxy[str], name: str) -> SimpleCookie:
    cookies = SimpleCookie()
    for value in headers.getall("Set-Cookie", []):
        cookies.load(value)
    assert name in cookies, f"no {name} cookie set"
    return cookies


async def test_staff_sign_in_and_see_the_dashboard(office: Office, new_account: NewAccount) -> None:
    operator = await new_account(Role.OPERATOR, name="Olga")
    form = await office.get("/admin/sign-in")
    assert form.status == 200 and form.shows("Sign in")
    signed_in = await office.post("/admin/sign-in", {"email": operator.email, "password": PASSWORD})
    assert signed_in.status == 303 and signed_in.location == "/admin/"
    dashboard = await office.follow(signed_in)
    assert dashboard.status == 200
    assert dashboard.shows("Dashboard") and dashboard.shows("Olga")


async def test_the_session_cookie_is_http_only_and_same_site_strict(
    open_office: OpenOffice, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    plain = await open_office()
    reply = await plain.sign_in(admin.email, PASSWORD)
    cookie = _cookie(reply.headers, "shop_admin_session")["shop_admin_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/admin" and not cookie["secure"]
    configured = await open_office(admin_web_secure_cookies=True)
    form = await configured.get("/admin/sign-in")
    binding = _cookie(form.headers, "shop_admin_form")["shop_admin_form"]
    assert binding["secure"] and binding["httponly"] and binding["samesite"] == "Strict"
    # the test speaks plain HTTP, where a browser would not send a Secure cookie back
    fields = {"csrf_token": form.csrf, "email": admin.email, "password": PASSWORD}
    reply = await configured.request(
        "POST", "/admin/sign-in", data=fields, cookies={"shop_admin_form": binding.value}
    )
    assert _cookie(reply.headers, "shop_admin_session")["shop_admin_session"]["secure"]


async def test_the_cookie_is_secure_behind_a_trusted_https_proxy_only(
    open_office: OpenOffice, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    https = {"X-Forwarded-Proto": "https"}
    for trusted in (False, True):
        office = await open_office(trust_forwarded_for=trusted)
        form = await office.get("/admin/sign-in", headers=https)
        binding = _cookie(form.headers, "shop_admin_form")["shop_admin_form"].value
        fields = {"csrf_token": form.csrf, "email": admin.email, "password": PASSWORD}
        reply = await office.request(
            "POST", "/admin/sign-in", data=fields, headers=https,
            cookies={"shop_admin_form": binding},
        )  # fmt: skip
        secure = _cookie(reply.headers, "shop_admin_session")["shop_admin_session"]["secure"]
        assert bool(secure) is trusted


async def test_customers_cannot_sign_in(office: Office, new_account: NewAccount) -> None:
    customer = await new_account(Role.USER)
    reply = await office.sign_in(customer.email, PASSWORD)
    assert reply.status == 401 and reply.shows("Only the shop's operators and admins")
    assert office.session_cookie is None
    assert (await office.get("/admin/")).status == 303


async def test_a_wrong_password_is_refused_and_throttled_as_the_api_is(
    office: Office, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    statuses = [(await office.sign_in(admin.email, "wrong password")).status for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429 and office.last is not None
    assert office.last.shows("Too many wrong passwords")


async def test_a_page_without_a_session_leads_to_sign_in_and_back(
    office: Office, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    reply = await office.get("/admin/?x=1")
    assert reply.status == 303 and reply.location == "/admin/sign-in?next=/admin/?x%3D1"
    await office.get(reply.location)
    signed_in = await office.post(
        "/admin/sign-in", {"email": admin.email, "password": PASSWORD, "next": "/admin/?x=1"}
    )
    assert signed_in.location == "/admin/?x=1"


async def test_sign_in_never_sends_the_browser_off_the_back_office(
    office: Office, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    for target in ("https://evil.example/", "//evil.example/admin/", "/api/orders", "/admin\\x"):
        office.forget_cookies()
        await office.get("/admin/sign-in")
        reply = await office.post(
            "/admin/sign-in", {"email": admin.email, "password": PASSWORD, "next": target}
        )
        assert reply.location == "/admin/", target


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    office: Office, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    await office.get("/admin/sign-in")
    refused = await office.post(
        "/admin/sign-in", {"email": admin.email, "password": PASSWORD}, csrf="forged"
    )
    assert refused.status == 403 and refused.headers["Content-Type"].startswith("text/html")
    assert refused.shows("nothing was changed") and office.session_cookie is None
    await office.sign_in(admin.email, PASSWORD)
    session = office.session_cookie
    for token in ("", "forged"):
        refused = await office.post("/admin/sign-out", csrf=token)
        assert refused.status == 403
    assert (await office.get("/admin/")).status == 200  # still signed in
    assert office.session_cookie == session


async def test_signing_out_ends_the_session_at_once_even_for_the_old_cookie(
    open_office: OpenOffice, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    office = await open_office()
    await office.sign_in(admin.email, PASSWORD)
    dashboard = await office.get("/admin/")
    old = office.session_cookie
    assert old is not None
    signed_out = await office.post("/admin/sign-out", csrf=dashboard.csrf)
    assert signed_out.status == 303 and office.session_cookie is None
    assert (await office.follow(signed_out)).shows("You are signed out.")
    replay = await open_office()
    reply = await replay.get("/admin/", cookies={"shop_admin_session": old})
    assert reply.status == 303 and reply.location.startswith("/admin/sign-in")


async def test_a_deactivated_account_is_refused_at_its_next_request(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    operator = await new_account(Role.OPERATOR)
    await office.sign_in(operator.email, PASSWORD)
    assert (await office.get("/admin/")).status == 200
    await shop.accounts.change(SYSTEM, operator.user.id, AccountChange(active=False))
    reply = await office.get("/admin/")
    assert reply.status == 303 and reply.location.startswith("/admin/sign-in")
    assert (await office.follow(reply)).shows("Your session has ended")


async def test_an_operator_made_a_customer_is_signed_out(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    operator = await new_account(Role.OPERATOR)
    await office.sign_in(operator.email, PASSWORD)
    await shop.accounts.set_role(SYSTEM, operator.user.id, Role.USER)
    assert (await office.get("/admin/")).status == 303
    assert (await office.sign_in(operator.email, PASSWORD)).status == 401


async def test_the_session_is_renewed_while_the_staff_member_is_active(
    office: Office, new_account: NewAccount, shop: Shop, clock: FakeClock
) -> None:
    admin = await new_account(Role.ADMIN)
    await office.sign_in(admin.email, PASSWORD)
    lifetime = timedelta(minutes=shop.settings.staff_session_minutes)
    first = office.session_cookie
    clock.moment += lifetime / 4
    assert (await office.get("/admin/")).status == 200
    assert office.session_cookie == first  # young: kept
    for _ in range(4):  # active for twice the session's lifetime
        clock.moment += lifetime / 2 + timedelta(seconds=1)
        assert (await office.get("/admin/")).status == 200
    assert office.session_cookie != first
    clock.moment += lifetime + timedelta(seconds=1)  # idle past it: ended
    assert (await office.get("/admin/")).status == 303


async def test_pages_carry_the_security_headers(office: Office, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    await office.sign_in(admin.email, PASSWORD)
    for path in ("/admin/sign-in", "/admin/", "/admin/no-such-page"):
        page = await office.get(path)
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        assert "<script>" not in page.text.replace(" ", "")  # no inline script at all
    css = await office.get("/admin/static/back-office.css")
    assert css.status == 200 and css.headers["Cache-Control"] == "no-cache"


async def test_errors_under_admin_are_html_pages(office: Office, new_account: NewAccount) -> None:
    missing = await office.get("/admin/no-such-page")
    assert missing.status == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert missing.shows("Not found")
    not_allowed = await office.request("DELETE", "/admin/sign-in")
    assert not_allowed.status == 405 and not_allowed.headers["Content-Type"].startswith("text/html")
    bare = await office.get("/admin")
    assert bare.status == 308 and bare.location == "/admin/"
    api = await office.get("/api/no-such-thing")
    assert api.headers["Content-Type"].startswith("application/problem+json")


async def test_the_back_office_can_be_turned_off(open_office: OpenOffice) -> None:
    office = await open_office(admin_web=False)
    reply = await office.get("/admin/sign-in")
    assert reply.status == 404
    assert reply.headers["Content-Type"].startswith("application/problem+json")


async def test_an_unreachable_database_is_a_readable_503_page(
    open_office: OpenOffice, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        "mongodb://127.0.0.1:9", serverSelectionTimeoutMS=200, connectTimeoutMS=200
    )
    try:
        office = await open_office(on=Shop.build(make_settings(), client))
        reply = await office.sign_in(admin.email, PASSWORD)
        assert reply.status == 503 and reply.headers["Content-Type"].startswith("text/html")
        assert reply.headers["Retry-After"] == "5"
        assert reply.shows("The shop is unavailable") and "Traceback" not in reply.text
    finally:
        await client.close()


async def test_htmx_requests_carry_the_token_in_a_header(
    office: Office, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    await office.sign_in(admin.email, PASSWORD)
    page = await office.get("/admin/")
    assert f'hx-headers=\'{{"X-CSRF-Token": "{page.csrf}"}}\'' in page.text
    signed_out = await office.request(
        "POST", "/admin/sign-out", headers={"X-CSRF-Token": page.csrf, "HX-Request": "true"}
    )
    assert signed_out.status == 303 and office.session_cookie is None
