"""Configuration of the camera emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["AuthKind", "EmulatorConfig", "Framing", "MjpegFraming"]

type AuthKind = Literal["basic", "digest", "none"]
type Framing = Literal["spec_mixed", "all_lf", "goahead_mixed", "crlf"]
type MjpegFraming = Literal["repeated", "multipart"]


@dataclass
class EmulatorConfig:
    """How the emulated camera is built and how it behaves on the wire."""

    username: str = "admin"
    password: str = "admin"
    auth: AuthKind = "basic"
    channels: int = 1
    ptz: bool = True
    sd_card: bool = True
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
    # Live motion (tests/emulator/onvif.py): `/cgi/getAlarmStatus`, and an ONVIF events service on its own port
    # (0 picks a free one) announcing CellMotionDetector ("cell") or VideoSource/MotionAlarm ("alarm") topics.
    alarm_status: bool = False
    onvif: bool = False
    onvif_port: int = 0
    onvif_topic: str = "cell"
