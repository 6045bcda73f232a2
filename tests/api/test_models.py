"""Typed models and field-name tolerance (docs/wire-decisions.md "Field names")."""

from __future__ import annotations

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    DeviceInfo,
    NetPortInfo,
    ParamGroup,
    SdStatus,
    TimeInfo,
)
from custom_components.cgi_camera.api.models import normalize_mac
from custom_components.cgi_camera.api.names import FIELD_SPELLINGS, canonical_group
from custom_components.cgi_camera.sensor import SD_STATES


def test_sd_status_follows_the_document_and_the_sensor() -> None:
    """Defect 11.12: the SDStatus table (spec §3.5.1): 2 = card pulled out, 4 = mounted, 5 = unmounted..."""
    assert SdStatus(2) is SdStatus.REMOVED
    assert SdStatus(3) is SdStatus.FORMATTING
    assert SdStatus(4) is SdStatus.MOUNTED
    assert SdStatus(5) is SdStatus.UNMOUNTED
    assert SdStatus(6) is SdStatus.WRITE_PROTECTED
    assert [status.name.lower() for status in SdStatus] == list(SD_STATES)


@pytest.mark.parametrize(
    ("firmware", "serial", "mac"),
    [
        ("Firmware", "SerialNum", "Mac"),
        ("SoftwareVersion", "SerialNumber", "MacAddress"),
        ("Software", "SerialNumber", "MAC"),
        ("SWVersion", "Serial_Number", "mac_address"),
        ("Software Version", "SERIALNUM", "MACAddress"),
    ],
)
def test_device_info_spellings(firmware: str, serial: str, mac: str) -> None:
    """Issue 12.2: DeviceInfo's firmware, serial and MAC under every spelling firmwares use."""
    info = DeviceInfo.from_group(
        ParamGroup(
            "DeviceInfo",
            {"DeviceID": "X", firmware: "V1", serial: "S1", mac: "00-2A-2A-12-34-56"},
        )
    )
    assert (info.device_id, info.firmware, info.serial) == ("X", "V1", "S1")
    assert info.mac == "00:2a:2a:12:34:56"
    assert info.raw["DeviceID"] == "X"


def test_canonical_names() -> None:
    group = ParamGroup("AudioInfo", {"AudioEnable": 1, "Volume": 5})
    renamed, renames = canonical_group("audio", group)
    assert dict(renamed) == {"AudioEnable": 1, "AudioVolume": 5}
    assert renames == {"AudioVolume": "Volume"}
    # The canonical name wins when both are there; unknown groups and areas pass through untouched.
    both = ParamGroup("AudioInfo", {"AudioVolume": 7, "Volume": 5})
    assert canonical_group("audio", both) == (both, {})
    other = ParamGroup("OSDInfo", {"Volume": 1})
    assert canonical_group("image", other) == (other, {})
    assert canonical_group("audio", ParamGroup("AudioInfo", {"X": 1}))[1] == {}
    # Case, spaces, `_` and `-` do not matter.
    wifi, renames = canonical_group(
        "wifi", ParamGroup("WifiInfo", {"Enable": 1, "wifi_chanel": 6})
    )
    assert dict(wifi) == {"enable": 1, "WifiChannel": 6}
    assert renames == {"enable": "Enable", "WifiChannel": "wifi_chanel"}
    # Every spelling table is about a group the document prints as an untagged list or spells two ways.
    assert ("sys", "DeviceInfo") in FIELD_SPELLINGS


def test_models_tolerate_missing_and_bad_values() -> None:
    assert normalize_mac("002a2a123456") == "00:2a:2a:12:34:56"
    assert normalize_mac("garbage") is None
    assert normalize_mac("00:2a:2a:12:34:56:78") is None
    assert normalize_mac("zz:2a:2a:12:34:56") is None
    empty = DeviceInfo.from_group(ParamGroup("DeviceInfo"))
    assert (empty.mac, empty.device_id, empty.firmware) == (None, None, None)
    time_info = TimeInfo.from_group(
        ParamGroup("TimeInfo", {"NTPSwitch": 1, "DaylightEnable": 0, "TimeZone": "x"})
    )
    assert (time_info.time_method, time_info.daylight_enable, time_info.time_zone) == (
        1,
        False,
        None,
    )
    ports = NetPortInfo.from_group(ParamGroup("NetPortInfo", {"RTSPPort": 8554}))
    assert (ports.rtsp_port, ports.http_port) == (8554, None)
    # 0 (off on some firmware) or out of range: no usable port.
    off = NetPortInfo.from_group(
        ParamGroup("NetPortInfo", {"OnvifPort": 0, "RtspPort": 70000})
    )
    assert (off.onvif_port, off.rtsp_port) == (None, None)
