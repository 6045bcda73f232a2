"""Mutable state of the emulated camera: device-wide groups plus one ChannelState per channel.

Tests read and change it directly, e.g. `emu.state.channel(1).image["Brightness"] = 10` or
`emu.state.channel(1).ptz.moving`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import time
from typing import TYPE_CHECKING

from .groups import (
    IPV4,
    Cap,
    Choices,
    FreeString,
    Group,
    IntRange,
    Pattern,
    ReadOnly,
    Value,
)
from .ptz import PtzState

if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import EmulatorConfig

__all__ = [
    "MAJOR_RESOLUTIONS",
    "MINOR_RESOLUTIONS",
    "TIME_ZONES",
    "CameraState",
    "ChannelState",
    "Recording",
    "Rs485State",
    "SdCard",
    "User",
]

RO = ReadOnly()
ONOFF = Choices((0, 1))
ANY = FreeString(label="any string")
VALID = FreeString(label="Any valid string")
IP = Pattern(IPV4, "valid string")
EMAIL = Pattern(r"(?:[^@\s]+@[^@\s]+)?", "valid string")
PCT = IntRange(0, 99)
BYTE = IntRange(0, 255)
FRAME_RATES = Choices((3, 5, 10, 15, 20, 25, 30))
GOPS = Choices((5, 10, 15, 20, 25, 30, 40, 50, 60, 100, 120))

# Resolution → maximum BitRate (kbit/s): each query block carries its own range.
MAJOR_RESOLUTIONS: dict[str, int] = {
    "1920x1080": 10000,
    "1280x960": 8000,
    "1280x720": 6000,
    "720x576": 4000,
    "720x480": 4000,
    "640x480": 3000,
}
MINOR_RESOLUTIONS: dict[str, int] = {
    "720x576": 2048,
    "720x480": 2048,
    "640x480": 2048,
    "640x360": 1536,
    "352x288": 1024,
    "320x240": 1024,
}
TIME_ZONES: tuple[int, ...] = (
    -720, -660, -600, -540, -480, -420, -360, -300, -240, -210, -180, -120, -60, 0, 60, 120, 180, 210,
    240, 270, 300, 330, 345, 360, 390, 420, 480, 540, 570, 600, 660, 720, 780,
)  # fmt: skip


def _g(name: str, params: dict[str, tuple[Value, Cap]], **kw: dict[str, str]) -> Group:
    return Group(name, params, aliases=kw.get("aliases"))


def stream_group(
    channel: int, resolutions: dict[str, int], defaults: dict[str, Value], min_rate: int
) -> Group:
    """Return a StreamInfo group (major/minor); sets check BitRate against the resolution's own maximum."""
    return Group(
        "StreamInfo",
        {
            "Channel": (channel, RO),
            "Resolution": (str(defaults["Resolution"]), Choices(tuple(resolutions))),
            "BitRate": (
                int(defaults["BitRate"]),
                IntRange(min_rate, max(resolutions.values())),
            ),
            "BitType": (0, ONOFF),
            "FrameRate": (int(defaults["FrameRate"]), FRAME_RATES),
            "IPRate": (50, GOPS),
            "Payload": (0, ONOFF),
            "StreamRateCut": (0, ONOFF),
            "VideoQuality": (2, IntRange(0, 4)),
        },
    )


@dataclass
class SdCard:
    """The SD card of one channel's recorder."""

    present: bool = True
    total_mb: int = 30436
    used_mb: int = 1024
    status: int = 4  # 4 mounted
    write_protect: int = 0
    format_until: float = 0.0  # monotonic time when a running format completes

    def refresh(self) -> None:
        """Finish a format whose time is up."""
        if self.status == 3 and time.monotonic() >= self.format_until:
            self.status = 4
            self.used_mb = 0


@dataclass
class Recording:
    """One file on the SD card."""

    file_name: str
    start: int
    end: int
    size_kb: int


@dataclass
class Rs485State:
    """The RS-485 port: what was sent, and what the peer answers."""

    sent: list[bytes] = field(default_factory=list)
    received: bytearray = field(default_factory=bytearray)
    # The emulated peer: given the bytes sent, return its answer (default: the bytes reversed).
    responder: Callable[[bytes], bytes] = field(default=lambda data: data[::-1])


@dataclass
class User:
    """One account on the camera."""

    password: str
    privilege: int


class ChannelState:
    """Everything that exists once per video channel."""

    def __init__(self, number: int, config: EmulatorConfig) -> None:
        """Build factory defaults for channel `number`."""
        self.number = number
        self.major = stream_group(
            number,
            MAJOR_RESOLUTIONS,
            {"Resolution": "1920x1080", "BitRate": 512, "FrameRate": 20},
            256,
        )
        self.minor = stream_group(
            number,
            MINOR_RESOLUTIONS,
            {"Resolution": "640x480", "BitRate": 512, "FrameRate": 25},
            64,
        )
        self.mjpeg = _g(
            "StreamInfo",
            {
                "Channel": (number, RO),
                "Resolution": ("1280x720", Choices(("1280x720", "CLOSED"))),
                "FrameRate": (5, Choices((1, 2, 3, 4, 5))),
                "VideoQuality": (2, IntRange(0, 4)),
            },
        )
        self.image = _g(
            "ImageInfo",
            {
                "Format": (0, ONOFF),
                "Hue": (128, BYTE),
                "Brightness": (128, BYTE),
                "Sharpness": (128, BYTE),
                "Saturation": (128, BYTE),
                "Contrast": (128, BYTE),
                "Denoise": (128, BYTE),
                "Gamma": (4, IntRange(0, 10)),
            },
        )
        osd: dict[str, tuple[Value, Cap]] = {
            "TextOSDStatus": (1, ONOFF),
            "TextOSDTitle": ("HD-IPC", ANY),
            "TextOSDX": (2, PCT),
            "TextOSDY": (2, PCT),
            "TextOSDSize": (3, IntRange(1, 8)),
        }
        for i in range(1, 5):
            osd |= {
                f"TextOSDStatus{i}": (0, ONOFF),
                f"TextOSDTitle{i}": ("", ANY),
                f"TextOSDX{i}": (2, PCT),
                f"TextOSDY{i}": (10 + 10 * i, PCT),
                f"TextOSDSize{i}": (3, IntRange(1, 8)),
            }
        osd |= {
            "MultipleOSDStatus": (0, ONOFF),
            "MultipleOSDX": (2, PCT),
            "MultipleOSDY": (80, PCT),
            "MultipleOSDSize": (3, IntRange(1, 8)),
            "DateOSDStatus": (1, ONOFF),
            "DateFormat": (0, Choices((0, 1, 2))),
            "DateOSDX": (60, PCT),
            "DateOSDY": (2, PCT),
            "TimeOSDStatus": (1, ONOFF),
            "TimeOSDX": (80, PCT),
            "TimeOSDY": (2, PCT),
            "TimeOSDSize": (3, IntRange(1, 8)),
        }
        self.osd = _g("OSDInfo", osd)
        self.roi = _g(
            "ROIInfo",
            {
                "ROIStatus": (0, ONOFF),
                "ROILevel": (3, IntRange(0, 5)),
                "ROIX0": (25, PCT),
                "ROIY0": (25, PCT),
                "ROIX1": (75, PCT),
                "ROIY1": (75, PCT),
            },
        )
        self.areaexp = _g(
            "AreaExpInfo",
            {
                "AreaExpStatus": (0, ONOFF),
                "AreaExpX0": (25, PCT),
                "AreaExpY0": (25, PCT),
                "AreaExpX1": (75, PCT),
                "AreaExpY1": (75, PCT),
            },
        )
        privacy: dict[str, tuple[Value, Cap]] = {}
        for i in range(1, 5):
            privacy |= {
                f"MaskStatus{i}": (0, ONOFF),
                f"MaskX0_{i}": (0, PCT),
                f"MaskY0_{i}": (0, PCT),
                f"MaskX1_{i}": (10, PCT),
                f"MaskY1_{i}": (10, PCT),
            }
        self.privacy = _g("PrivacyMaskInfo", privacy)
        self.audio = _g(
            "AudioInfo",
            {
                "AudioEnable": (0, ONOFF),
                "AudioCodec": (
                    "G711U",
                    Choices(("G711U", "G711A", "PCM", "G726", "AAC")),
                ),
                "AudioVolume": (0, IntRange(0, 9)),
                "SampleRate": (8, Choices((8, 16, 44))),
            },
        )
        self.record_control = _g(
            "RecordControl",
            {
                "Loop": (1, ONOFF),
                "Mode": (0, ONOFF),
                "StreamType": (1, ONOFF),
                "Event": (0, ONOFF),
                "Lenght": (600, IntRange(10, 3600)),
            },
        )
        self.sd = SdCard(present=config.sd_card)
        if not config.sd_card:
            self.sd = SdCard(present=False, total_mb=0, used_mb=0, status=0)
        self.record_device = _g(
            "RecordDevice",
            {
                "Channel": (number, RO),
                "TotalSpace": (0, RO),
                "UsedSpace": (0, RO),
                "SDStatus": (0, RO),
                "WriteProtect": (0, RO),
            },
        )
        now = int(time.time())
        self.recordings: list[Recording] = [
            Recording(
                f"/mnt/sd/record/{number}/{time.strftime('%Y%m%d_%H%M%S', time.gmtime(now - k * 3600))}.mp4",
                now - k * 3600,
                now - k * 3600 + 600,
                30000 + k,
            )
            for k in (3, 2, 1)
        ]
        self.ptz = PtzState()
        self.speed = _g(
            "SpeedInfo",
            {
                "PanSpeed": (6, IntRange(1, 8)),
                "TiltSpeed": (6, IntRange(1, 8)),
                "ZoomSpeed": (2, IntRange(0, 2)),
                "FocusSpeed": (2, IntRange(0, 2)),
            },
        )
        self.protocol = _g(
            "ProtocolInfo",
            {
                "CamAddr": (1, IntRange(1, 255)),
                "ProtocolType": (0, IntRange(0, 2)),
                "BaudRate": (2, IntRange(0, 4)),
                "Protocol3D": (0, ONOFF),
                "UserMode": (0, IntRange(0, 3)),
            },
        )
        self.rs485 = Rs485State()
        self.basic = _g(
            "BasicInfo",
            {
                "MirrorHor": (0, ONOFF),
                "MirrorVer": (0, ONOFF),
                "WDRSwitch": (0, ONOFF),
                "WDRLevel": (128, BYTE),
                "AFCSwitch": (0, ONOFF),
                "AFGSwitch": (0, ONOFF),
                "LSCSwitch": (0, ONOFF),
                "LDCSwitch": (0, ONOFF),
                "LDCLevel": (0, BYTE),
                "DISSwitch": (0, ONOFF),
                "WBMode": (0, ONOFF),
                "WBRGain": (128, BYTE),
                "WBBGain": (128, BYTE),
            },
        )
        shutters = Choices((25, 30, 50, 60, 100, 120, 250, 500, 1000, 2000, 4000, 8000))
        self.exposure = _g(
            "ExposureInfo",
            {
                "ExposureMode": (0, Choices((0, 1, 2))),
                "ScenceSelect": (0, ONOFF),
                "AGCMax": (16, Choices((2, 4, 8, 16, 32, 64))),
                "AGCManual": (1, Choices((1, 2, 4, 8, 16, 32, 64))),
                "ShutterMax": (30, shutters),
                "ShutterManual": (100, shutters),
                "SlowShutter": (0, ONOFF),
                "ICRSwitch": (3, Choices((0, 1, 2, 3))),
                "ICREnable": (1, ONOFF),
                "ICRTimer": (5, Choices((0, 3, 5, 10))),
                "ICRC2BThr": (100, BYTE),
                "ICRB2CThr": (160, BYTE),
                "BLCSwitch": (0, ONOFF),
                "BLCLevel": (0, IntRange(0, 240)),
                "HLCSwitch": (0, Choices((0, 1, 2, 3))),
                "ColorMode": (0, Choices((0, 1, 2))),
                "ELCLevel": (128, BYTE),
            },
            aliases={"BLCLLevel": "BLCLevel"},
        )
        self.md_info = _g(
            "MDInfo",
            {
                "Channel": (number, RO),
                "MDEnable": (0, ONOFF),
                "MDSensitivity": (50, IntRange(1, 100)),
                "MDArea": (
                    "/".join([";;;f"] * 18),
                    Pattern(r"[0-9a-zA-Z:;/]*", "valid string"),
                ),
            },
        )
        self.md_access = _g(
            "MDAccessInfo",
            {
                "Channel": (number, RO),
                "MO1": (0, ONOFF),
                "MM": (0, ONOFF),
                "MF": (0, ONOFF),
                "MT": (0, ONOFF),
                "MS": (0, ONOFF),
                "MA": (0, ONOFF),
            },
            aliases={"MO": "MO1"},
        )

    def refresh(self) -> None:
        """Bring computed groups (RecordDevice) up to date."""
        self.sd.refresh()
        d = self.record_device.data
        d["TotalSpace"] = self.sd.total_mb if self.sd.present else 0
        d["UsedSpace"] = self.sd.used_mb if self.sd.present else 0
        d["SDStatus"] = self.sd.status if self.sd.present else 0
        d["WriteProtect"] = self.sd.write_protect

    def groups(self) -> list[Group]:
        """Return every plain group of the channel (for factory reset)."""
        return [
            self.major,
            self.minor,
            self.mjpeg,
            self.image,
            self.osd,
            self.roi,
            self.areaexp,
            self.privacy,
            self.audio,
            self.record_control,
            self.speed,
            self.protocol,
            self.basic,
            self.exposure,
            self.md_info,
            self.md_access,
        ]


class CameraState:
    """The whole camera; `CameraState(config)` gives factory defaults."""

    def __init__(self, config: EmulatorConfig) -> None:
        """Build factory defaults."""
        self.config = config
        self.channels = [ChannelState(n, config) for n in range(1, config.channels + 1)]
        self.start_time = time.monotonic()
        self.time_offset = 0.0  # CameraTime = wall clock + offset
        self.device_info = _g(
            "DeviceInfo",
            {
                "DeviceID": (config.device_id, RO),
                "Firmware": (config.firmware, RO),
                "SerialNum": (
                    config.serial,
                    Pattern(r"[0-9A-Fa-f]{12}", "valid string"),
                ),
                "Mac": (config.mac, RO),
            },
        )
        self.hardware = _g("HardwareV", {"HwdVersion": (1, ONOFF)})
        self.factory_check = _g("FactoryCheck", {"FactoryReset": (0, RO)})
        self.eapil = _g(
            "EapilInfo",
            {
                "CenterLX": (0, RO),
                "CenterLY": (0, RO),
                "CenterRX": (0, RO),
                "CenterRY": (0, RO),
                "GoolinkID": ("by019e253e", RO),
                "ElvisionUUID": ("abcd", RO),
            },
        )
        self.time_info = _g(
            "TimeInfo",
            {
                "TimeMethod": (0, ONOFF),
                "CameraTime": (0, IntRange(1, 2**31 - 1)),
                "UpTime": (0, RO),
                "DaylightEnable": (0, ONOFF),
                "TimeZone": (config.time_zone, Choices(TIME_ZONES)),
                "NTPServerIP": ("192.168.1.100", IP),
            },
        )
        self.system_info = _g(
            "SystemInfo",
            {"ResetFlag": (0, ONOFF), "IPkeep": (1, ONOFF), "Aging": (0, ONOFF)},
        )
        self.address = _g(
            "AddressInfo",
            {
                "IPAddress": ("192.168.1.100", IP),
                "SubnetMask": ("255.255.255.0", IP),
                "Gateway": ("192.168.1.1", IP),
                "AddressType": (0, ONOFF),
                "AutoDNSEnable": (1, ONOFF),
                "DNSServer": ("192.168.1.1", IP),
                "DNSServer2": ("8.8.8.8", IP),
            },
        )
        self.smtp = _g(
            "SMTPInfo",
            {
                "SMTPServerIP": ("0.0.0.0", IP),
                "SMTPPort": (25, IntRange(1, 65535)),
                "SMTPUseSSL": (0, ONOFF),
                "SMTPSSLPort": (465, IntRange(1, 65535)),
                "FromMail": ("ipc@domain.com", EMAIL),
                "ToMail": ("test@domain.com", EMAIL),
                "CcMail": ("", EMAIL),
                "SMTPAuth": (0, ONOFF),
                "SMTPUsername": ("", VALID),
                "SMTPPassword": ("", VALID),
                "SMTPSnapShot": (1, ONOFF),
            },
        )
        self.ftp = _g(
            "FTPInfo",
            {
                "FTPServerIP": ("0.0.0.0", IP),
                "FTPPort": (21, IntRange(0, 65535)),
                "FTPPath": ("/", VALID),
                "FTPCount": (1, IntRange(1, 10)),
                "FTPInterval": (1, IntRange(1, 15)),
                "FTPUsername": ("", VALID),
                "FTPPassword": ("", VALID),
                "FTPFilename": ("", VALID),
            },
        )
        self.digest_login = _g(
            "DigestLoginInfo",
            {"AuthenticationEnable": (int(config.auth == "digest"), ONOFF)},
        )
        self.ddns = _g(
            "DDNSInfo",
            {
                "DDNSEnable": (0, ONOFF),
                "DDNSType": (0, Choices((0, 1, 2, 3))),
                "DDNSServerAddr": ("", VALID),
                "DDNSServerPort": (80, IntRange(0, 65535)),
                "DDNSUserName": ("", VALID),
                "DDNSPassword": ("", VALID),
                "DDNSDomain": ("", VALID),
            },
        )
        self.alarm_server = _g(
            "AlarmServerInfo",
            {
                "AlarmServerIP": ("0.0.0.0", IP),
                "AlarmServerIP1": ("0.0.0.0", IP),
                "AlarmServerIP2": ("0.0.0.0", IP),
            },
        )
        self.net_protocol = _g(
            "NetProtocolInfo",
            {
                k: (int(k == "ONVIF"), ONOFF)
                for k in ("ONVIF", "HK", "XM", "TOPSEE", "ZW", "ZENO")
            },
        )
        self.kaicong = _g(
            "KaiCong",
            {
                "KcDdnsEnable": (0, ONOFF),
                "KcDdnsUser": ("", VALID),
                "KcDdnsPasswd": ("", VALID),
                "TutkEnable": (0, ONOFF),
                "TutkUid": ("", VALID),
            },
        )
        port = IntRange(1, 65535)
        self.netport = _g(
            "NetPortInfo",
            {
                "HttpPort": (80, port),
                "VideoPort": (90, port),
                "RtspPort": (554, port),
                "OnvifPort": (8999, port),
                "RecordPort": (8088, port),
            },
        )
        self.wifi = _g(
            "WifiInfo",
            {
                "enable": (0, ONOFF),
                "Mode": (0, ONOFF),
                "SSID": ("Hkvision", VALID),
                "password": ("53T0A", VALID),
                "Signal": (80, RO),
                "AutoMode": (1, ONOFF),
                "WifiChannel": (6, IntRange(1, 14)),
                "Protocol": ("n", Choices(("b", "g", "n"))),
            },
            aliases={"WifiChanel": "WifiChannel"},
        )
        self.hotspots: list[dict[str, Value]] = [
            {
                "SSID": "samplewifi",
                "EncrypType": 3,
                "AuthMode": 3,
                "Channel": 14,
                "NetType": 0,
            },
            {
                "SSID": "Home Network",
                "EncrypType": 3,
                "AuthMode": 3,
                "Channel": 6,
                "NetType": 0,
            },
            {
                "SSID": "Guest & Friends",
                "EncrypType": 0,
                "AuthMode": 0,
                "Channel": 11,
                "NetType": 0,
            },
        ]
        self.io_trig = _g(
            "IOTrigInfo", {"IOTrigNum": (1, Choices((1,))), "IOTrig": (1, ONOFF)}
        )
        self.access_scope = _g("AccessScopeInfo", {"AlarmAccessScope": (0, ONOFF)})
        self.io_access = _g(
            "IOAccessInfo",
            {
                "IOTrigNum": (1, Choices((1,))),
                "IO1": (0, ONOFF),
                "IM1": (0, ONOFF),
                "IF1": (0, ONOFF),
                "IT1": (0, ONOFF),
                "IS1": (0, ONOFF),
                "IA1": (0, Choices((0, 1, 2))),
            },
            aliases={"IM": "IM1", "IF": "IF1", "IT": "IT1", "IS": "IS1", "IA": "IA1"},
        )
        schedule: dict[str, tuple[Value, Cap]] = {}
        for n in [*range(7), *range(8, 15)]:
            schedule |= {
                f"enable{n}": (0, ONOFF),
                f"start{n}H": (0, IntRange(0, 23)),
                f"start{n}M": (0, IntRange(0, 59)),
                f"end{n}H": (23, IntRange(0, 23)),
                f"end{n}M": (59, IntRange(0, 59)),
            }
        self.schedule = _g("ScheduleInfo", schedule)
        self.users: dict[str, User] = {config.username: User(config.password, 6)}
        # A test knob: refuse every ChangePassword with 402, as a camera with a password policy of its own may.
        self.refuse_password_change = False
        if config.profile == "alt-names":
            self._spell_alt_names()
        self.refresh()

    def _spell_alt_names(self) -> None:
        """alt-names profile: other firmware's element names (docs/wire-decisions.md "Field names")."""
        self.device_info.spell(
            {
                "Firmware": "SoftwareVersion",
                "SerialNum": "SerialNumber",
                "Mac": "MacAddress",
            }
        )
        self.time_info.spell({"TimeMethod": "NTPSwitch", "NTPServerIP": "NTPServerIp"})
        self.netport.spell({"HttpPort": "HTTPPort", "RtspPort": "RTSPPort"})
        self.wifi.spell({"enable": "Enable", "WifiChannel": "WifiChanel"})
        for ch in self.channels:
            ch.audio.spell({"AudioVolume": "Volume"})
            ch.record_control.spell({"Lenght": "Length"})
            ch.record_device.spell({"WriteProtect": "SDWriteProtect"})

    # Lifecycle hooks --------------------------------------------------------------------------------------------
    def mark_boot(self) -> None:
        """Remember when the camera (re)started; UpTime counts from here."""
        self.start_time = time.monotonic()

    def on_reboot(self) -> None:
        """A reboot stops every PTZ movement."""
        self.stop_motion()

    def stop_motion(self) -> None:
        """Stop every PTZ movement."""
        for ch in self.channels:
            ch.ptz.halt()

    def factory_reset(self, *, keep_ip: bool) -> None:
        """Restore every default (optionally keeping the address settings)."""
        groups = [g for ch in self.channels for g in ch.groups()] + self.device_groups()
        for group in groups:
            if keep_ip and group is self.address:
                continue
            if group is self.device_info:
                continue
            group.reset()
        for ch in self.channels:
            ch.ptz.presets.clear()
        self.time_offset = 0.0
        self.factory_check.data["FactoryReset"] = 1

    def device_groups(self) -> list[Group]:
        """Return every plain device-wide group."""
        return [
            self.hardware,
            self.eapil,
            self.time_info,
            self.address,
            self.smtp,
            self.ftp,
            self.digest_login,
            self.ddns,
            self.alarm_server,
            self.net_protocol,
            self.kaicong,
            self.netport,
            self.wifi,
            self.io_trig,
            self.access_scope,
            self.io_access,
            self.schedule,
        ]

    # Accessors --------------------------------------------------------------------------------------------------
    @property
    def uptime(self) -> int:
        """Return seconds since the last (re)boot."""
        return int(time.monotonic() - self.start_time)

    @property
    def camera_time(self) -> int:
        """Return the camera clock as UTC epoch seconds."""
        return int(time.time() + self.time_offset)

    def refresh(self) -> None:
        """Bring computed values (UpTime, CameraTime, SD status) up to date."""
        self.time_info.data["UpTime"] = self.uptime
        self.time_info.data["CameraTime"] = self.camera_time
        for ch in self.channels:
            ch.refresh()

    def channel(self, number: int) -> ChannelState:
        """Return channel `number` (1-based)."""
        return self.channels[number - 1]

    def overlay_text(self, channel: int) -> str:
        """Return the text drawn on channel `channel`'s frames."""
        ch = self.channel(channel)
        p = ch.ptz
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.camera_time))
        return (
            f"{ch.osd['TextOSDTitle']}  CH{channel}\n{stamp}\n"
            f"pan {p.pan / 100:.1f}  tilt {p.tilt / 100:.1f}  zoom {int(p.zoom)}\n"
            f"{self.config.device_id}"
        )
