"""The CGI groups the integration reads, which are polled fast, and which are per video channel.

The one place that decides it (wire-decisions "Channel on sys..."): discovery (KNOWN_GROUPS), the coordinator
(FAST_GROUPS) and the entity descriptions all use these; tests/test_tables.py fails when they disagree.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "DEVICE_WIDE_GROUPS",
    "GROUPS",
    "NO_CHANNEL_AREAS",
    "GroupKey",
    "GroupSpec",
    "group_key",
    "known_groups",
    "wire_channel",
]

# Areas whose groups are camera-wide: the client never sends Channel for them.
NO_CHANNEL_AREAS: Final = frozenset({"sys", "net", "netport", "wifi", "user"})
# Alarm groups that are camera-wide although the alarm area is per channel (they take Channel only if given).
DEVICE_WIDE_GROUPS: Final = frozenset(
    {
        ("alarm", "IOTrigInfo"),
        ("alarm", "AccessScopeInfo"),
        ("alarm", "IOAccessInfo"),
        ("alarm", "ScheduleInfo"),
    }
)


class GroupSpec(NamedTuple):
    """A group the integration reads, and how often.

    `fast` when the camera's own app or UI may change it; `every_tick` when it changes by itself (the PTZ position:
    someone moves the camera).
    """

    area: str
    group: str
    fast: bool = False
    every_tick: bool = False


# Every group the integration reads or checks for (capability discovery asks the camera about each): the fast ones
# are read every fast-group interval (those marked every_tick on every poll), the others once per slow interval.
GROUPS: Final[tuple[GroupSpec, ...]] = (
    GroupSpec("sys", "DeviceInfo"),
    GroupSpec("sys", "TimeInfo"),
    GroupSpec("major_stream", "StreamInfo"),
    GroupSpec("minor_stream", "StreamInfo"),
    GroupSpec("mjpeg", "StreamInfo"),
    GroupSpec("image", "ImageInfo", fast=True),
    GroupSpec("image", "OSDInfo"),
    GroupSpec("audio", "AudioInfo"),
    GroupSpec("record", "RecordControl", fast=True),
    GroupSpec("record", "RecordDevice"),
    GroupSpec("ptz", "PTZCtrlInfo", fast=True, every_tick=True),
    GroupSpec("ptz", "PresetNameInfo"),
    GroupSpec("camera", "BasicInfo", fast=True),
    GroupSpec("camera", "ExposureInfo", fast=True),
    GroupSpec("camera", "ResetInfo"),
    GroupSpec("net", "AddressInfo"),
    GroupSpec("netport", "NetPortInfo"),
    GroupSpec("wifi", "WifiInfo"),
    GroupSpec("alarm", "MDInfo", fast=True),
    GroupSpec("alarm", "MDAccessInfo", fast=True),
)


def known_groups() -> dict[str, tuple[str, ...]]:
    """Return GROUPS as {area: (group, ...)}, in table order."""
    areas: dict[str, tuple[str, ...]] = {}
    for spec in GROUPS:
        areas[spec.area] = (*areas.get(spec.area, ()), spec.group)
    return areas


class GroupKey(NamedTuple):
    """One CGI group of one channel (channel None for camera-wide groups such as sys or net)."""

    area: str
    group: str
    channel: int | None = None


def group_key(area: str, group: str, channel: int) -> GroupKey:
    """Return the key of `group` on `channel`, without the channel for camera-wide groups."""
    if area in NO_CHANNEL_AREAS or (area, group) in DEVICE_WIDE_GROUPS:
        return GroupKey(area, group, None)
    return GroupKey(area, group, channel)


def wire_channel(area: str, channel: int | None) -> int | None:
    """Return the Channel to send: none for camera-wide areas, 1 when a per-channel area is given none.

    The alarm area is the exception: its camera-wide groups are sent without Channel when given none.
    """
    if area in NO_CHANNEL_AREAS:
        return None
    if channel is None and area != "alarm":
        return 1
    return channel
