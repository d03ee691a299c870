"""Command line: ``python -m runtime --help`` lists the commands."""

from runtime.cli import main

main()
