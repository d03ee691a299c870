"""``python -m sandbox --port 8081 --token <token>``: serve the sandbox until interrupted."""

import argparse

from aiohttp import web

from sandbox.server import build_app
from sandbox.state import DEFAULT_TOKEN, Sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="An offline Telegram Bot API for one bot."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token to accept")
    parser.add_argument("--bot-username", default="sandbox_bot")
    args = parser.parse_args(argv)
    sandbox = Sandbox(args.token, bot_username=args.bot_username)
    base = f"http://{args.host}:{args.port}"
    print(f"Bot API for @{args.bot_username}: {base}/bot<token>/<method>")
    print(f"  aiogram: AiohttpSession(api=TelegramAPIServer.from_base({base!r}))")
    print(f"  chat as a user: python -m sandbox.chat --url {base} --user-id 1001")
    web.run_app(build_app(sandbox), host=args.host, port=args.port, shutdown_timeout=1)


if __name__ == "__main__":
    main()
