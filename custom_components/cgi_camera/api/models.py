"""Typed models of the groups the integration reads through the client.

Fields are snake_case, `.raw` keeps the ParamGroup, a missing element is None, and element names are first made
canonical (api/names.py), so every firmware spelling fills the same field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
import re
from typing import TYPE_CHECKING, Self

from .document_ranges import PORT
from .names import canonical_group
from .parse import ParamGroup

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DeviceInfo",
    "NetPortInfo",
    "PtzDirection",
    "SdOperation",
    "SdStatus",
    "TimeInfo",
    "normalize_mac",
    "preset_titles",
]


class PtzDirection(IntEnum):
    """PTZCtrlInfo Direction values."""

    UP = 1
    DOWN = 2
    LEFT = 3
    RIGHT = 4
    UP_LEFT = 5
    DOWN_LEFT = 6
    UP_RIGHT = 7
    DOWN_RIGHT = 8


class SdOperation(IntEnum):
    """RecordDevice Operate: what to do with the SD card (spec §3.5.4, p. 22)."""

    UNMOUNT = 0
    MOUNT = 1
    FORMAT = 2


class SdStatus(IntEnum):
    """RecordDevice SDStatus, as the document's table gives it (spec §3.5.1 "Get device info", p. 21)."""

    OFF = 0  # device off
    ON = 1  # device on
    REMOVED = 2  # card pulled out
    FORMATTING = 3
    MOUNTED = 4
    UNMOUNTED = 5
    WRITE_PROTECTED = 6
    UNINITIALIZED = 7  # device uninitialized
    MOUNTING = 8
    UNMOUNTING = 9


def _empty() -> ParamGroup:
    return ParamGroup("")


def _i(raw: ParamGroup, *keys: str) -> int | None:
    return raw.get_int(*keys)


def _port(raw: ParamGroup, key: str) -> int | None:
    port = raw.get_int(key)
    return port if PORT.allows(port) else None


def _s(raw: ParamGroup, *keys: str) -> str | None:
    return raw.get_str(*keys)


def _b(raw: ParamGroup, *keys: str) -> bool | None:
    value = raw.get_int(*keys)
    return None if value is None else bool(value)


_MAC_HEX = re.compile(r"[0-9a-fA-F]")


def normalize_mac(mac: str | None) -> str | None:
    """Return `00:2a:2a:12:34:56` for any common MAC spelling, or None when it is not 12 hex digits."""
    if mac is None:
        return None
    digits = "".join(_MAC_HEX.findall(mac))
    if len(digits) != 12 or len(re.sub(r"[\s:\-.]", "", mac)) != 12:
        return None
    digits = digits.lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def preset_titles(blocks: Iterable[ParamGroup]) -> dict[int, str]:
    """Return ptz / PresetNameInfo (one block per saved preset) as {number: title}, by number, titles unpadded."""
    titles: dict[int, str] = {}
    for block in blocks:
        if (number := block.get_int("PresetNumber")) is not None:
            titles[number] = (block.get_str("PresetTitle") or "").strip()
    return dict(sorted(titles.items()))


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """sys / DeviceInfo."""

    device_id: str | None
    firmware: str | None
    serial: str | None
    mac: str | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        raw, _ = canonical_group("sys", raw)
        return cls(
            device_id=_s(raw, "DeviceID"),
            firmware=_s(raw, "Firmware"),
            serial=_s(raw, "SerialNum"),
            mac=normalize_mac(_s(raw, "Mac", "MAC")),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class TimeInfo:
    """sys / TimeInfo (camera_time: UTC epoch seconds; time_zone: minutes east of UTC)."""

    time_method: int | None
    camera_time: int | None
    up_time: int | None
    daylight_enable: bool | None
    time_zone: int | None
    ntp_server: str | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        raw, _ = canonical_group("sys", raw)
        return cls(
            time_method=_i(raw, "TimeMethod"),
            camera_time=_i(raw, "CameraTime"),
            up_time=_i(raw, "UpTime"),
            daylight_enable=_b(raw, "DaylightEnable"),
            time_zone=_i(raw, "TimeZone"),
            ntp_server=_s(raw, "NTPServerIP"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class NetPortInfo:
    """netport / NetPortInfo. A port outside 1–65535 (or missing) is None: the camera reports no usable port."""

    http_port: int | None
    video_port: int | None
    rtsp_port: int | None
    onvif_port: int | None
    record_port: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        raw, _ = canonical_group("netport", raw)
        return cls(
            http_port=_port(raw, "HttpPort"),
            video_port=_port(raw, "VideoPort"),
            rtsp_port=_port(raw, "RtspPort"),
            onvif_port=_port(raw, "OnvifPort"),
            record_port=_port(raw, "RecordPort"),
            raw=raw,
        )
