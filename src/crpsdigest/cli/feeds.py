"""Tools for editors: `crpsdigest feeds` (health, add, remove, import, export, reset) and `schema`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Literal

import click
from rich.console import Console

from crpsdigest.atomic import write_atomic
from crpsdigest.cli.base import (
    EXIT_CONFIG,
    EXIT_FAILED,
    Context,
    P,
    R,
    cli,
    fail,
    friendly_errors,
    pass_ctx,
    run_clock,
)
from crpsdigest.config import Config
from crpsdigest.editors import (
    EditorError,
    NewFeed,
    append_feeds,
    default_name,
    describe,
    discover_feed,
    feeds_schema,
    find_subscription,
    normalise_address,
    remove_feed,
)
from crpsdigest.fetch import FeedState, reset_state
from crpsdigest.health import health_rows, print_health, write_health
from crpsdigest.ingest import load_feed_states
from crpsdigest.opml import OpmlError, plan_import, read_opml, write_opml


def editor_errors(func: Callable[P, R]) -> Callable[P, R]:
    """An editor's request that cannot be done: one line, exit 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (EditorError, OpmlError) as exc:
            fail(f"error: {exc}", EXIT_FAILED)

    return wrapper


def _print_feed_health(ctx: Context) -> None:
    """Bare `crpsdigest feeds`: every feed's health as a table, also written to out/health.html."""
    config = ctx.config
    refs = config.feed_refs()
    with ctx.store() as store:
        states = load_feed_states(store)
    now = run_clock()
    print_health(Console(), health_rows(states, refs, now), refs)
    click.echo(f"written {write_health(states, refs, ctx.out, now)}")


@cli.group(invoke_without_command=True)
@click.pass_context
@friendly_errors
def feeds(click_ctx: click.Context) -> None:
    """List the subscribed feeds; add, remove, import or export them."""
    if click_ctx.invoked_subcommand is None:
        _print_feed_health(click_ctx.find_object(Context) or click_ctx.obj)


@feeds.command("reset")
@click.argument("urls", nargs=-1, required=True)
@pass_ctx
@friendly_errors
def feeds_reset(ctx: Context, urls: tuple[str, ...]) -> None:
    """Fetch URL again on the next run: forget that it was gone, failing or moved."""
    refs = ctx.config.feed_refs()
    with ctx.store() as store:
        states = load_feed_states(store)
        known = {f.url for f in refs} | set(states)
        for url in urls:
            if url not in known:
                fail(f"error: {url} is not a feed in {ctx.config_path}", EXIT_CONFIG)
            state = reset_state(states.get(url) or FeedState(url=url))
            store.save_feed_state(url, state.to_dict())
            click.echo(f"reset {url}: it will be fetched on the next run")


_topic_choice = click.Choice(["crps", "general"])


def _check_free(config: Config, urls: list[str]) -> None:
    hit = find_subscription(config, urls)
    if hit is not None:
        raise EditorError(f"already subscribed: {describe(*hit)}")


@feeds.command("add")
@click.argument("address")
@click.option("--name", help="Name readers see [default: the feed's own title].")
@click.option(
    "--topic",
    type=_topic_choice,
    default="general",
    show_default=True,
    help="crps if every item is about CRPS; general to keep only CRPS items.",
)
@click.option("--dry-run", is_flag=True, help="Find and check the feed, but change nothing.")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds per request.")
@pass_ctx
@friendly_errors
@editor_errors
def feeds_add(
    ctx: Context, address: str, name: str | None, topic: str, dry_run: bool, timeout: float
) -> None:
    """Subscribe to a feed, given its address or its site's address (the feed is found)."""
    config = ctx.config
    _check_free(config, [address, normalise_address(address)])
    found = discover_feed(address, timeout=timeout)
    _check_free(config, [*found.seen, found.url])
    name = (name or default_name(found)).strip()
    for i, feed in enumerate(config.feeds):
        if feed.name.casefold() == name.casefold():
            raise EditorError(f"the name {name!r} is taken by {describe(i, feed)}; choose another with --name")
    newest = found.newest.date().isoformat() if found.newest else "no dates"
    click.echo(f"Found a feed: {found.title or '(no title)'}")
    click.echo(f"  address:  {found.url}")
    click.echo(f"  how:      {found.how}")
    click.echo(f"  entries:  {found.entries} (newest: {newest})")
    if found.homepage:
        click.echo(f"  homepage: {found.homepage}")
    if found.problem:
        click.echo(f"  warning:  {found.problem}")
    if found.entries == 0:
        click.echo("  note:     the feed is empty for now")
    elif found.newest and (run_clock() - found.newest).days > 365:
        click.echo("  note:     nothing new for over a year; is the site still active?")
    if dry_run:
        click.echo("Dry run: feeds.yaml not changed.")
        return
    homepage = found.homepage if found.homepage and found.homepage != found.url else None
    append_feeds(ctx.config_path, [NewFeed(name=name, url=found.url, topic=topic, homepage=homepage)])
    click.echo(f"Added “{name}” (topic {topic}) to {ctx.config_path} as feeds[{len(config.feeds)}].")


@feeds.command("remove")
@click.argument("name_or_url", metavar="NAME|URL")
@pass_ctx
@friendly_errors
@editor_errors
def feeds_remove(ctx: Context, name_or_url: str) -> None:
    """Unsubscribe from a feed; its items already in the store stay in past digests."""
    index, feed = remove_feed(ctx.config_path, ctx.config, name_or_url)
    click.echo(f"Removed {describe(index, feed)} from {ctx.config_path}.")


@feeds.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--topic",
    type=_topic_choice,
    help="Topic for every imported feed [default: the file's crps/general folder or category, "
    "else general].",
)
@click.option("--dry-run", is_flag=True, help="Say what would be added, change nothing.")
@pass_ctx
@friendly_errors
@editor_errors
def feeds_import(
    ctx: Context, file: Path, topic: Literal["crps", "general"] | None, dry_run: bool
) -> None:
    """Subscribe to the feeds of an OPML file (from a feed reader); skip those already here."""
    config = ctx.config
    outlines = read_opml(file.read_bytes(), str(file))
    plan = plan_import(config, outlines, topic)
    for note in plan.notes:
        click.echo(note)
    if not plan.add:
        click.echo(f"Nothing to add: {len(outlines)} feeds in {file}, none new.")
        return
    for feed in plan.add:
        click.echo(f"{'would add' if dry_run else 'adding'} “{feed.name}” ({feed.topic}) {feed.url}")
    if not dry_run:
        append_feeds(ctx.config_path, plan.add)
    verb = "Would add" if dry_run else "Added"
    click.echo(f"{verb} {len(plan.add)} of {len(outlines)} feeds to {ctx.config_path}.")


@feeds.command("export")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File [default: stdout]."
)
@pass_ctx
@friendly_errors
def feeds_export(ctx: Context, output: Path | None) -> None:
    """Write the subscribed feeds as OPML 2.0, for a feed reader."""
    text, skipped = write_opml(ctx.config)
    if skipped:
        click.echo(f"note: left out {len(skipped)} local-file feeds: {', '.join(skipped)}", err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of feeds.yaml (the shipped feeds.schema.json is this output)."""
    click.echo(feeds_schema(), nl=False)


