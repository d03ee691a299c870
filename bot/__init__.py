"""The Telegram bot: conversations and presentation over ``core``; see docs/bot.md."""
