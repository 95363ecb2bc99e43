"""feeds.yaml errors: one line each, naming file, line and key; exit code 2 for every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from crpsdigest.config import ConfigError, load_config
from tests.conftest import SITE_YAML, run_cli

GOOD_FEEDS = """\
feeds:
  - name: Charity
    url: https://charity.example.org/feed/
    topic: crps
"""


def _problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "feeds.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def test_a_good_config_loads_with_defaults_and_resolves_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(SITE_YAML + "feeds:\n  - {name: Local, url: feeds/a.xml, topic: general}\n")
    config = load_config(path)
    assert config.digest.keep_weeks == 52
    assert config.feed_refs()[0].url == str(tmp_path / "feeds" / "a.xml")
    assert config.site().site_url == "https://digest.example.org/"


def test_bad_feed_url_names_line_and_key(tmp_path: Path) -> None:
    text = SITE_YAML + GOOD_FEEDS + "  - name: Broken\n    url: htp:/nowhere\n    topic: crps\n"
    problems = _problems(tmp_path, text)
    assert problems == [f"{tmp_path / 'feeds.yaml'}:12: feeds[1].url: not an http(s) URL or a file path"]


def test_unknown_key_suggests_the_known_one(tmp_path: Path) -> None:
    text = SITE_YAML.replace("  language: en\n", "  langauge: en\n") + GOOD_FEEDS
    (problem,) = _problems(tmp_path, text)
    assert problem.endswith(":5: digest.langauge: unknown key (did you mean 'language'?)")


def test_duplicate_feed_urls_are_an_error_even_in_another_spelling(tmp_path: Path) -> None:
    text = SITE_YAML + GOOD_FEEDS + (
        "  - name: Charity again\n    url: http://charity.example.org/feed?utm_source=x\n    topic: crps\n"
    )
    (problem,) = _problems(tmp_path, text)
    assert ":12: feeds[1].url: duplicate of feeds[0] ('Charity')" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SITE_YAML.replace("Europe/London", "Europe/Londn") + GOOD_FEEDS,
         ":4: digest.timezone: unknown time zone 'Europe/Londn'"),
        (SITE_YAML + "feeds:\n  - name: X\n    url: https://x.example.org/feed\n",
         ":8: feeds[0].topic: required key is missing"),
        (SITE_YAML + "feeds:\n  - name: X\n    url: https://x.example.org/feed\n    topic: pain\n",
         ":10: feeds[0].topic: Input should be 'crps' or 'general'"),
        (SITE_YAML + GOOD_FEEDS + "  - name: [1, 2]\n    url: https://y.example.org/\n    topic: crps\n",
         ":11: feeds[1].name: Input should be a valid string"),
        (SITE_YAML.replace("editor@example.org", "not-an-address") + GOOD_FEEDS,
         ":6: digest.editor_email: not a valid email address"),
        (SITE_YAML + "feeds: []\n", ":7: feeds: List should have at least 1 item"),
        (GOOD_FEEDS, ":1: digest: required key is missing"),
        ("digest: [\n", ":2: (syntax):"),
        ("", ":1: (file): the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ":1: (file): not a text file"),
        ("- just\n- a list\n", ":1: (top level): expected a mapping"),
        (SITE_YAML + GOOD_FEEDS + "digest:\n  title: again\n", "digest: key given twice"),
    ],
)
def test_each_bad_config_gives_one_clear_line(tmp_path: Path, text: str | bytes, expected: str) -> None:
    problems = _problems(tmp_path, text)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path / "feeds.yaml")) for p in problems)


@pytest.mark.parametrize("command", ["check", "fetch", "build", "run"])
def test_every_command_exits_2_on_bad_config_without_traceback(tmp_path: Path, command: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(SITE_YAML + "feeds:\n  - name: X\n    url: ftp://x\n    topic: crps\n")
    result = run_cli("--config", path, command)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "feeds[0].url" in result.output


def test_check_accepts_the_bundled_configs() -> None:
    root = Path(__file__).resolve().parents[1]
    for config in (root / "feeds.yaml", root / "examples" / "feeds.yaml"):
        result = run_cli("--config", config, "check")
        assert result.exit_code == 0, result.output
