"""Every language file says everything en.json says: the same keys, the same placeholders, plain text only."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from homeassistant.helpers import translation
import pytest

import custom_components.cgi_camera
from custom_components.cgi_camera.const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Iterator

    from homeassistant.core import HomeAssistant

TRANSLATIONS = Path(custom_components.cgi_camera.__file__).parent / "translations"
LANGUAGES = ("de", "es", "fr", "nl", "zh-Hans")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _load(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    )
    return data


def _leaves(tree: dict[str, Any], path: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted key, value) for every leaf; a dict is never a leaf."""
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}{key}.")
        else:
            yield f"{path}{key}", value


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def key_differences(
    english: dict[str, Any], other: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Return the keys `other` lacks and the keys it has that en.json does not (leaves and branches alike)."""
    want = dict(_leaves(english))
    have = dict(_leaves(other))
    return sorted(set(want) - set(have)), sorted(set(have) - set(want))


ENGLISH = _load("en")


def test_every_expected_language_and_no_other() -> None:
    """The five languages are there; a new file would be covered by listing it in LANGUAGES."""
    files = {path.stem for path in TRANSLATIONS.glob("*.json")}
    assert files == {"en", *LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys_as_english(language: str) -> None:
    """A missing key would show English (or a bare key); an extra one is a leftover of a removed string."""
    missing, extra = key_differences(ENGLISH, _load(language))
    assert (missing, extra) == ([], [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_placeholders_and_plain_text(language: str) -> None:
    """Every string keeps en.json's placeholders verbatim, is not empty, and uses no `[%key:...]` reference."""
    english = dict(_leaves(ENGLISH))
    for key, text in _leaves(_load(language)):
        assert isinstance(text, str), key
        assert text.strip(), key
        assert "[%key:" not in text, key
        if key in english:
            assert _placeholders(text) == _placeholders(english[key]), key


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_valid_json_in_utf8(language: str) -> None:
    """Each file is a JSON object and decodes as UTF-8 (Home Assistant reads it so)."""
    raw = (TRANSLATIONS / f"{language}.json").read_bytes()
    assert isinstance(json.loads(raw.decode("utf-8")), dict)


def test_differences_are_found() -> None:
    """The comparison itself notices a removed, an added and a moved key (so the tests above can fail)."""
    german = _load("de")
    del german["entity"]["switch"]["mirror"]
    german["entity"]["switch"]["mirrror"] = {"name": "Spiegeln"}
    german["config"]["step"]["user"]["data"] = "Kamera"
    missing, extra = key_differences(ENGLISH, german)
    assert missing == ["config.step.user.data.device", "entity.switch.mirror.name"]
    assert extra == ["config.step.user.data", "entity.switch.mirrror.name"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Bewegungserkennung"),
        ("es", "Detección de movimiento"),
        ("fr", "Détection de mouvement"),
        ("nl", "Bewegingsdetectie"),
        ("zh-Hans", "运动侦测"),
    ],
)
async def test_home_assistant_loads_the_language(
    hass: HomeAssistant, language: str, expected: str
) -> None:
    """Home Assistant's own loader picks the file up for that language."""
    strings = await translation.async_get_translations(
        hass, language, "entity", {DOMAIN}
    )
    assert (
        strings[f"component.{DOMAIN}.entity.switch.motion_detection.name"] == expected
    )
