"""A real SMTP server (aiosmtpd) for tests and the benchmark, run in its own process.

    python tests/smtp_sink.py DIR [--port N] [--defer ADDR]... [--reject ADDR]... [--exit-after K]
                                  [--count-only]

Each accepted message is written atomically to DIR as ``<time>-<pid>-<n>.eml`` with the
envelope recipients in an ``X-Sink-Rcpt`` first line stripped before parsing (see ``read_sink``).
Fault plan: ``--defer`` answers 451 to that recipient once, then accepts it; ``--reject``
answers 550 to it every time; ``--die-in-data ADDR`` exits after receiving that recipient's
whole message, before answering (the ambiguous moment); ``--exit-after K`` exits the process, without answering, at the
first command after the K-th accepted message (as a crashed server would). ``--tls CERT KEY``
offers STARTTLS and refuses mail without it (``--implicit-tls``: TLS from the first byte);
``--auth USER:PASSWORD`` requires that login (over TLS only). Prints
``READY <port>`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import os
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class Sink:
    def __init__(self, folder: Path, defer: set[str], reject: set[str], exit_after: int | None,
                 count_only: bool, die_in_data: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.folder = folder
        self.die_in_data = {a.lower() for a in die_in_data}
        self.defer = {a.lower() for a in defer}
        self.reject = {a.lower() for a in reject}
        self.exit_after = exit_after
        self.count_only = count_only
        self.accepted = 0

    def _maybe_exit(self) -> None:
        if self.exit_after is not None and self.accepted >= self.exit_after:
            os._exit(0)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        self._maybe_exit()
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        key = address.lower()
        if key in self.reject:
            return "550 5.1.1 no such mailbox"
        if key in self.defer:
            self.defer.discard(key)
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if any(r.lower() in self.die_in_data for r in envelope.rcpt_tos):
            os._exit(0)  # crash with the whole message received but not yet answered
        self.accepted += 1
        if self.count_only:
            return "250 OK"
        data: Any = envelope.original_content or envelope.content
        raw = data if isinstance(data, bytes) else str(data).encode()
        name = f"{time.time_ns()}-{os.getpid()}-{self.accepted}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(b"X-Sink-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n" + raw)
        tmp.rename(self.folder / name)
        return "250 OK queued"


# --- used by the tests and the benchmark to drive the sink ------------------------------------


@dataclass
class SinkProcess:
    proc: subprocess.Popen[str]
    port: int
    folder: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def start_sink(folder: Path, *args: str, port: int = 0) -> SinkProcess:
    """Start the sink in its own process and wait until it listens."""
    proc = subprocess.Popen(
        [sys.executable, __file__, str(folder), "--port", str(port), *args],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"smtp sink did not start: {line!r}")
    return SinkProcess(proc, int(line.split()[1]), folder)


def read_sink(folder: Path) -> list[tuple[list[str], EmailMessage]]:
    """(envelope recipients, parsed message) of every message the sink accepted, in order."""
    out = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: int(p.name.split("-")[0])):
        first, _, raw = path.read_bytes().partition(b"\r\n")
        rcpts = first.decode().removeprefix("X-Sink-Rcpt: ").split(",")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        out.append((rcpts, msg))
    return out


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--defer", action="append", default=[])
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--exit-after", type=int)
    parser.add_argument("--die-in-data", action="append", default=[])
    parser.add_argument("--count-only", action="store_true")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                        help="offer STARTTLS and refuse mail without it")
    parser.add_argument("--implicit-tls", action="store_true", help="with --tls: TLS from the start")
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="require this login")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    sink = Sink(args.dir, set(args.defer), set(args.reject), args.exit_after, args.count_only,
                set(args.die_in_data))
    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
    starttls = context if context and not args.implicit_tls else None

    def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and args.auth == (
            f"{data.login.decode()}:{data.password.decode()}"
        )
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535

    def factory() -> SMTP:
        return SMTP(
            sink, enable_SMTPUTF8=True, hostname="sink.test", tls_context=starttls,
            require_starttls=starttls is not None,
            authenticator=authenticator if args.auth else None,
            # aiosmtpd cannot tell an implicit-TLS session from plain text: trust the listener.
            auth_required=bool(args.auth), auth_require_tls=not args.implicit_tls,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, "127.0.0.1", args.port, reuse_address=True,
        ssl=context if args.implicit_tls else None,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(sys.argv[1:]))
