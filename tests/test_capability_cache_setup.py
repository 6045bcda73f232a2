"""Setup after a restart reads what the camera supports from storage (issue 16, item 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CoreState
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import capability_cache
from custom_components.cgi_camera.capability_cache import CapabilityCache
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for, motion_ready
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from typing import Any

    from homeassistant.core import HomeAssistant

    from tests.emulator import CameraEmulator


def _queries(emulator: CameraEmulator) -> list[str]:
    return [r.path for r in emulator.requests if r.op == "query"]


def _net_port_reads(emulator: CameraEmulator) -> int:
    """Return how many NetPortInfo reads (`netport_get`) the camera received."""
    return len([r for r in emulator.requests if (r.area, r.op) == ("netport", "get")])


# A camera with an ONVIF events service on a port of its own (not the default 8999), which NetPortInfo reports.
ONVIF = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, onvif=True)


async def _restart(hass: HomeAssistant, entry_id: str) -> None:
    """Unload as Home Assistant does when it stops, then set up again."""
    hass.set_state(CoreState.stopping)
    await hass.config_entries.async_unload(entry_id)
    hass.set_state(CoreState.running)
    await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    await motion_ready(hass, entry)


async def test_restart_reads_capabilities_from_storage(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """A start after the first sends DeviceInfo and the groups behind enabled entities: no capability query,
    no channel probe, no port read but live motion's; the entities and diagnostics' sources are the same."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    first_entities = {
        r.unique_id
        for r in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    first_sources = entry.runtime_data.capability_sources
    assert _queries(emulator)

    emulator.clear_requests()
    await _restart(hass, entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    assert _queries(emulator) == []
    groups = set(entry.runtime_data.coordinator.wanted_groups)
    setup_requests = [
        r
        for r in emulator.requests
        # Live motion's detection on a camera without ONVIF: NetPortInfo in case the stored ONVIF port moved,
        # then getAlarmStatus (test_onvif_port_moved_since_it_was_stored; an ONVIF camera reads neither).
        if r.path not in {"/cgi/getAlarmStatus", "/cgi/netport_get"}
    ]
    assert len(setup_requests) <= 1 + len(groups)
    assert {
        r.unique_id
        for r in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    } == first_entities
    assert entry.runtime_data.capability_sources == first_sources
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_net_port_info_read_once_then_stored(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """The first setup reads NetPortInfo once, for both the RTSP and the ONVIF port; a restart does not read it
    at all. Live motion subscribes on the ONVIF port of that one answer."""
    assert emulator.onvif is not None
    emulator.state.netport["RtspPort"] = 8554
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    assert _net_port_reads(emulator) == 1
    data = entry.runtime_data
    assert (data.rtsp_port, data.motion.onvif_port) == (8554, emulator.onvif.port)
    assert data.motion.kind == "onvif"

    emulator.clear_requests()
    await _restart(hass, entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    assert _net_port_reads(emulator) == 0
    data = entry.runtime_data
    assert (data.rtsp_port, data.motion.onvif_port) == (8554, emulator.onvif.port)
    assert data.motion.kind == "onvif"
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_entry_of_an_older_format_is_learnt_again(
    hass: HomeAssistant, hass_storage: dict[str, Any], emulator: CameraEmulator
) -> None:
    """What an older version stored (format 1: no ONVIF port) is ignored, not an error: setup asks the camera
    again, reads NetPortInfo once, and stores the current format."""
    assert emulator.onvif is not None
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    stored = hass_storage[f"cgi_camera.capabilities.{entry.entry_id}"]["data"]
    assert stored["key"]["format"] == capability_cache.CACHE_FORMAT > 1
    # Turn it into what format 1 stored.
    stored["key"]["format"] = 1
    stored.pop("onvif_port")

    emulator.clear_requests()
    await _restart(hass, entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    assert _queries(emulator)
    assert _net_port_reads(emulator) == 1
    assert entry.runtime_data.motion.onvif_port == emulator.onvif.port
    stored = hass_storage[f"cgi_camera.capabilities.{entry.entry_id}"]["data"]
    assert stored["key"]["format"] == capability_cache.CACHE_FORMAT
    assert stored["onvif_port"] == emulator.onvif.port
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reload_and_new_firmware_ask_again(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """A reload the user asks for, and a start with other firmware, ask the camera again."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)

    emulator.clear_requests()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _queries(emulator)

    emulator.state.device_info.data["Firmware"] = "V2.00.00-260101"
    emulator.clear_requests()
    await _restart(hass, entry.entry_id)
    assert _queries(emulator)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_removing_the_entry_forgets_its_capabilities(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """Deleting the camera deletes its stored capabilities."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    device = entry.runtime_data.device
    cache = CapabilityCache.for_entry(hass, entry.entry_id)
    assert await cache.async_load(device.mac or "", device.firmware) is not None
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    # A new Store: one instance keeps what it loaded once.
    cache = CapabilityCache.for_entry(hass, entry.entry_id)
    assert await cache.async_load(device.mac or "", device.firmware) is None


async def test_refused_parameter_reloads(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """A parameter the stored capabilities offer but the camera now refuses (403) reloads the entry, which asks
    the camera again."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    brightness = next(
        r.entity_id
        for r in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if r.unique_id.endswith("_brightness")
    )
    emulator.state.channel(1).image.data.pop("Brightness")
    emulator.clear_requests()
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "number", "set_value", {"entity_id": brightness, "value": 50}, blocking=True
        )
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert _queries(emulator)
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_port_moved_since_it_was_stored(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """The ONVIF port changed on the camera since it was stored: motion reads NetPortInfo once and subscribes there."""
    assert emulator.onvif is not None
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    old_port = emulator.onvif.port

    # The user moves ONVIF to another port in the camera's web page, then Home Assistant restarts.
    await emulator.onvif.stop()
    await emulator.onvif.start(emulator.host, 0)
    emulator.state.netport["OnvifPort"] = emulator.onvif.port
    assert emulator.onvif.port != old_port
    emulator.clear_requests()
    await _restart(hass, entry.entry_id)
    assert _net_port_reads(emulator) == 1
    assert entry.runtime_data.motion.onvif_port == emulator.onvif.port
    assert entry.runtime_data.motion.kind == "onvif"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_stored_empty_group_is_learnt_again(
    hass: HomeAssistant, hass_storage: dict[str, Any], emulator: CameraEmulator
) -> None:
    """Issue 21 item 4: capabilities stored with an empty ImageInfo (an older release took an empty reply for
    "supported, nothing in it") are not used at the next start: the camera is asked again, and the image
    entities are there."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)
    stored = hass_storage[f"cgi_camera.capabilities.{entry.entry_id}"]["data"]
    for block in stored["capabilities"]["image"]["blocks"]:
        if block["name"] == "ImageInfo":
            block["caps"] = {}

    emulator.clear_requests()
    await _restart(hass, entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    assert "/cgi/image_query" in _queries(emulator)
    assert entry.runtime_data.capability("image", "ImageInfo", "Brightness")
    await hass.config_entries.async_unload(entry.entry_id)
