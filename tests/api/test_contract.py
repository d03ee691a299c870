"""The served API keeps the promises of its OpenAPI document, checked by schemathesis.

Schemathesis' ``st run --checks all`` runs against the real application served over HTTP,
once with a customer's token and once with an admin's, at the same time, each against a
shop of its own (with the same world): every operation with valid and invalid data,
unsupported methods, missing credentials and stateful sequences. A
schema-valid request the server refuses fails the test, and so does an invalid one it
accepts, an undocumented status, a body off its schema or an ``Allow`` header naming
methods the document lacks. The run is bounded (examples per operation) and derandomised
(deterministic generation keeps no example database; one worker), so it makes the same
requests every time, and nothing in it depends on how fast the machine is. The settings
are in ``schemathesis.toml`` beside this file.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from admin_api.routes import ROUTES
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import World, Worlds
from tests.databases import DatabasePool

pytestmark = pytest.mark.slow

SETTINGS = Path(__file__).with_name("schemathesis.toml")  # examples, checks, determinism
DEADLINE_SECONDS = 300  # a hang, not a slow machine: a run takes about 15 s of one core


async def st_run(api: Api, token: str) -> tuple[int, str]:
    """Run schemathesis' command line against ``api`` as the holder of ``token``."""
    url = str(api.client.make_url("/api/openapi.json"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "schemathesis.cli",
        f"--config-file={SETTINGS}",
        "--no-color",
        "run",
        f"--header=Authorization: Bearer {token}",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), DEADLINE_SECONDS)
    finally:
        if process.returncode is None:  # the deadline passed: leave nothing running
            process.kill()
            await process.wait()
    return await process.wait(), output.decode(errors="replace")


@pytest.fixture
async def other_shop(shop: Shop, databases: DatabasePool) -> AsyncIterator[Shop]:
    """A second shop like the test's, on an empty database of its own."""
    async with databases.shop(shop.settings) as other:
        yield other


async def test_the_api_keeps_its_openapi_document(
    api: Api, world: World, serve: Serve, other_shop: Shop, worlds: Worlds
) -> None:
    """The two runs make their requests at once (the run, not the server, is most of the
    work), but never to the same shop: what one changes cannot refuse the other's."""
    admins_world = await worlds.world_in(other_shop)
    admins_api = await serve(on=other_shop)
    runs = {
        "customer": st_run(api, world.alice.token),
        "admin": st_run(admins_api, admins_world.admin.token),
    }
    outcomes = dict(zip(runs, await asyncio.gather(*runs.values()), strict=True))
    for who, (status, report) in outcomes.items():
        assert status == 0, f"{who}: {report}"
        # every operation but the document itself, which schemathesis leaves out
        assert f"Tested: {len(ROUTES) - 1}\n" in report, f"{who}: {report}"
        assert "No issues found" in report, f"{who}: {report}"
