"""The notifier's old module path: ``python -m bot.delivery`` still starts it for one more
release, with a warning. Use ``python -m bot.notifier``."""
