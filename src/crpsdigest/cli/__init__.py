"""The `crpsdigest` command (click): the group in base.py, its commands in the other modules."""

from crpsdigest.cli import commands, feeds, subscribers  # noqa: F401  (they register commands)
from crpsdigest.cli.base import cli, main

__all__ = ["cli", "main"]
