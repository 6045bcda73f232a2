"""Element names firmwares spell in several ways: one canonical name each (docs/wire-decisions.md "Field names").

The document prints most get replies as untagged lists ("Software Version", "SerialNumber", "IP Rate"), so each
firmware picks its own tags. The client renames a known alternative to the canonical name (the one the emulator and
docs/wire-decisions.md use) when it reads a group, and remembers the camera's spelling to use it in sets.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
import re
from typing import Final

from .parse import ParamGroup

__all__ = ["FIELD_SPELLINGS", "camera_spellings", "canonical_group"]

_STREAM: Final[dict[str, tuple[str, ...]]] = {
    "IPRate": ("GOP",),
    "VideoQuality": ("Quality",),
}

# (area, group) → canonical element → other spellings seen or implied by the document, best first. Besides these,
# a name that differs from the canonical one (or an alternative) only in case, spaces, `_` or `-` matches too.
FIELD_SPELLINGS: Final[dict[tuple[str, str], dict[str, tuple[str, ...]]]] = {
    ("sys", "DeviceInfo"): {
        "Firmware": (
            "SoftwareVersion",
            "Software",
            "SWVersion",
            "SoftVersion",
            "FirmwareVersion",
        ),
        "SerialNum": ("SerialNumber", "Serial", "SN"),
        "Mac": ("MacAddress", "MacAddr"),
    },
    ("sys", "TimeInfo"): {
        "TimeMethod": ("NTPSwitch", "NTPEnable"),
        "CameraTime": ("Time",),
        "NTPServerIP": ("NTPServer",),
    },
    ("sys", "HardwareV"): {"HwdVersion": ("HardwareVersion",)},
    ("major_stream", "StreamInfo"): _STREAM,
    ("minor_stream", "StreamInfo"): _STREAM,
    ("mjpeg", "StreamInfo"): _STREAM,
    ("audio", "AudioInfo"): {"AudioVolume": ("Volume",), "AudioEnable": ("Enable",)},
    ("record", "RecordControl"): {"Lenght": ("Length", "RecordLength")},
    ("record", "RecordDevice"): {
        "WriteProtect": ("SDWriteProtect", "WriteProtected"),
        "TotalSpace": ("Total",),
        "UsedSpace": ("Used",),
    },
    ("camera", "ExposureInfo"): {"BLCLevel": ("BLCLLevel",)},
    ("net", "AddressInfo"): {
        "IPAddress": ("IP", "IPAddr"),
        "SubnetMask": ("Netmask",),
        "AutoDNSEnable": ("AutoDNS",),
    },
    ("netport", "NetPortInfo"): {
        "HttpPort": ("WebPort",),
        "RtspPort": ("RTSPPort",),
        "OnvifPort": ("ONVIFPort",),
    },
    ("wifi", "WifiInfo"): {
        "enable": ("WifiEnable",),
        "WifiChannel": ("WifiChanel",),
        "Signal": ("WifiSignal",),
        "Protocol": ("WifiProtocol",),
    },
}

_NOISE = re.compile(r"[\s_\-]")


def _key(name: str) -> str:
    return _NOISE.sub("", name).lower()


# (area, group) → [(canonical, the match keys of it and its alternatives, best first)], computed once.
_WANTED: Final = {
    where: [
        (canonical, tuple(dict.fromkeys(map(_key, (canonical, *alternatives)))))
        for canonical, alternatives in spellings.items()
    ]
    for where, spellings in FIELD_SPELLINGS.items()
}


def camera_spellings(area: str, group: str, names: Iterable[str]) -> dict[str, str]:
    """Return {canonical name: the camera's name} for the elements `names` of `group` spelled otherwise."""
    wanted = _WANTED.get((area, group))
    if not wanted:
        return {}
    canonicals = FIELD_SPELLINGS[area, group]
    names = names if isinstance(names, Collection) else list(names)
    renames: dict[str, str] = {}
    present: dict[str, str] | None = None
    for canonical, keys in wanted:
        if canonical in names:
            continue
        if present is None:
            # Another canonical name present is never taken for an alternative spelling.
            present = {_key(name): name for name in names if name not in canonicals}
        for key in keys:
            if (name := present.get(key)) is not None:
                renames[canonical] = name
                del present[key]  # one element never fills two names
                break
    return renames


def canonical_group(area: str, group: ParamGroup) -> tuple[ParamGroup, dict[str, str]]:
    """Return `group` with known alternative names renamed, and {canonical: camera's name} for each rename."""
    renames = camera_spellings(area, group.name, group)
    if not renames:
        return group, {}
    by_wire = {wire: canonical for canonical, wire in renames.items()}
    values = {by_wire.get(name, name): value for name, value in group.items()}
    return ParamGroup(group.name, values), renames
