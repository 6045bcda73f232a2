"""Text entities: one per line of on-screen text the camera has; what the camera cannot show is refused, unsent."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.text import (
    ATTR_VALUE,
    DOMAIN as TEXT_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from tests.test_services import CONTROL_CHARACTERS

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


@pytest.fixture(autouse=True)
def only_text_platform() -> Generator[None]:
    """Set up only the text platform."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.TEXT]):
        yield


def _text(hass: HomeAssistant, entry: MockConfigEntry, key: str = "osd_title") -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        TEXT_DOMAIN, DOMAIN, f"{entry.unique_id}_1_{key}"
    )
    assert entity_id is not None
    return entity_id


async def _set(hass: HomeAssistant, entity_id: str, value: str) -> None:
    await hass.services.async_call(
        TEXT_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


async def test_one_text_per_osd_line(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The title and the four extra lines the emulated firmware has, each showing the camera's text."""
    texts = sorted(
        reg.unique_id.split("_1_", 1)[1]
        for reg in er.async_entries_for_config_entry(
            er.async_get(hass), loaded_entry.entry_id
        )
        if reg.domain == TEXT_DOMAIN
    )
    assert texts == [
        "osd_title",
        "osd_title1",
        "osd_title2",
        "osd_title3",
        "osd_title4",
    ]
    osd = emulator.state.channel(1).osd
    state = hass.states.get(_text(hass, loaded_entry))
    assert state is not None
    assert state.state == osd["TextOSDTitle"]
    assert state.attributes["max"] == 64
    line = hass.states.get(_text(hass, loaded_entry, "osd_title2"))
    assert line is not None
    assert line.name is not None
    assert line.name.endswith("On-screen text line 2")


async def test_set_text(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A new title is set on the camera and read back; 64 bytes of UTF-8 fit (21 CJK characters)."""
    entity_id = _text(hass, loaded_entry)
    await _set(hass, entity_id, "Porch")
    assert emulator.state.channel(1).osd["TextOSDTitle"] == "Porch"
    assert hass.states.get(entity_id).state == "Porch"  # type: ignore[union-attr]
    await _set(hass, entity_id, "門" * 21)
    assert emulator.state.channel(1).osd["TextOSDTitle"] == "門" * 21
    await _set(hass, _text(hass, loaded_entry, "osd_title3"), "Gate")
    assert emulator.state.channel(1).osd["TextOSDTitle3"] == "Gate"


async def test_too_many_bytes_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """22 CJK characters are 66 bytes: a translated error, nothing sent."""
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, _text(hass, loaded_entry), "門" * 22)
    assert err.value.translation_key == "text_too_long"
    assert err.value.translation_placeholders == {"length": "66", "max": "64"}
    assert len(emulator.requests) == before


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
async def test_control_and_invisible_characters_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    char: str,
) -> None:
    """A control character or an invisible one (U+202E, U+200D...) gets a translated error naming it; unsent."""
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, _text(hass, loaded_entry), f"Front{char}door")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "text_invalid_character"
    assert err.value.translation_placeholders == {"character": f"U+{ord(char):04X}"}
    assert len(emulator.requests) == before
    assert emulator.state.channel(1).osd["TextOSDTitle"] != f"Front{char}door"


async def test_camera_text_too_long_is_unknown(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: CameraEmulator,
    setup_integration: object,
) -> None:
    """A title longer than a camera title can be (set elsewhere) shows as unknown instead of failing the state."""
    emulator.state.channel(1).osd["TextOSDTitle"] = "x" * 300
    await setup_integration(config_entry)  # type: ignore[operator]
    state = hass.states.get(_text(hass, config_entry))
    assert state is not None
    assert state.state == "unknown"
    await hass.config_entries.async_unload(config_entry.entry_id)
