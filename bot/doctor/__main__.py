"""``python -m bot.doctor``: check the shop's configuration (see :mod:`bot.doctor`)."""

import argparse
import sys

from bot.config import BotSettings
from bot.doctor.checks import failed
from core.config import ConfigError, CoreSettings, load


def main() -> None:
    """Read the settings as every process does (a bad one is the only line), then check."""
    argparse.ArgumentParser(
        prog="python -m bot.doctor",
        description="Check the shop's configuration (the environment and .env) against "
        "Telegram, the database and the public URL; exit status 1 when something stops the "
        "shop from selling.",
    ).parse_args()
    try:
        core, settings = load(CoreSettings), load(BotSettings)
    except ConfigError as error:
        print(failed(str(error), "correct it in .env or the environment").line())
        raise SystemExit(1) from None
    from bot.doctor.report import run  # aiogram takes seconds to import: settings first

    sys.exit(run(core, settings))


main()
