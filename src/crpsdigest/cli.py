"""The `crpsdigest` command: thin wiring over the pipeline, plus the words users read.

Exit codes: 0 the run completed (some feeds may have failed: they are listed); 1 nothing could be
done (no feed fetched, store unusable); 2 bad configuration or usage.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, Literal, NoReturn, ParamSpec, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crpsdigest import __version__
from crpsdigest.atomic import write_atomic
from crpsdigest.config import Config, ConfigError, load_config
from crpsdigest.digest import last_complete_week, parse_week
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
from crpsdigest.fetch import FeedState, FetchResult, reset_state
from crpsdigest.health import health_rows, print_health, write_health
from crpsdigest.opml import OpmlError, plan_import, read_opml, write_opml
from crpsdigest.overrides import Overrides
from crpsdigest.pipeline import (
    InspectError,
    build_week,
    fetch_into_store,
    inspect_sources,
    load_feed_states,
    weeks_with_entries,
)
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


@cli.command()
@pass_ctx
@friendly_errors
def check(ctx: Context) -> None:
    """Validate feeds.yaml (and its treatments); exit 2 on any problem."""
    config = ctx.config
    click.echo(f"{ctx.config_path}: ok ({len(config.feeds)} feeds)")


def _now() -> datetime:
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


def _report_line(result: FetchResult, new: int) -> None:
    click.echo(result.line + (f" — {new} new" if new else ""))


def _do_fetch(ctx: Context, now: datetime, force: bool) -> int:
    """Fetch with a progress bar on a terminal (problems printed above it), else one line a feed."""
    config = ctx.config
    with ctx.store() as store:
        if sys.stdout.isatty():
            with Progress(
                TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                transient=True,
            ) as bar:
                task = bar.add_task("fetch", total=len(config.feeds))

                def report(result: FetchResult, new: int) -> None:
                    if result.outcome in ("error", "gone") or result.permanent_redirect:
                        bar.console.print(result.line, markup=False, highlight=False)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done)

                summary = fetch_into_store(
                    config, store, now, force=force, report=report, progress=progress
                )
        else:
            summary = fetch_into_store(config, store, now, force=force, report=_report_line)
        states = load_feed_states(store)
    health = write_health(states, config.feed_refs(), ctx.out, now)
    click.echo(summary.line() + f" (feed health: {health})")
    return EXIT_FAILED if summary.all_failed else EXIT_OK


@cli.command()
@click.option("--force", is_flag=True, help="Fetch even feeds that asked not to be polled yet.")
@pass_ctx
@friendly_errors
def fetch(ctx: Context, force: bool) -> None:
    """Fetch every feed into the store; one line per feed."""
    sys.exit(_do_fetch(ctx, _now(), force))


def _week_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--week",
        help="ISO week such as 2026-W48 [default: the last complete week in the digest's time zone].",
    )(func)


def _do_build(ctx: Context, week: str | None, now: datetime) -> str:
    config = ctx.config
    try:
        label = parse_week(week) if week else last_complete_week(now, config.digest.timezone)
    except ValueError as exc:
        fail(f"error: --week: {exc}", EXIT_CONFIG)
    with ctx.store() as store:
        report = build_week(config, store, ctx.out, label, now)
    d = report.digest
    click.echo(
        f"built {label}: {len(d.items)} items in {len(d.sections)} sections"
        f"{'' if report.content_changed else ' (unchanged)'} → {ctx.out / label / 'index.html'}"
    )
    return label


@cli.command()
@_week_option
@pass_ctx
@friendly_errors
def build(ctx: Context, week: str | None) -> None:
    """Build a week's digest from the store into the output folder."""
    _do_build(ctx, week, _now())


@cli.command()
@_week_option
@click.option("--force", is_flag=True, help="Fetch even feeds that asked not to be polled yet.")
@pass_ctx
@friendly_errors
def run(ctx: Context, week: str | None, force: bool) -> None:
    """Fetch, then build; then send when `send: true` and CRPSDIGEST_SMTP_URL are set."""
    from crpsdigest.deliver import SMTP_URL_ENV, smtp_settings_from_env

    now = _now()
    code = _do_fetch(ctx, now, force)
    label = _do_build(ctx, week, now)
    if ctx.config.digest.send and smtp_settings_from_env() is not None:
        code = max(code, _do_send(ctx, label, dry_run=False, rate=None, resend=()))
    else:
        why = "`send: true` is not set in feeds.yaml" if not ctx.config.digest.send else f"{SMTP_URL_ENV} is not set"
        click.echo(
            f"not sending ({why}); to send: {SMTP_URL_ENV}=smtp+starttls://USER@HOST:587 "
            f"CRPSDIGEST_SMTP_PASSWORD=… crpsdigest send --week {label} "
            f"(preview first with --dry-run)"
        )
    sys.exit(code)


def _do_send(
    ctx: Context,
    week: str,
    *,
    dry_run: bool,
    rate: float | None,
    resend: tuple[str, ...],
    retry_delay: float = 1.0,
) -> int:
    """Send (or --dry-run) one built week; returns the exit code (see `send --help`)."""
    from crpsdigest.deliver import (
        SMTP_URL_ENV,
        DeliverError,
        MessageFactory,
        Recipient,
        make_sender,
        send_lock,
        send_week,
        smtp_settings_from_env,
        write_outbox,
    )
    from crpsdigest.digest import digest_from_json

    config = ctx.config
    site = config.site()
    try:
        settings = None if dry_run else smtp_settings_from_env()
    except DeliverError as exc:
        fail(f"error: {exc}", EXIT_CONFIG)
    if not dry_run and settings is None:
        fail(
            f"error: {SMTP_URL_ENV} is not set (e.g. smtp+starttls://USER@HOST:587, password in "
            "CRPSDIGEST_SMTP_PASSWORD); or preview with --dry-run",
            EXIT_CONFIG,
        )
    with ctx.store() as store:
        data = dict(store.digest_data()).get(week)
        if data is None:
            click.echo(
                f"error: the digest of {week} has not been built; run `crpsdigest build --week {week}` first",
                err=True,
            )
            return EXIT_FAILED
        digest = digest_from_json(data)
        recipients = [
            Recipient(s.email, None if s.treatments is None else frozenset(s.treatments))
            for s in store.subscribers()
        ]
        if not recipients:
            click.echo("error: no subscribers; add one with `crpsdigest subscribers add EMAIL`", err=True)
            return EXIT_FAILED
        sender = make_sender(site, config.digest.from_email, config.digest.reply_to)
        factory = MessageFactory(site, digest, sender, templates_dir=config.templates_dir())
        if dry_run:
            folder = ctx.out / week / "outbox"
            files, empty = write_outbox(factory, recipients, folder, _now())
            click.echo(f"dry run: {len(files)} messages for {week} written to {folder}/ (nothing sent)")
            if empty:
                click.echo(f"  {len(empty)} subscribers follow no treatment with news this week")
            return EXIT_OK
        assert settings is not None
        try:
            with send_lock(ctx.db):
                log = store.send_log(week)
                for email in resend:
                    if email.strip().lower() not in log:
                        click.echo(f"warning: --resend {email}: not in the send log of {week}", err=True)
                    store.forget_send(week, email.strip())
                report = send_week(
                    store, factory, recipients, settings, clock=_now, rate=rate,
                    retry_delay=retry_delay,
                )
        except DeliverError as exc:
            fail(f"error: {exc}", EXIT_FAILED)
        if report.complete:
            store.mark_sent(week, _now())
    click.echo(
        f"{week}: sent {len(report.sent)} via {settings.describe()}"
        + (f", {len(report.already)} already sent earlier" if report.already else "")
        + (f", {len(report.empty)} with no news in their treatments" if report.empty else "")
    )
    for email, why in sorted(report.failed.items()):
        click.echo(f"failed: {email}: {why}", err=True)
    for email, why in sorted(report.deferred.items()):
        click.echo(f"not sent yet: {email}: {why}", err=True)
    for email, why in sorted(report.uncertain.items()):
        click.echo(
            f"uncertain: {email}: a run stopped while the server was taking this message ({why}); "
            f"it is not sent again: check the server's log, then `crpsdigest send --week {week} "
            f"--resend {email}` if it never arrived",
            err=True,
        )
    if report.aborted:
        click.echo(f"stopped: {report.aborted}; run `crpsdigest send --week {week}` again", err=True)
    elif report.deferred:
        click.echo(f"run `crpsdigest send --week {week}` again later to retry", err=True)
    return EXIT_OK if report.ok else EXIT_FAILED


@cli.command()
@_week_option
@click.option("--dry-run", is_flag=True, help="Write every message to out/WEEK/outbox/*.eml; send nothing.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="At most this many messages per second.")
@click.option("--retry-delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds before retrying a temporary (4xx) refusal or reconnecting; doubles each time.")
@click.option("--resend", multiple=True, metavar="EMAIL", help="Forget EMAIL's send-log row first, so it is sent again.")
@pass_ctx
@friendly_errors
def send(
    ctx: Context,
    week: str | None,
    dry_run: bool,
    rate: float | None,
    retry_delay: float,
    resend: tuple[str, ...],
) -> None:
    """Email a built week's digest to every subscriber, each at most once.

    SMTP from the environment: CRPSDIGEST_SMTP_URL (smtp://[user@]host:port, upgraded with
    STARTTLS when offered; smtp+starttls://… requires it; smtps://… implicit TLS) and
    CRPSDIGEST_SMTP_PASSWORD. Exit 0: everyone sent (or had no news in their treatments);
    1: some recipient failed, is still to be retried, or is uncertain, or the week is not built;
    2: bad settings. Running it again only sends what is still unsent.
    """
    config = ctx.config
    try:
        label = parse_week(week) if week else last_complete_week(_now(), config.digest.timezone)
    except ValueError as exc:
        fail(f"error: --week: {exc}", EXIT_CONFIG)
    sys.exit(_do_send(ctx, label, dry_run=dry_run, rate=rate, resend=resend, retry_delay=retry_delay))


# --- subscribers ---------------------------------------------------------------------------


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
        added, _ = store.upsert_subscribers([(sub.email, sub.treatments)], _now())
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
        added, updated = store.upsert_subscribers(((s.email, s.treatments) for s in good), _now())
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


def _find_examples() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        candidate = base / "examples" / "feeds.yaml"
        if candidate.is_file():
            return candidate
    fail("error: examples/feeds.yaml not found; run the demo from the crpsdigest folder", EXIT_FAILED)


@cli.command()
@click.pass_context
@friendly_errors
def demo(click_ctx: click.Context) -> None:
    """Build the digest of the bundled sample feeds (no network) into out/."""
    parent: Context = click_ctx.obj
    config_path = _find_examples()
    out = parent.out_path or Path("out")
    db = parent.db_path or out / "demo.sqlite3"
    db.unlink(missing_ok=True)  # a fresh store each time: the demo is reproducible
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    ctx = Context(config_path, db, out)
    _do_fetch(ctx, DEMO_NOW, force=True)
    with ctx.store() as store:
        weeks = weeks_with_entries(ctx.config, store)
    for week in weeks:
        _do_build(ctx, week, DEMO_NOW)
    shots = _screenshots(out, weeks[-1]) if weeks else []
    click.echo("")
    click.echo(f"Done. Open {out.resolve() / 'index.html'} in a browser.")
    click.echo(f"  archive:    {out / 'index.html'}")
    click.echo(f"  Atom feed:  {out / 'atom.xml'}")
    if weeks:
        latest = out / weeks[-1]
        click.echo(f"  this week:  {latest / 'index.html'}")
        click.echo(f"  email:      {latest / 'email.html'}, {latest / 'email.txt'}, {latest / 'email.eml'}")
        click.echo(f"  review:     {latest / 'review.html'}")
    for shot in shots:
        click.echo(f"  screenshot: {shot}")


def _screenshots(out: Path, week: str) -> list[Path]:
    try:
        from crpsdigest.render.screenshots import (  # type: ignore[import-not-found,unused-ignore]
            take_screenshots,
        )
    except ImportError:
        return []
    if shutil.which("chromium") is None:
        return []
    return list(take_screenshots(out, week))


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--jsonl", is_flag=True, help="One JSON object per entry, in input order.")
@click.option(
    "--no-overrides", is_flag=True, help="Ignore the overrides in feeds.yaml (see below)."
)
@click.pass_context
@friendly_errors
def inspect(click_ctx: click.Context, sources: tuple[str, ...], jsonl: bool, no_overrides: bool) -> None:
    """Run parse → clean → classify → dedupe over feed files or URLs and print every entry.

    Touches no store and needs no config: for debugging a feed and for measuring
    classification. When feeds.yaml (or --config) exists, its overrides are applied and
    marked on the entries they touch, so an editor can check one before the next build.
    """
    overrides = None if no_overrides else _inspect_overrides(click_ctx)
    try:
        rows, warnings = inspect_sources(sources)
    except InspectError as exc:
        fail(f"error: {exc}", EXIT_FAILED)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    for row in rows:
        if overrides:
            overrides.apply_to_row(row)
        if jsonl:
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=False))
            continue
        mark = "*" if row["representative"] else " "
        tags = ", ".join(row["treatments"]) or "-"
        kinds = ", ".join(row["kinds"]) or "-"
        relevant = "CRPS" if row["relevant"] else "not CRPS"
        click.echo(f"{mark} {row['title']}")
        click.echo(f"    {row['link']}")
        click.echo(f"    uid {row['uid']} | guid {row['guid']}")
        if row.get("override"):
            click.echo(f"    override: {row['override']}")
        click.echo(f"    {relevant} | treatments: {tags} | kinds: {kinds} | cluster {row['cluster']}")
        for slug, phrases in row["evidence"].items():
            click.echo(f"    evidence {slug}: {'; '.join(phrases)}")
        if row.get("merge_reason"):
            click.echo(f"    merged: {row['merge_reason']}")


# --- tools for editors: feeds add / remove / import / export, schema ----------------------------


def _inspect_overrides(click_ctx: click.Context) -> Overrides | None:
    """feeds.yaml's overrides for inspect: an explicit --config must load; the default may not."""
    parent = click_ctx.find_object(Context)
    root = click_ctx.find_root()
    explicit = root.get_parameter_source("config_path") == click.core.ParameterSource.COMMANDLINE
    if parent is None or (not explicit and not parent.config_path.is_file()):
        return None
    try:
        return Overrides.from_config(parent.config)
    except ConfigError as exc:
        if explicit:
            raise
        click.echo(
            f"warning: {parent.config_path}: has {len(exc.problems)} problem(s), so its overrides "
            "are not applied (see `crpsdigest check`)",
            err=True,
        )
        return None


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
    now = _now()
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
    elif found.newest and (_now() - found.newest).days > 365:
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


def main() -> None:
    cli(prog_name="crpsdigest")
