"""CgiCamera: the async client for one camera (generic get/set/query layer plus typed helpers)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Final

from .capabilities import Capabilities
from .errors import CannotConnect, MalformedReply, NoImage
from .models import (
    AddressInfo,
    AudioInfo,
    BasicInfo,
    DeviceInfo,
    ExposureInfo,
    Hotspot,
    ImageInfo,
    MdInfo,
    NetPortInfo,
    OsdInfo,
    PtzDirection,
    PtzStatus,
    RecordControl,
    RecordDevice,
    RecordFile,
    SpeedInfo,
    Stream,
    StreamInfo,
    TimeInfo,
    TourInfo,
    UserInfo,
    WifiInfo,
)
from .parse import ParamGroup, check_reply
from .transport import QueryValue, RawStream, Transport, build_query
from .wire import NO_CHANNEL_AREAS, wire_channel

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    import aiohttp

    from .motion import MotionArea

__all__ = ["CgiCamera"]

_SOI: Final = b"\xff\xd8"
_EOI: Final = b"\xff\xd9"
_MAX_IMAGE_BYTES: Final = 16 << 20


class CgiCamera:
    """Async client for one camera. The aiohttp session is injected and never created or closed here."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = 80,
        username: str = "admin",
        password: str = "",
        *,
        timeout: float = 10.0,
        concurrency: int = 1,
        max_response_bytes: int = 1 << 20,
    ) -> None:
        """Prepare a client; nothing is sent until a method is called."""
        self.host = host
        self.port = port
        self.username = username
        self._transport = Transport(
            session,
            host,
            port,
            username,
            password,
            timeout=timeout,
            concurrency=concurrency,
            max_response_bytes=max_response_bytes,
        )

    def __repr__(self) -> str:
        """Show host, port and user; never the password."""
        return f"CgiCamera(host={self.host!r}, port={self.port}, username={self.username!r})"

    @property
    def uses_digest(self) -> bool:
        """Whether the camera demanded Digest authentication."""
        return self._transport.digest

    # Generic layer ----------------------------------------------------------------------------------------------
    @staticmethod
    def _params(
        area: str,
        group: str | None,
        channel: int | None,
        params: Mapping[str, QueryValue] | None,
    ) -> list[tuple[str, QueryValue]]:
        items: list[tuple[str, QueryValue]] = []
        if channel is not None and area not in NO_CHANNEL_AREAS:
            items.append(("Channel", channel))
        if group is not None:
            items.append(("Group", group))
        for name, value in (params or {}).items():
            if name in {"Channel", "Group"}:
                continue
            items.append((name, value))
        return items

    async def _call(
        self,
        area: str,
        op: str,
        group: str | None,
        channel: int | None,
        params: Mapping[str, QueryValue] | None = None,
    ) -> list[ParamGroup]:
        query = build_query(self._params(area, group, channel, params))
        _, body = await self._transport.request(
            f"/cgi/{area}_{op}", query, area=area, group=group
        )
        reply = check_reply(body, area, group)
        return [ParamGroup.from_raw(raw) for raw in reply.groups]

    async def get_blocks(
        self, area: str, group: str, channel: int | None = None, **params: QueryValue
    ) -> list[ParamGroup]:
        """Return every block of `group` (presets, users, hotspots...; empty when there is none)."""
        channel = wire_channel(area, channel)
        blocks = await self._call(area, "get", group, channel, params)
        matching = [block for block in blocks if block.name == group]
        # A reply naming its group differently (firmware variants) still counts when it is the only kind present.
        return matching or blocks

    async def get(
        self, area: str, group: str, channel: int | None = None, **params: QueryValue
    ) -> ParamGroup:
        """Return the first block of `group` (an empty ParamGroup when the camera sent no block)."""
        blocks = await self.get_blocks(area, group, channel, **params)
        return blocks[0] if blocks else ParamGroup(group)

    async def set(
        self,
        area: str,
        group: str,
        channel: int | None,
        params: Mapping[str, QueryValue],
    ) -> ParamGroup:
        """Set `params` in `group`; return the camera's echo of the changed values."""
        channel = wire_channel(area, channel)
        blocks = await self._call(area, "set", group, channel, params)
        matching = [block for block in blocks if block.name == group]
        if matching:
            return matching[0]
        return blocks[0] if blocks else ParamGroup(group)

    async def query(self, area: str, group: str = "All") -> Capabilities:
        """Return the parsed `<area>_query` reply (ranges, choices, read-only and free-string elements)."""
        query = build_query([("Group", group)])
        _, body = await self._transport.request(
            f"/cgi/{area}_query", query, area=area, group=group
        )
        return Capabilities.from_reply(check_reply(body, area, group), area)

    # System -----------------------------------------------------------------------------------------------------
    async def device_info(self) -> DeviceInfo:
        """Sys / DeviceInfo."""
        return DeviceInfo.from_group(await self.get("sys", "DeviceInfo"))

    async def hardware_version(self) -> str | None:
        """Sys / HardwareV."""
        return (await self.get("sys", "HardwareV")).get_str("HwdVersion")

    async def time_info(self) -> TimeInfo:
        """Sys / TimeInfo."""
        return TimeInfo.from_group(await self.get("sys", "TimeInfo"))

    async def set_time(
        self,
        camera_time: int | datetime | None = None,
        *,
        time_zone: int | None = None,
        ntp: bool = False,
        ntp_server: str | None = None,
        daylight: bool | None = None,
    ) -> ParamGroup:
        """Set the clock: manual (`camera_time`, UTC epoch seconds or an aware datetime) or NTP."""
        params: dict[str, QueryValue] = {"TimeMethod": 1 if ntp else 0}
        if camera_time is not None:
            params["CameraTime"] = int(
                camera_time.timestamp()
                if isinstance(camera_time, datetime)
                else camera_time
            )
        if time_zone is not None:
            params["TimeZone"] = time_zone
        if daylight is not None:
            params["DaylightEnable"] = daylight
        if ntp_server is not None:
            params["NTPServerIP"] = ntp_server
        return await self.set("sys", "TimeInfo", None, params)

    async def reboot(self) -> None:
        """Reboot the camera (it then refuses connections for a while)."""
        await self.set("sys", "SystemInfo", None, {"ResetFlag": 0})

    async def factory_reset(self, keep_ip: bool = True) -> None:
        """Restore factory settings, optionally keeping the network address."""
        await self.set("sys", "SystemInfo", None, {"ResetFlag": 1, "IPkeep": keep_ip})

    # Video ------------------------------------------------------------------------------------------------------
    async def stream_info(
        self, stream: Stream = Stream.MAJOR, channel: int = 1
    ) -> StreamInfo:
        """major_stream / minor_stream / mjpeg StreamInfo."""
        return StreamInfo.from_group(
            await self.get(Stream(stream).value, "StreamInfo", channel)
        )

    async def image_info(self, channel: int = 1) -> ImageInfo:
        """Image / ImageInfo."""
        return ImageInfo.from_group(await self.get("image", "ImageInfo", channel))

    async def osd_info(self, channel: int = 1) -> OsdInfo:
        """Image / OSDInfo."""
        return OsdInfo.from_group(await self.get("image", "OSDInfo", channel))

    async def basic_info(self, channel: int = 1) -> BasicInfo:
        """Camera / BasicInfo."""
        return BasicInfo.from_group(await self.get("camera", "BasicInfo", channel))

    async def exposure_info(self, channel: int = 1) -> ExposureInfo:
        """Camera / ExposureInfo."""
        return ExposureInfo.from_group(
            await self.get("camera", "ExposureInfo", channel)
        )

    async def audio_info(self, channel: int = 1) -> AudioInfo:
        """Audio / AudioInfo."""
        return AudioInfo.from_group(await self.get("audio", "AudioInfo", channel))

    # Record -----------------------------------------------------------------------------------------------------
    async def record_control(self, channel: int = 1) -> RecordControl:
        """Record / RecordControl."""
        return RecordControl.from_group(
            await self.get("record", "RecordControl", channel)
        )

    async def record_device(self, channel: int = 1) -> RecordDevice:
        """Record / RecordDevice."""
        return RecordDevice.from_group(
            await self.get("record", "RecordDevice", channel)
        )

    async def sd_operate(self, channel: int, operation: int) -> ParamGroup:
        """SD card: 0 unmount, 1 mount, 2 format."""
        return await self.set("record", "RecordDevice", channel, {"Operate": operation})

    async def record_search(
        self, channel: int, start: str, end: str
    ) -> list[RecordFile]:
        """Record / RecordSearch between StartTime and EndTime (camera's own time format)."""
        blocks = await self.get_blocks(
            "record", "RecordSearch", channel, StartTime=start, EndTime=end
        )
        return [RecordFile.from_group(b) for b in blocks if b.name == "RecordSearch"]

    # PTZ --------------------------------------------------------------------------------------------------------
    async def _ptz(self, channel: int, params: Mapping[str, QueryValue]) -> ParamGroup:
        return await self.set("ptz", "PTZCtrlInfo", channel, params)

    async def ptz_status(self, channel: int = 1) -> PtzStatus:
        """Ptz / PTZCtrlInfo as read (position, movement)."""
        return PtzStatus.from_group(await self.get("ptz", "PTZCtrlInfo", channel))

    async def ptz_move(
        self,
        channel: int,
        direction: PtzDirection | int,
        pan_speed: int | None = None,
        tilt_speed: int | None = None,
    ) -> ParamGroup:
        """Start moving in `direction` until ptz_stop."""
        params: dict[str, QueryValue] = {"Direction": int(PtzDirection(direction))}
        if pan_speed is not None:
            params["PanSpeed"] = pan_speed
        if tilt_speed is not None:
            params["TiltSpeed"] = tilt_speed
        return await self._ptz(channel, params)

    async def ptz_stop(self, channel: int = 1) -> ParamGroup:
        """Stop every PTZ operation."""
        return await self._ptz(channel, {"Stop": 0})

    async def ptz_zoom(self, channel: int, in_: bool) -> ParamGroup:
        """Start zooming in (True) or out until ptz_stop."""
        return await self._ptz(channel, {"Zoom": in_})

    async def ptz_focus(self, channel: int, near: bool) -> ParamGroup:
        """Start focusing near (True) or far until ptz_stop."""
        return await self._ptz(channel, {"Focus": near})

    async def ptz_iris(self, channel: int, open_: bool) -> ParamGroup:
        """Start opening (True) or closing the iris until ptz_stop."""
        return await self._ptz(channel, {"Iris": open_})

    async def ptz_autoscan(self, channel: int = 1) -> ParamGroup:
        """Start the auto scan."""
        return await self._ptz(channel, {"AutoScan": 1})

    async def preset_save(
        self, channel: int, number: int, title: str | None = None
    ) -> ParamGroup:
        """Save the current position as preset `number` (Preset=0 is save, per the spec's table)."""
        params: dict[str, QueryValue] = {"PresetNumber": number, "Preset": 0}
        if title is not None:
            params["PresetTitle"] = title
        return await self._ptz(channel, params)

    async def preset_call(self, channel: int, number: int) -> ParamGroup:
        """Move to preset `number` (Preset=1 is call)."""
        return await self._ptz(channel, {"PresetNumber": number, "Preset": 1})

    async def preset_names(self, channel: int = 1) -> dict[int, str]:
        """Ptz / PresetNameInfo as {number: title}."""
        names: dict[int, str] = {}
        for block in await self.get_blocks("ptz", "PresetNameInfo", channel):
            if (number := block.get_int("PresetNumber")) is not None:
                names[number] = block.get_str("PresetTitle") or ""
        return names

    async def ptz_pattern(
        self, channel: int, number: int | None, action: int
    ) -> ParamGroup:
        """Pattern `number` (1..4): action 0 start position, 1 end position, 2 run."""
        return await self._ptz(
            channel, {"PatternNumber": number or 1, "Pattern": action}
        )

    async def ptz_autopan(
        self, channel: int, number: int | None, action: int
    ) -> ParamGroup:
        """Auto pan `number` (1..4): action 0 start position, 1 end position, 2 run."""
        return await self._ptz(
            channel, {"AutoPanNumber": number or 1, "AutoPan": action}
        )

    async def ptz_position(
        self,
        channel: int,
        pan: int | None = None,
        tilt: int | None = None,
        zoom: int | None = None,
        relative: bool = False,
    ) -> ParamGroup:
        """Go to an absolute (or relative) position; pan/tilt in 1/100 degree, zoom 0..65535."""
        params: dict[str, QueryValue] = {"Model": 1 if relative else 0}
        if pan is not None:
            params["Pan"] = pan
        if tilt is not None:
            params["Tilt"] = tilt
        if zoom is not None:
            params["ZoomPosition"] = zoom
        return await self._ptz(channel, params)

    async def speed_info(self, channel: int = 1) -> SpeedInfo:
        """Ptz / SpeedInfo."""
        return SpeedInfo.from_group(await self.get("ptz", "SpeedInfo", channel))

    async def tours(self, channel: int = 1) -> list[TourInfo]:
        """Ptz / TourInfo blocks."""
        return [
            TourInfo.from_group(b)
            for b in await self.get_blocks("ptz", "TourInfo", channel)
        ]

    async def tour(self, channel: int, number: int, run: bool) -> ParamGroup:
        """Start (True) or stop tour `number` (1..4)."""
        return await self.set(
            "ptz", "TourInfo", channel, {"TourNum": number, "TourAct": run}
        )

    async def tour_add_preset(
        self, channel: int, number: int, preset: int
    ) -> ParamGroup:
        """Append `preset` to tour `number`."""
        return await self.set(
            "ptz", "TourInfo", channel, {"TourNum": number, "PresetNumber": preset}
        )

    # RS-485 -----------------------------------------------------------------------------------------------------
    @staticmethod
    def _hex_reply(group: ParamGroup) -> bytes:
        text = group.get_str("Data") or ""
        try:
            return bytes.fromhex("".join(text.split()))
        except ValueError:
            raise MalformedReply(
                "RS485 data is not hex", area="rs485", group="RS485Data"
            ) from None

    async def rs485_send(self, channel: int, data: bytes) -> bytes:
        """Send `data` on the UART; return the bytes the camera reports as sent."""
        group = await self.set(
            "rs485", "RS485Data", channel, {"Data": data.hex().upper()}
        )
        return self._hex_reply(group)

    async def rs485_transceive(self, channel: int, data: bytes | None = None) -> bytes:
        """Optionally send `data`, then return what was read from the UART."""
        params: dict[str, QueryValue] = {} if not data else {"Data": data.hex().upper()}
        return self._hex_reply(await self.get("rs485", "RS485Data", channel, **params))

    # Network ----------------------------------------------------------------------------------------------------
    async def net_port_info(self) -> NetPortInfo:
        """Netport / NetPortInfo."""
        return NetPortInfo.from_group(await self.get("netport", "NetPortInfo"))

    async def address_info(self) -> AddressInfo:
        """Net / AddressInfo."""
        return AddressInfo.from_group(await self.get("net", "AddressInfo"))

    async def wifi_info(self) -> WifiInfo:
        """Wifi / WifiInfo."""
        return WifiInfo.from_group(await self.get("wifi", "WifiInfo"))

    async def hotspots(self) -> list[Hotspot]:
        """Wifi / HotspotList: nearby networks."""
        return [
            Hotspot.from_group(b) for b in await self.get_blocks("wifi", "HotspotList")
        ]

    # Alarm ------------------------------------------------------------------------------------------------------
    async def md_info(self, channel: int = 1) -> MdInfo:
        """Alarm / MDInfo (with the decoded MotionArea)."""
        return MdInfo.from_group(await self.get("alarm", "MDInfo", channel))

    async def set_md_area(self, channel: int, area: MotionArea) -> ParamGroup:
        """Set the motion-detection area bitmap."""
        return await self.set("alarm", "MDInfo", channel, {"MDArea": area.format()})

    async def io_access(self) -> ParamGroup:
        """Alarm / IOAccessInfo."""
        return await self.get("alarm", "IOAccessInfo")

    async def md_access(self, channel: int = 1) -> ParamGroup:
        """Alarm / MDAccessInfo."""
        return await self.get("alarm", "MDAccessInfo", channel)

    async def schedule(self, channel: int = 1) -> ParamGroup:
        """Alarm / ScheduleInfo."""
        return await self.get("alarm", "ScheduleInfo", channel)

    # Users ------------------------------------------------------------------------------------------------------
    async def users(self) -> list[UserInfo]:
        """User / UserList."""
        return [
            UserInfo.from_group(b) for b in await self.get_blocks("user", "UserList")
        ]

    async def add_user(self, name: str, password: str, privilege: int) -> None:
        """Add a user."""
        await self.set(
            "user",
            "AddUser",
            None,
            {"UserName": name, "Password": password, "Privilege": privilege},
        )

    async def delete_user(self, name: str) -> None:
        """Delete a user."""
        await self.set("user", "DeleteUser", None, {"UserName": name})

    async def change_password(
        self, name: str, old_password: str, new_password: str
    ) -> None:
        """Change a user's password."""
        await self.set(
            "user",
            "ChangePassword",
            None,
            {"UserName": name, "Password": old_password, "NewPassword": new_password},
        )

    # Images -----------------------------------------------------------------------------------------------------
    async def snapshot(self, channel: int = 1) -> bytes:
        """Return one JPEG; NoImage when the camera answers something else (e.g. "no Image.")."""
        _, body = await self._transport.request(
            f"/jpgimage/{int(channel)}/image.jpg",
            area="jpgimage",
            max_bytes=_MAX_IMAGE_BYTES,
        )
        if not body.startswith(_SOI):
            raise NoImage("no image", area="jpgimage")
        return body

    async def mjpeg_frames(
        self, channel: int = 1, *, max_frame_bytes: int = _MAX_IMAGE_BYTES
    ) -> AsyncIterator[bytes]:
        """Yield JPEG frames of the MJPEG stream until closed (the socket closes with the iterator).

        Frames are found by JPEG markers (SOI, then segment lengths up to SOS, then EOI in the entropy-coded data),
        whatever the framing: repeated HTTP responses or multipart.
        """
        stream = RawStream(self._transport, f"/mjpgstreamreq/{int(channel)}/image.jpg")
        reader, buffer = await stream.open()
        data = bytearray(buffer)
        frames = 0
        try:
            while True:
                while (frame := _extract_frame(data)) is not None:
                    frames += 1
                    yield frame
                if len(data) > max_frame_bytes:
                    # No complete frame in the whole buffer: keep only from the last SOI on (bounded memory).
                    start = data.rfind(_SOI)
                    if start <= 0 or len(data) - start > max_frame_bytes:
                        raise MalformedReply("MJPEG frame too large", area="mjpeg")
                    del data[:start]
                try:
                    chunk = await reader.read(65536)
                except OSError:
                    raise CannotConnect("stream interrupted", area="mjpeg") from None
                if not chunk:
                    if not frames and not data.startswith(_SOI[:1]):
                        # e.g. "no Image." for a bad or closed channel
                        raise NoImage("no image in the stream", area="mjpeg")
                    return
                data += chunk
        finally:
            with contextlib.suppress(Exception):
                stream.close()


def _jpeg_end(data: bytearray | bytes, start: int) -> int | None:
    """Return the index after the EOI of the JPEG starting at `start`, or None if it is not complete yet.

    Walks marker segments (so an EXIF thumbnail's own EOI inside APP1 is skipped), then scans the entropy-coded
    data where 0xFF is only followed by 0x00, RSTn or a real marker.
    """
    i = start + 2
    n = len(data)
    while True:
        while i < n and data[i] != 0xFF:
            i += 1  # tolerate fill bytes / junk between segments
        while i + 1 < n and data[i + 1] == 0xFF:
            i += 1
        if i + 1 >= n:
            return None
        marker = data[i + 1]
        if marker == 0xD9:
            return i + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or marker == 0x00:
            i += 2
            continue
        if i + 3 >= n:
            return None
        length = data[i + 2] << 8 | data[i + 3]
        i += 2 + length
        if marker == 0xDA:
            break
    # Entropy-coded data until EOI.
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            return None
        following = data[j + 1]
        if following == 0xD9:
            return j + 2
        if following == 0xDA:
            # Progressive JPEG: another scan; skip its header.
            if j + 3 >= n:
                return None
            i = j + 2 + (data[j + 2] << 8 | data[j + 3])
            continue
        i = j + 2 if following != 0xFF else j + 1


def _extract_frame(data: bytearray) -> bytes | None:
    """Remove and return the first complete JPEG in `data`; drop bytes before it (headers, boundaries)."""
    start = data.find(_SOI)
    if start < 0:
        # Keep a possible half marker at the end.
        del data[: max(0, len(data) - 1)]
        return None
    end = _jpeg_end(data, start)
    if end is None:
        if start:
            del data[:start]
        return None
    frame = bytes(data[start:end])
    del data[:end]
    return frame
