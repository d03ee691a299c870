"""Messages to Telegram chats: the notification queue, broadcasts and send pacing."""
