"""Allow ``python -m strategease``."""

from strategease.cli import main

main()
