"""No English word reaches a translated message through a placeholder.

The frontend renders an error in the user's language with the placeholders exactly as the code sent them. This test
makes the code raise its errors for real (bad action input, a camera that refuses or is gone, a setup that fails)
against the emulator, collects the placeholders it sent, and renders every message in every language with them.
A placeholder may carry numbers, what the user typed or named (the camera's title, its address), or an entity's name
(Home Assistant translates it into its own language, so the test takes that language's name). Any other word is
English that a German or Chinese reader would see: the test fails on it.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
import voluptuous as vol

import custom_components.cgi_camera
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import entry_for
from tests.test_services import call

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

TRANSLATIONS = Path(custom_components.cgi_camera.__file__).parent / "translations"
LANGUAGES = ("en", "de", "es", "fr", "nl", "zh-Hans")
TEXTS = {
    language: json.loads((TRANSLATIONS / f"{language}.json").read_text())
    for language in LANGUAGES
}
WORD = re.compile(r"[A-Za-z_]{2,}")


def entity_name(value: str, language: str) -> str | None:
    """Return `value`, an English entity name, in `language` (as Home Assistant names the entity); else None."""
    for platform, entities in TEXTS["en"]["entity"].items():
        for key, texts in entities.items():
            if texts.get("name") == value:
                return str(TEXTS[language]["entity"][platform][key]["name"])
    return None


def render(
    language: str, key: str, placeholders: dict[str, str], own: set[str]
) -> tuple[str, list[str]]:
    """Render message `key` in `language`; return it and the English words its placeholders brought in."""
    message: str = TEXTS[language]["exceptions"][key]["message"]
    values: dict[str, str] = {}
    english: list[str] = []
    for name, value in placeholders.items():
        if (translated := entity_name(value, language)) is not None:
            values[name] = translated
            continue
        values[name] = value
        english += [word for word in WORD.findall(value) if word not in own]
    return message.format(**values), english


def test_render_finds_english() -> None:
    """What the test counts as English: a code key or phrase; an entity's name is taken in the language."""
    assert render("de", "camera_busy", {"what": "UART send", "code": "503"}, set())[
        1
    ] == ["UART", "send"]
    assert render("de", "camera_busy", {"what": "auto_pan", "code": "503"}, set())[
        1
    ] == ["auto_pan"]
    text, english = render(
        "de", "camera_busy", {"what": "Brightness", "code": "503"}, set()
    )
    assert english == []
    assert text.endswith("(Helligkeit)")


async def _raised(attempt: Awaitable[Any]) -> HomeAssistantError | vol.Invalid:
    with pytest.raises((HomeAssistantError, vol.Invalid)) as caught:
        await attempt
    return caught.value


async def test_no_english_through_placeholders(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    entity_registry_enabled_by_default: None,
) -> None:
    """Every error the code raises renders in every language without an English word from a placeholder."""
    errors: list[tuple[str, dict[str, str]]] = []

    async def expect(
        attempt: Coroutine[Any, Any, Any], fault: str | None = None
    ) -> None:
        if fault:
            emulator.faults.push(fault)
        err = await _raised(attempt)
        if isinstance(err, vol.Invalid):
            # Refused by the action's schema, as core does: Home Assistant reports it, no placeholder of ours.
            return
        assert err.translation_domain == DOMAIN, err
        assert err.translation_key is not None
        errors.append((err.translation_key, dict(err.translation_placeholders or {})))

    def action(service: str, **data: Any) -> Coroutine[Any, Any, Any]:
        return call(hass, loaded_entry, service, **data)

    # Input refused before anything is sent.
    await expect(action("ptz_save_preset", preset=0, title="Tor"))
    await expect(action("ptz_save_preset", preset=2, title="Tor\x07"))
    await expect(action("ptz_save_preset", preset=2, title="Ä" * 40))
    await expect(action("ptz_position", mode="absolute", pan=-5))
    await expect(action("ptz_position", mode="absolute"))
    await expect(action("ptz_run", program="autoscan", action="set_start"))
    await expect(action("ptz_run", program="auto_pan", action="run"))
    await expect(action("ptz_run", program="tour", action="stop"))
    await expect(action("ptz_move", direction="up", pan_speed=9))
    await expect(action("uart_send", text="€", encoding="ascii"))
    await expect(action("uart_send", data="FF", text="x"))
    await expect(action("uart_send", data="F"))
    await expect(action("uart_send", data="zz"))
    await expect(action("uart_send", data=" "))
    await expect(action("uart_send", data="00" * 300))
    # The camera refuses or fails: actions, a setting, a button.
    await expect(action("ptz_move", direction="up", duration=0.1), "503")
    await expect(action("ptz_zoom", direction="in", duration=0.1), "501")
    await expect(action("uart_send", data="FF 01", read_back=True), "503")
    await expect(action("uart_send", data="FF 01"), "503")
    brightness = hass.states.async_entity_ids("number")
    number = next(e for e in brightness if e.endswith("_brightness"))
    await expect(
        hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: number, "value": 40},
            blocking=True,
        ),
        "503",
    )
    await expect(
        hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: number, "value": 40.5},
            blocking=True,
        )
    )
    # The camera goes away while polling: Home Assistant logs this message and shows it on the entry.
    coordinator = loaded_entry.runtime_data.coordinator
    emulator.faults.offline = True
    await coordinator.async_refresh()
    failed = coordinator.last_exception
    assert isinstance(failed, UpdateFailed)
    assert failed.translation_key is not None
    errors.append((failed.translation_key, dict(failed.translation_placeholders or {})))

    own = set(WORD.findall(loaded_entry.title))
    assert len({key for key, _ in errors}) >= 15
    for language in LANGUAGES:
        for key, placeholders in errors:
            text, english = render(language, key, placeholders, own)
            assert "{" not in text, (language, key, text)
            assert english == [], (language, key, text)


async def test_setup_failure_is_translated_without_english(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """A camera that is away at setup: the entry's reason, in every language, names its address only."""
    emulator.faults.offline = True
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key is not None
    placeholders = dict(entry.error_reason_translation_placeholders or {})
    assert placeholders["what"] == "127.0.0.1"
    for language in LANGUAGES:
        text, english = render(
            language, entry.error_reason_translation_key, placeholders, set()
        )
        assert english == [], (language, text)
        assert "127.0.0.1" in text
