"""Guessing limits over HTTP: logins per email (slowed per address), password changes,
registrations per address, and one limit shared by every API process."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from core.accounts.errors import EmailTaken
from core.shop import Shop
from tests.api.client import Api, Reply, Serve
from tests.api.world import PASSWORD, NewAccount
from tests.processes import children, environment, free_port, wait_until_serving


async def log_in(api: Api, email: str, password: str, **kwargs: object) -> int:
    reply = await api.post("/api/auth/login", json={"email": email, "password": password}, **kwargs)
    return reply.status


async def register(api: Api, email: str) -> Reply:
    body = {"name": "Someone", "email": email, "password": PASSWORD}
    return await api.post("/api/auth/register", json=body)


def fresh_email() -> str:
    return f"new-{uuid.uuid4().hex[:10]}@example.com"


async def test_an_email_is_throttled_after_its_failures_even_with_the_right_password(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=3)
    alice = await new_account()
    assert [await log_in(api, alice.email, "wrong password") for _ in range(3)] == [401] * 3
    reply = await api.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert (reply.status, reply.code) == (429, "too-many-attempts")
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    assert 0 < int(reply.headers["Retry-After"]) <= 900
    assert await log_in(api, alice.email.upper(), PASSWORD) == 429  # same email, other case


async def test_concurrent_guesses_get_no_more_tries_than_the_limit(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=3)
    alice = await new_account()
    statuses = await asyncio.gather(*(log_in(api, alice.email, "wrong") for _ in range(12)))
    assert sorted(statuses) == [401] * 3 + [429] * 9


async def test_other_emails_are_not_locked_by_someone_elses_failures(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=2)
    alice, bob = await new_account(), await new_account(name="Bob")
    for _ in range(2):
        await log_in(api, alice.email, "wrong password")
    assert await log_in(api, bob.email, PASSWORD) == 200


async def test_a_success_clears_the_emails_failures(serve: Serve, new_account: NewAccount) -> None:
    api = await serve(login_failures_per_email=2)
    alice = await new_account()
    await log_in(api, alice.email, "wrong password")
    assert await log_in(api, alice.email, PASSWORD) == 200
    assert await log_in(api, alice.email, "wrong password") == 401
    assert await log_in(api, alice.email, PASSWORD) == 200


async def test_an_address_guessing_many_emails_is_slowed_down_not_locked_out(
    serve: Serve, new_account: NewAccount
) -> None:
    """Behind a proxy every customer shares one address: its failures must not lock
    everyone out. Past the limit each login from it waits; the right password still works."""
    slowdown = 0.3
    api = await serve(login_failures_per_address=4, login_slowdown_seconds=slowdown)
    alice = await new_account()
    for n in range(4):
        assert await log_in(api, f"guess{n}@example.com", "wrong password") == 401
    started = time.monotonic()
    assert await log_in(api, alice.email, PASSWORD) == 200
    assert time.monotonic() - started >= slowdown * 0.99


async def test_forwarded_for_is_used_only_when_trusted(
    serve: Serve, shop: Shop, new_account: NewAccount
) -> None:
    alice = await new_account()
    for trusted in (False, True):
        api = await serve(
            login_failures_per_address=2, login_slowdown_seconds=0, trust_forwarded_for=trusted
        )
        await shop.store.throttles.delete_many({})
        for n in range(2):
            headers = {"X-Forwarded-For": f"spoofed, 10.0.0.{n}"}
            await log_in(api, f"guess{n}@example.com", "wrong password", headers=headers)
        counted = [d["_id"] for d in await shop.store.throttles.find().to_list()]
        addresses = {k.removeprefix("login-address:") for k in counted if "address" in k}
        assert addresses == ({"10.0.0.0", "10.0.0.1"} if trusted else {"127.0.0.1"})
        assert await log_in(api, alice.email, PASSWORD) == 200


async def test_invalid_bodies_do_not_count_as_failures(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=1)
    alice = await new_account()
    for _ in range(3):
        reply = await api.post("/api/auth/login", json={"email": alice.email})
        assert reply.status == 422
    assert await log_in(api, alice.email, PASSWORD) == 200


async def test_wrong_current_passwords_are_throttled_with_the_logins(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=3)
    alice = await new_account()
    assert await log_in(api, alice.email, "wrong password") == 401

    def change(old: str) -> dict[str, str]:
        return {"oldPassword": old, "newPassword": "a brand new password"}

    for _ in range(2):
        wrong = await api.patch("/api/auth/me", token=alice.token, json=change("guess"))
        assert (wrong.status, wrong.code) == (403, "wrong-password")
    refused = await api.patch("/api/auth/me", token=alice.token, json=change(PASSWORD))
    assert (refused.status, refused.code) == (429, "too-many-attempts")
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert await log_in(api, alice.email, PASSWORD) == 429
    assert (await api.get("/api/auth/me", token=alice.token)).status == 200  # still signed in


async def test_taken_emails_are_throttled_per_address_but_new_accounts_are_not(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(registration_conflicts_per_address=2)
    alice = await new_account()
    for _ in range(4):  # sign-ups that make an account do not count
        assert (await register(api, fresh_email())).status == 201
    taken = await register(api, alice.email)
    assert (taken.status, taken.body["detail"]) == (409, EmailTaken().message)
    assert (await register(api, alice.email)).status == 409
    refused = await register(api, fresh_email())
    assert (refused.status, refused.code) == (429, "too-many-attempts")
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert (await register(api, alice.email)).status == 429  # the answer no longer tells


@pytest.fixture
async def two_api_processes(shop: Shop, mongo_uri: str, tmp_path: Path) -> AsyncIterator[list[str]]:
    """Two ``python -m admin_api`` processes on the test's database; their base URLs."""
    ports = [free_port(), free_port()]
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=shop.settings.mongodb_database,
        LOGIN_FAILURES_PER_EMAIL="3",
    )
    async with children(tmp_path) as processes:
        for n, port in enumerate(ports):
            await processes.start(f"api{n}", "admin_api", {**env, "API_PORT": str(port)})
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            await wait_until_serving(f"{url}/readyz")
        processes.check_alive()
        yield urls


@pytest.mark.slow
async def test_two_api_processes_share_the_limits(
    two_api_processes: list[str], new_account: NewAccount
) -> None:
    alice = await new_account()
    async with aiohttp.ClientSession() as http:

        async def status(url: str, password: str) -> int:
            body = {"email": alice.email, "password": password}
            async with http.post(f"{url}/api/auth/login", json=body) as reply:
                return reply.status

        first, second = two_api_processes
        assert [await status(url, "wrong") for url in (first, second, first)] == [401] * 3
        assert await status(second, PASSWORD) == 429
        assert await status(first, PASSWORD) == 429
