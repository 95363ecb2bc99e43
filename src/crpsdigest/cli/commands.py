"""The commands that run the pipeline: check, fetch, build, run, send, demo, inspect."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crpsdigest.cli.base import (
    DEMO_NOW,
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
from crpsdigest.config import ConfigError
from crpsdigest.fetch import FetchResult
from crpsdigest.health import write_health
from crpsdigest.ingest import fetch_into_store, load_feed_states

if TYPE_CHECKING:
    from crpsdigest.overrides import Overrides

# The digest, pipeline and overrides modules (classifier, dedupe, renderers) are imported by
# the commands that use them: `crpsdigest fetch`, which cron repeats most, starts without them.


@cli.command()
@pass_ctx
@friendly_errors
def check(ctx: Context) -> None:
    """Validate feeds.yaml (and its treatments); exit 2 on any problem."""
    config = ctx.config
    click.echo(f"{ctx.config_path}: ok ({len(config.feeds)} feeds)")


def _report_line(result: FetchResult, new: int) -> None:
    click.echo(result.line + (f" — {new} new" if new else ""))


def _do_fetch(ctx: Context, now: datetime, force: bool) -> int:
    """Fetch with a progress bar on a terminal (problems printed above it), else one line a feed."""
    config = ctx.config
    with ctx.store() as store:
        if sys.stdout.isatty():
            # Redrawn as feeds finish, not by rich's refresh thread: the parse workers are
            # forked only while the process has no other thread (else they start slower).
            with Progress(
                TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                transient=True, auto_refresh=False,
            ) as bar:
                task = bar.add_task("fetch", total=len(config.feeds))
                drawn = [0.0]

                def report(result: FetchResult, new: int) -> None:
                    if result.outcome in ("error", "gone") or result.permanent_redirect:
                        bar.console.print(result.line, markup=False, highlight=False)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done)
                    if time.monotonic() - drawn[0] >= 0.1 or done == total:  # ≤ 10 redraws/s
                        bar.refresh()
                        drawn[0] = time.monotonic()

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
    sys.exit(_do_fetch(ctx, run_clock(), force))


def _week_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--week",
        help="ISO week such as 2026-W48 [default: the last complete week in the digest's time zone].",
    )(func)


def _do_build(ctx: Context, week: str | None, now: datetime) -> str:
    from crpsdigest.digest import last_complete_week, parse_week
    from crpsdigest.pipeline import build_week

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
    _do_build(ctx, week, run_clock())


@cli.command()
@_week_option
@click.option("--force", is_flag=True, help="Fetch even feeds that asked not to be polled yet.")
@pass_ctx
@friendly_errors
def run(ctx: Context, week: str | None, force: bool) -> None:
    """Fetch, then build; then send when `send: true` and CRPSDIGEST_SMTP_URL are set."""
    from crpsdigest.deliver import SMTP_URL_ENV, smtp_settings_from_env

    now = run_clock()
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
            files, empty = write_outbox(factory, recipients, folder, run_clock())
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
                    store, factory, recipients, settings, clock=run_clock, rate=rate,
                    retry_delay=retry_delay,
                )
        except DeliverError as exc:
            fail(f"error: {exc}", EXIT_FAILED)
        if report.complete:
            store.mark_sent(week, run_clock())
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
    from crpsdigest.digest import last_complete_week, parse_week

    config = ctx.config
    try:
        label = parse_week(week) if week else last_complete_week(run_clock(), config.digest.timezone)
    except ValueError as exc:
        fail(f"error: --week: {exc}", EXIT_CONFIG)
    sys.exit(_do_send(ctx, label, dry_run=dry_run, rate=rate, resend=resend, retry_delay=retry_delay))


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
    from crpsdigest.pipeline import weeks_with_entries

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
    from crpsdigest.pipeline import InspectError, inspect_sources

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


def _inspect_overrides(click_ctx: click.Context) -> Overrides | None:
    """feeds.yaml's overrides for inspect: an explicit --config must load; the default may not."""
    from crpsdigest.overrides import Overrides

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


