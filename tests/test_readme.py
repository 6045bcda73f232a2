"""The README tells a camera owner what the UI says: option, field, entity and action names, pictures, version, commands.

It is the owner's guide (at most 250 lines, no wire names); developer material lives in docs/.
"""

from __future__ import annotations

import json
from pathlib import Path
import re

import yaml

import custom_components.cgi_camera  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
EN = json.loads(
    (ROOT / "custom_components/cgi_camera/translations/en.json").read_text()
)
SERVICES = yaml.safe_load(
    (ROOT / "custom_components/cgi_camera/services.yaml").read_text()
)


def _table(heading: str) -> list[str]:
    """Return the first column of the first table after `heading` (header and rule left out)."""
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(line.split("|")[1].strip())
        elif rows:
            break
    return rows[2:]


def _section(heading: str) -> str:
    """Return the README's text from `heading` to the next heading of the same level."""
    level = heading.split(" ", 1)[0]
    text = README.split(heading + "\n", 1)[1]
    return re.split(rf"^{level} ", text, flags=re.MULTILINE)[0]


def test_option_names_are_the_ui_labels() -> None:
    """The options table lists exactly the options dialog's fields, by their labels."""
    labels = set(EN["options"]["step"]["init"]["data"].values())
    options = _table("## Options")
    assert set(options) - labels == set(), "in the README, not in the dialog"
    assert labels - set(options) == set(), "in the dialog, missing from the README"


def test_every_entity_is_in_the_tables() -> None:
    """Every entity the integration can create is named in the entity table, by its English name."""
    table = _section("## Entities")
    names = {
        text["name"].split("{", 1)[0].strip()
        for platform in EN["entity"].values()
        for text in platform.values()
    } | {"Restart"}  # the restart button is named by its device class
    missing = sorted(name for name in names if name not in table)
    assert missing == []


def test_every_action_is_in_the_table() -> None:
    """The actions table lists exactly the integration's actions."""
    listed = {
        row.strip("`").removeprefix("cgi_camera.") for row in _table("## Actions")
    }
    assert listed == set(SERVICES)


def test_owner_guide_not_developer_notes() -> None:
    """At most 250 lines; wire names, benchmarks and logger internals stay in docs/."""
    assert len(README.splitlines()) <= 250
    for word in (
        "ICRSwitch",
        "ScenceSelect",
        "Lenght",
        "scripts/bench",
        "poll slot",
        "PullPoint",
        "zeep",
    ):
        assert word not in README, word
    assert "## Fixing common problems" in README


def test_field_names_are_the_ui_labels() -> None:
    """Every field of the address form the README names is a label of that form (once written out in en.json)."""
    labels = {
        label
        for label in EN["config"]["step"]["connect"]["data"].values()
        if not label.startswith("[%key:")
    }
    fields = {
        name.strip() for row in _table("## Adding a camera") for name in row.split("/")
    }
    assert fields == {"Host", "Port", "Username", "Password"}
    assert labels <= fields


def test_pictures_exist() -> None:
    """Every picture the README shows is in the repository."""
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert "docs/add-camera-confirm.png" in pictures
    assert [p for p in pictures if not (ROOT / p).is_file()] == []


def test_minimum_version_and_commands() -> None:
    """The minimum Home Assistant version is hacs.json's; the demo and test commands are there verbatim."""
    minimum = json.loads((ROOT / "hacs.json").read_text())["homeassistant"]
    assert f"Home Assistant **{minimum}** or newer" in README
    assert "`scripts/develop`" in README
    assert "`scripts/test`" in README
    assert "custom_components.cgi_camera: debug" in README
    assert "00:2A:2A" in README
