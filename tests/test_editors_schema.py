"""feeds.schema.json: shipped, fresh, complete, and agreeing with `crpsdigest check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT, run_cli

SHIPPED = ROOT / "feeds.schema.json"


def test_shipped_schema_is_a_fresh_generation() -> None:
    result = run_cli("schema")
    assert result.exit_code == 0
    assert SHIPPED.read_text(encoding="utf-8") == result.output, (
        "feeds.schema.json is stale: run `crpsdigest schema > feeds.schema.json`"
    )


def test_every_key_is_documented() -> None:
    schema = json.loads(SHIPPED.read_text())
    models = [schema, *schema["$defs"].values()]
    undocumented = [
        f"{m.get('title')}.{key}"
        for m in models
        for key, prop in m.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undocumented == []
    feed = schema["$defs"]["FeedSettings"]["properties"]
    assert {"block", "keep", "strip"} <= set(feed)
    assert "source" not in schema["properties"]  # internal, not a key editors write


def test_feeds_yaml_points_editors_at_the_schema() -> None:
    first = (ROOT / "feeds.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=./feeds.schema.json"


@pytest.mark.parametrize("path", [ROOT / "feeds.yaml", EXAMPLES / "feeds.yaml"])
def test_the_shipped_configs_are_valid_by_the_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), json.loads(SHIPPED.read_text()))


def test_a_config_using_every_editor_key_is_valid_by_the_schema() -> None:
    data = yaml.safe_load((EXAMPLES / "feeds.yaml").read_text())
    data["feeds"][0].update(block=["webinar"], keep=["crps"], strip=["Share this:.*"])
    data["overrides"] = [
        {"id": "pw-1", "exclude": True, "note": "spam"},
        {"url": "https://a.example.org/x", "pin": True, "treatments": ["ketamine"]},
    ]
    jsonschema.validate(data, json.loads(SHIPPED.read_text()))


def _with(change: str) -> dict[str, Any]:
    base = yaml.safe_load((EXAMPLES / "feeds.yaml").read_text())
    feed = base["feeds"][0]
    if change == "misspelled key":
        feed["topc"] = feed.pop("topic")
    elif change == "unknown topic":
        feed["topic"] = "crsp"
    elif change == "override naming two items":
        base["overrides"] = [{"id": "x", "url": "https://a.example.org/x", "pin": True}]
    elif change == "override saying nothing to do":
        base["overrides"] = [{"id": "x", "note": "hmm"}]
    return dict(base)


@pytest.mark.parametrize(
    "change",
    [
        "misspelled key",
        "unknown topic",
        "override naming two items",
        "override saying nothing to do",
    ],
)
def test_schema_and_check_reject_the_same_mistakes(tmp_path: Path, change: str) -> None:
    data = _with(change)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json.loads(SHIPPED.read_text()))
    for name in {f["url"] for f in data["feeds"]}:
        (tmp_path / name).write_text((EXAMPLES / name).read_text())
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data))
    assert run_cli("--config", path, "check").exit_code == 2
