"""Action errors say what went wrong: the number a tour needs, the channel without PTZ, an unreadable UART answer."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig, cgi as emulator_cgi
from tests.test_services import call

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry


@pytest.fixture(autouse=True)
def only_camera_platform() -> Generator[None]:
    """Actions target camera entities and devices: the other platforms are not needed."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]):
        yield


async def test_stopping_a_tour_needs_its_number(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Tours are stopped by number (unlike the other programs): without one, a translated error, no request."""
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, loaded_entry, "ptz_run", program="tour", action="stop")
    assert err.value.translation_key == "program_number_required"
    assert err.value.translation_placeholders is None
    assert len(emulator.requests) == before


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username=USERNAME, password=PASSWORD, mac=MAC, channels=2, ptz=False
        )
    ],
)
async def test_ptz_on_video_server_channel_without_ptz_names_the_channel(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """On a video server, the error for a channel without PTZ says which channel, and sends nothing."""
    camera = er.async_get(hass).async_get_entity_id(
        "camera", DOMAIN, f"{loaded_entry.unique_id}_2_main_stream"
    )
    assert camera is not None
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "ptz_save_preset",
            {ATTR_ENTITY_ID: camera, "preset": 1},
            blocking=True,
        )
    assert err.value.translation_key == "ptz_not_supported"
    assert err.value.translation_placeholders == {
        "target": f"{loaded_entry.title} channel 2"
    }
    assert len(emulator.requests) == before


async def test_uart_answer_that_is_not_hex_is_a_clear_error(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A firmware that returns the UART peer's answer as plain text instead of hex: a translated error."""
    monkeypatch.setattr(
        emulator_cgi, "_hex_spaced", lambda data: data.decode("latin-1")
    )
    emulator.state.channel(1).rs485.responder = lambda data: b"OK?"
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, loaded_entry, "uart_send", response=True, data="01", read_back=True
        )
    assert err.value.translation_key == "camera_malformed"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["what"] == loaded_entry.title
    assert emulator.state.channel(1).rs485.sent[-1] == b"\x01"
