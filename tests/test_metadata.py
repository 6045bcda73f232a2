"""The files HACS, hassfest and reviewers read: manifest, hacs.json, brand icons, quality_scale.yaml."""

from __future__ import annotations

import json
from pathlib import Path
import re

from PIL import Image
import pytest
import yaml

import custom_components.cgi_camera  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
INTEGRATION = REPO / "custom_components" / "cgi_camera"


def test_manifest_keys() -> None:
    """Domain and name first, then alphabetical (hassfest); `loggers` names third-party libraries only.

    "Enable debug logging" already covers the integration's own loggers (custom_components.cgi_camera.*).
    """
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert not [name for name in manifest.get("loggers", []) if "cgi_camera" in name]
    assert manifest["version"]


def test_hacs_floor_is_the_oldest_tested_release() -> None:
    """hacs.json's minimum is exactly the release the end-to-end test runs as the oldest (requirements_ha_*.txt)."""
    pins = []
    for path in REPO.glob("requirements_ha_*.txt"):
        (pin,) = re.findall(r"^homeassistant==(\S+)$", path.read_text(), re.MULTILINE)
        pins.append(tuple(int(part) for part in pin.split(".")))
    hacs = json.loads((REPO / "hacs.json").read_text())
    assert len(pins) >= 2
    assert ".".join(map(str, min(pins))) == hacs["homeassistant"]


@pytest.mark.parametrize("name", ["icon", "dark_icon"])
def test_brand_icons(name: str) -> None:
    """256x256 and 512x512 (@2x) transparent PNGs, trimmed: the content reaches two opposite edges."""
    for suffix, size in (("", 256), ("@2x", 512)):
        with Image.open(INTEGRATION / "brand" / f"{name}{suffix}.png") as image:
            assert image.format == "PNG"
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            left, top, right, bottom = image.getchannel("A").getbbox() or (0, 0, 0, 0)
        assert (left, right) == (0, size) or (top, bottom) == (0, size)


def test_quality_scale_claims_have_evidence() -> None:
    """Every rule is there; every claim has a comment; every test it names exists."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) == 54
    for rule, claim in rules.items():
        assert claim["status"] in ("done", "exempt", "todo"), rule
        assert claim.get("comment"), rule
        for module, test in re.findall(r"([\w/]+\.py)::(\w+)", claim["comment"]):
            path = REPO / module if "/" in module else REPO / "tests" / module
            assert re.search(rf"def {test}\(", path.read_text()), (
                f"{rule}: {module}::{test}"
            )
