"""Command line: ``python -m runtime create-admin | seed-demo | recover``."""

from runtime.cli import main

main()
