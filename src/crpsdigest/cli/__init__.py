"""The `crpsdigest` command (click): the group in base.py, its commands in the other modules.

Importing this package is cheap on purpose: the console script imports it, and so does every
parse worker (multiprocessing re-imports the main script in each), which needs none of the
CLI's click, rich, pydantic and pipeline modules. They load when :func:`main` runs or ``cli``
is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crpsdigest.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    from crpsdigest.cli.app import main as run

    run()


def __getattr__(name: str) -> Any:
    if name == "cli":
        from crpsdigest.cli.app import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
