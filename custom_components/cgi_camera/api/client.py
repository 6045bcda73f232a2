"""CgiCamera: the async client for one camera (generic get/set/query layer plus typed helpers)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Final

from .alarm_status import ALARM_STATUS_PATH, AlarmStatus
from .capabilities import Capabilities, CapabilityBlock
from .discovery import (
    KNOWN_GROUPS,
    CameraCapabilities,
    DiscoveredCapabilities,
    discover_area,
)
from .errors import (
    CameraTimeout,
    CannotConnect,
    InvalidName,
    MalformedReply,
    NoImage,
    NotFound,
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
from .names import camera_spellings, canonical_group
from .parse import ParamGroup, Reply, check_reply
from .rtsp import RtspCheck, async_check_rtsp
from .transport import KeepAliveImages, QueryValue, RawStream, Transport, build_query
from .wire import NO_CHANNEL_AREAS, wire_channel

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Mapping

    import aiohttp

__all__ = ["CgiCamera"]

_SOI: Final = b"\xff\xd8"
_EOI: Final = b"\xff\xd9"
_MAX_IMAGE_BYTES: Final = 16 << 20
# Larger replies are parsed in a worker thread (docs/wire-decisions.md "Large replies"): the cameras' replies are a
# few KB, a 700 KB one nested 100,000 levels deep took 40-90 ms of the event loop.
_PARSE_INLINE_BYTES: Final = 64 * 1024


async def _check_reply(body: bytes, area: str, group: str | None) -> Reply:
    """Return check_reply(body): in place for a usual reply, in a worker thread for a large one."""
    if len(body) <= _PARSE_INLINE_BYTES:
        return check_reply(body, area, group)
    return await asyncio.get_running_loop().run_in_executor(
        None, check_reply, body, area, group
    )


# Seconds a keep-alive snapshot connection stays open without a snapshot: it holds one of the camera's two stream
# sessions (shared with MJPEG and the camera's own web page), so only a burst of snapshots keeps it.
KEEP_ALIVE_IDLE: Final = 3.0


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
        # (area, group) → {canonical element name: the camera's spelling}, learnt from its replies.
        self._spellings: dict[tuple[str, str], dict[str, str]] = {}
        # Keep-alive snapshot connections per channel; False once the camera showed it has no such path.
        self._keep_alive: dict[int, KeepAliveImages] = {}
        self._keep_alive_supported = True

    def __repr__(self) -> str:
        """Show host, port and user; never the password."""
        return f"CgiCamera(host={self.host!r}, port={self.port}, username={self.username!r})"

    @property
    def timeout(self) -> float:
        """Seconds one request may take in all, the wait for the camera's request slot included."""
        return self._transport.timeout

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
        reply = await _check_reply(body, area, group)
        blocks = []
        for raw in reply.groups:
            block, renames = canonical_group(area, ParamGroup.from_raw(raw))
            if renames:
                self._remember(area, block.name, renames)
            blocks.append(block)
        return blocks

    def _remember(self, area: str, group: str, renames: Mapping[str, str]) -> None:
        """Keep the camera's own element names (from a get or query reply) for its sets."""
        self._spellings.setdefault((area, group), {}).update(renames)

    def _camera_names(
        self, area: str, group: str, params: Mapping[str, QueryValue]
    ) -> dict[str, QueryValue]:
        """Rename canonical parameter names to the spelling this camera used in its replies (api/names.py)."""
        spellings = self._spellings.get((area, group), {})
        return {spellings.get(name, name): value for name, value in params.items()}

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
        blocks = await self._call(
            area, "set", group, channel, self._camera_names(area, group, params)
        )
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
        blocks = []
        for raw in (await _check_reply(body, area, group)).groups:
            block = CapabilityBlock.from_raw(raw)
            if renames := camera_spellings(area, block.name, block):
                self._remember(area, block.name, renames)
                by_wire = {wire: name for name, wire in renames.items()}
                block = CapabilityBlock(
                    block.name, {by_wire.get(k, k): v for k, v in block.items()}
                )
            blocks.append(block)
        return Capabilities(blocks, area)

    async def discover_capabilities(
        self, area: str, groups: Iterable[str]
    ) -> DiscoveredCapabilities:
        """Return `area`'s capabilities, each of `groups` from the best source the camera answers.

        Sources, in order: `_query?Group=All`, `_query?Group=<group>`, the group's `_get` reply with the document's
        ranges, none (api/discovery.py). Raises CannotConnect, ServerFailed, MalformedReply or AuthenticationFailed
        when a request fails in a way that may pass: a transient failure never makes a group unsupported.
        """
        return await discover_area(self, area, groups)

    async def discover_all_capabilities(
        self, known_groups: Mapping[str, Iterable[str]] = KNOWN_GROUPS
    ) -> CameraCapabilities:
        """Discover every area of `known_groups` ({area: groups}, by default the entity tables' groups)."""
        return CameraCapabilities(
            {
                area: await self.discover_capabilities(area, groups)
                for area, groups in known_groups.items()
            }
        )

    # System -----------------------------------------------------------------------------------------------------
    async def device_info(self) -> DeviceInfo:
        """Sys / DeviceInfo."""
        return DeviceInfo.from_group(await self.get("sys", "DeviceInfo"))

    async def time_info(self) -> TimeInfo:
        """Sys / TimeInfo."""
        return TimeInfo.from_group(await self.get("sys", "TimeInfo"))

    async def reboot(self) -> None:
        """Reboot the camera (it then refuses connections for a while)."""
        await self.set("sys", "SystemInfo", None, {"ResetFlag": 0})

    # Record -----------------------------------------------------------------------------------------------------
    async def sd_operate(
        self, channel: int, operation: SdOperation | int
    ) -> SdStatus | None:
        """Unmount, mount or format the SD card; return the SDStatus the camera reports after it, if it says.

        The document's table names the parameter `Operate`, its URL `OperateRate` (wire-decisions "RecordDevice
        Operate"): send `Operate`, and `OperateRate` once if the camera calls that name invalid.
        """
        value = int(SdOperation(operation))
        try:
            echo = await self.set("record", "RecordDevice", channel, {"Operate": value})
        except InvalidName:
            echo = await self.set(
                "record", "RecordDevice", channel, {"OperateRate": value}
            )
        status = echo.get_int("SDStatus")
        return SdStatus(status) if status is not None and 0 <= status <= 9 else None

    # PTZ --------------------------------------------------------------------------------------------------------
    async def _ptz(self, channel: int, params: Mapping[str, QueryValue]) -> ParamGroup:
        return await self.set("ptz", "PTZCtrlInfo", channel, params)

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

    async def form_preset(self, number: int, *, save: bool = False) -> bool:
        """Save (True) or recall preset `number` through the web page's `/form/presetSet` (not in the document).

        Some revisions answer the documented recall with 200 and do not move; their web page's call works (field
        notes §1.1: flag 3 save, 4 recall, presetNum 0-based; no channel). True when it answers `$STATE$=1`; a
        camera without it answers 404 (NotFound).
        """
        query = build_query(
            [
                ("flag", 3 if save else 4),
                ("existFlag", 1),
                ("language", "cn"),
                ("presetNum", number - 1),
            ]
        )
        _, body = await self._transport.request(
            "/form/presetSet", query, area="form", group="presetSet"
        )
        return b"$STATE$=1" in body

    async def preset_names(self, channel: int = 1) -> dict[int, str]:
        """Ptz / PresetNameInfo as {number: title}, by number."""
        return preset_titles(await self.get_blocks("ptz", "PresetNameInfo", channel))

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

    async def tour(self, channel: int, number: int, run: bool) -> ParamGroup:
        """Start (True) or stop tour `number` (1..4)."""
        return await self.set(
            "ptz", "TourInfo", channel, {"TourNum": number, "TourAct": run}
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

    async def alarm_status(self, *, time_limit: float | None = None) -> AlarmStatus:
        """`/cgi/getAlarmStatus`: live motion, in plain text (not on every firmware; see api/alarm_status.py).

        `time_limit` (seconds, the wait for the request slot included) replaces the client's for this request.
        """
        _, body = await self._transport.request(
            ALARM_STATUS_PATH, area="getAlarmStatus", time_limit=time_limit
        )
        return AlarmStatus.parse(body)

    async def check_rtsp(self, port: int, channel: int = 1) -> RtspCheck:
        """Check the RTSP service on `port` with the camera's credentials (api/rtsp.py); never raises."""
        return await async_check_rtsp(
            self.host, port, self._transport.authorization, channel=channel
        )

    # Images -----------------------------------------------------------------------------------------------------
    async def snapshot(self, channel: int = 1) -> bytes:
        """Return one JPEG; NoImage when the camera answers something else (e.g. "no Image.")."""
        _, body = await self._transport.request(
            f"/jpgimage/{int(channel)}/image.jpg",
            area="jpgimage",
            max_bytes=_MAX_IMAGE_BYTES,
            image=True,
        )
        if not body.startswith(_SOI):
            raise NoImage("no image", area="jpgimage")
        return body

    async def snapshot_keep_alive(self, channel: int = 1) -> bytes:
        """Return one JPEG over the camera's keep-alive snapshot path (`/jpgmulreq`), else as `snapshot()` does.

        The connection stays open for KEEP_ALIVE_IDLE seconds after each snapshot, so a burst of snapshots costs
        the camera one connection. A camera without the path (404, or a reply that is not a JPEG with a length)
        is not asked again; when the camera closes the connection without a reply (both stream sessions taken),
        this snapshot comes from `/jpgimage`.
        """
        if self._keep_alive_supported:
            images = self._keep_alive.get(channel)
            if images is None:
                images = self._keep_alive[channel] = KeepAliveImages(
                    self._transport, channel, idle=KEEP_ALIVE_IDLE
                )
            try:
                body = await images.fetch(_MAX_IMAGE_BYTES)
            except CameraTimeout:
                raise
            except (NotFound, MalformedReply):
                self._keep_alive_supported = False
            except CannotConnect:
                pass
            else:
                if body.startswith(_SOI):
                    return body
                images.close()
                self._keep_alive_supported = False
        return await self.snapshot(channel)

    def close_keep_alive(self) -> None:
        """Close every keep-alive snapshot connection (e.g. on unload)."""
        for images in self._keep_alive.values():
            images.close()

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


def _walk_to_scan(data: bytearray | bytes, start: int) -> tuple[int, bool] | None:
    """Walk the marker segments of the JPEG starting at `start` up to its first scan.

    Returns (index after the first scan header, False), or (index after EOI, True) for an image that ends before
    any scan (a placeholder), or None if the data stops first. Walking by segment lengths skips an EXIF thumbnail's
    own EOI inside APP1.
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
            return i + 2, True
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or marker == 0x00:
            i += 2
            continue
        if i + 3 >= n:
            return None
        i += 2 + (data[i + 2] << 8 | data[i + 3])
        if marker == 0xDA:
            return i, False


def _jpeg_end(data: bytearray | bytes, start: int) -> int | None:
    """Return the index after the EOI of the JPEG starting at `start`, or None if it is not complete yet.

    After the segments up to the first scan: in entropy-coded data a 0xFF byte is always followed by 0x00, RSTn or
    a marker, so the first FF D9 after the scan header is the end (a progressive JPEG's later scans follow; the
    tables between them are searched as data, as the byte-by-byte walk this replaces did). One bytes search instead
    of a Python loop over every 0xFF of the image.
    """
    if (walked := _walk_to_scan(data, start)) is None:
        return None
    i, ended = walked
    if ended:
        return i
    end = data.find(b"\xff\xd9", i)
    return None if end < 0 else end + 2


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
