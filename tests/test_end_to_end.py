"""The whole spine through the CLI: feeds served over real HTTP → store → every output file."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from email.message import EmailMessage
from pathlib import Path

import feedparser
import lxml.html

from tests.conftest import EXAMPLES, FIXTURES, run_cli, write_config

SPAM = "magnificent tricks"


def _serve_examples(tmp_path: Path, serve_dir: object) -> Path:
    feeds = tmp_path / "www"
    shutil.copytree(EXAMPLES, feeds)
    shutil.copy(FIXTURES / "feeds" / "seed.rss", feeds / "seed.rss")
    base = serve_dir(feeds)  # type: ignore[operator]
    return write_config(
        tmp_path,
        [
            ("Charity", f"{base}charity-news.rss", "crps"),
            ("Pain news", f"{base}pain-news.atom", "general"),
            ("Syndication", f"{base}syndication.rss", "general"),
            ("PubMed", f"{base}pubmed.rss", "crps"),
            ("Journal", f"{base}journal.rss", "crps"),
            ("Trials", f"{base}trials.rss", "crps"),
            ("Broken", f"{base}missing.rss", "crps"),
        ],
    )


def test_fetch_and_build_over_http_write_every_output(tmp_path: Path, serve_dir: object) -> None:
    config = _serve_examples(tmp_path, serve_dir)
    fetched = run_cli("--config", config, "fetch")
    assert fetched.exit_code == 0, fetched.output  # one broken feed does not fail the run
    assert "Broken" in fetched.output and "404" in fetched.output
    built = run_cli("--config", config, "build", "--week", "2026-W46")
    assert built.exit_code == 0, built.output

    out = tmp_path / "out"
    week = out / "2026-W46"
    for name in ("index.html", "email.html", "email.txt", "email.eml"):
        assert (week / name).stat().st_size > 0, name
    assert (out / "index.html").is_file()

    atom = feedparser.parse((out / "atom.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    (entry,) = atom.entries
    assert "2026-W46" in entry.title
    content = entry.content[0].value
    assert "naltrexone" in content.lower()

    msg = email.message_from_bytes((week / "email.eml").read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = msg.get_body(("plain",))
    assert text is not None and "naltrexone" in text.get_content().lower()

    # Off-topic items from general feeds are dropped; the duplicated article shows once.
    page = (week / "index.html").read_text()
    assert "alcohol use disorder" not in page.lower()
    items = feedparser.parse((out / "items.xml").read_bytes()).entries
    pept = [e for e in items if re.search(r"pain.exposure physical therapy", e.title, re.I)]
    assert len(pept) == 1, [e.title for e in pept]  # the syndicated copy was merged into it
    # The editors' review says why: the syndicated copy is a duplicate of the original.
    review = " ".join(lxml.html.fromstring((week / "review.html").read_text()).text_content().split())
    assert re.search(r"duplicate of .{0,3}Pain.exposure physical therapy", review, re.I), review[:2000]


def test_seed_article_is_tagged_ldn_first_and_its_spam_comment_reaches_no_output(
    tmp_path: Path,
) -> None:
    seed = FIXTURES / "feeds" / "seed.rss"
    result = run_cli("inspect", "--jsonl", seed)
    assert result.exit_code == 0, result.output
    import json

    (row,) = [json.loads(line) for line in result.output.splitlines()]
    assert row["relevant"] is True
    assert row["treatments"][0] == "low-dose-naltrexone"

    config = write_config(tmp_path, [("Charity", str(seed), "crps")])
    assert run_cli("--config", config, "fetch").exit_code == 0
    assert run_cli("--config", config, "build", "--week", "2026-W46").exit_code == 0
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and p.suffix != ".png"]
    assert len(files) >= 5
    for path in files:
        body = path.read_bytes().decode("utf-8", "replace")
        assert SPAM not in body, path
    assert "low-dose naltrexone" in (tmp_path / "out" / "2026-W46" / "email.txt").read_text().lower()


def test_inspect_prints_the_documented_keys(tmp_path: Path) -> None:
    import json

    result = run_cli("inspect", "--jsonl", EXAMPLES / "pubmed.rss", EXAMPLES / "journal.rss")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    keys = {"source", "guid", "title", "link", "canonical_url", "published", "relevant",
            "treatments", "kinds", "evidence", "cluster", "representative"}  # fmt: skip
    assert all(keys <= set(r) for r in rows)
    # The same paper in PubMed and in its journal's feed is one cluster with one representative.
    by_doi: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        for doi in r["ids"].get("self_doi", []):  # its own DOI, not one it cites
            by_doi.setdefault(doi, []).append(r)
    shared = [group for group in by_doi.values() if len({g["source"] for g in group}) == 2]
    assert shared, "the examples hold one paper in both feeds"
    for group in shared:
        assert len({g["cluster"] for g in group}) == 1
        assert sum(bool(g["representative"]) for g in group) == 1
    assert all(r["published"] is None or r["published"].endswith("Z") for r in rows)
