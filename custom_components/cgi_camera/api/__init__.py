"""Async client for the CGI/XML HTTP API of HiSilicon OEM IP cameras (no Home Assistant imports)."""

from __future__ import annotations

from .alarm_status import AlarmStatus
from .capabilities import (
    Capabilities,
    Capability,
    CapabilityBlock,
    Choices,
    FreeString,
    IntRange,
    ReadOnly,
)
from .client import CgiCamera
from .discovery import (
    KNOWN_GROUPS,
    CameraCapabilities,
    CapabilitySource,
    DiscoveredCapabilities,
    GroupDiscovery,
)
from .errors import (
    AuthenticationFailed,
    CameraTimeout,
    CannotConnect,
    CgiError,
    InvalidChannel,
    InvalidName,
    InvalidValue,
    MalformedReply,
    NoImage,
    NotAvailableInMode,
    NotFound,
    NotSupported,
    ResultCodeError,
    ServerFailed,
)
from .models import (
    DeviceInfo,
    NetPortInfo,
    PtzDirection,
    SdOperation,
    SdStatus,
    TimeInfo,
    preset_titles,
)
from .motion_area import MotionArea
from .parse import ParamGroup
from .rtsp import RTSP_LAYOUTS, RtspCheck, RtspOutcome

__all__ = [
    "KNOWN_GROUPS",
    "RTSP_LAYOUTS",
    "AlarmStatus",
    "AuthenticationFailed",
    "CameraCapabilities",
    "CameraTimeout",
    "CannotConnect",
    "Capabilities",
    "Capability",
    "CapabilityBlock",
    "CapabilitySource",
    "CgiCamera",
    "CgiError",
    "Choices",
    "DeviceInfo",
    "DiscoveredCapabilities",
    "FreeString",
    "GroupDiscovery",
    "IntRange",
    "InvalidChannel",
    "InvalidName",
    "InvalidValue",
    "MalformedReply",
    "MotionArea",
    "NetPortInfo",
    "NoImage",
    "NotAvailableInMode",
    "NotFound",
    "NotSupported",
    "ParamGroup",
    "PtzDirection",
    "ReadOnly",
    "ResultCodeError",
    "RtspCheck",
    "RtspOutcome",
    "SdOperation",
    "SdStatus",
    "ServerFailed",
    "TimeInfo",
    "preset_titles",
]
