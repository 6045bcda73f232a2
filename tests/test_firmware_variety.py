"""Cameras that differ from the document (issue 12): every firmware profile of the emulator, through setup."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import (
    binary_sensor,
    button,
    number,
    select,
    sensor,
    switch,
)
from custom_components.cgi_camera.api.discovery import KNOWN_GROUPS
from custom_components.cgi_camera.const import DEFAULT_FAST_GROUP_INTERVAL
from tests.conftest import entry_for

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str | None:
    """Return the entity id of the entity whose unique id ends with `_<key>`, if it exists."""
    for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        if reg.unique_id.endswith(f"_{key}"):
            return reg.entity_id
    return None


def test_known_groups_cover_the_entity_tables() -> None:
    """Per-group discovery asks for every group an entity description reads."""
    tables = (
        number.NUMBERS,
        select.SELECTS,
        switch.SWITCHES,
        sensor.SENSORS,
        binary_sensor.BINARY_SENSORS,
    )
    used = {
        (description.area, description.group)
        for table in tables
        for description in table
    }
    missing = sorted(
        (area, group) for area, group in used if group not in KNOWN_GROUPS.get(area, ())
    )
    assert missing == []
    assert button.BUTTONS  # buttons are set-only: their groups need no capabilities


@pytest.mark.parametrize("emulator_profile", ["spec", "sparse-query"])
async def test_settings_without_query(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """Image, exposure, basic, stream, record and SD entities exist, read and set the camera, with or without
    the camera's `_query` (sparse-query answers only a few groups: the rest comes from `_get` and the document)."""
    for key in (
        "brightness",
        "exposure_mode",
        "mirror",
        "main_bitrate",
        "record_length",
        "sd_status",
    ):
        assert _entity_id(hass, loaded_entry, key), key
    channel = emulator.state.channel(1)

    brightness = _entity_id(hass, loaded_entry, "brightness")
    assert brightness is not None
    assert float(hass.states.get(brightness).state) == channel.image.data["Brightness"]
    await hass.services.async_call(
        "number", "set_value", {"entity_id": brightness, "value": 61}, blocking=True
    )
    assert channel.image.data["Brightness"] == 61
    assert hass.states.get(brightness).state == "61"

    mirror = _entity_id(hass, loaded_entry, "mirror")
    assert mirror is not None
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": mirror}, blocking=True
    )
    assert channel.basic.data["MirrorHor"] == 1
    assert hass.states.get(mirror).state == "on"

    sources = loaded_entry.runtime_data.capability_sources
    expected = "query" if emulator.config.profile == "spec" else "get+document"
    assert sources["camera"]["BasicInfo"]["source"] == expected


@pytest.mark.parametrize("emulator_profile", ["alt-names"])
async def test_device_page_with_other_tag_names(
    hass: HomeAssistant, emulator: CameraEmulator, loaded_entry: MockConfigEntry
) -> None:
    """Firmware that spells DeviceInfo's tags otherwise still shows its firmware and serial number."""
    (device,) = dr.async_entries_for_config_entry(
        dr.async_get(hass), loaded_entry.entry_id
    )
    assert device is not None
    # A plain model, the board ID as model ID: the device page reads "PTZ camera (<board ID>)".
    assert (device.model, device.model_id) == ("HD-IPC PTZ", emulator.config.device_id)
    assert device.sw_version == emulator.config.firmware
    assert device.serial_number == emulator.config.serial


@pytest.mark.parametrize("emulator_profile", ["http10", "minimal"])
async def test_other_firmware_loads(
    hass: HomeAssistant, emulator: CameraEmulator, loaded_entry: MockConfigEntry
) -> None:
    """HTTP/1.0 without Content-Length, and a camera without PTZ, SD card and Wi-Fi, both load cleanly."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    brightness = _entity_id(hass, loaded_entry, "brightness")
    assert brightness is not None
    assert hass.states.get(brightness).state not in {STATE_UNAVAILABLE, STATE_UNKNOWN}
    minimal = emulator.config.profile == "minimal"
    assert (_entity_id(hass, loaded_entry, "sd_status") is None) is minimal
    assert (_entity_id(hass, loaded_entry, "ptz_stop") is None) is minimal


async def test_transient_query_failure_retries_setup(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """A 503 to one capability query at setup is never taken for "unsupported": setup is retried, then the
    camera gets its full entity set."""
    emulator.faults.push(
        "pass", count=3
    )  # DeviceInfo, then the first queries answer normally
    emulator.faults.push("503")
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert _entity_id(hass, entry, "brightness")
    assert _entity_id(hass, entry, "exposure_mode")
    assert _entity_id(hass, entry, "sd_status")
    assert _entity_id(hass, entry, "ptz_stop")
    await hass.config_entries.async_unload(entry.entry_id)


def _entities(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    return {
        reg.unique_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }


@pytest.mark.parametrize("request_", ["image_query?Group=All", "image_query"])
async def test_empty_group_reply_loses_no_entity(
    hass: HomeAssistant, emulator: CameraEmulator, request_: str
) -> None:
    """Issue 21 item 4: `image_query` answering `<ImageInfo></ImageInfo>` (result 200) at setup, once for Group=All
    or for every image query, loses no entity: the group is asked again or read with the document's table, and
    diagnostics say which; a reload with the camera answering fully finds nothing new (but Gamma, whose range the
    document leaves open: read-only from the document, so no number for it)."""
    emulator.faults.push_for(request_, "empty-groups", 3)
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    brightness = _entity_id(hass, entry, "brightness")
    assert brightness is not None
    assert (
        float(hass.states.get(brightness).state)
        == (emulator.state.channel(1).image.data["Brightness"])
    )
    source = entry.runtime_data.capability_sources["image"]["ImageInfo"]
    assert source["source"] == (
        "query-group" if request_.endswith("All") else "get+document"
    )
    assert source["reason"].startswith("Group=All: ImageInfo without parameters")
    first = _entities(hass, entry)

    emulator.faults.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    gamma = {f"{entry.unique_id}_1_gamma"}
    assert _entities(hass, entry) - first == (
        set() if request_.endswith("All") else gamma
    )
    await hass.config_entries.async_unload(entry.entry_id)


async def test_nested_reply_keeps_entities(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Issue 21 item 11: polls answered with a 100,000-level nested extra group (700 KB, parsed in a worker
    thread) keep every entity's value, without an error."""
    brightness = _entity_id(hass, loaded_entry, "brightness")
    assert brightness is not None
    emulator.state.channel(1).image.data["Brightness"] = 77
    emulator.faults.push("nested", 10)
    freezer.tick(
        timedelta(seconds=DEFAULT_FAST_GROUP_INTERVAL)
    )  # the image group is due again
    await loaded_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert emulator.faults.queue != ["nested"] * 10  # the poll met the fault
    assert float(hass.states.get(brightness).state) == 77
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
