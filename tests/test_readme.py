"""The README tells a camera owner what the UI says: option and field names, pictures, version, commands."""

from __future__ import annotations

import json
from pathlib import Path
import re

import custom_components.cgi_camera  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
EN = json.loads(
    (ROOT / "custom_components/cgi_camera/translations/en.json").read_text()
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


def test_option_names_are_the_ui_labels() -> None:
    """Every option the README names is a label of the options dialog."""
    labels = set(EN["options"]["step"]["init"]["data"].values())
    options = _table("## Options")
    assert options
    assert set(options) <= labels, set(options) - labels


def test_field_names_are_the_ui_labels() -> None:
    """Every field of the address form the README names is a label of that form (once written out in en.json)."""
    labels = {
        label
        for label in EN["config"]["step"]["connect"]["data"].values()
        if not label.startswith("[%key:")
    }
    fields = {
        name.strip() for row in _table("### 2. Add it") for name in row.split("/")
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
