"""Configuration of the camera emulator, and the firmware profiles it can play."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = [
    "PROFILES",
    "SPARSE_QUERY_GROUPS",
    "AuthKind",
    "EmulatorConfig",
    "Framing",
    "MjpegFraming",
    "Profile",
]

type AuthKind = Literal["basic", "digest", "none"]
type Framing = Literal["spec_mixed", "all_lf", "goahead_mixed", "crlf"]
type MjpegFraming = Literal["repeated", "multipart"]
# Firmware profiles (docs/wire-decisions.md "Firmware profiles"):
# - spec: what the document describes (the default);
# - sparse-query: `_query?Group=All` refused everywhere; `_query?Group=<g>` answered only for SPARSE_QUERY_GROUPS;
#   every group still answers `_get` (the client must fall back to the get reply and the document's ranges);
# - alt-names: DeviceInfo and the groups the document prints as untagged lists use other element spellings;
# - http10: HTTP/1.0 replies with bare-LF headers, no Content-Length, the connection closed after each reply;
# - minimal: no PTZ, no SD card slot, no Wi-Fi.
# - preset-form: the documented preset recall (`ptz_set ... Preset=1`) answers 200 and does not move; the web page's
#   `/form/presetSet` (flag 3 save, 4 recall, presetNum 0-based) works (Floureon DM523HS, field notes §1.1, §7 D.18).
#   Every other profile has no `/form/` at all (404), like the unit of ZoneMinder issue #2527.
type Profile = Literal[
    "spec", "sparse-query", "alt-names", "http10", "minimal", "preset-form"
]
PROFILES: Final[tuple[str, ...]] = get_args(Profile.__value__)

# sparse-query: the only (area, group) pairs whose own `_query?Group=<group>` is answered. Of the other areas,
# `camera` refuses a query with 403, `record` answers 200 with no group at all, the rest with 501.
SPARSE_QUERY_GROUPS: Final = frozenset(
    {
        ("major_stream", "StreamInfo"),
        ("minor_stream", "StreamInfo"),
        ("image", "ImageInfo"),
        ("sys", "TimeInfo"),
    }
)


@dataclass
class EmulatorConfig:
    """How the emulated camera is built and how it behaves on the wire.

    A `profile` other than "spec" fixes the knobs it is about (minimal: ptz, sd_card, sd_slot and wifi off; http10:
    framing "all_lf"), whatever was passed for them.
    """

    username: str = "admin"
    password: str = "admin"
    auth: AuthKind = "basic"
    channels: int = 1
    ptz: bool = True
    sd_card: bool = True
    # False: the recorder has no card slot at all (record / RecordDevice answers 501).
    sd_slot: bool = True
    wifi: bool = True
    mac: str = "00:2a:2a:12:34:56"
    device_id: str = "V6202IR-AR0237"
    firmware: str = "V1.04.10-161208"
    serial: str = "5509560FBF2D"
    framing: Framing = "spec_mixed"
    mjpeg_framing: MjpegFraming = "repeated"
    latency: float = 0.0
    max_connections: int | None = None
    stream_limit: int = 2
    reboot_seconds: float = 1.0
    mjpeg_fps: float = 10.0
    realm: str = "IPCamera"
    profile: Profile = "spec"
    # Live motion (tests/emulator/onvif.py): `/cgi/getAlarmStatus`, and an ONVIF events service on its own port
    # (0 picks a free one) announcing CellMotionDetector ("cell") or VideoSource/MotionAlarm ("alarm") topics.
    alarm_status: bool = False
    onvif: bool = False
    onvif_port: int = 0
    onvif_topic: str = "cell"
    # TimeInfo TimeZone at the factory (minutes east of UTC; 480 as in the document's example).
    time_zone: int = 480
    # RTSP (tests/emulator/rtsp.py) on its own port (0 picks a free one), reported as NetPortInfo RtspPort; the path
    # layout is one of rtsp.LAYOUTS (the family's `/<ch>/h264major` unless told otherwise).
    rtsp: bool = True
    rtsp_port: int = 0
    rtsp_layout: str = "h264major"
    # Another password for RTSP than for HTTP (None: the same), as on a camera whose RTSP user was changed.
    rtsp_password: str | None = None
    # `/jpgmulreq/<ch>/image.jpg`: a JPEG per GET on a kept-alive connection (field notes §7 E.21); without it the
    # path answers 404 like any unknown one.
    jpgmulreq: bool = True

    def __post_init__(self) -> None:
        """Apply the profile's fixed knobs."""
        if self.profile not in PROFILES:
            msg = f"unknown profile {self.profile!r}; one of {', '.join(PROFILES)}"
            raise ValueError(msg)
        if self.profile == "minimal":
            self.ptz = self.sd_card = self.sd_slot = self.wifi = False
        elif self.profile == "http10":
            self.framing = "all_lf"
