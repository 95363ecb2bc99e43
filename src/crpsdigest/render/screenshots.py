"""Screenshots of a week's email and page in headless Chromium (Debian's), for people to look at.

Optional by design: the demo calls ``take_screenshots`` and gets [] when no browser is there.
The same launcher and layout probe serve the browser tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Returns the elements whose right edge passes the viewport, plus the document's scroll width.
OVERFLOW_PROBE = """() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > vw + 0.5) {
      bad.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
               ' right=' + Math.round(r.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport: vw, overflowing: bad};
}"""


def chromium_path() -> str | None:
    """Debian's chromium if installed (the path Playwright is told to use)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@contextmanager
def browser() -> Iterator[Any]:
    """A Playwright Chromium browser on the system binary; raises if either is missing."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise FileNotFoundError("chromium is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _shoot(b: Any, html_file: Path, width: int, target: Path) -> None:
    page = b.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(html_file.resolve().as_uri())
        page.screenshot(path=str(target), full_page=True)
    finally:
        page.close()


def take_screenshots(out_dir: Path, week: str) -> list[Path]:
    """Write out/<week>/email-375.png, email-800.png, page-375.png; [] if no browser."""
    week_dir = out_dir / week
    email, page = week_dir / "email.html", week_dir / "index.html"
    if not (email.is_file() and page.is_file()) or chromium_path() is None:
        return []
    shots = [(email, 375, week_dir / "email-375.png"), (email, 800, week_dir / "email-800.png"),
             (page, 375, week_dir / "page-375.png")]
    try:
        with browser() as b:
            for src, width, target in shots:
                _shoot(b, src, width, target)
    except Exception:  # no playwright, a browser that will not start: screenshots are optional
        return []
    return [t for _, _, t in shots]
