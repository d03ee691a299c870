"""Guessing limits over HTTP: logins per email (slowed per address), password changes,
registrations per address, and one limit shared by every API process."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from core.accounts.errors import EmailTaken
from core.base import clock
from core.shop import Shop
from tests.api.client import Api, Reply, Serve
from tests.api.world import PASSWORD, NewAccount
from tests.clocks import FakeClock
from tests.processes import children, environment, free_port, wait_until_serving


async def log_in(api: Api, email: str, password: str, **kwargs: object) -> int:
    reply = await api.post("/api/auth/login", json={"email": email, "password": password}, **kwargs)
    return reply.status


async def register(api: Api, email: str) -> Reply:
    body = {"name": "Someone", "email": email, "password": PASSWORD}
    return await api.post("/api/auth/register", json=body)


def fresh_email() -> str:
    return f"new-{uuid.uuid4().hex[:10]}@example.com"


async def test_an_emails_wrong_passwords_slow_down_their_address_not_its_owner(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=3, trust_forwarded_for=True, clock=FakeClock())
    alice = await new_account()
    stranger, owner = {"X-Forwarded-For": "203.0.113.66"}, {"X-Forwarded-For": "198.51.100.7"}
    wrong = [await log_in(api, alice.email, "wrong", headers=stranger) for _ in range(3)]
    assert wrong == [401] * 3
    body = {"email": alice.email, "password": PASSWORD}
    reply = await api.post("/api/auth/login", json=body, headers=stranger)
    assert (reply.status, reply.code) == (429, "too-many-attempts")
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    assert reply.headers["Retry-After"] == "1"  # the first of the growing waits
    assert await log_in(api, alice.email.upper(), PASSWORD, headers=stranger) == 429
    assert await log_in(api, alice.email, PASSWORD, headers=owner) == 200


async def test_concurrent_guesses_get_no_more_tries_than_the_limit(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=3, clock=FakeClock())
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
    api = await serve(login_failures_per_email=3, clock=FakeClock())
    alice = await new_account()
    assert await log_in(api, alice.email, "wrong password") == 401

    def change(old: str) -> dict[str, str]:
        return {"oldPassword": old, "newPassword": "a brand new password"}

    for _ in range(2):
        wrong = await api.patch("/api/auth/me", token=alice.token, json=change("guess"))
        assert (wrong.status, wrong.code) == (403, "wrong-password")
    refused = await api.patch("/api/auth/me", token=alice.token, json=change(PASSWORD))
    assert (refused.status, refused.code) == (429, "too-many-attempts")
    assert refused.headers["Retry-After"] == "1"
    assert await log_in(api, alice.email, PASSWORD) == 429
    assert (await api.get("/api/auth/me", token=alice.token)).status == 200  # still signed in


async def test_sign_ups_at_the_same_moment_all_succeed(serve: Serve) -> None:
    """Sign-ups that make an account never count, however many arrive at once."""
    api = await serve(registration_conflicts_per_address=2)
    replies = await asyncio.gather(*(register(api, fresh_email()) for _ in range(30)))
    assert [reply.status for reply in replies] == [201] * 30


async def test_taken_emails_slow_down_their_address_but_lock_nobody_out(
    serve: Serve, new_account: NewAccount
) -> None:
    clock = FakeClock()
    api = await serve(registration_conflicts_per_address=2, trust_forwarded_for=True, clock=clock)
    alice = await new_account()
    prober, office = {"X-Forwarded-For": "203.0.113.66"}, {"X-Forwarded-For": "198.51.100.7"}
    taken = {"name": "Someone", "email": alice.email, "password": PASSWORD}
    for _ in range(2):
        reply = await api.post("/api/auth/register", json=taken, headers=prober)
        assert (reply.status, reply.body["detail"]) == (409, EmailTaken().message)
    for email in (alice.email, fresh_email()):  # the answer no longer tells which
        body = {**taken, "email": email}
        refused = await api.post("/api/auth/register", json=body, headers=prober)
        assert (refused.status, refused.code) == (429, "too-many-attempts")
        assert refused.headers["Retry-After"] == "1"
    body = {**taken, "email": fresh_email()}
    assert (await api.post("/api/auth/register", json=body, headers=office)).status == 201
    clock.moment += timedelta(seconds=1)
    assert (
        await api.post("/api/auth/register", json=body | {"email": fresh_email()}, headers=prober)
    ).status == 201


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
    two_api_processes: list[str], shop: Shop, new_account: NewAccount
) -> None:
    alice = await new_account()
    async with aiohttp.ClientSession() as http:

        async def status(url: str, password: str) -> int:
            body = {"email": alice.email, "password": password}
            async with http.post(f"{url}/api/auth/login", json=body) as reply:
                return reply.status

        first, second = two_api_processes
        assert [await status(url, "wrong") for url in (first, second, first)] == [401] * 3
        key = f"login:{alice.email}|127.0.0.1"
        assert (await shop.store.throttles.find_one({"_id": key}) or {}).get("failures") == 3
        later = clock.now() + timedelta(hours=1)  # as if many more failures had earned it
        await shop.store.throttles.update_one({"_id": key}, {"$set": {"nextAt": later}})
        assert await status(second, PASSWORD) == 429
        assert await status(first, PASSWORD) == 429
