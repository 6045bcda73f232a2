"""Which CGI groups are per video channel: the one place that decides it (wire-decisions "Channel on sys...")."""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "DEVICE_WIDE_GROUPS",
    "NO_CHANNEL_AREAS",
    "GroupKey",
    "group_key",
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
