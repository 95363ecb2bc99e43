"""Sending the email to a real SMTP server (aiosmtpd in its own process): each subscriber gets
exactly one well-formed message, faults are retried or reported, and re-runs never send twice."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crpsdigest.cli import cli
from crpsdigest.deliver import DeliverError, parse_smtp_url, smtp_payload
from crpsdigest.digest import content_hash, digest_to_json
from crpsdigest.models import Digest, DigestItem, Section
from crpsdigest.store import Store
from tests.conftest import ROOT, write_config
from tests.smtp_sink import SinkProcess, read_sink, start_sink

WEEK = "2026-W46"
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _item(uid: str, title: str, treatments: list[str]) -> DigestItem:
    return DigestItem(
        uid=uid, title=title, link=f"https://news.example.org/{uid}", source="Charity",
        published=datetime(2026, 11, 11, tzinfo=UTC), summary_html=f"<p>{title}</p>",
        summary_text=title, treatments=treatments, kinds=["news"],
    )  # fmt: skip


def _digest() -> Digest:
    ldn = _item("a1", "Low-dose naltrexone eased CRPS pain — Zürich pilot", ["low-dose-naltrexone"])
    ket = _item("b2", "Ketamine infusion trial opens in Lyon", ["ketamine"])
    both = _item("c3", "Naltrexone and ketamine compared", ["low-dose-naltrexone", "ketamine"])
    other = _item("d4", "CRPS support group meets", [])
    return Digest(
        week=WEEK, start=date(2026, 11, 9), end=date(2026, 11, 15), title="Test CRPS Digest",
        site_url="https://digest.example.org/", language="en", timezone="Europe/London",
        items=[ldn, ket, both, other],
        sections=[
            Section("low-dose-naltrexone", "Low-dose naltrexone", [ldn, both]),
            Section("ketamine", "Ketamine", [ket, both]),
            Section("other", "Other CRPS news", [other]),
        ],
        updated=datetime(2026, 11, 11, tzinfo=UTC),
    )  # fmt: skip


class Site:
    """A feeds.yaml, a store holding the built week, and the CLI pointed at both."""

    def __init__(self, tmp_path: Path, extra: str = "", feed: str = "charity.rss") -> None:
        self.dir = tmp_path
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.config = write_config(tmp_path, [("Charity", feed, "crps")], extra)
        self.db = tmp_path / "store.sqlite3"
        self.out = tmp_path / "out"

    def build(self) -> None:
        d = _digest()
        with Store(self.db) as store:
            store.save_digest(WEEK, digest_to_json(d), content_hash(d), [], NOW)

    def cli(self, *args: str, port: int | None = None, url: str | None = None) -> Result:
        env = {"CRPSDIGEST_SMTP_URL": url or (f"smtp://127.0.0.1:{port}" if port else "")}
        base = ["--config", str(self.config), "--db", str(self.db), "--out", str(self.out)]
        return CliRunner().invoke(cli, [*base, *args], env=env, catch_exceptions=False)

    def subscribe(self, *emails: str, treatments: str | None = None) -> None:
        for e in emails:
            extra = ["--treatments", treatments] if treatments else []
            result = self.cli("subscribers", "add", e, *extra)
            assert result.exit_code == 0, result.output

    def rows(self) -> dict[str, tuple[str, int]]:
        db = sqlite3.connect(self.db)
        try:
            return {r[0]: (r[1], r[2]) for r in db.execute("SELECT email, status, attempts FROM sends")}
        finally:
            db.close()


@pytest.fixture
def sinks(tmp_path: Path) -> Iterator[list[SinkProcess]]:
    started: list[SinkProcess] = []
    yield started
    for s in started:
        s.stop()


def _sink(sinks: list[SinkProcess], folder: Path, *args: str, port: int = 0) -> SinkProcess:
    s = start_sink(folder, *args, port=port)
    sinks.append(s)
    return s


def _ready_site(tmp_path: Path, *emails: str) -> Site:
    """A site whose week is built, with these subscribers following every treatment."""
    site = Site(tmp_path)
    site.build()
    site.subscribe(*emails)
    return site


def _counts(folder: Path) -> Counter[str]:
    """How many messages each recipient got."""
    return Counter(rcpts[0] for rcpts, _ in read_sink(folder))


def _by_rcpt(folder: Path) -> dict[str, list[EmailMessage]]:
    got: dict[str, list[EmailMessage]] = {}
    for rcpts, msg in read_sink(folder):
        assert len(rcpts) == 1, rcpts  # one message per recipient, never a list
        got.setdefault(rcpts[0], []).append(msg)
    return got


def _parse_eml(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_each_subscriber_gets_exactly_one_well_formed_message(
    tmp_path: Path, sinks: list[SinkProcess]
) -> None:
    site = Site(tmp_path, "  unsubscribe_url: https://digest.example.org/unsubscribe?list=crps\n"
                          "  from_email: digest@example.org\n")  # fmt: skip
    site.build()
    site.subscribe("ann@example.com", "Bob@Example.COM")
    site.subscribe("kay@example.net", treatments="ketamine")
    site.subscribe("scs@example.net", treatments="spinal-cord-stimulation")  # no news this week
    sink = _sink(sinks, tmp_path / "mail")

    result = site.cli("send", "--week", WEEK, port=sink.port)
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output and "1 with no news" in result.output

    got = _by_rcpt(sink.folder)
    assert sorted(got) == ["Bob@example.com", "ann@example.com", "kay@example.net"]
    assert all(len(msgs) == 1 for msgs in got.values())
    ids = set()
    for rcpt, (msg,) in got.items():
        assert msg["To"] == rcpt  # the recipient only, never the list
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
        assert msg["From"].addresses[0].addr_spec == "digest@example.org"
        assert msg["Reply-To"] == "editor@example.org"
        assert msg["List-Id"] == "Test CRPS Digest <crpsdigest.digest.example.org>"
        quoted = rcpt.replace("@", "%40")
        assert msg["List-Unsubscribe"] == (
            f"<mailto:editor@example.org?subject=unsubscribe%20{quoted}>, "
            f"<https://digest.example.org/unsubscribe?list=crps&email={quoted}>"
        )
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["Date"].datetime.tzinfo is not None
        assert msg["Message-ID"].startswith("<crpsdigest.2026-W46.") and msg["Message-ID"].endswith("@example.org>")
        ids.add(msg["Message-ID"])
    assert len(ids) == 3

    everyone = _text(got["ann@example.com"][0])
    assert "Zürich" in everyone and "Lyon" in everyone and "support group" in everyone
    ketamine_only = _text(got["kay@example.net"][0])
    assert "Lyon" in ketamine_only and "compared" in ketamine_only
    assert "Zürich" not in ketamine_only and "support group" not in ketamine_only

    with Store(site.db) as store:
        assert WEEK in store.sent_weeks()  # late items now go to the next week
    again = site.cli("send", "--week", WEEK, port=sink.port)
    assert again.exit_code == 0, again.output
    assert "sent 0" in again.output and "3 already sent" in again.output
    assert len(read_sink(sink.folder)) == 3


def test_mailto_only_unsubscribe_without_one_click_when_no_https_url(
    tmp_path: Path, sinks: list[SinkProcess]
) -> None:
    site = _ready_site(tmp_path, "ann@example.com")
    sink = _sink(sinks, tmp_path / "mail")
    assert site.cli("send", "--week", WEEK, port=sink.port).exit_code == 0
    ((_, msg),) = read_sink(sink.folder)
    assert msg["List-Unsubscribe"] == "<mailto:editor@example.org?subject=unsubscribe%20ann%40example.com>"
    assert msg["List-Unsubscribe-Post"] is None  # RFC 8058 needs an https URL
    assert msg["From"].addresses[0].addr_spec == "editor@example.org"


def test_451_is_retried_and_550_is_reported_once(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    site = _ready_site(tmp_path, "grey@example.com", "gone@example.com", "ok@example.com")
    sink = _sink(sinks, tmp_path / "mail", "--defer", "grey@example.com", "--reject", "gone@example.com")

    result = site.cli("send", "--week", WEEK, "--retry-delay", "0.1", port=sink.port)
    assert result.exit_code == 1  # a recipient failed
    assert "failed: gone@example.com: 550" in result.output
    assert sorted(_by_rcpt(sink.folder)) == ["grey@example.com", "ok@example.com"]
    rows = site.rows()
    assert rows["grey@example.com"] == ("sent", 2)
    assert rows["gone@example.com"][0] == "failed"
    with Store(site.db) as store:
        assert WEEK in store.sent_weeks()  # failed for good still completes the week

    again = site.cli("send", "--week", WEEK, "--retry-delay", "0.1", port=sink.port)
    assert again.exit_code == 1 and "failed: gone@example.com" in again.output
    assert len(read_sink(sink.folder)) == 2  # nothing resent


def test_server_dying_after_k_messages_then_rerun_sends_the_rest_once(
    tmp_path: Path, sinks: list[SinkProcess]
) -> None:
    emails = [f"user{i}@example.com" for i in range(7)]
    site = _ready_site(tmp_path, *emails)
    folder = tmp_path / "mail"
    first = _sink(sinks, folder, "--exit-after", "3")

    result = site.cli("send", "--week", WEEK, "--retry-delay", "0.05", port=first.port)
    assert result.exit_code == 1
    assert "stopped: cannot connect" in result.output and "again" in result.output
    first.proc.wait(timeout=10)
    assert len(read_sink(folder)) == 3
    with Store(site.db) as store:
        assert WEEK not in store.sent_weeks()

    second = _sink(sinks, folder, port=first.port)
    rerun = site.cli("send", "--week", WEEK, "--retry-delay", "0.05", port=second.port)
    assert rerun.exit_code == 0, rerun.output
    assert "sent 4" in rerun.output and "3 already sent" in rerun.output
    assert _counts(folder) == Counter({e: 1 for e in emails})
    with Store(site.db) as store:
        assert WEEK in store.sent_weeks()


def test_killing_send_at_any_moment_never_sends_twice(
    tmp_path: Path, sinks: list[SinkProcess]
) -> None:
    emails = [f"reader{i:02d}@example.com" for i in range(30)]
    site = _ready_site(tmp_path, *emails)
    sink = _sink(sinks, tmp_path / "mail")
    env = {**os.environ, "CRPSDIGEST_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}
    cmd = [sys.executable, "-m", "crpsdigest", "--config", str(site.config), "--db", str(site.db),
           "send", "--week", WEEK, "--rate", "25"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(list(sink.folder.glob("*.eml"))) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    killed_at = len(read_sink(sink.folder))
    assert 10 <= killed_at < 30

    rerun = site.cli("send", "--week", WEEK, port=sink.port)
    counts = _counts(sink.folder)
    assert max(counts.values()) == 1  # never twice
    uncertain = {e for e in emails if f"uncertain: {e}:" in rerun.output}
    assert len(uncertain) <= 1  # at most the one message in flight when killed
    assert set(counts) | uncertain == set(emails)  # every other one was sent
    assert rerun.exit_code == (1 if uncertain else 0)


def test_dry_run_writes_eml_files_and_sends_nothing(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    site = _ready_site(tmp_path, "ann@example.com")
    site.subscribe("scs@example.net", treatments="spinal-cord-stimulation")
    dry = site.cli("send", "--week", WEEK, "--dry-run")  # no SMTP URL needed
    assert dry.exit_code == 0, dry.output
    outbox = site.out / WEEK / "outbox"
    assert [p.name for p in outbox.iterdir()] == ["ann@example.com.eml"]
    msg = _parse_eml(outbox / "ann@example.com.eml")
    assert msg["To"] == "ann@example.com" and msg.get_content_type() == "multipart/alternative"
    assert site.cli("subscribers", "remove", "ann@example.com").exit_code == 0
    site.subscribe("bea@example.com")
    assert site.cli("send", "--week", WEEK, "--dry-run").exit_code == 0
    assert [p.name for p in outbox.iterdir()] == ["bea@example.com.eml"]  # no stale preview
    assert site.rows() == {}
    with Store(site.db) as store:
        assert WEEK not in store.sent_weeks()

    sink = _sink(sinks, tmp_path / "mail")
    assert site.cli("send", "--week", WEEK, port=sink.port).exit_code == 0
    assert sorted(_by_rcpt(sink.folder)) == ["bea@example.com"]  # the dry runs did not count


def test_unbuilt_week_and_missing_settings_fail_clearly(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.subscribe("ann@example.com")
    result = site.cli("send", "--week", "2026-W40", port=2525)
    assert result.exit_code == 1
    assert "2026-W40 has not been built; run `crpsdigest build --week 2026-W40`" in result.output
    site.build()
    unset = site.cli("send", "--week", WEEK)
    assert unset.exit_code == 2 and "CRPSDIGEST_SMTP_URL is not set" in unset.output
    bad = site.cli("send", "--week", WEEK, url="http://mail.example.org")
    assert bad.exit_code == 2 and "unknown scheme http:" in bad.output


def test_starttls_required_but_not_offered_sends_nothing(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    site = _ready_site(tmp_path, "ann@example.com")
    sink = _sink(sinks, tmp_path / "mail")
    result = site.cli("send", "--week", WEEK, url=f"smtp+starttls://127.0.0.1:{sink.port}")
    assert result.exit_code == 1
    assert "does not offer STARTTLS" in result.output
    assert read_sink(sink.folder) == [] and site.rows() == {}


def test_smtp_urls() -> None:
    s = parse_smtp_url("smtp+starttls://me%40example.org@mail.example.org:587", "pw")
    assert (s.security, s.host, s.port, s.user, s.password) == (
        "starttls", "mail.example.org", 587, "me@example.org", "pw"
    )
    assert parse_smtp_url("smtps://mail.example.org").port == 465
    assert parse_smtp_url("smtp://me@example.org@mail.example.org:2525", "pw").user == "me@example.org"
    assert parse_smtp_url("smtp://mail.example.org").security == "opportunistic"
    with pytest.raises(DeliverError, match="CRPSDIGEST_SMTP_PASSWORD"):
        parse_smtp_url("smtp://me@mail.example.org:25")
    with pytest.raises(DeliverError, match="do not put the password"):
        parse_smtp_url("smtp://me:secret@mail.example.org:25", "x")


def test_message_in_flight_when_the_server_dies_is_not_resent_but_named(
    tmp_path: Path, sinks: list[SinkProcess]
) -> None:
    """The documented trade-off: a message the server may have taken is never sent twice."""
    site = _ready_site(tmp_path, "a@example.com", "b@example.com", "c@example.com")
    folder = tmp_path / "mail"
    first = _sink(sinks, folder, "--die-in-data", "b@example.com")
    result = site.cli("send", "--week", WEEK, "--retry-delay", "0.05", port=first.port)
    assert result.exit_code == 1
    assert "uncertain: b@example.com" in result.output and "--resend b@example.com" in result.output

    second = _sink(sinks, folder, port=first.port)
    rerun = site.cli("send", "--week", WEEK, "--retry-delay", "0.05", port=second.port)
    assert rerun.exit_code == 1 and "uncertain: b@example.com" in rerun.output
    assert sorted(_by_rcpt(folder)) == ["a@example.com", "c@example.com"]  # b not resent

    resent = site.cli("send", "--week", WEEK, "--resend", "b@example.com", port=second.port)
    assert resent.exit_code == 0, resent.output
    assert _counts(folder) == Counter(
        {"a@example.com": 1, "b@example.com": 1, "c@example.com": 1}
    )


def test_run_sends_only_when_enabled_and_configured(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    seed = ROOT / "tests" / "fixtures" / "feeds" / "seed.rss"
    off = Site(tmp_path / "off", feed=str(seed))
    off.subscribe("ann@example.com")
    sink = _sink(sinks, tmp_path / "mail")
    quiet = off.cli("run", "--week", WEEK, port=sink.port)  # SMTP URL set, but send: false
    assert quiet.exit_code == 0, quiet.output
    assert "not sending (`send: true` is not set" in quiet.output
    assert f"crpsdigest send --week {WEEK}" in quiet.output
    assert read_sink(sink.folder) == []

    on = Site(tmp_path / "on", "  send: true\n", feed=str(seed))
    on.subscribe("ann@example.com")
    no_url = on.cli("run", "--week", WEEK)
    assert no_url.exit_code == 0 and "CRPSDIGEST_SMTP_URL is not set" in no_url.output
    sent = on.cli("run", "--week", WEEK, port=sink.port)
    assert sent.exit_code == 0, sent.output
    ((rcpts, msg),) = read_sink(sink.folder)
    assert rcpts == ["ann@example.com"]
    assert "naltrexone" in _text(msg).lower()


def test_internationalised_address_is_sent_with_smtputf8(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    site = _ready_site(tmp_path, "zoë@example.com", "ann@example.com")
    sink = _sink(sinks, tmp_path / "mail")
    result = site.cli("send", "--week", WEEK, port=sink.port)
    assert result.exit_code == 0, result.output
    got = _by_rcpt(sink.folder)
    assert sorted(got) == ["ann@example.com", "zoë@example.com"]
    (msg,) = got["zoë@example.com"]
    assert msg["To"] == "zoë@example.com"
    assert "zo%C3%AB%40example.com" in msg["List-Unsubscribe"]


def test_a_second_send_waits_for_the_first(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    import fcntl

    site = _ready_site(tmp_path, "ann@example.com")
    sink = _sink(sinks, tmp_path / "mail")
    with (tmp_path / "store.sqlite3.send-lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running `send` holds it
        busy = site.cli("send", "--week", WEEK, port=sink.port)
    assert busy.exit_code == 1 and "another `crpsdigest send` is running" in busy.output
    assert read_sink(sink.folder) == [] and site.rows() == {}
    assert site.cli("send", "--week", WEEK, port=sink.port).exit_code == 0
    assert len(read_sink(sink.folder)) == 1


def test_lines_starting_with_a_dot_are_stuffed_for_smtp() -> None:
    # RFC 5321 §4.5.2: a lone "." ends the message, so every leading dot is doubled.
    assert smtp_payload(b"a\r\n.\r\n.b\r\nc.d") == b"a\r\n..\r\n..b\r\nc.d\r\n.\r\n"


@pytest.fixture
def tls_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 that this process's TLS clients trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    return str(cert), str(key)


@pytest.mark.parametrize("scheme", ["smtp", "smtp+starttls", "smtps"])
def test_tls_and_login(
    scheme: str, tmp_path: Path, sinks: list[SinkProcess], tls_cert: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A verified certificate and AUTH. The sink refuses mail without TLS, so delivery proves
    that smtp:// upgraded with STARTTLS when offered."""
    site = _ready_site(tmp_path, "ann@example.com", "bob@example.com")
    implicit = ["--implicit-tls"] if scheme == "smtps" else []
    sink = _sink(sinks, tmp_path / "mail", "--tls", *tls_cert, *implicit,
                 "--auth", "digest@example.org:s3cret")  # fmt: skip
    url = f"{scheme}://digest%40example.org@127.0.0.1:{sink.port}"
    monkeypatch.setenv("CRPSDIGEST_SMTP_PASSWORD", "wrong")
    refused = site.cli("send", "--week", WEEK, url=url)
    assert refused.exit_code == 1 and "login refused" in refused.output
    assert site.rows() == {}

    monkeypatch.setenv("CRPSDIGEST_SMTP_PASSWORD", "s3cret")
    result = site.cli("send", "--week", WEEK, url=url)
    assert result.exit_code == 0, result.output
    assert _counts(sink.folder) == Counter({"ann@example.com": 1, "bob@example.com": 1})

    monkeypatch.delenv("SSL_CERT_FILE")  # an untrusted certificate is never accepted
    untrusted = site.cli("send", "--week", WEEK, "--retry-delay", "0.01", "--resend", "ann@example.com", url=url)
    assert untrusted.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.output
    assert _counts(sink.folder)["ann@example.com"] == 1


def test_rate_limit_spaces_the_messages(tmp_path: Path, sinks: list[SinkProcess]) -> None:
    site = _ready_site(tmp_path, *(f"r{i}@example.com" for i in range(5)))
    sink = _sink(sinks, tmp_path / "mail")
    start = time.monotonic()
    result = site.cli("send", "--week", WEEK, "--rate", "10", port=sink.port)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start >= 0.4  # 5 messages at 10/s: 4 gaps of 0.1 s at least
    assert len(read_sink(sink.folder)) == 5


def test_password_is_never_sent_unencrypted(
    tmp_path: Path, sinks: list[SinkProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    import crpsdigest.deliver

    # Pretend the sink is a remote host (a local relay may take a password in plain text).
    monkeypatch.setattr(crpsdigest.deliver, "_local", lambda host: False)
    monkeypatch.setenv("CRPSDIGEST_SMTP_PASSWORD", "s3cret")
    site = _ready_site(tmp_path, "ann@example.com")
    sink = _sink(sinks, tmp_path / "mail")  # offers no STARTTLS
    result = site.cli("send", "--week", WEEK, url=f"smtp://digest@127.0.0.1:{sink.port}")
    assert result.exit_code == 1
    assert "refusing to send the password unencrypted" in result.output
    assert read_sink(sink.folder) == [] and site.rows() == {}
