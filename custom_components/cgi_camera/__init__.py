"""The CGI IP Camera integration: HiSilicon/Hankvision XML-CGI cameras (Floureon, Aokwevision, Jidetech...)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.core import CoreState, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.loader import async_get_integration

from .capability_cache import CapabilityCache
from .checks import async_remove_issues, async_setup_checks
from .const import (
    CONF_RTSP_PORT,
    DOMAIN,
    FAST_GROUP_SCAN,
    FAST_SCAN,
    REQUEST_TIMEOUT,
    SLOW_SCAN,
)
from .coordinator import CgiCoordinator
from .data import CgiCameraConfigEntry, CgiCameraData
from .entity import device_identifier, device_info
from .mjpeg import MjpegHub
from .motion import CameraMotion, no_motion_issue_id
from .ptz import PtzController
from .scan import client

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the integration's actions (services)."""
    from .services import async_setup_services

    async_setup_services(hass)
    return True


async def _async_import_platforms(hass: HomeAssistant) -> None:
    """Import the platform modules, as forwarding the setup would (the loader shares one import)."""
    integration = await async_get_integration(hass, DOMAIN)
    await integration.async_get_platforms(PLATFORMS)


def _coordinator(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> CgiCoordinator:
    """Return the camera's client inside its coordinator; nothing is sent yet."""
    return CgiCoordinator(
        hass,
        entry,
        client(hass, entry.data, REQUEST_TIMEOUT),
        fast_interval=FAST_SCAN,
        fast_group_interval=FAST_GROUP_SCAN,
        slow_interval=SLOW_SCAN,
    )


async def async_setup_entry(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> bool:
    """Set up a camera: learn it (the coordinator's first refresh), add its entities, start live motion."""
    # On a cold start importing the platforms takes a while: do it while the camera answers the queries.
    imports = entry.async_create_task(
        hass, _async_import_platforms(hass), f"{DOMAIN} platform import"
    )
    coordinator = _coordinator(hass, entry)
    try:
        # DeviceInfo, what the camera supports (see CgiCoordinator._async_setup), and its SD card device.
        await coordinator.async_config_entry_first_refresh()
    finally:
        await imports
    assert coordinator.device is not None
    assert coordinator.known is not None
    known = coordinator.known
    data = entry.runtime_data = CgiCameraData(
        client=coordinator.client,
        device=coordinator.device,
        capabilities=known.capabilities,
        capability_sources=known.sources,
        channels=known.channels,
        rtsp_port=int(entry.options.get(CONF_RTSP_PORT) or known.rtsp_port),
        rtsp=known.rtsp,
        coordinator=coordinator,
        motion=CameraMotion(hass, entry, coordinator),
        sd_card_slot=coordinator.has_sd_card_slot,
    )
    _async_add_streams_and_ptz(hass, entry)
    _async_update_devices(hass, entry)
    # Live motion belongs to the entry; the binary_sensor platform adds its sensors once it knows the source.
    entry.async_on_unload(data.motion.async_stop)
    entry.async_create_background_task(
        hass, data.motion.async_start(), f"{entry.title} live motion"
    )
    # Entities register the groups they need as they are added; read them before setup ends.
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Repair issues (checks.py), registered before the refresh that reads their groups.
    async_setup_checks(hass, entry)
    coordinator.async_setup_done()
    await coordinator.async_refresh()
    return True


@callback
def _async_add_streams_and_ptz(
    hass: HomeAssistant, entry: CgiCameraConfigEntry
) -> None:
    """Create each channel's MJPEG hub and, with PTZ, its controller; both end with the entry."""
    data = entry.runtime_data
    for channel in data.channels:
        hub = MjpegHub(
            partial(data.client.mjpeg_frames, channel),
            f"{entry.title} channel {channel}",
            start_task=partial(
                entry.async_create_background_task, hass, eager_start=False
            ),
        )
        data.mjpeg_hubs[channel] = hub
        entry.async_on_unload(hub.close)
    if (caps := data.capabilities.get("ptz")) is not None and caps.has_group(
        "PTZCtrlInfo"
    ):
        for channel in data.channels:
            controller = data.ptz[channel] = PtzController(hass, entry, channel)
            entry.async_on_unload(controller.async_shutdown)


@callback
def _async_update_devices(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> None:
    """Register the camera and, on a video server, one sub-device per channel; remove channels that went away."""
    data = entry.runtime_data
    device_registry = dr.async_get(hass)
    data.host_device_id = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, **device_info(entry, None)
    ).id
    current = {device_identifier(entry, None)}
    if data.multi_channel:
        for channel in data.channels:
            current.add(device_identifier(entry, channel))
            device_registry.async_get_or_create(
                config_entry_id=entry.entry_id, **device_info(entry, channel)
            )
    for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id):
        if not device.identifiers & current:
            device_registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow removing a device only when it is no longer the camera or one of its current channels."""
    current = {device_identifier(entry, None)}
    current.update(
        device_identifier(entry, channel) for channel in entry.runtime_data.channels
    )
    return not device_entry.identifiers & current


async def async_remove_entry(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> None:
    """Drop the entry's repair issue and stored capabilities when the entry is deleted."""
    async_remove_issues(hass, entry.entry_id)
    ir.async_delete_issue(hass, DOMAIN, no_motion_issue_id(entry.entry_id))
    await CapabilityCache.for_entry(hass, entry.entry_id).async_invalidate()


async def async_unload_entry(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> bool:
    """Unload a config entry; a reload the user asks for (not a restart) asks the camera again what it supports."""
    if hass.state is not CoreState.stopping:
        await CapabilityCache.for_entry(hass, entry.entry_id).async_invalidate()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
