"""What users see on firmware that reports less, or describes its settings otherwise, than the document says."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNKNOWN
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DEFAULT_SLOW_INTERVAL
from tests.conftest import entry_for
from tests.emulator import cgi as emulator_cgi
from tests.emulator.groups import FreeString, IntRange

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator
    from tests.emulator.groups import Group

type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]

PREFIX = "v6202ir_ar0237"


async def _poll_everything(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the slowest poll interval pass, so every group is read again."""
    freezer.tick(timedelta(seconds=DEFAULT_SLOW_INTERVAL))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


# Entity → (the emulator group holding its value, the parameter).
STOPS_REPORTING: dict[str, tuple[Callable[[CameraEmulator], Group], str]] = {
    f"switch.{PREFIX}_mirror": (lambda emu: emu.state.channel(1).basic, "MirrorHor"),
    f"binary_sensor.{PREFIX}_sd_card_write_protected": (
        lambda emu: emu.state.channel(1).record_device,
        "WriteProtect",
    ),
    f"sensor.{PREFIX}_sd_card_status": (
        lambda emu: emu.state.channel(1).record_device,
        "SDStatus",
    ),
    f"sensor.{PREFIX}_boot_time": (lambda emu: emu.state.time_info, "UpTime"),
}


@pytest.mark.parametrize("entity_id", list(STOPS_REPORTING))
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_parameter_left_out_of_the_reply_is_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
    entity_id: str,
) -> None:
    """A value the camera stops reporting leaves its entity available with state unknown, until it is back."""
    group_of, param = STOPS_REPORTING[entity_id]
    group = group_of(emulator)
    known = _state(hass, entity_id)
    assert known != STATE_UNKNOWN

    group.hidden = group.hidden | {param}
    await _poll_everything(hass, freezer)
    assert _state(hass, entity_id) == STATE_UNKNOWN

    group.hidden = group.hidden - {param}
    await _poll_everything(hass, freezer)
    assert _state(hass, entity_id) not in (STATE_UNKNOWN, "unavailable")


async def test_sd_status_code_outside_the_document_is_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """An SD status code the document does not list (newer firmware) is unknown, not a wrong state."""
    entity_id = f"sensor.{PREFIX}_sd_card_status"
    assert _state(hass, entity_id) == "mounted"
    emulator.state.channel(1).sd.status = 10
    await _poll_everything(hass, freezer)
    assert _state(hass, entity_id) == STATE_UNKNOWN


async def test_camera_without_audio_gets_no_audio_entities(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A camera that answers the audio area with "not supported" gets no audio switch, codec or volume."""
    monkeypatch.delitem(emulator_cgi.AREAS, "audio")
    entry = await setup_integration(entry_for(emulator))
    assert "audio" not in entry.runtime_data.capabilities
    keys = {
        e.unique_id.removeprefix(f"{entry.unique_id}_1_")
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    assert "mirror" in keys  # the rest of the camera is there
    assert not {"audio", "audio_codec", "audio_volume"} & keys
    # Setup's capability discovery asked once; the polls never do.
    emulator.clear_requests()
    await entry.runtime_data.coordinator.async_refresh()
    assert emulator.requests
    assert not any(request.area == "audio" for request in emulator.requests)


async def test_camera_without_sub_stream_gets_no_sub_stream_settings(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A camera that answers the sub-stream area with "not supported" gets no sub-stream resolution select."""
    monkeypatch.delitem(emulator_cgi.AREAS, "minor_stream")
    entry = await setup_integration(entry_for(emulator))
    assert "minor_stream" not in entry.runtime_data.capabilities
    registry = er.async_get(hass)
    unique = f"{entry.unique_id}_1_"
    assert registry.async_get_entity_id(
        "select", "cgi_camera", f"{unique}main_resolution"
    )
    assert not registry.async_get_entity_id(
        "select", "cgi_camera", f"{unique}sub_resolution"
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_gain_described_as_a_range_lists_each_value(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A camera that describes a gain as a range (`1 ... 8`) instead of a list offers every value in it."""
    exposure = emulator.state.channel(1).exposure
    exposure.caps["AGCMax"] = IntRange(1, 8)
    exposure["AGCMax"] = 4
    await setup_integration(entry_for(emulator))
    state = hass.states.get(f"select.{PREFIX}_maximum_gain")
    assert state is not None
    assert state.state == "4x"
    assert state.attributes["options"] == [f"{gain}x" for gain in range(1, 9)]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_time_zone_range_too_wide_to_list_offers_current_value(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A range too long for a drop-down (time zone in minutes) offers only the current value, still shown."""
    emulator.state.time_info.caps["TimeZone"] = IntRange(-720, 780)
    await setup_integration(entry_for(emulator))
    state = hass.states.get(f"select.{PREFIX}_time_zone")
    assert state is not None
    assert state.state == "UTC+08:00"
    assert state.attributes["options"] == ["UTC+08:00"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_number_range_the_client_cannot_read_uses_document_range(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A number whose range the camera writes in an unknown form (`0~10`) gets the document's range."""
    emulator.state.channel(1).image.caps["Gamma"] = FreeString(label="0~10")
    await setup_integration(entry_for(emulator))
    state = hass.states.get(f"number.{PREFIX}_gamma")
    assert state is not None
    assert state.state == "4"
    assert (state.attributes["min"], state.attributes["max"]) == (0, 15)


async def test_group_answered_with_nothing_is_unknown(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A camera that answers a group's read with success but no values: its sensors show unknown."""
    entity_id = f"sensor.{PREFIX}_boot_time"
    assert _state(hass, entity_id) != STATE_UNKNOWN
    answer_get = emulator_cgi._get

    def nothing_for_time_info(ctx: Any) -> None:
        if ctx.area == "sys" and ctx.group == "TimeInfo":
            raise emulator_cgi._EmptyReply
        answer_get(ctx)

    monkeypatch.setattr(emulator_cgi, "_get", nothing_for_time_info)
    await _poll_everything(hass, freezer)
    assert _state(hass, entity_id) == STATE_UNKNOWN
