"""The whole `crpsdigest` command: the group in base.py with every command registered on it."""

from crpsdigest.cli import commands, feeds, subscribers  # noqa: F401  (they register commands)
from crpsdigest.cli.base import cli, main

__all__ = ["cli", "main"]
