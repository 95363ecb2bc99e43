"""The `crpsdigest` command group: its options, the context every command gets, the clock,
and the one-line errors with documented exit codes.

Exit codes: 0 the run completed (some feeds may have failed: they are listed); 1 nothing could be
done (no feed fetched, store unusable); 2 bad configuration or usage.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import click

from crpsdigest import __version__
from crpsdigest.config import Config, ConfigError, load_config
from crpsdigest.store import Store, StoreError

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
# The demo's clock: the Monday after the bundled sample week, so every run gives the same output.
DEMO_NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Context:
    config_path: Path
    db_path: Path | None
    out_path: Path | None
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def db(self) -> Path:
        return self.db_path or self.config_path.parent / "crpsdigest.sqlite3"

    @property
    def out(self) -> Path:
        return self.out_path or self.config_path.parent / "out"

    def store(self) -> Store:
        return Store(self.db)


def fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors users can cause into one line each and the documented exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            for line in exc.problems:
                click.echo(line, err=True)
            sys.exit(EXIT_CONFIG)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FAILED)
        except OSError as exc:
            fail(f"error: {exc.filename or ''}: {exc.strerror or exc}", EXIT_FAILED)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crpsdigest")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("feeds.yaml"),
    show_default=True,
    help="The feeds and settings file.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="SQLite store [default: crpsdigest.sqlite3 beside the config].",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder [default: out/ beside the config].",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path, db_path: Path | None, out_path: Path | None) -> None:
    """crpsdigest: a weekly digest of CRPS treatment news from many feeds."""
    ctx.obj = Context(config_path, db_path, out_path)


pass_ctx = click.make_pass_decorator(Context)


def run_clock() -> datetime:
    """The run's clock. CRPSDIGEST_NOW (ISO 8601) pins it, so a re-run can be compared byte for
    byte with another run (edit times and "last complete week" come from this clock)."""
    pinned = os.environ.get("CRPSDIGEST_NOW")
    if pinned:
        try:
            when = datetime.fromisoformat(pinned)
        except ValueError:
            fail(f"error: CRPSDIGEST_NOW: not an ISO 8601 time: {pinned!r}", EXIT_CONFIG)
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.now(UTC)


def main() -> None:
    cli(prog_name="crpsdigest")
