"""The notifier: sends the queued notifications through the Bot API.

``python -m bot.notifier`` runs it alone; several may run at once (claims are exclusive
and the rate limits are shared through the database).
"""
