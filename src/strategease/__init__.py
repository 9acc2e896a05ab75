"""strategease: choose, explain and report implementation strategies for a scoped change."""

__version__ = "0.1.0"
