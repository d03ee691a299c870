"""One module per page or group of pages; each handler takes a ``Visit`` and answers."""
