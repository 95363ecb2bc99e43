"""feeds.yaml → typed settings, with errors editors can act on.

Every problem becomes one line ``FILE:LINE: key.path: what is wrong`` so an editor can jump to it;
pydantic does the validation, the YAML node tree supplies the line numbers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from crpsdigest.models import FeedRef, SiteInfo
from crpsdigest.urls import canonical_url

Path_ = tuple[str | int, ...]


class ConfigError(Exception):
    """A feeds.yaml that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _check_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address ({exc})") from None


def _check_http_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+\.[^/\s]+", value) or any(c.isspace() for c in value):
        raise ValueError("not an absolute http(s) URL")
    return value


def _check_regex(value: str) -> str:
    try:
        compiled = re.compile(value, re.IGNORECASE)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise ValueError(f"not a valid regular expression: {exc.msg}{where}") from None
    if compiled.search("") is not None:
        raise ValueError("this pattern matches empty text, so it would match every item")
    return value


Pattern = Annotated[str, AfterValidator(_check_regex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DigestSettings(_Strict):
    """The `digest:` block: what the digest is called, where it lives, whom to write to."""

    title: str = Field(min_length=1, description="The digest's name, shown in emails, pages and the Atom feed.")
    site_url: str = Field(
        description="Absolute http(s) address where the out/ folder is published (ends with /)."
    )
    timezone: str = Field(
        default="UTC", description="IANA time zone that decides which week an item belongs to."
    )
    language: str = Field(
        default="en",
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="Language tag of the digest, such as en or en-GB.",
    )
    editor_email: str = Field(description="Address readers and feed readers can write to.")
    author_name: str = Field(
        default="crpsdigest editors", description="Author named in the Atom feed."
    )
    keep_weeks: int = Field(
        default=52, ge=1, le=1040, description="How many weekly digests the archive and feed keep."
    )
    from_email: str | None = Field(default=None, description="Sender address of the email.")
    reply_to: str | None = Field(default=None, description="Reply-To address of the email.")
    unsubscribe_url: str | None = Field(
        default=None, description="https:// page where a subscriber can unsubscribe."
    )
    send: bool = Field(default=False, description="Whether `crpsdigest send` may email subscribers.")

    @field_validator("site_url")
    @classmethod
    def _site_url(cls, value: str) -> str:
        value = _check_http_url(value)
        return value if value.endswith("/") else value + "/"

    @field_validator("unsubscribe_url")
    @classmethod
    def _unsubscribe_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (mailbox providers require it)")
        return value if value is None else _check_http_url(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)") from None
        return value

    @field_validator("editor_email", "from_email", "reply_to")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else _check_email(value)


class FeedSettings(_Strict):
    """One subscribed feed."""

    name: str = Field(min_length=1, description="Name readers see as the item's source.")
    url: str = Field(
        min_length=1,
        description="The feed's address (RSS or Atom), or a file path relative to feeds.yaml.",
    )
    homepage: str | None = Field(default=None, description="The site's front page (http(s)).")
    topic: Literal["crps", "general"] = Field(
        description="crps: every item is about CRPS; general: keep only items found to be about CRPS."
    )
    priority: int = Field(
        default=0, description="Higher wins when choosing which copy of a duplicate to show."
    )
    block: list[Pattern] = Field(
        default=[],
        description="Regular expressions (case-insensitive) on title or text: matching items are dropped.",
    )
    keep: list[Pattern] = Field(
        default=[],
        description="Regular expressions (case-insensitive) on title or text: if given, only matching items are kept.",
    )
    strip: list[Pattern] = Field(
        default=[],
        description="Regular expressions (case-insensitive) for boilerplate to cut from summaries, such as 'Originally published at .*'.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value.startswith("file:"):
            return value
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", value) or any(c in value for c in "\n\r\t"):
            # A scheme: only http(s) will do ("htp:/x" is a typo, not a file name).
            try:
                return _check_http_url(value)
            except ValueError:
                raise ValueError("not an http(s) URL or a file path") from None
        return value

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)


class OverrideSettings(_Strict):
    """One editor's decision about one item (see README "For editors")."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        # The same rules as the validator below, for editors' editors.
        json_schema_extra={
            "oneOf": [{"required": ["id"]}, {"required": ["url"]}],
            "anyOf": [{"required": ["exclude"]}, {"required": ["pin"]}, {"required": ["treatments"]}],
        },
    )

    id: str | None = Field(
        default=None,
        min_length=1,
        description="The item's id: the uid on the review page or from inspect, or the feed's guid.",
    )
    url: str | None = Field(
        default=None,
        description="The item's link; compared ignoring tracking parameters, http/https and a final /.",
    )
    exclude: bool = Field(default=False, description="Never show this item (and its duplicates).")
    pin: bool = Field(default=False, description="Show this item first in its week.")
    treatments: list[str] | None = Field(
        default=None,
        description="Treatment slugs that replace the ones found automatically ([] for none).",
    )
    note: str | None = Field(
        default=None, description="Why: shown on the review page next to the override."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)

    @model_validator(mode="after")
    def _one_target_one_action(self) -> OverrideSettings:
        if (self.id is None) == (self.url is None):
            raise ValueError("give exactly one of `id:` or `url:` to say which item")
        if not (self.exclude or self.pin or self.treatments is not None):
            raise ValueError("say what to do: `exclude: true`, `pin: true` or `treatments: [...]`")
        if self.exclude and (self.pin or self.treatments is not None):
            raise ValueError("an excluded item cannot also be pinned or tagged")
        return self


class FetchSettings(_Strict):
    """The `fetch:` block. Defaults (why: crpsdigest.fetch.FetchOptions) suit a few hundred feeds."""

    max_connections: int = Field(
        default=256, ge=1, le=512, description="Feeds fetched at the same time, in all."
    )
    per_host: int = Field(default=4, ge=1, le=16, description="Feeds fetched at once from one site.")
    timeout: float = Field(
        default=60.0,
        gt=0,
        le=600,
        description="Seconds one feed may take in all, retries included, before giving up.",
    )


class Config(_Strict):
    """The whole of feeds.yaml."""

    model_config = ConfigDict(title="crpsdigest feeds.yaml")

    digest: DigestSettings = Field(description="What the digest is called and where it lives.")
    feeds: list[FeedSettings] = Field(min_length=1, description="The subscribed feeds.")
    templates: str | None = Field(
        default=None, description="Folder of customised templates, relative to feeds.yaml."
    )
    fetch: FetchSettings = Field(default=FetchSettings(), description="How feeds are fetched.")
    treatments: list[dict[str, Any]] = Field(
        default=[], description="Treatments to add to or change in the bundled treatments list."
    )
    overrides: list[OverrideSettings] = Field(
        default=[],
        description="Editors' decisions about single items: exclude, pin or set treatments.",
    )

    # Not from YAML: where the file was, so relative paths resolve against it.
    source: SkipJsonSchema[Path] = Path("feeds.yaml")

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def feed_refs(self) -> list[FeedRef]:
        return [
            FeedRef(
                url=self.resolve_feed_url(f.url),
                name=f.name,
                topic=f.topic,
                homepage=f.homepage,
                priority=f.priority,
            )
            for f in self.feeds
        ]

    def resolve_feed_url(self, url: str) -> str:
        """http(s) and file: URLs stay; a plain path is taken relative to feeds.yaml."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url):
            return url
        return str((self.base_dir / url).resolve())

    def templates_dir(self) -> Path | None:
        return None if self.templates is None else (self.base_dir / self.templates).resolve()

    def site(self) -> SiteInfo:
        d = self.digest
        return SiteInfo(
            title=d.title,
            site_url=d.site_url,
            language=d.language,
            timezone=d.timezone,
            editor_email=d.editor_email,
            author_name=d.author_name,
            keep_weeks=d.keep_weeks,
            unsubscribe_url=d.unsubscribe_url,
        )


# --- loading ------------------------------------------------------------------------------


def _format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], dupes: list[Path_]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dupes.append((*path, key))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines, dupes)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, dupes)


def _line_for(path: Path_, lines: dict[Path_, int]) -> int:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def _model_for(path: Path_) -> type[BaseModel] | None:
    """The model whose fields are valid at ``path`` (for did-you-mean on unknown keys)."""
    model: type[BaseModel] | None = Config
    for part in path:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return model


def _messages(exc: ValidationError) -> Iterator[tuple[Path_, str]]:
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        if err["type"] == "extra_forbidden":
            model = _model_for(loc[:-1])
            known = [k for k in (model.model_fields if model else {}) if k != "source"]
            hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
            msg = "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            if not hint and known:
                msg += f" (known keys: {', '.join(known)})"
            yield loc, msg
        elif err["type"] == "missing":
            yield loc, "required key is missing"
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            yield loc, msg


# libyaml's loader when PyYAML was built with it: pure-Python PyYAML takes about a second to
# read a feeds.yaml of 500 feeds, before any feed is fetched.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> tuple[Any, Any]:
    """The document's node tree (for line numbers and repeated keys) and its data, parsed once.

    A broken file is parsed again by pure-Python PyYAML, whose messages say more ("found
    character '\\t' that cannot start any token", where libyaml leaves out the tab).
    """
    try:
        return _parse_with(_LOADER, text)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
        return _parse_with(yaml.SafeLoader, text)


def _parse_with(loader_class: Any, text: str) -> tuple[Any, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (None if node is None else loader.construct_document(node))
    finally:
        loader.dispose()


def load_config(path: Path, raw: bytes | None = None) -> Config:
    """Read and validate feeds.yaml; raise :class:`ConfigError` with every problem found.

    ``raw`` checks text about to be written to ``path`` (the editors' tools validate before saving).
    """
    name = str(path)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError([f"{name}: cannot read the file ({exc.strerror or exc})"]) from None
    if b"\x00" in raw:
        raise ConfigError([f"{name}:1: (file): not a text file (it holds NUL bytes)"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{name}:1: (file): not UTF-8 text ({exc.reason})"]) from None
    try:
        node, data = _parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([f"{name}:{line}: (syntax): {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{name}:1: (syntax): {exc}"]) from None
    if node is None or data is None:
        raise ConfigError([f"{name}:1: (file): the file is empty; it needs `digest:` and `feeds:`"])
    if not isinstance(data, dict):
        raise ConfigError([f"{name}:1: (top level): expected a mapping with `digest:` and `feeds:`"])
    lines: dict[Path_, int] = {}
    dupes: list[Path_] = []
    _walk(node, (), lines, dupes)
    problems = [f"{name}:{_line_for(p, lines)}: {_format_path(p)}: key given twice" for p in dupes]
    if "source" in data:
        problems.append(f"{name}:{_line_for(('source',), lines)}: source: unknown key")
        data.pop("source")
    config: Config | None = None
    try:
        config = Config.model_validate({**data, "source": path})
    except ValidationError as exc:
        problems += [
            f"{name}:{_line_for(loc, lines)}: {_format_path(loc)}: {msg}"
            for loc, msg in _messages(exc)
        ]
    if config is not None:
        problems += _cross_checks(config, name, lines)
    if problems:
        raise ConfigError(problems)
    assert config is not None
    return config


def _cross_checks(config: Config, name: str, lines: dict[Path_, int]) -> list[str]:
    """Rules that span several keys: duplicate subscriptions, feed names, treatments."""
    problems: list[str] = []
    by_url: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for i, feed in enumerate(config.feeds):
        key = canonical_url(config.resolve_feed_url(feed.url))
        if key in by_url:
            first = config.feeds[by_url[key]]
            problems.append(
                f"{name}:{_line_for(('feeds', i, 'url'), lines)}: feeds[{i}].url: "
                f"duplicate of feeds[{by_url[key]}] ({first.name!r})"
            )
        by_url.setdefault(key, i)
        if feed.name in by_name:
            problems.append(
                f"{name}:{_line_for(('feeds', i, 'name'), lines)}: feeds[{i}].name: "
                f"name {feed.name!r} already used by feeds[{by_name[feed.name]}]"
            )
        by_name.setdefault(feed.name, i)
    problems += _override_checks(config, name, lines)
    try:
        from crpsdigest.classify import validate_treatments
    except ImportError:  # pragma: no cover - older classify without validation
        return problems
    for message in validate_treatments(config.treatments):
        key = message.split(":", 1)[0]
        m = re.match(r"treatments\[(\d+)\]", key)
        path: Path_ = ("treatments", int(m.group(1))) if m else ("treatments",)
        problems.append(f"{name}:{_line_for(path, lines)}: {message}")
    return problems


def _override_checks(config: Config, name: str, lines: dict[Path_, int]) -> list[str]:
    """Overrides must name known treatments, and one item must not be overridden twice."""
    from crpsdigest.classify import treatment_slugs

    problems: list[str] = []
    known: list[str] = []
    if any(override.treatments for override in config.overrides):
        try:
            known = treatment_slugs(config.treatments)
        except Exception:  # a broken treatments list is reported by its own check
            known = []
    targets: dict[str, int] = {}
    for i, override in enumerate(config.overrides):
        target = f"id {override.id}" if override.id else f"url {canonical_url(override.url or '')}"
        if target in targets:
            problems.append(
                f"{name}:{_line_for(('overrides', i), lines)}: overrides[{i}]: "
                f"the same item as overrides[{targets[target]}]; merge the two"
            )
        targets.setdefault(target, i)
        for j, slug in enumerate(override.treatments or []):
            if known and slug not in known:
                hint = difflib.get_close_matches(slug, known, n=1)
                msg = f"unknown treatment {slug!r}" + (
                    f" (did you mean {hint[0]!r}?)" if hint else f" (known: {', '.join(known)})"
                )
                path: Path_ = ("overrides", i, "treatments", j)
                problems.append(f"{name}:{_line_for(path, lines)}: {_format_path(path)}: {msg}")
    return problems
