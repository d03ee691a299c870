"""A terminal chat with a bot through a running sandbox.

``python -m sandbox.chat --url http://127.0.0.1:8081`` prints what the bot sends (inline
buttons numbered) and sends what you type, as a new user; ``--user-id 1001`` chats as that
user (created if new). ``/press N`` or just ``N`` presses button N of the latest message with
buttons; anything else is sent as text (commands included).
"""

import argparse
import asyncio
import contextlib
import os
import sys
from typing import Any

import aiohttp

POLL_INTERVAL = 0.3
"""Seconds between two looks at the chat: this client polls the control API."""


class ChatClient:
    """One user's side of the chat, over the sandbox's ``/sandbox/`` control API."""

    def __init__(self, http: aiohttp.ClientSession, url: str, user_id: int) -> None:
        self.http = http
        self.url = url.rstrip("/") + "/sandbox"
        self.user_id = user_id
        self.buttons: list[tuple[int, str]] = []
        """(message id, button text) of the numbered buttons."""
        self._seen: dict[int, tuple[Any, ...]] = {}
        self._keyboard: list[list[str]] | None = None

    @classmethod
    async def join(
        cls, http: aiohttp.ClientSession, url: str, user_id: int | None, first_name: str
    ) -> "ChatClient":
        """The chat of user ``user_id`` (created if new), or of a new user with the next
        free id."""
        async with http.post(
            url.rstrip("/") + "/sandbox/users", json={"id": user_id, "first_name": first_name}
        ) as response:
            user = await response.json()
        return cls(http, url, int(user["id"]))

    async def refresh(self) -> list[str]:
        """Lines for what the bot sent, edited or deleted since the last refresh."""
        async with self.http.get(f"{self.url}/chats/{self.user_id}") as response:
            chat = await response.json()
        lines: list[str] = []
        for message in chat["messages"]:
            if message["from_bot"]:
                lines += self._message_lines(message)
        if chat["reply_keyboard"] != self._keyboard:
            self._keyboard = chat["reply_keyboard"]
            rows = self._keyboard or []
            lines.append(
                "keyboard: " + " ".join(f"[{t}]" for row in rows for t in row)
                if rows
                else "keyboard removed"
            )
        return lines

    async def handle(self, line: str) -> list[str]:
        """Act on one typed line; lines to print about it."""
        line = line.strip()
        number = line.removeprefix("/press").strip()
        if number.isdigit() and (line.isdigit() or line.startswith("/press")):
            index = int(number) - 1
            if not 0 <= index < len(self.buttons):
                return [f"no button {number}"]
            message_id, text = self.buttons[index]
            query = await self._post(
                f"/users/{self.user_id}/press", {"text": text, "message_id": message_id}
            )
            return [f"(pressed [{text}])", *await self._answer(query["id"])]
        if line:
            await self._post(f"/users/{self.user_id}/messages", {"text": line})
        return []

    def _message_lines(self, message: dict[str, Any]) -> list[str]:
        text = message.get("text") or _media_line(message)
        keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
        state = (text, str(keyboard), message.get("edit_date"), message["deleted"])
        message_id = message["message_id"]
        previous, self._seen[message_id] = self._seen.get(message_id), state
        if previous == state:
            return []
        if message["deleted"]:
            return [f"bot deleted #{message_id}"]
        label = "bot" if previous is None else f"bot edited #{message_id}"
        lines = [f"{label}: {text}"]
        if keyboard:
            self.buttons = [(message_id, b["text"]) for row in keyboard for b in row]
            lines.append("  " + "  ".join(f"{n}) {t}" for n, (_, t) in enumerate(self.buttons, 1)))
        return lines

    async def _answer(self, query_id: str) -> list[str]:
        """Wait up to 3 s for the bot to answer a pressed button."""
        for _ in range(int(3 / POLL_INTERVAL)):
            async with self.http.get(f"{self.url}/callbacks/{query_id}") as response:
                query = await response.json()
            if query["answered"]:
                kind = "alert" if query["show_alert"] else "toast"
                return [f"({kind}) {query['text']}"] if query["text"] else []
            await asyncio.sleep(POLL_INTERVAL)
        return ["(the bot did not answer the button press)"]

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.http.post(self.url + path, json=body) as response:
            return await response.json()


def _media_line(message: dict[str, Any]) -> str:
    """A bot message without text, in one line."""
    invoice = message.get("invoice")
    if invoice is not None:
        total = f"{invoice['total_amount']} {invoice['currency']}"
        return f"<invoice {invoice['title']}: {total}; pay it on the chat page>"
    return f"<photo> {message.get('caption') or ''}"


def _stdin_lines() -> asyncio.Queue[str | None]:
    """Lines typed on stdin, then None at end of input, without a blocking thread."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    fd = sys.stdin.fileno()
    buffer = b""

    def readable() -> None:
        nonlocal buffer
        chunk = os.read(fd, 4096)
        if not chunk:
            loop.remove_reader(fd)
            queue.put_nowait(None)
            return
        *lines, buffer = (buffer + chunk).split(b"\n")
        for line in lines:
            queue.put_nowait(line.decode(errors="replace"))

    loop.add_reader(fd, readable)
    return queue


async def _follow(client: ChatClient) -> None:
    while True:
        for line in await client.refresh():
            print(line, flush=True)
        await asyncio.sleep(POLL_INTERVAL)


async def run(url: str, user_id: int | None, first_name: str) -> None:
    async with aiohttp.ClientSession() as http:
        client = await ChatClient.join(http, url, user_id, first_name)
        print(
            f"chatting as {first_name} ({client.user_id}); type text, or a number to press a button"
        )
        follower = asyncio.create_task(_follow(client))
        lines = _stdin_lines()
        while (line := await lines.get()) is not None:
            for output in await client.handle(line):
                print(output, flush=True)
        follower.cancel()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.chat", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8081")
    parser.add_argument("--user-id", type=int, help="chat as this user (default: a new one)")
    parser.add_argument("--first-name", default="Tester")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.url, args.user_id, args.first_name))


if __name__ == "__main__":
    main()
