"""The email and pages in a real browser (Debian's chromium via Playwright) at phone and desktop
widths: nothing scrolls sideways, nothing is clipped, screenshots come out."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import SITE, make_digest, make_item, sample_archive

from crpsdigest.render import write_outputs
from crpsdigest.render.screenshots import OVERFLOW_PROBE, browser, chromium_path, take_screenshots

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

WIDTHS = (375, 800)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    archive = sample_archive()
    # A title with one unbreakable 120-character token must still fit a phone screen.
    long = make_item(30, ["ketamine"], week_start=archive[0].start,
                     title="Ketamine" + "x" * 120,
                     link="https://news.example.com/" + "y" * 150)
    archive[0].sections[1].items.append(long)
    archive[0].items.append(long)
    archive.insert(0, make_digest("2026-W49", sections={}))  # an empty week renders too
    write_outputs(SITE, archive, out)
    return out


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as b:
        yield b


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_take_screenshots_writes_three_pngs(out: Path) -> None:
    # Runs before the shared browser fixture exists: Playwright's sync API allows one at a time.
    shots = take_screenshots(out, "2026-W48")
    assert [p.name for p in shots] == ["email-375.png", "email-800.png", "page-375.png"]
    widths = [_png_size(p)[0] for p in shots]
    assert widths == [375, 800, 375]
    assert all(_png_size(p)[1] > 900 for p in shots)  # full page, not just the viewport


def test_take_screenshots_is_quiet_without_a_built_week(tmp_path: Path) -> None:
    assert take_screenshots(tmp_path, "2026-W01") == []


def _files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_nothing_scrolls_sideways_or_is_clipped(out: Path, chromium: Any) -> None:
    files = _files(out)
    assert len(files) == 18
    for width in WIDTHS:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        try:
            for f in files:
                page.goto(f.as_uri())
                result = page.evaluate(OVERFLOW_PROBE)
                assert result["scrollWidth"] <= width, (f, width, result)
                assert result["overflowing"] == [], (f, width, result)
        finally:
            page.close()


def test_email_is_single_column_at_most_600_px_wide(out: Path, chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 800, "height": 900})
    try:
        page.goto((out / "2026-W48" / "email.html").as_uri())
        box = page.locator("table.container").bounding_box()
        assert box is not None and box["width"] == 600 and box["x"] == 100
        assert page.locator("div.preheader").is_hidden()
    finally:
        page.close()


def test_skip_link_becomes_visible_on_focus(out: Path, chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 375, "height": 700})
    try:
        page.goto((out / "2026-W48" / "index.html").as_uri())
        skip = page.locator("a.skip")
        before = skip.bounding_box()
        assert before is not None and before["y"] + before["height"] <= 0
        page.keyboard.press("Tab")
        after = skip.bounding_box()
        assert after is not None and after["y"] >= 0
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
    finally:
        page.close()
