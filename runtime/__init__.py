"""How the shop runs as processes: the embedded database engine, where the database is,
running an entry point until it is stopped, and the installation's command line
(``python -m runtime``). Depends on core; nothing in core depends on it."""
