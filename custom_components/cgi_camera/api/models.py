"""Typed models built from ParamGroups (fields snake_case; `.raw` keeps the ParamGroup; missing elements → None)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
import re
from typing import Self

from .errors import MalformedReply
from .motion import MotionArea
from .parse import ParamGroup

__all__ = [
    "AddressInfo",
    "AudioInfo",
    "BasicInfo",
    "DeviceInfo",
    "ExposureInfo",
    "Hotspot",
    "ImageInfo",
    "MdInfo",
    "NetPortInfo",
    "OsdInfo",
    "PtzDirection",
    "PtzStatus",
    "RecordControl",
    "RecordDevice",
    "RecordFile",
    "SdStatus",
    "SpeedInfo",
    "Stream",
    "StreamInfo",
    "TimeInfo",
    "TourInfo",
    "UserInfo",
    "WifiInfo",
    "normalize_mac",
]


class Stream(StrEnum):
    """The three video streams; the value is the CGI area."""

    MAJOR = "major_stream"
    MINOR = "minor_stream"
    MJPEG = "mjpeg"


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
class StreamInfo:
    """major_stream / minor_stream / mjpeg StreamInfo."""

    channel: int | None
    resolution: str | None
    bit_rate: int | None
    bit_type: int | None
    frame_rate: int | None
    ip_rate: int | None
    payload: int | None
    video_quality: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) parsed from `WxH`, None when closed or unknown."""
        if self.resolution and (
            m := re.fullmatch(r"\s*(\d+)\s*[xX*]\s*(\d+)\s*", self.resolution)
        ):
            return int(m.group(1)), int(m.group(2))
        return None

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            channel=_i(raw, "Channel"),
            resolution=_s(raw, "Resolution"),
            bit_rate=_i(raw, "BitRate"),
            bit_type=_i(raw, "BitType"),
            frame_rate=_i(raw, "FrameRate"),
            ip_rate=_i(raw, "IPRate"),
            payload=_i(raw, "Payload"),
            video_quality=_i(raw, "VideoQuality"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """image / ImageInfo."""

    format: int | None
    hue: int | None
    brightness: int | None
    sharpness: int | None
    saturation: int | None
    contrast: int | None
    denoise: int | None
    gamma: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            format=_i(raw, "Format"),
            hue=_i(raw, "Hue"),
            brightness=_i(raw, "Brightness"),
            sharpness=_i(raw, "Sharpness"),
            saturation=_i(raw, "Saturation"),
            contrast=_i(raw, "Contrast"),
            denoise=_i(raw, "Denoise"),
            gamma=_i(raw, "Gamma"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class OsdInfo:
    """image / OSDInfo (main fields; the numbered text overlays stay in `.raw`)."""

    text_enabled: bool | None
    text_title: str | None
    date_enabled: bool | None
    date_format: int | None
    time_enabled: bool | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            text_enabled=_b(raw, "TextOSDStatus"),
            text_title=_s(raw, "TextOSDTitle"),
            date_enabled=_b(raw, "DateOSDStatus"),
            date_format=_i(raw, "DateFormat"),
            time_enabled=_b(raw, "TimeOSDStatus"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class BasicInfo:
    """camera / BasicInfo."""

    mirror_hor: bool | None
    mirror_ver: bool | None
    wdr_switch: bool | None
    wdr_level: int | None
    wb_mode: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            mirror_hor=_b(raw, "MirrorHor"),
            mirror_ver=_b(raw, "MirrorVer"),
            wdr_switch=_b(raw, "WDRSwitch"),
            wdr_level=_i(raw, "WDRLevel"),
            wb_mode=_i(raw, "WBMode"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class ExposureInfo:
    """camera / ExposureInfo (ICRSwitch: 0 external, 1 night, 2 day, 3 auto)."""

    exposure_mode: int | None
    agc_max: int | None
    shutter_max: int | None
    icr_switch: int | None
    blc_switch: bool | None
    blc_level: int | None
    hlc_switch: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            exposure_mode=_i(raw, "ExposureMode"),
            agc_max=_i(raw, "AGCMax"),
            shutter_max=_i(raw, "ShutterMax"),
            icr_switch=_i(raw, "ICRSwitch"),
            blc_switch=_b(raw, "BLCSwitch"),
            blc_level=_i(raw, "BLCLevel", "BLCLLevel"),
            hlc_switch=_i(raw, "HLCSwitch"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """audio / AudioInfo (volume read from AudioVolume, or Volume as in the spec's get example)."""

    enabled: bool | None
    codec: str | None
    volume: int | None
    sample_rate: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            enabled=_b(raw, "AudioEnable"),
            codec=_s(raw, "AudioCodec"),
            volume=_i(raw, "AudioVolume", "Volume"),
            sample_rate=_i(raw, "SampleRate"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class RecordControl:
    """record / RecordControl (length read from the wire's `Lenght`, or `Length`)."""

    loop: bool | None
    mode: int | None
    stream_type: int | None
    event: int | None
    length: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            loop=_b(raw, "Loop"),
            mode=_i(raw, "Mode"),
            stream_type=_i(raw, "StreamType"),
            event=_i(raw, "Event"),
            length=_i(raw, "Lenght", "Length"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class RecordDevice:
    """record / RecordDevice (spaces in MB)."""

    channel: int | None
    total_space: int | None
    used_space: int | None
    sd_status: SdStatus | None
    write_protect: bool | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @property
    def free_space(self) -> int | None:
        """Total minus used, in MB."""
        if self.total_space is None or self.used_space is None:
            return None
        return max(0, self.total_space - self.used_space)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group (an SDStatus outside 0..9 becomes None)."""
        status = _i(raw, "SDStatus")
        return cls(
            channel=_i(raw, "Channel"),
            total_space=_i(raw, "TotalSpace"),
            used_space=_i(raw, "UsedSpace"),
            sd_status=SdStatus(status)
            if status is not None and 0 <= status <= 9
            else None,
            write_protect=_b(raw, "WriteProtect"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class RecordFile:
    """One block of record / RecordSearch (file_size in KB)."""

    file_name: str | None
    start_time: str | None
    end_time: str | None
    file_size: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            file_name=_s(raw, "FileName"),
            start_time=_s(raw, "StartTime"),
            end_time=_s(raw, "EndTime"),
            file_size=_i(raw, "FileSize"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class SpeedInfo:
    """ptz / SpeedInfo."""

    pan_speed: int | None
    tilt_speed: int | None
    zoom_speed: int | None
    focus_speed: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            pan_speed=_i(raw, "PanSpeed"),
            tilt_speed=_i(raw, "TiltSpeed"),
            zoom_speed=_i(raw, "ZoomSpeed"),
            focus_speed=_i(raw, "FocusSpeed"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class PtzStatus:
    """ptz / PTZCtrlInfo as read (direction None or 0 = not moving)."""

    pan: int | None
    tilt: int | None
    zoom_position: int | None
    direction: int | None
    auto_scan: bool | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @property
    def moving(self) -> bool:
        """Whether the camera reports a movement."""
        return bool(self.direction)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            pan=_i(raw, "Pan"),
            tilt=_i(raw, "Tilt"),
            zoom_position=_i(raw, "ZoomPosition"),
            direction=_i(raw, "Direction"),
            auto_scan=_b(raw, "AutoScan"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class TourInfo:
    """One block of ptz / TourInfo."""

    number: int | None
    running: bool | None
    presets: tuple[int, ...]
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        text = _s(raw, "PresetNumber") or ""
        presets = tuple(int(p) for p in re.findall(r"\d{1,9}", text))
        return cls(
            number=_i(raw, "TourNum"),
            running=_b(raw, "TourAct"),
            presets=presets,
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class NetPortInfo:
    """netport / NetPortInfo."""

    http_port: int | None
    video_port: int | None
    rtsp_port: int | None
    onvif_port: int | None
    record_port: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            http_port=_i(raw, "HttpPort"),
            video_port=_i(raw, "VideoPort"),
            rtsp_port=_i(raw, "RtspPort"),
            onvif_port=_i(raw, "OnvifPort"),
            record_port=_i(raw, "RecordPort"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class AddressInfo:
    """net / AddressInfo."""

    ip_address: str | None
    subnet_mask: str | None
    gateway: str | None
    address_type: int | None
    dns_server: str | None
    dns_server2: str | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            ip_address=_s(raw, "IPAddress"),
            subnet_mask=_s(raw, "SubnetMask"),
            gateway=_s(raw, "Gateway"),
            address_type=_i(raw, "AddressType"),
            dns_server=_s(raw, "DNSServer"),
            dns_server2=_s(raw, "DNSServer2"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class WifiInfo:
    """wifi / WifiInfo (the Wi-Fi password stays only in `.raw`; it is not a field and not in the repr)."""

    enabled: bool | None
    mode: int | None
    ssid: str | None
    signal: int | None
    auto_mode: int | None
    channel: int | None
    protocol: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            enabled=_b(raw, "enable", "Enable"),
            mode=_i(raw, "Mode"),
            ssid=_s(raw, "SSID"),
            signal=_i(raw, "Signal"),
            auto_mode=_i(raw, "AutoMode"),
            channel=_i(raw, "WifiChannel", "WifiChanel"),
            protocol=_i(raw, "Protocol"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One block of wifi / HotspotList."""

    ssid: str | None
    encryption: int | None
    auth_mode: int | None
    channel: int | None
    net_type: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(
            ssid=_s(raw, "SSID"),
            encryption=_i(raw, "EncrypType"),
            auth_mode=_i(raw, "AuthMode"),
            channel=_i(raw, "Channel"),
            net_type=_i(raw, "NetType"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class UserInfo:
    """One block of user / UserList."""

    name: str | None
    privilege: int | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        return cls(name=_s(raw, "UserName"), privilege=_i(raw, "Privilege"), raw=raw)


@dataclass(frozen=True, slots=True)
class MdInfo:
    """alarm / MDInfo (area None when missing or malformed)."""

    enabled: bool | None
    sensitivity: int | None
    area: MotionArea | None
    raw: ParamGroup = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def from_group(cls, raw: ParamGroup) -> Self:
        """Build from a reply group."""
        area: MotionArea | None = None
        if (text := _s(raw, "MDArea")) is not None:
            try:
                area = MotionArea.parse(text)
            except MalformedReply:
                area = None
        return cls(
            enabled=_b(raw, "MDEnable"),
            sensitivity=_i(raw, "MDSensitivity"),
            area=area,
            raw=raw,
        )
