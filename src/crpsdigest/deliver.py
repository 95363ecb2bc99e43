"""Deliver: one email per subscriber over SMTP, and a send log so no one gets the week twice.

Every (week, recipient) has at most one row in the store's ``sends`` table:

==========  =================================================================================
(no row)    never tried: the next ``send`` sends it
sending     the server said 354 to DATA and we were about to (or did) transmit the message
sent        the server answered 250 after the final dot: it took responsibility for delivery
deferred    a 4xx answer (or a dropped connection) before the server could accept; retried
            with backoff a few times, then left for the next ``send``
failed      a 5xx answer: permanent for this week, reported, never retried automatically
==========  =================================================================================

The ``sending`` row is committed after the server's 354 and before the message is transmitted,
and ``sent`` after its 250. If the process is killed in between, the log cannot tell whether the
server accepted the message. We choose **never to send twice over never to miss**: a later
``send`` does not retry a ``sending`` row, it reports it as *uncertain* and names the
recipients, so the editor can check the server's log and use ``send --resend EMAIL``. The window
is one message wide (the time to transmit it and read one reply), so at most one recipient per
killed run is uncertain; the deterministic Message-ID (week + recipient) also lets mail systems
that de-duplicate by Message-ID drop a copy sent by hand. A dropped connection before the 354
(the usual way a server restart shows up) is safe to retry and is retried.

The log is written with SQLite in WAL mode: it survives the process being killed at any moment;
a power cut can lose the last few rows, which is the only way a message can go out twice.

Speed: the body is rendered once per distinct treatment selection and kept as bytes; each
recipient only gets its own header block (To, Message-ID, Date, List-Unsubscribe).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import smtplib
import ssl
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Literal

from crpsdigest.atomic import write_atomic
from crpsdigest.models import Digest, SiteInfo
from crpsdigest.render.email import build_message
from crpsdigest.store import Store

SMTP_URL_ENV = "CRPSDIGEST_SMTP_URL"
SMTP_PASSWORD_ENV = "CRPSDIGEST_SMTP_PASSWORD"
MAX_ATTEMPTS = 3  # per recipient per run, for 4xx answers and dropped connections
RECONNECTS = 3  # connection attempts before the run gives up on the server

Security = Literal["opportunistic", "starttls", "tls"]
_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("opportunistic", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# Headers this module owns on every message; whatever the renderer put there is replaced.
_PER_RECIPIENT = ("To", "Message-ID", "Date", "List-Unsubscribe", "List-Unsubscribe-Post")


class DeliverError(Exception):
    """Sending cannot start or go on (bad SMTP URL, login refused); message is one line."""


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    security: Security
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port} ({self.security})"


def parse_smtp_url(url: str, password: str | None = None) -> SmtpSettings:
    """``smtp://[user@]host:port``, ``smtp+starttls://…`` or ``smtps://…`` → settings."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise DeliverError(
            f"{SMTP_URL_ENV}: unknown scheme {parts.scheme + ':' if parts.scheme else '(none)'} "
            "(use smtp://, smtp+starttls:// or smtps://, e.g. smtp+starttls://me@mail.example.org:587)"
        )
    security, default_port = _SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise DeliverError(f"{SMTP_URL_ENV}: the port is not a number") from None
    if not parts.hostname:
        raise DeliverError(f"{SMTP_URL_ENV}: no host name (e.g. smtp://mail.example.org:25)")
    if parts.password:
        raise DeliverError(
            f"{SMTP_URL_ENV}: do not put the password in the URL; set {SMTP_PASSWORD_ENV}"
        )
    user = urllib.parse.unquote(parts.username) if parts.username else None
    if user and not password:
        raise DeliverError(f"{SMTP_URL_ENV} names user {user!r}: set {SMTP_PASSWORD_ENV} too")
    return SmtpSettings(security, parts.hostname, port, user, password)


def smtp_settings_from_env(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The SMTP settings from the environment, or None when CRPSDIGEST_SMTP_URL is unset."""
    env = os.environ if environ is None else environ
    url = env.get(SMTP_URL_ENV, "").strip()
    if not url:
        return None
    return parse_smtp_url(url, env.get(SMTP_PASSWORD_ENV) or None)


@dataclass(frozen=True)
class Sender:
    """Who the digest is from and how to leave it (from the feeds.yaml ``digest:`` block)."""

    title: str
    from_email: str
    reply_to: str
    editor_email: str
    list_id: str
    unsubscribe_url: str | None = None

    @property
    def from_header(self) -> str:
        return formataddr((self.title, self.from_email))

    @property
    def domain(self) -> str:
        return self.from_email.rsplit("@", 1)[-1].lower()


def make_sender(
    site: SiteInfo, from_email: str | None = None, reply_to: str | None = None
) -> Sender:
    host = urllib.parse.urlsplit(site.site_url).hostname or "localhost"
    return Sender(
        title=site.title,
        from_email=from_email or site.editor_email,
        reply_to=reply_to or site.editor_email,
        editor_email=site.editor_email,
        list_id=host.lower() if host.lower().startswith("crpsdigest.") else f"crpsdigest.{host.lower()}",
        unsubscribe_url=site.unsubscribe_url,
    )


@dataclass(frozen=True)
class Recipient:
    email: str
    treatments: frozenset[str] | None = None  # None: every treatment


# --- messages --------------------------------------------------------------------------------


def message_id(week: str, email: str, domain: str) -> str:
    """Deterministic per (week, recipient): a resend by hand carries the same id."""
    token = hashlib.sha256(f"{week}\x00{email.lower()}".encode()).hexdigest()[:24]
    return f"<crpsdigest.{week}.{token}@{domain}>"


def unsubscribe_headers(sender: Sender, recipient: str) -> dict[str, str]:
    """List-Unsubscribe (mailto, plus https when configured) and RFC 8058 one-click."""
    quoted = urllib.parse.quote(recipient, safe="")
    links = [f"<mailto:{sender.editor_email}?subject=unsubscribe%20{quoted}>"]
    headers: dict[str, str] = {}
    if sender.unsubscribe_url:
        parts = urllib.parse.urlsplit(sender.unsubscribe_url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query.append(("email", recipient))
        url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
        links.append(f"<{url}>")
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return {"List-Unsubscribe": ", ".join(links), **headers}


def selected_items(digest: Digest, treatments: Collection[str] | None) -> int:
    """How many items a subscriber following ``treatments`` gets this week (0: send nothing)."""
    if treatments is None:
        return len(digest.items)
    return len({i.uid for s in digest.sections if s.slug in treatments for i in s.items})


BuildMessage = Callable[..., EmailMessage]


class MessageFactory:
    """Bytes of each recipient's message, rendering the body once per treatment selection."""

    def __init__(
        self,
        site: SiteInfo,
        digest: Digest,
        sender: Sender,
        *,
        templates_dir: Path | None = None,
        build: BuildMessage | None = None,
    ) -> None:
        self.site, self.digest, self.sender = site, digest, sender
        self.templates_dir = templates_dir
        self._build = build or build_message
        self._bodies: dict[frozenset[str] | None, bytes] = {}
        self._stuffed: dict[frozenset[str] | None, bytes] = {}

    def _body(self, treatments: frozenset[str] | None) -> bytes:
        """Shared headers + MIME body for one selection, dot-stuffing left to the caller."""
        cached = self._bodies.get(treatments)
        if cached is None:
            msg = self._build(
                self.site,
                self.digest,
                treatments=None if treatments is None else sorted(treatments),
                templates_dir=self.templates_dir,
                extra_headers={
                    "From": self.sender.from_header,
                    "Reply-To": self.sender.reply_to,
                    # RFC 2919: a phrase (quoted: titles hold parentheses) and a dot-atom id.
                    "List-Id": formataddr((self.sender.title, self.sender.list_id)),
                },
            )
            for name in _PER_RECIPIENT:
                del msg[name]
            cached = msg.as_bytes(policy=policy.SMTP)
            self._bodies[treatments] = cached
        return cached

    def headers(self, recipient: str, now: datetime) -> bytes:
        """This recipient's header lines (CRLF-terminated), to go before the shared ones."""
        mid = message_id(self.digest.week, recipient, self.sender.domain)
        date_value = format_datetime(now)
        if recipient.isascii() and _PLAIN_ADDRESS.fullmatch(recipient):
            # The common case, written directly: the email package costs ~0.3 ms per message.
            raw = f"To: {recipient}\r\nMessage-ID: {mid}\r\nDate: {date_value}\r\n".encode()
        else:
            head = EmailMessage(policy=policy.SMTPUTF8)
            head["To"] = recipient
            head["Message-ID"] = mid
            head["Date"] = date_value
            raw = bytes(head).removesuffix(b"\r\n")
        # Folded by hand between URLs: the email package would fold right after the colon.
        for name, value in unsubscribe_headers(self.sender, recipient).items():
            folded = value.replace(", ", ",\r\n ")
            raw += f"{name}: {folded}\r\n".encode()
        return raw

    def message(self, recipient: Recipient, now: datetime) -> bytes | None:
        """The whole message (CRLF line ends), or None when their selection is empty this week."""
        if selected_items(self.digest, recipient.treatments) == 0:
            return None
        return self.headers(recipient.email, now) + self._body(recipient.treatments)

    def payload(self, recipient: Recipient, now: datetime) -> bytes:
        """The SMTP DATA payload: the body is dot-stuffed once per selection, not per message.

        Header lines never start with a dot (names or folding whitespace), so only the shared
        part needs stuffing.
        """
        stuffed = self._stuffed.get(recipient.treatments)
        if stuffed is None:
            stuffed = self._stuffed[recipient.treatments] = smtp_payload(
                self._body(recipient.treatments)
            )
        return self.headers(recipient.email, now) + stuffed


def outbox_name(email: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._@+-]", "_", email)
    return f"{safe}.eml"


def write_outbox(
    factory: MessageFactory, recipients: Iterable[Recipient], folder: Path, now: datetime
) -> tuple[list[Path], list[str]]:
    """--dry-run: every message as an .eml file; returns (files, recipients with nothing)."""
    written: list[Path] = []
    empty: list[str] = []
    for r in recipients:
        data = factory.message(r, now)
        if data is None:
            empty.append(r.email)
            continue
        path = folder / outbox_name(r.email)
        write_atomic(path, data)
        written.append(path)
    for stale in set(folder.glob("*.eml")) - set(written):
        stale.unlink()  # an earlier preview's subscriber who is gone or has no news now
    return written, empty


# --- SMTP ------------------------------------------------------------------------------------


class _Transient(Exception):
    """The server could not take the message now (4xx, dropped connection): try again."""


class _Permanent(Exception):
    """The server refused the message for good (5xx)."""


class _Unreachable(Exception):
    """The server cannot be reached at all (after RECONNECTS tries): stop the run."""


class _Uncertain(Exception):
    """The connection failed after the message was transmitted: the server may have it."""


def _answer(code: int, text: bytes | str) -> str:
    msg = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(msg.split())}".strip()


def _refused(code: int, text: bytes) -> Exception:
    return (_Transient if 400 <= code < 500 or code < 200 else _Permanent)(_answer(code, text))


def _local(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1")


class Connection:
    """One reused SMTP session, opened lazily and reopened when the server drops it."""

    def __init__(self, settings: SmtpSettings, retry_delay: float = 1.0) -> None:
        self.settings = settings
        self.retry_delay = retry_delay
        self.smtp: smtplib.SMTP | None = None
        self.opened = 0

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            encrypted = s.security == "tls"
            if not encrypted and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                encrypted = True
            elif s.security == "starttls":
                raise DeliverError(
                    f"{s.host}:{s.port} does not offer STARTTLS, which smtp+starttls:// requires"
                )
            if s.user:
                if not encrypted and not _local(s.host):
                    raise DeliverError(
                        f"{s.describe()}: the server does not offer STARTTLS; refusing to send the "
                        "password unencrypted (use smtps:// or smtp+starttls://)"
                    )
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise DeliverError(f"{s.describe()}: login refused ({_answer(exc.smtp_code, exc.smtp_error)})") from None
        except smtplib.SMTPNotSupportedError as exc:
            smtp.close()
            raise DeliverError(f"{s.describe()}: {exc}") from None
        except BaseException:
            smtp.close()
            raise
        self.opened += 1
        return smtp

    def get(self) -> smtplib.SMTP:
        """The open session, connecting (with backoff) when there is none."""
        for attempt in range(RECONNECTS):
            if self.smtp is not None:
                return self.smtp
            try:
                self.smtp = self._open()
            except (OSError, smtplib.SMTPException) as exc:
                if attempt + 1 == RECONNECTS:
                    raise _Unreachable(
                        f"cannot connect to {self.settings.describe()}: {exc}"
                    ) from None
                time.sleep(self.retry_delay * 2**attempt)
        assert self.smtp is not None
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.drop()

    def send(
        self, envelope_from: str, rcpt: str, payload: bytes, accepting: Callable[[], None]
    ) -> None:
        """One SMTP transaction; ``accepting`` runs after the 354, before the message goes out.

        Raises _Transient (nothing delivered, try again), _Permanent, or _Uncertain.
        """
        smtp = self.get()
        try:
            options: list[str] = []
            if not (rcpt.isascii() and envelope_from.isascii()):
                if not smtp.has_extn("smtputf8"):
                    raise _Permanent("the server does not accept non-ASCII addresses (SMTPUTF8)")
                options.append("SMTPUTF8")
            code, text = smtp.mail(envelope_from, options)
            if code != 250:
                self._reset(code)
                raise _refused(code, text)
            code, text = smtp.rcpt(rcpt)
            if code not in (250, 251):
                self._reset(code)
                raise _refused(code, text)
            code, text = smtp.docmd("DATA")
            if code != 354:
                self._reset(code)
                raise _refused(code, text)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()
            raise _Transient(f"connection lost: {exc or type(exc).__name__}") from None
        accepting()
        try:
            smtp.send(payload)
            code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()
            raise _Uncertain(f"connection lost after the message was sent: {exc}") from None
        if code != 250:
            if code == 421:
                self.drop()
            raise _refused(code, text)

    def _reset(self, code: int) -> None:
        if code == 421 or self.smtp is None:  # the server is closing the connection
            self.drop()
            return
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()


def smtp_payload(message: bytes) -> bytes:
    """Dot-stuffed DATA payload ending in CRLF.CRLF (RFC 5321 §4.5.2)."""
    data = re.sub(rb"(?m)^\.", b"..", message)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


# --- the run ---------------------------------------------------------------------------------


@contextlib.contextmanager
def send_lock(store_path: Path) -> Iterator[None]:
    """One `send` per store at a time: two runs reading the same log would both send.

    An OS file lock (flock) beside the store; the OS releases it when a process dies, so a
    killed run never leaves a stale lock behind.
    """
    import fcntl

    path = store_path.with_name(store_path.name + ".send-lock")
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeliverError(
                f"another `crpsdigest send` is running on {store_path}; try again when it ends"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class SendReport:
    week: str
    sent: list[str] = field(default_factory=list)  # this run
    already: list[str] = field(default_factory=list)  # sent by an earlier run
    empty: list[str] = field(default_factory=list)  # nothing in their treatments this week
    failed: dict[str, str] = field(default_factory=dict)  # permanent (5xx), this or earlier run
    deferred: dict[str, str] = field(default_factory=dict)  # temporary; next `send` retries
    uncertain: dict[str, str] = field(default_factory=dict)  # 'sending' rows: never resent
    connections: int = 0
    aborted: str | None = None  # why the run stopped early (server unreachable)

    @property
    def complete(self) -> bool:
        """Every recipient sent, failed for good, uncertain or with nothing: mark the week sent."""
        return not self.deferred and self.aborted is None

    @property
    def ok(self) -> bool:
        return self.complete and not self.failed and not self.uncertain


@dataclass
class _Job:
    recipient: Recipient
    attempts: int  # over every run (stored)
    tries: int = 0  # in this run
    ready: float = 0.0


def _next_job(jobs: list[_Job]) -> _Job:
    """The first job due now, in recipient order; else the one due soonest (a retry)."""
    now = time.monotonic()
    due = next((j for j in jobs if j.ready <= now), None)
    job = due or min(jobs, key=lambda j: j.ready)
    jobs.remove(job)
    return job


def send_week(
    store: Store,
    factory: MessageFactory,
    recipients: Sequence[Recipient],
    settings: SmtpSettings,
    *,
    clock: Callable[[], datetime],
    rate: float | None = None,
    retry_delay: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> SendReport:
    """Send the week's digest to every recipient not yet in the send log (see module doc).

    4xx answers and dropped connections are retried up to MAX_ATTEMPTS times in this run, after
    ``retry_delay`` seconds, doubling; ``rate`` caps messages per second.
    """
    week = factory.digest.week
    report = SendReport(week)
    log = store.send_log(week)
    jobs: list[_Job] = []
    for r in sorted(recipients, key=lambda r: r.email.lower()):
        row = log.get(r.email.lower())
        if row is not None and row.status == "sent":
            report.already.append(r.email)
        elif row is not None and row.status == "failed":
            report.failed[r.email] = row.last_error or "failed"
        elif row is not None and row.status == "sending":
            report.uncertain[r.email] = row.last_error or "the run stopped while sending"
        elif selected_items(factory.digest, r.treatments) == 0:
            report.empty.append(r.email)
        else:
            jobs.append(_Job(r, row.attempts if row else 0))

    conn = Connection(settings, retry_delay)
    interval = 1.0 / rate if rate else 0.0
    next_slot = time.monotonic()
    try:
        while jobs:
            job = _next_job(jobs)
            wait = max(job.ready, next_slot) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            next_slot = max(next_slot, time.monotonic()) + interval
            r = job.recipient
            mid = message_id(week, r.email, factory.sender.domain)
            payload = factory.payload(r, clock())  # empty selections were set aside above
            job.attempts += 1
            job.tries += 1

            def accepting(r: Recipient = r, mid: str = mid, n: int = job.attempts) -> None:
                store.record_send(week, r.email, "sending", mid, n)

            try:
                conn.send(factory.sender.from_email, r.email, payload, accepting)
            except _Unreachable as exc:
                job.attempts -= 1
                jobs.insert(0, job)
                report.aborted = str(exc)
                break
            except _Transient as exc:
                # Nothing was accepted: record it (a 'sending' row must not outlive this).
                store.record_send(week, r.email, "deferred", mid, job.attempts, str(exc))
                if job.tries >= MAX_ATTEMPTS:
                    report.deferred[r.email] = str(exc)
                else:
                    job.ready = time.monotonic() + retry_delay * 2 ** (job.tries - 1)
                    jobs.append(job)
            except _Permanent as exc:
                store.record_send(week, r.email, "failed", mid, job.attempts, str(exc))
                report.failed[r.email] = str(exc)
            except _Uncertain as exc:
                store.record_send(week, r.email, "sending", mid, job.attempts, str(exc))
                report.uncertain[r.email] = str(exc)
            else:
                store.record_send(week, r.email, "sent", mid, job.attempts, None, clock())
                report.sent.append(r.email)
                if progress:
                    progress(r.email)
    finally:
        report.connections = conn.opened
        conn.close()
    for job in jobs:
        report.deferred[job.recipient.email] = f"not tried: {report.aborted}"
    return report
