"""The Jinja2 environment: editors' template folder first, the shipped templates behind it.

Autoescape is on for every HTML/XML template so feed text stays text; only the plain-text
email template is rendered unescaped.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import jinja2

from crpsdigest.render import common


def _package_source(name: str) -> str | None:
    """Load a template shipped as package data (works from a wheel or a checkout)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    res = files("crpsdigest.templates").joinpath(name)
    if not res.is_file():
        return None
    return res.read_text(encoding="utf-8")


def wrap(text: str, width: int = 72, indent: str = "", subsequent: str | None = None) -> str:
    """Wrap plain text for the text part; never breaks URLs or words in the middle."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def make_env(templates_dir: Path | None = None) -> jinja2.Environment:
    """The shared environment for a template folder (cached: compiling templates is costly)."""
    return _env(templates_dir.resolve() if templates_dir is not None else None)


@lru_cache(maxsize=8)
def _env(templates_dir: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FunctionLoader(_package_source))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "htm"),
            disabled_extensions=("txt",),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wrap"] = wrap
    env.filters["kind_label"] = common.kind_label
    env.filters["href"] = common.safe_href
    return env
