"""Camera values too long for a Home Assistant state (issue 21 item 5).

Home Assistant keeps states of at most 255 characters and logs an ERROR for every longer one it is given. A camera
value that would make a longer state is unknown (one debug line per entity), and a longer option is not offered.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.const import MAX_LENGTH_STATE_STATE, STATE_UNKNOWN
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DEFAULT_FAST_GROUP_INTERVAL
from tests.emulator.groups import Choices

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")

HUGE = int("9" * 400)  # a 400-digit shutter value: "1/999…9 s" is 405 characters
LONG_TEXT = "x" * (MAX_LENGTH_STATE_STATE + 1)


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    registry = er.async_get(hass)
    return next(
        reg.entity_id
        for reg in er.async_entries_for_config_entry(registry, entry.entry_id)
        if reg.unique_id.endswith(f"_{key}")
    )


async def _poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    times: int = 2,
) -> None:
    """Poll `times` times, each after the fast-group interval (so every group behind an entity is read again)."""
    for _ in range(times):
        freezer.tick(timedelta(seconds=DEFAULT_FAST_GROUP_INTERVAL))
        await entry.runtime_data.coordinator.async_refresh()
        await hass.async_block_till_done()


def _no_error(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_long_values_are_unknown_without_an_error_per_poll(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    config_entry: MockConfigEntry,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 400-digit shutter or gain value and a 256-character IP address are unknown: no ERROR, one debug line."""
    channel = emulator.state.channel(1)
    channel.exposure.data["ShutterManual"] = HUGE
    channel.exposure.data["AGCManual"] = HUGE
    emulator.state.address.data["IPAddress"] = LONG_TEXT
    caplog.set_level(logging.DEBUG, logger="custom_components.cgi_camera")
    loaded_entry = await setup_integration(config_entry)
    await _poll(hass, freezer, loaded_entry)
    for key in ("manual_shutter", "manual_gain", "ip_address"):
        entity_id = _entity_id(hass, loaded_entry, key)
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_UNKNOWN, key
        unfit = [r for r in caplog.records if f"{entity_id}:" in r.getMessage()]
        assert len(unfit) == 1, key
        assert unfit[0].levelno == logging.DEBUG
    _no_error(caplog)

    # Back to a value that fits: shown again.
    channel.exposure.data["ShutterManual"] = 100
    await _poll(hass, freezer, loaded_entry, 1)
    state = hass.states.get(_entity_id(hass, loaded_entry, "manual_shutter"))
    assert state is not None
    assert state.state == "1/100 s"
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_long_option_is_not_offered(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    config_entry: MockConfigEntry,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A codec name the camera lists that is too long for a state is left out of the options, and when it is the
    current value the select is unknown, without an error."""
    codecs = ("G711U", LONG_TEXT)
    emulator.state.channel(1).audio.caps["AudioCodec"] = Choices(codecs)
    emulator.state.channel(1).audio.data["AudioCodec"] = LONG_TEXT
    await setup_integration(config_entry)
    entity_id = _entity_id(hass, config_entry, "audio_codec")
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["options"] == ["G711U"]
    _no_error(caplog)
    await hass.config_entries.async_unload(config_entry.entry_id)
