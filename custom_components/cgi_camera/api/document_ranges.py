"""The ranges and option lists the vendor document gives, for cameras that do not answer `_query`.

Each group says where in `camera-http-api.txt` its table is (section and page, from the document's contents). Only
what the table states is here: a parameter whose range the document leaves open ("1 ... n", "...", an empty cell)
is ReadOnly, so the integration reads it but never sends a value nobody vouched for (docs/wire-decisions.md
"Capabilities from the document"). `commands` are the set-only parameters of a group (never in its get reply): they
exist when the group does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from .capabilities import Capability, Choices, FreeString, IntRange, ReadOnly

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DOCUMENT_RANGES", "DocumentedGroup"]


@dataclass(frozen=True, slots=True)
class DocumentedGroup:
    """One group's table in the document."""

    source: str
    params: Mapping[str, Capability]
    commands: frozenset[str] = field(default_factory=frozenset)

    def capability(self, param: str) -> Capability:
        """Return the document's range for `param` (ReadOnly when the table gives none)."""
        return self.params.get(param, ReadOnly())


ON_OFF: Final = Choices((0, 1))
BYTE: Final = IntRange(0, 255)
TEXT: Final = FreeString()
PERCENT_XY: Final = IntRange(0, 99)
OSD_SIZE: Final = IntRange(1, 8)
PORT: Final = IntRange(1, 65535)
# §3.1.4: every TimeZone value the table lists, minutes east of UTC.
TIME_ZONES: Final = Choices(
    (
        -720,
        -660,
        -600,
        -540,
        -480,
        -420,
        -360,
        -300,
        -240,
        -210,
        -180,
        -120,
        -60,
        0,
        60,
        120,
        180,
        210,
        240,
        270,
        300,
        330,
        345,
        360,
        390,
        420,
        480,
        540,
        570,
        600,
        660,
        720,
        780,
    )  # fmt: skip
)

_STREAM = DocumentedGroup(
    "§3.2.4 Video parameters (Stream specific), p. 15",
    {
        # Resolution ("For example 720x480 ..."), BitRate ("0, 1 ... n"), FrameRate and IPRate ("1 ... n"): open.
        "StreamRateCut": ON_OFF,
        "BitType": ON_OFF,
        "VideoQuality": IntRange(0, 4),
        "Payload": ON_OFF,
    },
)

_OSD: dict[str, Capability] = {
    "TextOSDStatus": ON_OFF,
    "TextOSDTitle": TEXT,
    "TextOSDX": PERCENT_XY,
    "TextOSDY": PERCENT_XY,
    "TextOSDSize": OSD_SIZE,
    "MultipleOSDStatus": ON_OFF,
    "MultipleOSDX": PERCENT_XY,
    "MultipleOSDY": PERCENT_XY,
    "MultipleOSDSize": OSD_SIZE,
    "DateOSDStatus": ON_OFF,
    "DateOSDX": PERCENT_XY,
    "DateOSDY": PERCENT_XY,
    "TimeOSDStatus": ON_OFF,
    "TimeOSDX": PERCENT_XY,
    "TimeOSDY": PERCENT_XY,
    "TimeOSDSize": OSD_SIZE,
}
for _i in range(1, 5):  # "TextOSDStatus i ... i between 1 and 4"
    _OSD |= {
        f"TextOSDStatus{_i}": ON_OFF,
        f"TextOSDTitle{_i}": TEXT,
        f"TextOSDX{_i}": PERCENT_XY,
        f"TextOSDY{_i}": PERCENT_XY,
        f"TextOSDSize{_i}": OSD_SIZE,
    }

DOCUMENT_RANGES: Final[dict[tuple[str, str], DocumentedGroup]] = {
    ("sys", "DeviceInfo"): DocumentedGroup(
        "§3.1.4 System parameters, p. 10", {"SerialNum": TEXT}
    ),
    ("sys", "TimeInfo"): DocumentedGroup(
        "§3.1.4 System parameters, p. 10",
        {
            "TimeMethod": ON_OFF,
            # CameraTime "1...n seconds": open.
            "DaylightEnable": ON_OFF,
            "TimeZone": TIME_ZONES,
            "NTPServerIP": TEXT,
        },
    ),
    ("major_stream", "StreamInfo"): _STREAM,
    ("minor_stream", "StreamInfo"): _STREAM,
    ("mjpeg", "StreamInfo"): _STREAM,
    ("image", "ImageInfo"): DocumentedGroup(
        "§3.3.4 Video parameters (Image specific), p. 17",
        {
            "Format": ON_OFF,
            # The table's merged cells: Hue's "int, 0 ... 255" covers the five rows below it ("0 = Darkest ...
            # 255 = Brightest"). Gamma says only "int": open.
            "Hue": BYTE,
            "Brightness": BYTE,
            "Sharpness": BYTE,
            "Saturation": BYTE,
            "Contrast": BYTE,
            "Denoise": BYTE,
        },
    ),
    ("image", "OSDInfo"): DocumentedGroup(
        "§3.3.4 Video parameters (Image specific), p. 17-18", _OSD
    ),
    ("audio", "AudioInfo"): DocumentedGroup(
        "§3.4.4 Audio parameters, p. 20",
        {
            "AudioEnable": ON_OFF,
            "AudioCodec": Choices(("G711U", "G711A", "PCM", "G726", "AAC")),
            # SampleRate "8, 44...n": open.
            "AudioVolume": IntRange(0, 9),
        },
    ),
    ("record", "RecordControl"): DocumentedGroup(
        "§3.5.4 Record parameters, p. 21-22",
        {
            "Loop": ON_OFF,
            "Mode": ON_OFF,
            "StreamType": ON_OFF,
            "Event": ON_OFF,
            "Lenght": IntRange(10, 3600),
        },
    ),
    ("record", "RecordDevice"): DocumentedGroup(
        "§3.5.4 Record parameters, p. 22",
        {"Operate": Choices((0, 1, 2))},
        commands=frozenset({"Operate"}),
    ),
    ("ptz", "PTZCtrlInfo"): DocumentedGroup(
        "§3.6.4 PTZ parameters, p. 24-25",
        {
            "Stop": Choices((0,)),
            "Direction": IntRange(1, 8),
            "PanSpeed": IntRange(0, 63),
            "TiltSpeed": IntRange(0, 63),
            "Iris": ON_OFF,
            "Zoom": ON_OFF,
            "Focus": ON_OFF,
            "AutoScan": Choices((1,)),
            "Preset": ON_OFF,
            "PresetNumber": IntRange(1, 255),
            "PresetTitle": TEXT,
            "Pattern": Choices((0, 1, 2)),
            "PatternNumber": IntRange(1, 4),
            "AutoPan": Choices((0, 1, 2)),
            "AutoPanNumber": IntRange(1, 4),
            "Model": ON_OFF,
            "Pan": IntRange(0, 36000),
            "Tilt": IntRange(0, 36000),
            "ZoomPosition": IntRange(0, 65535),
        },
        commands=frozenset(
            {
                "Stop",
                "Iris",
                "Zoom",
                "Focus",
                "Preset",
                "PresetNumber",
                "PresetTitle",
                "Pattern",
                "PatternNumber",
                "AutoPan",
                "AutoPanNumber",
                "Model",
                "PanSpeed",
                "TiltSpeed",
            }
        ),
    ),
    ("ptz", "SpeedInfo"): DocumentedGroup(
        "§3.6.4 PTZ parameters, p. 25",
        {
            "PanSpeed": IntRange(1, 8),
            "TiltSpeed": IntRange(1, 8),
            "ZoomSpeed": IntRange(0, 2),
            "FocusSpeed": IntRange(0, 2),
        },
    ),
    ("ptz", "PresetNameInfo"): DocumentedGroup(
        "§3.6.4 PTZ parameters, p. 25",
        {"PresetNumber": IntRange(1, 255), "PresetTitle": TEXT},
    ),
    ("ptz", "TourInfo"): DocumentedGroup(
        "§3.6.4 PTZ parameters, p. 25",
        {
            "TourNum": IntRange(1, 4),
            "TourAct": ON_OFF,
            "PresetNumber": IntRange(1, 255),
        },
    ),
    ("camera", "BasicInfo"): DocumentedGroup(
        "§3.8.4 Basic parameters, p. 29",
        {
            "MirrorHor": ON_OFF,
            "MirrorVer": ON_OFF,
            "WDRSwitch": ON_OFF,
            "WDRLevel": BYTE,
            "AFCSwitch": ON_OFF,
            "AFGSwitch": ON_OFF,
            "LSCSwitch": ON_OFF,
            "LDCSwitch": ON_OFF,
            "DISSwitch": ON_OFF,
            "WBMode": ON_OFF,
            "WBRGain": BYTE,
            "WBBGain": BYTE,
            "LDCLevel": BYTE,
        },
    ),
    ("camera", "ExposureInfo"): DocumentedGroup(
        "§3.8.5 Exposure parameters, p. 30-31",
        {
            "ExposureMode": Choices((0, 1, 2)),
            "ScenceSelect": ON_OFF,
            # "2,4,8 ...64" with "2 = 2x 4 = 4x 8 = 8x 64 = 64x": the gains double.
            "AGCMax": Choices((2, 4, 8, 16, 32, 64)),
            "AGCManual": Choices((1, 2, 4, 8, 16, 32, 64)),
            # ShutterMax / ShutterManual "25,30 ...8000": the steps between are not given: open.
            "ICRSwitch": Choices((0, 1, 2, 3)),
            "ICREnable": ON_OFF,
            "ICRTimer": Choices((0, 3, 5, 10)),
            "ICRC2BThr": BYTE,
            "ICRB2CThr": BYTE,
            "BLCSwitch": ON_OFF,
            "ColorMode": Choices((0, 1, 2)),
            "BLCLevel": IntRange(0, 240),
            # setValue "0, 1" but the description names four metering modes 0..3: the description wins.
            "HLCSwitch": Choices((0, 1, 2, 3)),
            "ELCLevel": BYTE,
        },
    ),
    ("net", "AddressInfo"): DocumentedGroup(
        "§3.9.4 Net parameters, p. 34",
        {
            "IPAddress": TEXT,
            "SubnetMask": TEXT,
            "Gateway": TEXT,
            "AddressType": ON_OFF,
            "AutoDNSEnable": ON_OFF,
            "DNSServer": TEXT,
            "DNSServer2": TEXT,
        },
    ),
    ("netport", "NetPortInfo"): DocumentedGroup(
        "§3.10.4 Net Port parameters, p. 36",
        {
            "HttpPort": PORT,
            "VideoPort": PORT,
            "RtspPort": PORT,
            "OnvifPort": PORT,
            "RecordPort": PORT,
        },
    ),
    ("wifi", "WifiInfo"): DocumentedGroup(
        "§3.12.5 Wifi parameters, p. 37",
        {
            "enable": ON_OFF,
            "SSID": TEXT,
            "password": TEXT,
            "AutoMode": ON_OFF,
            "Protocol": Choices(("b", "g")),
            "WifiChannel": IntRange(1, 14),
            "Mode": ON_OFF,
        },
    ),
    ("alarm", "MDInfo"): DocumentedGroup(
        "§3.13.4 Alarm parameters, p. 41",
        {"MDArea": TEXT, "MDEnable": ON_OFF, "MDSensitivity": IntRange(1, 100)},
    ),
    ("alarm", "MDAccessInfo"): DocumentedGroup(
        "§3.13.4 Alarm parameters, p. 42",
        {
            "MO1": ON_OFF,
            "MM": ON_OFF,
            "MF": ON_OFF,
            "MT": ON_OFF,
            "MS": ON_OFF,
            "MA": ON_OFF,
        },
    ),
}
