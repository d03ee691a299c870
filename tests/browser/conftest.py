"""A real headless browser: Debian's chromium driven by Playwright (never a downloaded
browser). Tests that need it are skipped, saying so, where chromium is not installed;
``.ci/run`` installs it. ``running_shop`` is what ``./run`` starts, for the page to talk to."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from core.accounts.access import SYSTEM
from core.accounts.commands import AdminAccount
from core.catalog.commands import ProductDraft
from core.config import PROJECT_ROOT
from core.shop import open_shop
from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop
from tests.processes import environment, free_port, wait_until_serving
from tests.settings import make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
expect.set_options(timeout=10_000)
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"  # var/ is git-ignored


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium; .ci/run does)")
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A fresh browser tab; its last state is saved as ``var/screenshots/<test>.png``."""
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    opened = await context.new_page()
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await opened.screenshot(path=SCREENSHOTS / f"{request.node.name}.png")
        await context.close()


PAGE_URL = re.compile(r"chat with the shop in your browser: (http://[^\s\"]+)")


async def collect(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while line := await stream.readline():
        lines.append(line.decode(errors="replace"))


@pytest.fixture
def shop_env() -> dict[str, str]:
    """Settings of ``running_shop`` beyond the defaults; a test module may override it."""
    return {}


@pytest.fixture
async def running_shop(mongo_uri: str, shop_env: dict[str, str]) -> AsyncIterator[RunningShop]:
    """``python -m shop`` on the offline sandbox, a product and an admin in its database."""
    database = f"test_{uuid.uuid4().hex[:16]}"
    api, sandbox = free_port(), free_port()
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=database,
        API_PORT=str(api),
        SANDBOX_PORT=str(sandbox),
        **shop_env,
    )
    for name in ("BOT_TOKEN", "CORS_ORIGINS"):
        env.pop(name, None)
    async with open_shop(make_settings(mongodb_database=database), mongo_uri) as shop:
        draft = ProductDraft(name="Green tea", price=450, stock=10, description="Sencha")
        await shop.catalog.create(SYSTEM, draft)
        olga = AdminAccount(name="Olga", email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
        await shop.accounts.create_admin(olga)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "shop", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
        )
        assert process.stderr is not None
        log: list[str] = []
        reading = asyncio.create_task(collect(process.stderr, log))
        try:
            await wait_until_serving(f"http://127.0.0.1:{api}/readyz")
            urls = [match[1] for line in log if (match := PAGE_URL.search(line))]
            assert urls == [f"http://127.0.0.1:{sandbox}/?api=http://127.0.0.1:{api}"], log
            yield RunningShop(urls[0], log, f"http://127.0.0.1:{api}", database)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            await reading
            await shop.client.drop_database(database)
        assert process.returncode == 0, "".join(log)[-2000:]
