"""Runtime data of a CGI IP Camera config entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

from .coordinator import Coordinators, GroupKey

if TYPE_CHECKING:
    from .api import Capabilities, Capability, CgiCamera, DeviceInfo

type CgiCameraConfigEntry = ConfigEntry[CgiCameraData]

# Areas whose groups are per video channel (the others are device-wide and take no Channel parameter).
CHANNEL_AREAS: frozenset[str] = frozenset(
    {
        "major_stream",
        "minor_stream",
        "mjpeg",
        "image",
        "audio",
        "record",
        "ptz",
        "rs485",
        "camera",
        "alarm",
    }
)
# Alarm groups that are device-wide although the area is not.
DEVICE_WIDE_GROUPS: frozenset[tuple[str, str]] = frozenset(
    {
        ("alarm", "IOTrigInfo"),
        ("alarm", "AccessScopeInfo"),
        ("alarm", "IOAccessInfo"),
        ("alarm", "ScheduleInfo"),
    }
)


def group_key(area: str, group: str, channel: int) -> GroupKey:
    """Return the key of `group` for `channel`, dropping the channel for device-wide groups."""
    if area in CHANNEL_AREAS and (area, group) not in DEVICE_WIDE_GROUPS:
        return GroupKey(area, group, channel)
    return GroupKey(area, group, None)


@dataclass
class CgiCameraData:
    """Everything a config entry's platforms share."""

    client: CgiCamera
    device: DeviceInfo
    capabilities: dict[str, Capabilities]
    channels: tuple[int, ...]
    coordinators: Coordinators
    rtsp_port: int
    # Device registry id of the camera itself; channel sub-devices of a video server hang below it.
    host_device_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def multi_channel(self) -> bool:
        """Return True for a video server with more than one channel."""
        return len(self.channels) > 1

    def supports_area(self, area: str) -> bool:
        """Return True if the camera answered the area's query."""
        return area in self.capabilities

    def capability(self, area: str, group: str, param: str) -> Capability | None:
        """Return the camera's own range for a parameter, or None when the camera lacks it."""
        if (caps := self.capabilities.get(area)) is None:
            return None
        return caps.get(group, param)
