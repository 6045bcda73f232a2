"""The CGI IP Camera integration: HiSilicon/Hankvision XML-CGI cameras (Floureon, Aokwevision, Jidetech...)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    Platform,
)
from homeassistant.core import CoreState, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.loader import async_get_integration

from .api import (
    AuthenticationFailed,
    CannotConnect,
    Capabilities,
    CgiCamera,
    CgiError,
    Choices,
    IntRange,
    NotFound,
    ResultCodeError,
    ServerFailed,
)
from .api.wire import group_key
from .capability_cache import CachedCapabilities, CapabilityCache
from .const import (
    CONF_RTSP_PORT,
    DEFAULT_ONVIF_PORT,
    DEFAULT_RTSP_PORT,
    DOMAIN,
    FAST_SCAN,
    LOGGER,
    REQUEST_TIMEOUT,
    SLOW_SCAN,
)
from .coordinator import CgiCoordinator
from .data import CgiCameraConfigEntry, CgiCameraData
from .entity import device_identifier, device_info
from .mjpeg import MjpegHub
from .motion import CONF_MOTION_INTERVAL, DEFAULT_MOTION_INTERVAL, CameraMotion
from .ptz import PtzController

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


# Video servers of this family have at most 16 channels; the cap bounds the probing below.
MAX_CHANNELS = 16


async def _async_channels(
    client: CgiCamera, capabilities: dict[str, Capabilities]
) -> tuple[int, ...]:
    """Return the video channels: the stream query's Channel range, else probed one by one."""
    caps = capabilities.get("major_stream")
    if caps is None:
        return (1,)
    cap = caps.get("StreamInfo", "Channel")
    if isinstance(cap, IntRange) and 1 <= cap.min <= cap.max <= MAX_CHANNELS:
        return tuple(range(cap.min, cap.max + 1))
    if isinstance(cap, Choices):
        channels = sorted(
            v for v in cap.values if isinstance(v, int) and 1 <= v <= MAX_CHANNELS
        )
        if channels:
            return tuple(channels)
    # Most firmware answers the query with an empty (read-only) Channel: ask for channel 2, 3... until the camera
    # calls the channel invalid. A single-channel camera costs one extra request per setup.
    channels = [1]
    for channel in range(2, MAX_CHANNELS + 1):
        try:
            await client.get("major_stream", "StreamInfo", channel)
        except (CannotConnect, AuthenticationFailed):
            raise
        except CgiError:
            break
        channels.append(channel)
    return tuple(channels)


async def _async_camera_ports(client: CgiCamera, has_netport: bool) -> tuple[int, int]:
    """Return the camera's RTSP and ONVIF ports from one NetPortInfo read; 554 and 8999 for a missing one.

    Only a refusal means the defaults: the answer is stored until the firmware changes, so a transient failure
    raises and setup is retried.
    """
    if has_netport:
        try:
            info = await client.net_port_info()
        except (ResultCodeError, NotFound) as err:
            if isinstance(err, ServerFailed):
                raise
            LOGGER.debug("Could not read the RTSP and ONVIF ports: %s", err)
        else:
            return (
                info.rtsp_port or DEFAULT_RTSP_PORT,
                info.onvif_port or DEFAULT_ONVIF_PORT,
            )
    return DEFAULT_RTSP_PORT, DEFAULT_ONVIF_PORT


async def _async_learn_camera(client: CgiCamera) -> CachedCapabilities:
    """Ask the camera what it supports: capabilities, channels, RTSP and ONVIF ports (cached, see capability_cache)."""
    # Query, else per-group query, else the current values with the document's ranges; a transient failure
    # raises (ConfigEntryNotReady in setup) and is never taken for "unsupported".
    discovered = await client.discover_all_capabilities()
    capabilities = discovered.by_area
    channels = await _async_channels(client, capabilities)
    rtsp_port, onvif_port = await _async_camera_ports(client, "netport" in capabilities)
    return CachedCapabilities(
        capabilities=capabilities,
        channels=channels,
        rtsp_port=rtsp_port,
        sources=discovered.as_dict(),
        onvif_port=onvif_port,
    )


async def _async_import_platforms(hass: HomeAssistant) -> None:
    """Import the platform modules, as forwarding the setup would (the loader shares one import)."""
    integration = await async_get_integration(hass, DOMAIN)
    await integration.async_get_platforms(PLATFORMS)


async def async_setup_entry(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> bool:
    """Set up a camera from a config entry."""
    # On a cold start importing the platforms takes a while: do it while the camera answers the queries.
    imports = entry.async_create_task(
        hass, _async_import_platforms(hass), f"{DOMAIN} platform import"
    )
    client = CgiCamera(
        async_get_clientsession(hass),
        entry.data[CONF_HOST],
        entry.data[CONF_PORT],
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
        timeout=REQUEST_TIMEOUT,
    )
    coordinator = CgiCoordinator(
        hass,
        entry,
        client,
        fast_interval=FAST_SCAN,
        slow_interval=SLOW_SCAN,
    )
    try:
        # No entity has registered a group yet: this is the heartbeat, DeviceInfo, and the first contact. It
        # raises ConfigEntryNotReady or, on a 401, ConfigEntryAuthFailed (see CgiCoordinator).
        await coordinator.async_config_entry_first_refresh()
        # What the camera supports only changes with its firmware: after a restart it comes from storage.
        device = coordinator.device
        assert device is not None
        known = await CapabilityCache.for_entry(
            hass, entry.entry_id
        ).async_get_or_query(
            device.mac, device.firmware, partial(_async_learn_camera, client)
        )
    except AuthenticationFailed as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except CgiError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    finally:
        await imports

    capabilities, channels = known.capabilities, known.channels
    # Live motion: detected and started by the binary_sensor platform, stopped (unsubscribed) at unload.
    motion = CameraMotion(
        hass,
        client,
        password=entry.data[CONF_PASSWORD],
        channels=channels,
        onvif_port=known.onvif_port,
        recheck_onvif_port=known.from_storage,
        interval=entry.options.get(CONF_MOTION_INTERVAL, DEFAULT_MOTION_INTERVAL),
        name=entry.title,
    )
    entry.async_on_unload(motion.async_stop)
    data = entry.runtime_data = CgiCameraData(
        client=client,
        device=device,
        capabilities=capabilities,
        capability_sources=known.sources,
        channels=channels,
        rtsp_port=int(entry.options.get(CONF_RTSP_PORT) or known.rtsp_port),
        coordinator=coordinator,
        motion=motion,
    )
    for channel in channels:
        hub = MjpegHub(
            partial(client.mjpeg_frames, channel), f"{entry.title} channel {channel}"
        )
        data.mjpeg_hubs[channel] = hub
        entry.async_on_unload(hub.close)
    if (caps := capabilities.get("ptz")) is not None and caps.has_group("PTZCtrlInfo"):
        for channel in channels:
            controller = data.ptz[channel] = PtzController(hass, entry, channel)
            entry.async_on_unload(controller.async_shutdown)
    data.sd_card_slot = await _async_has_sd_card_slot(data)
    _async_update_devices(hass, entry)

    # Entities register the groups they need as they are added; read them before setup ends.
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await coordinator.async_refresh()
    _async_check_default_password(hass, entry)
    return True


async def _async_has_sd_card_slot(data: CgiCameraData) -> bool:
    """Return False when the camera reports no SD card device (SDStatus 0, "dev off").

    The read also gives the poll its first RecordDevice, so it costs no request when SD entities are enabled.
    """
    caps = data.capabilities.get("record")
    if caps is None or not caps.has_group("RecordDevice"):
        return False
    key = group_key("record", "RecordDevice", data.channels[0])
    await data.coordinator.async_refresh_group(key)
    # Unread (the camera failed to answer just now): keep the entities, they show unknown until it answers.
    blocks = data.coordinator.data.get(key)
    return not blocks or blocks[0].get("SDStatus") != 0


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


# Factory passwords of this camera family; with them anyone on the network controls the camera.
FACTORY_PASSWORDS: frozenset[str] = frozenset({"", "admin", "123456", "888888"})


def _async_check_default_password(
    hass: HomeAssistant, entry: CgiCameraConfigEntry
) -> None:
    """Raise a repair issue while the camera uses a factory password; it clears once the password changes."""
    issue_id = f"default_password_{entry.entry_id}"
    if entry.data[CONF_PASSWORD] in FACTORY_PASSWORDS:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="default_password",
            translation_placeholders={"title": entry.title},
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)


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
    ir.async_delete_issue(hass, DOMAIN, f"default_password_{entry.entry_id}")
    await CapabilityCache.for_entry(hass, entry.entry_id).async_invalidate()


async def async_unload_entry(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> bool:
    """Unload a config entry; a reload the user asks for (not a restart) asks the camera again what it supports."""
    if hass.state is not CoreState.stopping:
        await CapabilityCache.for_entry(hass, entry.entry_id).async_invalidate()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
