"""CGI dispatch: `/cgi/<area>_<op>?...` → a result code and reply groups (docs/wire-decisions.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import re
import time
from xml.sax.saxutils import escape

from .config import SPARSE_QUERY_GROUPS
from .groups import (
    Cap,
    Choices,
    FreeString,
    Group,
    IntRange,
    ReadOnly,
    SetError,
    Value,
    render_param,
)
from .mdarea import decode_md_area, encode_md_area
from .state import MAJOR_RESOLUTIONS, MINOR_RESOLUTIONS, CameraState, ChannelState, User

__all__ = ["AREAS", "RESULT_TEXT", "CgiReply", "handle_cgi"]

RESULT_TEXT = {
    200: "Successfully",
    401: "Invalid Channel number.",
    402: "Invalid parameter value.",
    403: "Invalid parameter name.",
    501: "Feature does not support by server.",
    502: "Feature supported by server but not available in current mode.",
    503: "Server failed.",
}

# area → True when its groups exist per channel (the Channel parameter is checked)
AREAS: dict[str, bool] = {
    "sys": False,
    "major_stream": True,
    "minor_stream": True,
    "mjpeg": True,
    "image": True,
    "audio": True,
    "record": True,
    "ptz": True,
    "rs485": True,
    "camera": True,
    "net": False,
    "netport": False,
    "wifi": False,
    "alarm": True,
    "user": False,
}
# alarm groups that are device-wide although the area has per-channel groups
_DEVICE_WIDE_ALARM = {"IOTrigInfo", "AccessScopeInfo", "IOAccessInfo", "ScheduleInfo"}
_HEX = re.compile(r"[0-9A-Fa-f]*")


@dataclass
class CgiReply:
    """A CGI answer before framing."""

    area: str
    op: str
    code: int = 200
    groups: list[str] = field(default_factory=list)
    reboot: bool = False
    factory_reset: bool = False

    def xml(self) -> str:
        """Return the XML document in the spec's shape."""
        text = RESULT_TEXT.get(self.code, "Error")
        body = "\n".join(self.groups) if self.code == 200 else ""
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<Message>\n'
            f'<Header class="{self.area}_{self.op}"></Header>\n'
            f'<result code="{self.code}">{text}</result>\n'
            f"{body}{chr(10) if body else ''}</Message>\n"
        )


def _block(name: str, values: Mapping[str, Value]) -> str:
    return f"<{name}>{''.join(render_param(k, v) for k, v in values.items())}</{name}>"


def _caps_block(name: str, caps: Mapping[str, tuple[type, Cap]]) -> str:
    parts = []
    for k, (typ, cap) in caps.items():
        tag = "int" if typ is int else "string"
        parts.append(f"<{k}><{tag}>{escape(cap.text())}</{tag}></{k}>")
    return f"<{name}>{''.join(parts)}</{name}>"


def _int(params: Mapping[str, str], name: str, lo: int, hi: int) -> int | None:
    """Return an optional int parameter checked against lo..hi (SetError 402)."""
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise SetError(402, f"{name} not an integer") from None
    if not lo <= value <= hi:
        raise SetError(402, f"{name} out of range")
    return value


# PTZCtrlInfo set parameters and their ranges (spec §3.6.4).
_PTZ_CTRL: dict[str, tuple[type, Cap]] = {
    "Stop": (int, Choices((0,))),
    "Direction": (int, IntRange(1, 8)),
    "PanSpeed": (int, IntRange(0, 63)),
    "TiltSpeed": (int, IntRange(0, 63)),
    "Iris": (int, Choices((0, 1))),
    "Zoom": (int, Choices((0, 1))),
    "Focus": (int, Choices((0, 1))),
    "AutoScan": (int, Choices((1,))),
    "Preset": (int, Choices((0, 1))),
    "PresetNumber": (int, IntRange(1, 255)),
    "PresetTitle": (str, FreeString(label="Any valid string")),
    "Pattern": (int, Choices((0, 1, 2))),
    "PatternNumber": (int, IntRange(1, 4)),
    "AutoPan": (int, Choices((0, 1, 2))),
    "AutoPanNumber": (int, IntRange(1, 4)),
    "Model": (int, Choices((0, 1))),
    "Pan": (int, IntRange(0, 36000)),
    "Tilt": (int, IntRange(0, 36000)),
    "ZoomPosition": (int, IntRange(0, 65535)),
}
_PRESET_CAPS: dict[str, tuple[type, Cap]] = {
    "PresetNumber": (int, IntRange(1, 255)),
    "PresetTitle": (str, FreeString(label="Any valid string")),
}
_TOUR_CAPS: dict[str, tuple[type, Cap]] = {
    "TourNum": (int, IntRange(1, 4)),
    "TourAct": (int, Choices((0, 1))),
    "PresetNumber": (int, IntRange(1, 255)),
}
_RS485_CAPS: dict[str, tuple[type, Cap]] = {
    "Data": (str, FreeString(label="valid string"))
}
_HOTSPOT_CAPS: dict[str, tuple[type, Cap]] = {
    k: (int, ReadOnly()) if k != "SSID" else (str, ReadOnly())
    for k in ("SSID", "EncrypType", "AuthMode", "Channel", "NetType")
}
_USER_CAPS: dict[str, dict[str, tuple[type, Cap]]] = {
    "UserList": {"UserName": (str, ReadOnly()), "Privilege": (int, ReadOnly())},
    "AddUser": {
        "UserName": (str, FreeString(32, "valid string")),
        "Password": (str, FreeString(32, "valid string")),
        "Privilege": (int, IntRange(0, 6)),
    },
    "DeleteUser": {"UserName": (str, FreeString(32, "valid string"))},
    "ChangePassword": {
        "UserName": (str, FreeString(32, "valid string")),
        "Password": (str, FreeString(32, "valid string")),
        "NewPassword": (str, FreeString(32, "valid string")),
    },
}
_RECORD_SEARCH_CAPS: dict[str, tuple[type, Cap]] = {
    "StartTime": (int, IntRange(0, 2**31 - 1)),
    "EndTime": (int, IntRange(0, 2**31 - 1)),
}
_EMPTY: dict[str, tuple[type, Cap]] = {}


class _Ctx:
    """One request being answered."""

    def __init__(
        self, state: CameraState, area: str, op: str, params: Mapping[str, str]
    ) -> None:
        self.state = state
        self.area = area
        self.op = op
        self.group = params.get("Group") or "All"
        self.params = {k: v for k, v in params.items() if k not in ("Group", "Channel")}
        self.raw_channel = params.get("Channel")
        self.reply = CgiReply(area, op)
        self._ch: ChannelState | None = None

    @property
    def ch(self) -> ChannelState:
        """Return the addressed channel, raising SetError(401) for a bad Channel."""
        if self._ch is None:
            raw = self.raw_channel
            if raw is None:
                number = 1
            else:
                try:
                    number = int(raw.strip())
                except ValueError:
                    raise SetError(401, "bad channel") from None
            if not 1 <= number <= len(self.state.channels):
                raise SetError(401, "bad channel")
            self._ch = self.state.channel(number)
        return self._ch

    def add(self, xml: str) -> None:
        self.reply.groups.append(xml)


def handle_cgi(
    state: CameraState, area: str, op: str, params: Mapping[str, str]
) -> CgiReply:
    """Answer one CGI request, mutating `state` for sets."""
    ctx = _Ctx(state, area, op, params)
    try:
        _dispatch(ctx)
    except _EmptyReply:
        ctx.reply.groups.clear()
    except SetError as err:
        ctx.reply.code = err.code
        ctx.reply.groups.clear()
        ctx.reply.reboot = False
    return ctx.reply


def _feature_enabled(state: CameraState, area: str) -> bool:
    cfg = state.config
    if area in ("ptz", "rs485"):
        return cfg.ptz
    if area == "wifi":
        return cfg.wifi
    return True


def _dispatch(ctx: _Ctx) -> None:
    state, area = ctx.state, ctx.area
    if area not in AREAS or not _feature_enabled(state, area):
        raise SetError(501, "area not supported")
    per_channel = AREAS[area] and not (
        area == "alarm" and ctx.group in _DEVICE_WIDE_ALARM
    )
    if per_channel and (ctx.op != "query" or ctx.raw_channel is not None):
        _ = ctx.ch  # validate Channel early: 401 before anything else
    state.refresh()
    if ctx.op == "query":
        if state.config.profile == "sparse-query":
            _sparse_query_gate(ctx)
        _query(ctx)
    elif ctx.op == "get":
        _get(ctx)
    else:
        _set(ctx)
    state.refresh()


# Group tables ---------------------------------------------------------------------------------------------------
def _plain_groups(ctx: _Ctx) -> dict[str, Group]:
    """Return the area's ordinary (single-block, stored) groups, in reply order."""
    s, area = ctx.state, ctx.area
    if area == "sys":
        return {
            g.name: g
            for g in (s.device_info, s.hardware, s.factory_check, s.eapil, s.time_info)
        }
    if area == "net":
        return {
            g.name: g
            for g in (
                s.address,
                s.smtp,
                s.ftp,
                s.digest_login,
                s.ddns,
                s.alarm_server,
                s.net_protocol,
                s.kaicong,
            )
        }
    if area == "netport":
        return {"NetPortInfo": s.netport}
    if area == "wifi":
        return {"WifiInfo": s.wifi}
    if area == "user":
        return {}
    ch = ctx.ch
    match area:
        case "major_stream":
            return {"StreamInfo": ch.major}
        case "minor_stream":
            return {"StreamInfo": ch.minor}
        case "mjpeg":
            return {"StreamInfo": ch.mjpeg}
        case "image":
            return {
                g.name: g for g in (ch.image, ch.osd, ch.roi, ch.areaexp, ch.privacy)
            }
        case "audio":
            return {"AudioInfo": ch.audio}
        case "record":
            if not s.config.sd_slot:
                return {"RecordControl": ch.record_control}
            return {
                "RecordControl": ch.record_control,
                "RecordDevice": ch.record_device,
            }
        case "ptz":
            return {"SpeedInfo": ch.speed, "ProtocolInfo": ch.protocol}
        case "camera":
            return {"BasicInfo": ch.basic, "ExposureInfo": ch.exposure}
        case "alarm":
            return {
                "IOTrigInfo": s.io_trig,
                "MDInfo": ch.md_info,
                "AccessScopeInfo": s.access_scope,
                "IOAccessInfo": s.io_access,
                "MDAccessInfo": ch.md_access,
                "ScheduleInfo": s.schedule,
            }
    return {}


# Block/virtual groups per area, in reply order (names only; handled below).
_SPECIAL_GET: dict[str, tuple[str, ...]] = {
    "ptz": ("PTZCtrlInfo", "PresetNameInfo", "TourInfo"),
    "rs485": ("RS485Data",),
    "wifi": ("HotspotList",),
    "user": ("UserList",),
    "record": ("RecordSearch",),
}


# Query ----------------------------------------------------------------------------------------------------------
def _sparse_query_gate(ctx: _Ctx) -> None:
    """sparse-query profile: refuse `Group=All` and every group outside SPARSE_QUERY_GROUPS, each area its way."""
    if ctx.group != "All" and (ctx.area, ctx.group) in SPARSE_QUERY_GROUPS:
        return
    if ctx.area == "camera":
        raise SetError(403, "query refused")
    if ctx.area == "record":
        raise _EmptyReply
    raise SetError(501, "query not supported")


class _EmptyReply(Exception):
    """Answer 200 without any group (a firmware that answers a query it does not implement with nothing)."""


def _query(ctx: _Ctx) -> None:
    area, group = ctx.area, ctx.group
    out: list[tuple[str, str]] = []  # (group name, xml)
    for name, g in _plain_groups(ctx).items():
        if area in ("major_stream", "minor_stream") and name == "StreamInfo":
            table = MAJOR_RESOLUTIONS if area == "major_stream" else MINOR_RESOLUTIONS
            out.extend((name, _stream_block(g, res, hi)) for res, hi in table.items())
        else:
            out.append((name, g.query_xml()))
    match area:
        case "sys":
            out.extend(
                (n, _caps_block(n, c))
                for n, c in (
                    (
                        "SystemInfo",
                        {
                            k: (int, cap)
                            for k, cap in ctx.state.system_info.caps.items()
                        },
                    ),
                    ("Reboot", _EMPTY),
                    ("RmTemplate", _EMPTY),
                    ("RmSerialnum", _EMPTY),
                )
            )
        case "ptz":
            out.append(("PTZCtrlInfo", _caps_block("PTZCtrlInfo", _PTZ_CTRL)))
            out.append(("PresetNameInfo", _caps_block("PresetNameInfo", _PRESET_CAPS)))
            out.append(("TourInfo", _caps_block("TourInfo", _TOUR_CAPS)))
        case "rs485":
            out.append(("RS485Data", _caps_block("RS485Data", _RS485_CAPS)))
        case "camera":
            out.append(("ResetInfo", _caps_block("ResetInfo", _EMPTY)))
        case "record":
            out.append(
                ("RecordSearch", _caps_block("RecordSearch", _RECORD_SEARCH_CAPS))
            )
            out = [
                (
                    n,
                    x.replace(
                        "<RecordDevice>",
                        "<RecordDevice><Operate><int>0, 1, 2</int></Operate>",
                        1,
                    ),
                )
                if n == "RecordDevice"
                else (n, x)
                for n, x in out
            ]
        case "wifi":
            out.append(("HotspotList", _caps_block("HotspotList", _HOTSPOT_CAPS)))
        case "user":
            out.extend((n, _caps_block(n, c)) for n, c in _USER_CAPS.items())
    selected = [x for n, x in out if group == "All" or n == group]
    if not selected:
        raise SetError(501, "unknown group")
    ctx.reply.groups.extend(selected)


def _stream_block(g: Group, resolution: str, max_rate: int) -> str:
    lo = g.caps["BitRate"]
    low = lo.lo if isinstance(lo, IntRange) else 64
    parts = []
    for k, cap in g.caps.items():
        if k == "Resolution":
            text = resolution
        elif k == "BitRate":
            text = f"{low} ... {max_rate}"
        else:
            text = cap.text()
        tag = "int" if g.types[k] is int else "string"
        parts.append(f"<{k}><{tag}>{escape(text)}</{tag}></{k}>")
    return f"<StreamInfo>{''.join(parts)}</StreamInfo>"


# Get ------------------------------------------------------------------------------------------------------------
def _get(ctx: _Ctx) -> None:
    plain = _plain_groups(ctx)
    specials = _SPECIAL_GET.get(ctx.area, ())
    group = ctx.group
    if group == "All":
        for g in plain.values():
            ctx.add(g.xml())
        for name in specials:
            if name not in ("RecordSearch", "RS485Data", "HotspotList"):
                _get_special(ctx, name)
        return
    if group in plain:
        ctx.add(plain[group].xml())
    elif group in specials:
        _get_special(ctx, group)
    elif ctx.area == "sys" and group == "SystemInfo":
        ctx.add(ctx.state.system_info.xml())
    else:
        raise SetError(501, "unknown group")


def _get_special(ctx: _Ctx, name: str) -> None:
    s = ctx.state
    match name:
        case "PTZCtrlInfo":
            p = ctx.ch.ptz
            ctx.add(
                _block(
                    name,
                    {
                        "Channel": ctx.ch.number,
                        "Pan": round(p.pan),
                        "Tilt": round(p.tilt),
                        "ZoomPosition": round(p.zoom),
                        "Direction": p.moving,
                        "AutoScan": int(p.autoscan),
                    },
                )
            )
        case "PresetNameInfo":
            for number, title in sorted(ctx.ch.ptz.presets.items()):
                ctx.add(_block(name, {"PresetNumber": number, "PresetTitle": title}))
        case "TourInfo":
            tours = ctx.ch.ptz.tours
            for num in range(1, 5):
                tour = tours.get(num, {})
                presets = tour.get("presets", [])
                ctx.add(
                    _block(
                        name,
                        {
                            "TourNum": num,
                            "TourAct": int(bool(tour.get("active", False))),
                            "PresetNumber": ",".join(str(p) for p in presets)
                            if isinstance(presets, list)
                            else "",
                        },
                    )
                )
        case "RS485Data":
            rs = ctx.ch.rs485
            if "Data" in ctx.params:
                _rs485_send(ctx, ctx.params["Data"])
            data, rs.received = bytes(rs.received), bytearray()
            ctx.add(_block(name, {"Data": _hex_spaced(data)}))
        case "HotspotList":
            for spot in s.hotspots:
                ctx.add(_block(name, spot))
        case "UserList":
            for user_name, user in s.users.items():
                ctx.add(
                    _block(name, {"UserName": user_name, "Privilege": user.privilege})
                )
        case "RecordSearch":
            start = _int(ctx.params, "StartTime", 0, 2**63) or 0
            end = _int(ctx.params, "EndTime", 0, 2**63)
            end = end if end is not None else 2**63
            ch = ctx.ch
            if not ch.sd.present or ch.sd.status != 4:
                return
            for rec in ch.recordings:
                if rec.end >= start and rec.start <= end:
                    ctx.add(
                        _block(
                            name,
                            {
                                "FileName": rec.file_name,
                                "StartTime": rec.start,
                                "EndTime": rec.end,
                                "FileSize": rec.size_kb,
                            },
                        )
                    )


def _hex_spaced(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


def _rs485_send(ctx: _Ctx, text: str) -> bytes:
    if len(text) % 2 or not _HEX.fullmatch(text):
        raise SetError(402, "Data is not hex")
    data = bytes.fromhex(text)
    rs = ctx.ch.rs485
    rs.sent.append(data)
    rs.received += rs.responder(data)
    return data


# Set ------------------------------------------------------------------------------------------------------------
_SetHandler = Callable[[_Ctx], None]


def _set(ctx: _Ctx) -> None:
    handler = _SET_HANDLERS.get((ctx.area, ctx.group))
    if handler is not None:
        handler(ctx)
        return
    plain = _plain_groups(ctx)
    group = plain.get(ctx.group)
    if group is None:
        raise SetError(501, "unknown group")
    _generic_set(ctx, group)


def _generic_set(
    ctx: _Ctx, group: Group, *, extra: Mapping[str, Value] | None = None
) -> dict[str, Value]:
    values = group.validate(ctx.params)
    group.data.update(values)
    echo: dict[str, Value] = {}
    if "Channel" in group.data:
        echo["Channel"] = group.data["Channel"]
    echo |= values
    echo |= extra or {}
    ctx.add(group.block(echo))
    return values


def _set_stream(ctx: _Ctx) -> None:
    ch = ctx.ch
    group = ch.major if ctx.area == "major_stream" else ch.minor
    table = MAJOR_RESOLUTIONS if ctx.area == "major_stream" else MINOR_RESOLUTIONS
    values = group.validate(ctx.params)
    resolution = str(values.get("Resolution", group["Resolution"]))
    rate = values.get("BitRate")
    if isinstance(rate, int) and rate > table[resolution]:
        raise SetError(402, "BitRate too high for the resolution")
    if (
        "Resolution" in values
        and "BitRate" not in values
        and int(group["BitRate"]) > table[resolution]
    ):
        group.data["BitRate"] = table[
            resolution
        ]  # the camera clamps the rate to the new resolution
    group.data.update(values)
    ctx.add(group.block({"Channel": ch.number} | values))


def _set_time(ctx: _Ctx) -> None:
    s = ctx.state
    values = s.time_info.validate(ctx.params)
    if "CameraTime" in values:
        s.time_offset = int(values["CameraTime"]) - time.time()
    if values.get("TimeMethod") == 1:
        s.time_offset = 0.0  # "synchronised" with NTP: the host clock
    s.time_info.data.update(values)
    s.refresh()
    ctx.add(s.time_info.block(values))


def _set_system(ctx: _Ctx) -> None:
    s = ctx.state
    values = s.system_info.validate(ctx.params)
    if "ResetFlag" not in values:
        raise SetError(402, "ResetFlag missing")
    ctx.add(_block("SystemInfo", values))
    if values["ResetFlag"] == 1:
        s.factory_reset(keep_ip=values.get("IPkeep", 1) == 1)
        ctx.reply.factory_reset = True
    ctx.reply.reboot = True


def _set_no_params(name: str) -> _SetHandler:
    def handler(ctx: _Ctx) -> None:
        if ctx.params:
            raise SetError(403, "no parameters expected")
        s = ctx.state
        if name == "Reboot":
            ctx.reply.reboot = True
        elif name == "RmSerialnum":
            s.device_info.data["SerialNum"] = ""
        elif name == "RmTemplate":
            s.eapil.data["ElvisionUUID"] = ""
        elif name == "ResetInfo":
            ch = ctx.ch
            for g in (ch.image, ch.basic, ch.exposure):
                g.reset()
        ctx.add(f"<{name}></{name}>")

    return handler


def _set_record_device(ctx: _Ctx) -> None:
    ch = ctx.ch
    params = dict(ctx.params)
    if ctx.state.config.profile == "alt-names" and "Operate" in params:
        raise SetError(403, "this firmware follows the URL: OperateRate")
    if "OperateRate" in params:  # the spec's URL spelling
        params["Operate"] = params.pop("OperateRate")
    unknown = set(params) - {"Operate"}
    if unknown:
        raise SetError(403, "unknown parameter")
    op = _int(params, "Operate", 0, 2)
    if op is None:
        raise SetError(402, "Operate missing")
    sd = ch.sd
    if not ctx.state.config.sd_slot:
        raise SetError(501, "no SD card slot")
    if not sd.present:
        raise SetError(502, "no SD card")
    if op == 2:
        sd.status, sd.used_mb, sd.format_until = 3, 0, time.monotonic() + 1.0
    elif op == 1:
        sd.status = 4
    else:
        sd.status = 5
    ch.refresh()
    ctx.add(
        ch.record_device.block(
            {
                "Channel": ch.number,
                "Operate": op,
                "SDStatus": ch.record_device["SDStatus"],
            }
        )
    )


def _set_exposure(ctx: _Ctx) -> None:
    group = ctx.ch.exposure
    values = group.validate(ctx.params)
    if "ShutterMax" in values and "ShutterManual" in values:
        raise SetError(402, "ShutterMax and ShutterManual together")
    mode = values.get("ExposureMode", group["ExposureMode"])
    if mode != 2 and ("ShutterManual" in values or "AGCManual" in values):
        raise SetError(502, "manual values outside manual exposure mode")
    group.data.update(values)
    ctx.add(group.block({"Channel": ctx.ch.number} | values))


def _set_md_info(ctx: _Ctx) -> None:
    group = ctx.ch.md_info
    values = group.validate(ctx.params)
    if "MDArea" in values:
        try:
            values["MDArea"] = encode_md_area(decode_md_area(str(values["MDArea"])))
        except ValueError:
            raise SetError(402, "bad MDArea") from None
    group.data.update(values)
    ctx.add(group.block({"Channel": ctx.ch.number} | values))


def _set_md_access(ctx: _Ctx) -> None:
    ctx.params.pop("MDArea", None)  # the spec's example carries it; ignored
    _generic_set(ctx, ctx.ch.md_access)


def _set_digest(ctx: _Ctx) -> None:
    values = _generic_set(ctx, ctx.state.digest_login)
    cfg = ctx.state.config
    if "AuthenticationEnable" in values and cfg.auth != "none":
        cfg.auth = "digest" if values["AuthenticationEnable"] == 1 else "basic"


def _set_ptz_ctrl(ctx: _Ctx) -> None:
    ch = ctx.ch
    p = ch.ptz
    params = ctx.params
    relative = params.get("Model") == "1"
    typed: dict[str, Value] = {}
    for name, raw in params.items():
        if name not in _PTZ_CTRL:
            raise SetError(403, f"unknown parameter {name}")
        typ, cap = _PTZ_CTRL[name]
        if typ is str:
            typed[name] = raw
            continue
        try:
            value = int(raw.strip())
        except ValueError:
            raise SetError(402, f"{name} not an integer") from None
        if relative and name in ("Pan", "Tilt", "ZoomPosition"):
            ok = abs(value) <= (65535 if name == "ZoomPosition" else 36000)
        else:
            ok = cap.allows(value)
        if not ok:
            raise SetError(402, f"bad {name}")
        typed[name] = value
    p.commands.append(dict(params))

    def num(name: str) -> int | None:
        v = typed.get(name)
        return v if isinstance(v, int) else None

    if "Stop" in typed:
        p.halt()
        p.stop_count += 1
    if (d := num("Direction")) is not None:
        p.start_move(d, num("PanSpeed"), num("TiltSpeed"))
    else:  # speeds alone change the running move (or the next one)
        p.advance()
        p.pan_speed = num("PanSpeed") or p.pan_speed
        p.tilt_speed = num("TiltSpeed") or p.tilt_speed
    for name, attr in (("Zoom", "zooming"), ("Focus", "focusing"), ("Iris", "iris")):
        if (v := num(name)) is not None:
            p.advance()
            setattr(p, attr, 1 if v == 1 else -1)
    if "AutoScan" in typed:
        p.start_autoscan()
    if (action := num("Preset")) is not None:
        number = num("PresetNumber")
        if number is None:
            raise SetError(402, "PresetNumber missing")
        if action == 0:
            title = typed.get("PresetTitle")
            p.save_preset(number, str(title) if title is not None else None)
        elif ctx.state.config.profile != "preset-form":  # there: 200, and no move
            p.call_preset(number)
    elif "PresetNumber" in typed:
        raise SetError(402, "Preset missing")
    if (action := num("Pattern")) is not None:
        number = num("PatternNumber")
        if number is None:
            raise SetError(402, "PatternNumber missing")
        p.patterns[number] = action
    if (action := num("AutoPan")) is not None:
        number = num("AutoPanNumber")
        if number is None:
            raise SetError(402, "AutoPanNumber missing")
        p.autopans[number] = action
        if action == 2:
            p.start_autoscan()
    if "Model" in typed:
        p.position(num("Pan"), num("Tilt"), num("ZoomPosition"), relative=relative)
    elif any(k in typed for k in ("Pan", "Tilt", "ZoomPosition")):
        raise SetError(402, "Model missing")
    ctx.add(_block("PTZCtrlInfo", {"Channel": ch.number} | typed))


def _set_preset_name(ctx: _Ctx) -> None:
    number = _int(ctx.params, "PresetNumber", 1, 255)
    unknown = set(ctx.params) - set(_PRESET_CAPS)
    if unknown:
        raise SetError(403, "unknown parameter")
    title = ctx.params.get("PresetTitle")
    if number is None or title is None:
        raise SetError(402, "PresetNumber and PresetTitle needed")
    ctx.ch.ptz.presets[number] = title
    ctx.add(_block("PresetNameInfo", {"PresetNumber": number, "PresetTitle": title}))


def _set_tour(ctx: _Ctx) -> None:
    unknown = set(ctx.params) - set(_TOUR_CAPS)
    if unknown:
        raise SetError(403, "unknown parameter")
    num = _int(ctx.params, "TourNum", 1, 4)
    if num is None:
        raise SetError(402, "TourNum missing")
    act = _int(ctx.params, "TourAct", 0, 1)
    preset = _int(ctx.params, "PresetNumber", 1, 255)
    tour = ctx.ch.ptz.tours.setdefault(num, {"active": False, "presets": []})
    echo: dict[str, Value] = {"TourNum": num}
    if preset is not None:
        presets = tour["presets"]
        if isinstance(presets, list):
            presets.append(preset)
        echo["PresetNumber"] = preset
    if act is not None:
        tour["active"] = bool(act)
        echo["TourAct"] = act
    ctx.add(_block("TourInfo", echo))


def _set_rs485(ctx: _Ctx) -> None:
    unknown = set(ctx.params) - {"Data"}
    if unknown:
        raise SetError(403, "unknown parameter")
    if "Data" not in ctx.params:
        raise SetError(402, "Data missing")
    data = _rs485_send(ctx, ctx.params["Data"])
    ctx.add(_block("RS485Data", {"Data": _hex_spaced(data)}))


def _user_params(ctx: _Ctx, group: str) -> dict[str, str]:
    caps = _USER_CAPS[group]
    unknown = set(ctx.params) - set(caps)
    if unknown:
        raise SetError(403, "unknown parameter")
    missing = set(caps) - set(ctx.params)
    if missing:
        raise SetError(402, "missing parameter")
    for k, (_, cap) in caps.items():
        if isinstance(cap, FreeString) and not cap.allows(ctx.params[k]):
            raise SetError(402, f"bad {k}")
    return dict(ctx.params)


def _set_add_user(ctx: _Ctx) -> None:
    p = _user_params(ctx, "AddUser")
    privilege = _int(p, "Privilege", 0, 6)
    name = p["UserName"]
    if not name or name in ctx.state.users or privilege is None:
        raise SetError(402, "user exists or bad name")
    ctx.state.users[name] = User(p["Password"], privilege)
    ctx.add(_block("AddUser", {"UserName": name, "Privilege": privilege}))


def _set_delete_user(ctx: _Ctx) -> None:
    p = _user_params(ctx, "DeleteUser")
    name = p["UserName"]
    if name not in ctx.state.users or name == ctx.state.config.username:
        raise SetError(402, "unknown user or the login user")
    del ctx.state.users[name]
    ctx.add(_block("DeleteUser", {"UserName": name}))


def _set_change_password(ctx: _Ctx) -> None:
    p = _user_params(ctx, "ChangePassword")
    name = p["UserName"]
    user = ctx.state.users.get(name)
    if user is None or user.password != p["Password"]:
        raise SetError(402, "unknown user or wrong password")
    if ctx.state.refuse_password_change:
        raise SetError(402, "new password refused")
    user.password = p["NewPassword"]
    if name == ctx.state.config.username:
        ctx.state.config.password = user.password
    ctx.add(_block("ChangePassword", {"UserName": name}))


_SET_HANDLERS: dict[tuple[str, str], _SetHandler] = {
    ("sys", "TimeInfo"): _set_time,
    ("sys", "SystemInfo"): _set_system,
    ("sys", "Reboot"): _set_no_params("Reboot"),
    ("sys", "RmTemplate"): _set_no_params("RmTemplate"),
    ("sys", "RmSerialnum"): _set_no_params("RmSerialnum"),
    ("major_stream", "StreamInfo"): _set_stream,
    ("minor_stream", "StreamInfo"): _set_stream,
    ("record", "RecordDevice"): _set_record_device,
    ("camera", "ExposureInfo"): _set_exposure,
    ("camera", "ResetInfo"): _set_no_params("ResetInfo"),
    ("alarm", "MDInfo"): _set_md_info,
    ("alarm", "MDAccessInfo"): _set_md_access,
    ("net", "DigestLoginInfo"): _set_digest,
    ("ptz", "PTZCtrlInfo"): _set_ptz_ctrl,
    ("ptz", "PresetNameInfo"): _set_preset_name,
    ("ptz", "TourInfo"): _set_tour,
    ("rs485", "RS485Data"): _set_rs485,
    ("user", "AddUser"): _set_add_user,
    ("user", "DeleteUser"): _set_delete_user,
    ("user", "ChangePassword"): _set_change_password,
}
