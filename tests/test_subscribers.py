"""`crpsdigest subscribers …`: bad addresses and slugs refused in one line, CSV import reports bad
rows by line and keeps the good ones, export imports back unchanged."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from crpsdigest.cli import cli
from tests.conftest import write_config


def _cli(tmp_path: Path, *args: str, db: str = "store.sqlite3") -> Result:
    config = tmp_path / "feeds.yaml"
    if not config.exists():
        write_config(tmp_path, [("Charity", "charity.rss", "crps")])
    base = ["--config", str(config), "--db", str(tmp_path / db)]
    return CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)


def test_add_list_remove(tmp_path: Path) -> None:
    assert _cli(tmp_path, "subscribers", "add", "ann@Example.COM").exit_code == 0
    added = _cli(tmp_path, "subscribers", "add", "kay@example.net", "--treatments", "Ketamine, low-dose-naltrexone")
    assert added.exit_code == 0
    assert "kay@example.net (ketamine, low-dose-naltrexone)" in added.output
    changed = _cli(tmp_path, "subscribers", "add", "kay@example.net", "--treatments", "ketamine")
    assert changed.output.startswith("updated kay@example.net")

    listed = _cli(tmp_path, "subscribers", "list")
    lines = [line.split("\t")[:2] for line in listed.stdout.splitlines()]
    assert lines == [["ann@example.com", "all"], ["kay@example.net", "ketamine"]]

    assert _cli(tmp_path, "subscribers", "remove", "ANN@example.com").exit_code == 0
    again = _cli(tmp_path, "subscribers", "remove", "ann@example.com")
    assert again.exit_code == 1 and "ann@example.com is not subscribed" in again.output
    assert _cli(tmp_path, "subscribers", "list").stdout.startswith("kay@example.net\t")


def test_bad_address_and_unknown_treatment_are_one_line_errors(tmp_path: Path) -> None:
    bad = _cli(tmp_path, "subscribers", "add", "ann@@example.com")
    assert bad.exit_code == 2
    assert len(bad.output.strip().splitlines()) == 1
    assert "'ann@@example.com' is not a valid email address" in bad.output
    slug = _cli(tmp_path, "subscribers", "add", "ann@example.com", "--treatments", "ketamine,ketamin")
    assert slug.exit_code == 2 and "unknown treatment 'ketamin'" in slug.output
    assert _cli(tmp_path, "subscribers", "list").stdout == ""  # nothing half-added


def test_csv_import_reports_bad_rows_by_line_and_keeps_the_good(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "Email,Treatments\n"
        "ann@example.com,\n"
        "not-an-address,ketamine\n"
        '"kay@example.net","ketamine,zoledronate"\n'
        "\n"
        "lee@example.org,reiki\n"
        "mo@example.org,other\n",
        encoding="utf-8",
    )
    result = _cli(tmp_path, "subscribers", "import", str(csv_file))
    assert result.exit_code == 1
    assert f"{csv_file}:3: 'not-an-address' is not a valid email address" in result.output
    assert f"{csv_file}:6: unknown treatment 'reiki'" in result.output
    assert "3 added" in result.output and "2 bad rows skipped" in result.output
    listed = _cli(tmp_path, "subscribers", "list").stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [
        ["ann@example.com", "all"],
        ["kay@example.net", "ketamine,zoledronate"],
        ["mo@example.org", "other"],
    ]


def test_csv_without_email_column_is_refused(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("address\nann@example.com\n", encoding="utf-8")
    result = _cli(tmp_path, "subscribers", "import", str(csv_file))
    assert result.exit_code == 1
    assert f"{csv_file}:1: the header row needs an `email` column (found: address)" in result.output


def test_export_imports_back_unchanged(tmp_path: Path) -> None:
    _cli(tmp_path, "subscribers", "add", "ann@example.com")
    _cli(tmp_path, "subscribers", "add", "kay@example.net", "--treatments", "zoledronate,ketamine")
    exported = _cli(tmp_path, "subscribers", "export").stdout
    assert exported == (
        "email,treatments\n"
        "ann@example.com,\n"
        'kay@example.net,"ketamine,zoledronate"\n'
    )
    (tmp_path / "export.csv").write_text(exported, encoding="utf-8")
    imported = _cli(tmp_path, "subscribers", "import", str(tmp_path / "export.csv"), db="other.sqlite3")
    assert imported.exit_code == 0 and "2 added" in imported.output
    assert _cli(tmp_path, "subscribers", "export", db="other.sqlite3").stdout == exported


def test_a_store_from_before_subscribers_is_migrated_in_place(tmp_path: Path) -> None:
    import sqlite3
    from datetime import UTC, datetime

    from crpsdigest.store import MIGRATIONS, Store

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO digests VALUES ('2026-W46', '{}', 'h', '2026-11-16T00:00:00+00:00', NULL)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.digest_data() == [("2026-W46", "{}")]  # kept
        store.upsert_subscribers([("ann@example.com", None)], datetime(2026, 11, 16, tzinfo=UTC))
        assert [s.email for s in store.subscribers()] == ["ann@example.com"]
        assert store.send_log("2026-W46") == {}
