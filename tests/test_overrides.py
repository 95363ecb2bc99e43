"""Overrides in feeds.yaml: exclude, pin, set treatments; honoured by build, review and inspect."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crpsdigest.digest import digest_from_json
from crpsdigest.models import Digest, ReviewRow
from crpsdigest.store import Store
from tests.conftest import FIXTURES, run_cli, write_config

FEED = FIXTURES / "feeds" / "painwire.rss"
WEEK = "2026-W46"  # the fixture's items are dated 10–13 November 2026


def painwire_config(folder: Path, feed_extra: str = "", extra: str = "") -> Path:
    """feeds.yaml with the Pain Wire fixture (topic general) and optional extra YAML."""
    shutil.copy(FEED, folder / "painwire.rss")
    path = write_config(folder, [("Pain Wire", "painwire.rss", "general")])
    path.write_text(path.read_text() + feed_extra + extra)
    return path


def build(path: Path) -> Digest:
    """`crpsdigest fetch` and `build` for real, then the week's digest as the store keeps it."""
    fetched = run_cli("--config", path, "fetch")
    assert fetched.exit_code == 0, fetched.output
    built = run_cli("--config", path, "build", "--week", WEEK)
    assert built.exit_code == 0, built.output
    with Store(path.parent / "crpsdigest.sqlite3") as store:
        data = dict(store.digest_data())
    return digest_from_json(data[WEEK])


def row(digest: Digest, title_start: str) -> ReviewRow:
    return next(r for r in digest.review if r.title.startswith(title_start))


def test_overrides_exclude_pin_and_retag_items_in_the_digest(tmp_path: Path) -> None:
    path = painwire_config(tmp_path)
    first = build(path)
    # Without overrides: the parking item is not about CRPS, ketamine is shown.
    assert row(first, "Hospital car parking").status == "not-relevant"
    assert [i.title for i in first.items] == [
        "Webinar: living well with CRPS",
        "Ketamine infusions for complex regional pain syndrome",
        "Low-dose naltrexone eased CRPS pain in a small trial",
    ]
    parking_uid = row(first, "Hospital car parking").uid  # as an editor copies it from review

    path.write_text(
        path.read_text()
        + "overrides:\n"
        + "  - url: http://painwire.example.org/ketamine/   # another spelling of the link\n"
        + "    exclude: true\n"
        + "    note: a press release\n"
        + "  - id: pw-101                                   # the feed's guid\n"
        + "    pin: true\n"
        + f"  - id: {parking_uid}\n"
        + "    treatments: [spinal-cord-stimulation]\n"
    )
    assert run_cli("--config", path, "check").exit_code == 0
    digest = build(path)

    titles = [i.title for i in digest.items]
    assert titles == [
        "Low-dose naltrexone eased CRPS pain in a small trial",  # pinned: first
        "Webinar: living well with CRPS",  # then newest first
        "Hospital car parking fees rise again",
    ]
    assert [i.pinned for i in digest.items] == [True, False, False]
    ketamine = row(digest, "Ketamine infusions")
    assert (ketamine.status, ketamine.detail) == (
        "excluded",
        "excluded by overrides[0] (a press release)",
    )
    parking = next(i for i in digest.items if i.title.startswith("Hospital"))
    assert parking.treatments == ["spinal-cord-stimulation"]
    assert parking.evidence == {"spinal-cord-stimulation": ["set by override overrides[2]"]}
    sections = {s.slug: [i.title for i in s.items] for s in digest.sections}
    assert sections["spinal-cord-stimulation"] == ["Hospital car parking fees rise again"]
    assert "ketamine" not in sections
    assert row(digest, "Hospital car parking").detail == (
        "shown from Pain Wire; treatments set by overrides[2]"
    )
    assert (
        row(digest, "Low-dose naltrexone").detail == "shown from Pain Wire; pinned by overrides[1]"
    )


def test_inspect_applies_the_config_overrides_and_can_ignore_them(tmp_path: Path) -> None:
    path = painwire_config(
        tmp_path,
        extra="overrides:\n  - id: pw-104\n    exclude: true\n"
        "  - url: https://painwire.example.org/ldn-trial\n    treatments: [ketamine]\n",
    )
    result = run_cli("--config", path, "inspect", "--jsonl", FEED)
    assert result.exit_code == 0, result.output
    rows = {r["guid"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["pw-104"]["excluded"] is True
    assert rows["pw-104"]["override"] == "excluded by overrides[0]"
    assert rows["pw-101"]["treatments"] == ["ketamine"]
    assert rows["pw-101"]["evidence"] == {"ketamine": ["set by override overrides[1]"]}
    assert "override" not in rows["pw-102"]

    text = run_cli("--config", path, "inspect", FEED)
    assert "    override: excluded by overrides[0]" in text.stdout

    plain = run_cli("--config", path, "inspect", "--jsonl", "--no-overrides", FEED)
    rows = {r["guid"]: r for r in map(json.loads, plain.stdout.splitlines())}
    assert "override" not in rows["pw-104"]
    assert rows["pw-101"]["treatments"] == ["low-dose-naltrexone"]


def test_inspect_works_beside_a_broken_feeds_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds.yaml").write_text("digest: [\n")
    result = run_cli("inspect", "--jsonl", FEED)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 4
    assert "feeds.yaml: has 1 problem(s), so its overrides are not applied" in result.stderr
    # Named explicitly, the same file is an error: the editor asked for it.
    assert run_cli("--config", "feeds.yaml", "inspect", FEED).exit_code == 2


@pytest.mark.parametrize(
    ("override", "line", "message"),
    [
        (
            "  - id: pw-1\n    url: https://a.example.org/x\n    pin: true\n",
            13,
            "overrides[0]: give exactly one of `id:` or `url:` to say which item",
        ),
        (
            "  - id: pw-1\n",
            13,
            "overrides[0]: say what to do: `exclude: true`, `pin: true` or `treatments: [...]`",
        ),
        (
            "  - id: pw-1\n    treatments:\n      - ldn\n      - ketamin\n",
            16,
            "overrides[0].treatments[1]: unknown treatment 'ketamin' (did you mean 'ketamine'?)",
        ),
        (
            "  - id: pw-1\n    exclude: true\n    pin: true\n",
            13,
            "overrides[0]: an excluded item cannot also be pinned or tagged",
        ),
        (
            "  - id: pw-1\n    pin: true\n  - id: pw-1\n    exclude: true\n",
            15,
            "overrides[1]: the same item as overrides[0]; merge the two",
        ),
        (
            "  - url: www.example.org/x\n    pin: true\n",
            13,
            "overrides[0].url: not an absolute http(s) URL",
        ),
        (
            "  - id: pw-1\n    pinned: true\n",
            14,
            "overrides[0].pinned: unknown key (did you mean 'pin'?)",
        ),
    ],
)
def test_check_names_the_line_of_a_bad_override(
    tmp_path: Path, override: str, line: int, message: str
) -> None:
    # write_config: 6 lines of digest, a blank line, "feeds:", 3 lines of feed: so
    # "overrides:" is line 12 and the first override starts on line 13.
    path = painwire_config(tmp_path, extra="overrides:\n" + override)
    assert path.read_text().splitlines()[11] == "overrides:"
    result = run_cli("--config", path, "check")
    assert result.exit_code == 2
    assert f"{path}:{line}: {message}" in result.output.splitlines()
