"""`crpsdigest subscribers`: the mailing list (add, remove, list, import, export)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crpsdigest.cli.base import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    Context,
    cli,
    fail,
    friendly_errors,
    pass_ctx,
    run_clock,
)


@cli.group()
def subscribers() -> None:
    """Add, remove, list, import and export the people the email goes to."""


def _known_slugs(ctx: Context) -> list[str]:
    from crpsdigest.classify import load_classifier

    return list(load_classifier(ctx.config.treatments).names)


@subscribers.command("add")
@click.argument("email")
@click.option("--treatments", help="Comma-separated treatment slugs [default: every treatment].")
@pass_ctx
@friendly_errors
def subscribers_add(ctx: Context, email: str, treatments: str | None) -> None:
    """Add EMAIL (or change the treatments it follows)."""
    from crpsdigest.subscribers import SubscriberError, make_subscriber

    try:
        sub = make_subscriber(email, treatments, _known_slugs(ctx))
    except SubscriberError as exc:
        fail(f"error: {exc}", EXIT_CONFIG)
    with ctx.store() as store:
        added, _ = store.upsert_subscribers([(sub.email, sub.treatments)], run_clock())
    follows = ", ".join(sub.treatments) if sub.treatments else "every treatment"
    click.echo(f"{'added' if added else 'updated'} {sub.email} ({follows})")


@subscribers.command("remove")
@click.argument("email")
@pass_ctx
@friendly_errors
def subscribers_remove(ctx: Context, email: str) -> None:
    """Remove EMAIL; exit 1 when it was not subscribed."""
    with ctx.store() as store:
        removed = store.remove_subscriber(email.strip())
    if not removed:
        fail(f"error: {email.strip()} is not subscribed", EXIT_FAILED)
    click.echo(f"removed {email.strip()}")


@subscribers.command("list")
@pass_ctx
@friendly_errors
def subscribers_list(ctx: Context) -> None:
    """One line per subscriber: address, treatments followed, when added."""
    with ctx.store() as store:
        rows = store.subscribers()
    for r in rows:
        follows = ",".join(r.treatments) if r.treatments else "all"
        click.echo(f"{r.email}\t{follows}\t{r.added_at.date().isoformat()}")
    click.echo(f"{len(rows)} subscribers", err=True)


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@pass_ctx
@friendly_errors
def subscribers_import(ctx: Context, file: Path) -> None:
    """Add or update subscribers from a CSV file (header row; `email`, optional `treatments`).

    Good rows are imported even when some are bad; each bad row is reported by line and the
    exit code is then 1.
    """
    from crpsdigest.subscribers import read_csv

    good, problems = read_csv(file, _known_slugs(ctx))
    for line in problems:
        click.echo(line, err=True)
    with ctx.store() as store:
        added, updated = store.upsert_subscribers(((s.email, s.treatments) for s in good), run_clock())
    click.echo(
        f"imported {file}: {added} added, {updated} updated, "
        f"{len(good) - added - updated} unchanged, {len(problems)} bad rows skipped"
    )
    sys.exit(EXIT_FAILED if problems else EXIT_OK)


@subscribers.command("export")
@pass_ctx
@friendly_errors
def subscribers_export(ctx: Context) -> None:
    """Every subscriber as CSV on standard output (the import format)."""
    from crpsdigest.subscribers import Subscriber, to_csv

    with ctx.store() as store:
        rows = store.subscribers()
    click.echo(to_csv(Subscriber(r.email, r.treatments) for r in rows), nl=False)


