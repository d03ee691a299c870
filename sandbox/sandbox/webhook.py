"""Webhook delivery: POST each pending update to the bot's URL, one at a time, in order."""

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import aiohttp

from sandbox.params import Params, read_multipart

if TYPE_CHECKING:
    from sandbox.state import Sandbox

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ReplyHandler = Callable[[Params], Awaitable[object]]
DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=10)
RETRY_DELAY = 0.05
"""Seconds before retrying a failed delivery (Telegram waits far longer)."""


class WebhookSender:
    """Delivers the sandbox's updates to the URL set with setWebhook.

    An update leaves the queue once the bot answered 2xx. An answer carrying a Bot API call
    (aiogram's "reply into webhook") is executed as Telegram does. Failures are kept for
    getWebhookInfo (``last_error_message``) and retried.

    ``route_to(urls)`` plays a load balancer behind the webhook URL: deliveries then go to
    ``urls`` in turn (round-robin, a failed one retried at the next), while the bot still
    sees the URL it set. So several bot processes can share one webhook as in production.
    """

    def __init__(self, sandbox: "Sandbox") -> None:
        self.sandbox = sandbox
        self.url = ""
        self.secret_token: str | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered: list[dict[str, Any]] = []
        """Every update the bot accepted, in order."""
        self.targets: list[str] = []
        """Where deliveries go in turn instead of ``url`` (see ``route_to``)."""
        self.accepted_by: Counter[str] = Counter()
        """How many updates each destination accepted."""
        self.failures = 0
        """Deliveries that failed (answered non-2xx, or no answer), each retried."""
        self._turns = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._on_reply: ReplyHandler | None = None

    def route_to(self, urls: list[str]) -> None:
        """Deliver to ``urls`` in turn (a load balancer behind the webhook URL); ``[]``: to
        the URL set with setWebhook again."""
        if not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
            raise ValueError("each target must be an http(s) URL")
        self.targets = list(urls)

    def _destination(self) -> str:
        if not self.targets:
            return self.url
        return self.targets[next(self._turns) % len(self.targets)]

    async def start(self, url: str, secret_token: str | None, on_reply: ReplyHandler) -> None:
        """Deliver to ``url`` from now on; ``on_reply`` runs a Bot API call found in an answer."""
        await self.stop()
        self.url, self.secret_token = url, secret_token
        self._on_reply = on_reply
        self.last_error_date = self.last_error_message = None
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        self.url = ""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.sandbox.updates),
        }
        if self.url:
            info["max_connections"] = 40
            if self.sandbox.allowed_updates:
                info["allowed_updates"] = self.sandbox.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def _run(self) -> None:
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        async with aiohttp.ClientSession(headers=headers, timeout=DELIVERY_TIMEOUT) as session:
            while True:
                sandbox = self.sandbox
                sandbox.updates = [u for u in sandbox.updates if sandbox.is_allowed(u)]
                if not sandbox.updates:
                    await sandbox.changed()
                    continue
                update = sandbox.updates[0]
                if await self._deliver(session, update):
                    sandbox.updates.remove(update)
                    self.delivered.append(update)
                    sandbox.notify()
                else:
                    await asyncio.sleep(RETRY_DELAY)

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        try:
            destination = self._destination()
            self.sandbox.handed_out[update["update_id"]] += 1
            self.sandbox.notify()
            async with session.post(destination, json=update) as response:
                if response.status >= 300:
                    reason = f"{response.status} {response.reason}"
                    self._failed(f"Wrong response from the webhook: {reason}")
                    return False
                reply = await _webhook_reply(response)
        except (aiohttp.ClientError, TimeoutError) as error:
            self._failed(f"Connection failed: {error!r}")
            return False
        self.accepted_by[destination] += 1
        if reply is not None and self._on_reply is not None:
            await self._on_reply(reply)
        return True

    def _failed(self, message: str) -> None:
        self.failures += 1
        self.last_error_date = int(time.time())
        self.last_error_message = message
        self.sandbox.notify()


async def _webhook_reply(response: aiohttp.ClientResponse) -> Params | None:
    """The Bot API call a bot may answer a webhook request with, if any."""
    if response.content_type == "multipart/form-data":
        values = await read_multipart(aiohttp.MultipartReader(response.headers, response.content))
    elif response.content_type == "application/json":
        values = await response.json()
    else:
        return None
    if not isinstance(values, dict) or "method" not in values:
        return None
    return Params(values)
