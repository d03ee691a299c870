"""Command line: ``python -m core create-admin | seed-demo | recover``."""

from core.cli import main

main()
