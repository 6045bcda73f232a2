"""Runtime data of a CGI IP Camera config entry, built once in `async_setup_entry`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from homeassistant.helpers.device_registry import DeviceInfo as DeviceRegistryInfo

    from .api import Capabilities, Capability, CgiCamera, DeviceInfo, RtspCheck
    from .coordinator import CgiCoordinator
    from .mjpeg import MjpegHub
    from .motion import CameraMotion
    from .ptz import PtzController

type CgiCameraConfigEntry = ConfigEntry[CgiCameraData]


@dataclass
class CgiCameraData:
    """Everything a config entry's platforms share."""

    client: CgiCamera
    device: DeviceInfo
    capabilities: dict[str, Capabilities]
    # Where each group's capabilities came from ({area: {group: {"source", "reason"}}}), for diagnostics.
    capability_sources: dict[str, dict[str, Any]]
    channels: tuple[int, ...]
    rtsp_port: int
    coordinator: CgiCoordinator
    # Live motion (ONVIF events or getAlarmStatus), started and stopped with the entry (motion.py).
    motion: CameraMotion
    # Channels with PTZ only.
    ptz: dict[int, PtzController] = field(default_factory=dict)
    mjpeg_hubs: dict[int, MjpegHub] = field(default_factory=dict)
    # False when the camera reports no SD card device (SDStatus 0, "dev off"): no SD entities then.
    sd_card_slot: bool = False
    # Device registry id of the camera itself; channel sub-devices of a video server hang below it.
    host_device_id: str | None = None
    # The RTSP check of rtsp_port (the camera platform repeats it when it failed or the port was overridden).
    rtsp: RtspCheck | None = None
    # One DeviceInfo per device (by its registry identifier), shared by its entities (entity.py).
    device_infos: dict[tuple[str, str], DeviceRegistryInfo] = field(
        default_factory=dict
    )

    @property
    def multi_channel(self) -> bool:
        """Return True for a video server with more than one channel."""
        return len(self.channels) > 1

    def capability(self, area: str, group: str, param: str) -> Capability | None:
        """Return the camera's own range for a parameter, or None when the camera lacks it."""
        if (caps := self.capabilities.get(area)) is None:
            return None
        return caps.get(group, param)
