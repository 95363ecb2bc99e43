"""Every malformed feeds.yaml gives one line naming file, line and key, and exit code 2.

Each tests/fixtures/bad_configs/NAME.yaml has one problem; NAME.expect holds the fragment the
message must contain (``:LINE: key.path: what is wrong``), worked out by hand from the file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli

BAD = FIXTURES / "bad_configs"
CASES = sorted(p.stem for p in BAD.glob("*.yaml"))
# Run as real processes (exit code and stderr as cron sees them); the rest in-process.
SUBPROCESS_CASES = {"03-tab-indentation", "06-binary-file"}


def _expected(name: str) -> str:
    return (BAD / f"{name}.expect").read_text("utf-8").strip()


def test_there_are_enough_bad_configs_each_with_an_expectation() -> None:
    assert len(CASES) >= 20
    assert all((BAD / f"{name}.expect").is_file() for name in CASES)


def _assert_one_good_line(output: str, config: Path, name: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output, output
    assert len(lines) == 1, f"{name}: expected one line, got {lines}"
    (line,) = lines
    assert line.startswith(f"{config}:"), f"{name}: the line must start with the file: {line}"
    assert _expected(name) in line, f"{name}: {line!r} lacks {_expected(name)!r}"


@pytest.mark.parametrize("name", sorted(set(CASES) - SUBPROCESS_CASES))
def test_check_reports_a_bad_config_in_one_line(name: str, tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    shutil.copy(BAD / f"{name}.yaml", config)
    result = run_cli("--config", config, "check")
    assert result.exit_code == 2, result.output
    _assert_one_good_line(result.output, config, name)


@pytest.mark.parametrize("name", sorted(SUBPROCESS_CASES))
def test_check_as_a_process_prints_one_line_and_exits_2(name: str, tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    shutil.copy(BAD / f"{name}.yaml", config)
    proc = subprocess.run(
        [sys.executable, "-m", "crpsdigest", "--config", str(config), "check"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout == ""  # problems go to stderr, where cron mails them
    _assert_one_good_line(proc.stderr, config, name)


@pytest.mark.parametrize("command", [["fetch"], ["build"], ["run"]])
def test_every_command_refuses_a_bad_config_the_same_way(
    command: list[str], tmp_path: Path
) -> None:
    config = tmp_path / "feeds.yaml"
    shutil.copy(BAD / "18-bad-timezone.yaml", config)
    result = run_cli("--config", config, *command)
    assert result.exit_code == 2
    _assert_one_good_line(result.output, config, "18-bad-timezone")
    assert not (tmp_path / "crpsdigest.sqlite3").exists(), "nothing is written for a bad config"


def test_a_missing_config_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "nowhere.yaml"
    result = run_cli("--config", config, "check")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"{config}: cannot read the file")


@pytest.mark.parametrize("week", ["2026-W60", "last week", "2026-13"])
def test_a_bad_week_is_a_usage_error(week: str, tmp_path: Path) -> None:
    good = (BAD / "17-duplicate-key.yaml").read_text("utf-8").replace("  title: Second title\n", "")
    config = tmp_path / "feeds.yaml"
    config.write_text(good, "utf-8")
    result = run_cli("--config", config, "build", "--week", week)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "--week" in line and "ISO week" in line
