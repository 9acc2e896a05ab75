"""Allow ``python -m strategease``."""

from strategease.cli.app import main

main()
