"""The emulated camera's HTTP server: raw asyncio TCP so framing is controlled byte for byte."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass, field
import logging
import re
import secrets
import socket
import struct
import time
from typing import TYPE_CHECKING, Literal, Self
from urllib.parse import parse_qsl, unquote

from .cgi import CgiReply, handle_cgi
from .config import EmulatorConfig
from .digest import digest_ok, parse_digest
from .forms import FORM_PRESET_PATH, handle_preset_form
from .images import ImageRenderer
from .onvif import MotionState, OnvifServer
from .rtsp import RtspServer
from .state import CameraState

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["CameraEmulator", "FaultKind", "Faults", "RequestRecord"]

_LOGGER = logging.getLogger(__name__)

type FaultKind = Literal[
    "pass",  # no fault: lets a queue spoil a later reply, e.g. ["pass", "503"]
    "empty",
    "stall",
    "reset",
    "503",
    "501",  # the camera refuses the request ("not supported") once, as firmware without the group does
    "truncated",
    "garbage",
    "trailing",
    "doctype",
    "401",
    "empty-groups",  # result 200, but every group without its elements: <ImageInfo></ImageInfo>
    "nested",  # the reply plus one group nested 100,000 levels deep (700 KB)
]

_CGI_PATH = re.compile(
    r"^/cgi/(?P<area>[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*?)_(?P<op>get|set|query)$"
)
_JPG_PATH = re.compile(r"^/jpgimage/(?P<ch>[^/]+)/image\.jpg$")
_MJPG_PATH = re.compile(r"^/mjpgstreamreq/(?P<ch>[^/]+)/image\.jpg$")
_MUL_PATH = re.compile(r"^/jpgmulreq/(?P<ch>[^/]+)/image\.jpg$")
_IMAGE_PATH = re.compile(r"^/(?:jpgimage|jpgmulreq|mjpgstreamreq)/[^/]+/image\.jpg$")
_MUL_CLOSE = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

_EMPTY_GROUP = re.compile(r"^<([^\s>/]+)[^>]*>.*$", re.DOTALL)
NO_IMAGE = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\n\nno Image.\n"
_STALL_LIMIT = 300.0
_HEADER_LIMIT = 64 * 1024


@dataclass
class RequestRecord:
    """One request the emulator received (after authentication was checked)."""

    method: str
    path: str
    area: str | None
    op: str | None
    group: str | None
    params: dict[str, str]
    channel: int | None
    time: float
    authorized: bool = True


@dataclass
class Faults:
    """Fault knobs: `push(kind, count)` spoils the next `count` CGI replies; `offline` drops every connection."""

    offline: bool = False
    queue: list[FaultKind] = field(default_factory=list)
    # Faults for one kind of request only: {"image_query?Group=All": [...]} or {"image_query": [...]}.
    targeted: dict[str, list[FaultKind]] = field(default_factory=dict)

    def push(self, kind: FaultKind, count: int = 1) -> None:
        """Apply fault `kind` to the next `count` CGI replies."""
        self.queue.extend([kind] * count)

    def push_for(self, request: str, kind: FaultKind, count: int = 1) -> None:
        """Apply fault `kind` to the next `count` replies to `request` (`area_op`, or `area_op?Group=G`)."""
        self.targeted.setdefault(request, []).extend([kind] * count)

    def clear(self) -> None:
        """Forget pending faults and go online."""
        self.queue.clear()
        self.targeted.clear()
        self.offline = False

    def pop(
        self, request: str | None = None, group: str | None = None
    ) -> FaultKind | None:
        """Return the fault for the next CGI reply (to `request` = `area_op`, asking for `group`), if any."""
        if request is not None:
            for key in (f"{request}?Group={group}", request):
                if pending := self.targeted.get(key):
                    return pending.pop(0)
        return self.queue.pop(0) if self.queue else None


@dataclass
class _Request:
    method: str
    target: str
    path: str
    query: str
    headers: dict[str, str]


class CameraEmulator:
    """A fake CGI/XML IP camera on a TCP port (see docs/architecture.md, "The emulator")."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        """Create the emulator; nothing listens until `start()`."""
        self.config = config or EmulatorConfig()
        self.state = CameraState(self.config)
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self.max_concurrent = 0
        self.concurrent = 0
        # Every TCP connection accepted since the start (a camera-side cost of each request).
        self.connections_accepted = 0
        # Open connections of the web server (CGI and everything but images): what max_connections limits.
        self._server_connections = 0
        self.stream_connections = 0
        self.max_stream_connections = 0
        self.reboot_count = 0
        self.host = "127.0.0.1"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._rebooting = False
        self._reboot_task: asyncio.Task[None] | None = None
        self._nonces: set[str] = set()
        self._images = ImageRenderer(self.state)
        self.motion = MotionState(self.state)
        self.onvif: OnvifServer | None = None
        self._onvif_running = False
        if self.config.onvif:
            self.onvif = OnvifServer(
                self.state,
                self.motion,
                username=self.config.username,
                password=self.config.password,
                topic=self.config.onvif_topic,
            )
        self.rtsp: RtspServer | None = None
        if self.config.rtsp:
            self.rtsp = RtspServer(self.config, self.state, self.config.rtsp_layout)

    # Lifecycle ------------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Return the base URL, e.g. `http://127.0.0.1:8080`."""
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (port 0 picks a free port; `self.port` tells which)."""
        self.host = host
        self._server = await asyncio.start_server(
            self._on_connection, host, port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        await self._start_port_servers()
        self.state.mark_boot()

    async def _start_port_servers(self) -> None:
        await self._start_onvif()
        if self.rtsp is not None:
            await self.rtsp.start(self.host, self.rtsp.port or self.config.rtsp_port)
            self.state.netport.data["RtspPort"] = self.rtsp.port

    async def _start_onvif(self) -> None:
        # NetProtocolInfo ONVIF=0 (document §3.9.4): the ONVIF service does not run, its port refuses connections.
        if self.onvif is not None and self.state.net_protocol.data["ONVIF"]:
            await self.onvif.start(self.host, self.onvif.port or self.config.onvif_port)
            self._onvif_running = True
            self.state.netport.data["OnvifPort"] = self.onvif.port

    async def apply_net_protocol(self) -> None:
        """Start or stop the ONVIF service to match NetProtocolInfo ONVIF (a set does this; tests call it too)."""
        if self.onvif is None:
            return
        if self.state.net_protocol.data["ONVIF"] and not self._onvif_running:
            await self._start_onvif()
        elif not self.state.net_protocol.data["ONVIF"] and self._onvif_running:
            self._onvif_running = False
            await self.onvif.stop()

    async def stop(self) -> None:
        """Stop listening and drop every open connection."""
        if self._reboot_task is not None:
            self._reboot_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reboot_task
            self._reboot_task = None
        await self._close_server()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self.state.stop_motion()
        self.motion.stop_periodic()
        if self.onvif is not None:
            self._onvif_running = False
            await self.onvif.stop()
        if self.rtsp is not None:
            await self.rtsp.stop()

    async def _close_server(self) -> None:
        server, self._server = self._server, None
        for writer in list(self._writers):
            writer.transport.abort()
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def __aenter__(self) -> Self:
        """Start on a free loopback port."""
        if self._server is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    async def reboot(self) -> None:
        """Refuse connections for `config.reboot_seconds`, then serve again on the same port with UpTime 0."""
        self.reboot_count += 1
        self._rebooting = True
        await self._close_server()
        if self.onvif is not None:
            self._onvif_running = False
            await self.onvif.stop()  # every ONVIF subscription is lost
        if self.rtsp is not None:
            await self.rtsp.stop()
        self.state.on_reboot()
        self.motion.clear()
        try:
            await asyncio.sleep(self.config.reboot_seconds)
            self._server = await asyncio.start_server(
                self._on_connection, self.host, self.port, reuse_address=True
            )
            await self._start_port_servers()
            self.state.mark_boot()
        finally:
            self._rebooting = False

    def _schedule_reboot(self) -> None:
        if self._reboot_task is None or self._reboot_task.done():
            self._reboot_task = asyncio.get_running_loop().create_task(
                self._delayed_reboot()
            )

    async def _delayed_reboot(self) -> None:
        await asyncio.sleep(0.05)  # let the 200 reply leave first
        await self.reboot()

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    # Connection handling --------------------------------------------------------------------------------------
    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        self.concurrent += 1
        self.connections_accepted += 1
        self.max_concurrent = max(self.max_concurrent, self.concurrent)
        try:
            if self.faults.offline or self._rebooting:
                _reset(writer)
                return
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            raise
        except Exception:
            _LOGGER.exception("emulator: unhandled error")
        finally:
            self.concurrent -= 1
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        request = await asyncio.wait_for(_read_request(reader), 30)
        if request is None:
            return
        if _IMAGE_PATH.match(request.path):
            # The firmware hands image sockets to its media process (field notes §2.3): they do not count toward
            # the web server's connections (/jpgimage has no limit; streams have their own, stream_limit).
            await self._serve_request(reader, writer, request)
            return
        self._server_connections += 1
        try:
            limit = self.config.max_connections
            if limit is not None and self._server_connections > limit:
                return  # accepted, request read (a clean FIN, not an RST), closed with zero bytes
            await self._serve_request(reader, writer, request)
        finally:
            self._server_connections -= 1

    async def _serve_request(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: _Request,
    ) -> None:
        cgi = _CGI_PATH.match(request.path)
        params = dict(parse_qsl(request.query, keep_blank_values=True))
        record = RequestRecord(
            method=request.method,
            path=request.path,
            area=cgi["area"] if cgi else None,
            op=cgi["op"] if cgi else None,
            group=params.get("Group"),
            params=params,
            channel=_int_or_none(params.get("Channel")),
            time=time.time(),
        )
        self.requests.append(record)
        if length := _int_or_none(request.headers.get("content-length")):
            # A POST body is ignored, but read it so closing does not turn into an RST.
            with contextlib.suppress(asyncio.IncompleteReadError, TimeoutError):
                await asyncio.wait_for(reader.readexactly(min(length, 1 << 20)), 5)
        if request.path == "/emulator/motion":
            await self._serve_motion_control(writer, params)
            return
        if self.config.latency:
            await asyncio.sleep(self.config.latency)
        if not self._authorized(request):
            record.authorized = False
            await self._send_401(writer)
            return
        if cgi is not None:
            await self._serve_cgi(reader, writer, cgi["area"], cgi["op"], params)
            return
        if request.path == "/cgi/getAlarmStatus" and self.config.alarm_status:
            writer.write(
                b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                + (await self.motion.alarm_status_reply()).encode()
            )
            await writer.drain()
            return
        if request.path == FORM_PRESET_PATH and self.config.profile == "preset-form":
            writer.write(handle_preset_form(self.state, params))
            await writer.drain()
            return
        if m := _JPG_PATH.match(request.path):
            await self._serve_jpeg(writer, m["ch"])
            return
        if m := _MJPG_PATH.match(request.path):
            await self._serve_mjpeg(reader, writer, m["ch"])
            return
        if self.config.jpgmulreq and (m := _MUL_PATH.match(request.path)):
            await self._serve_jpgmulreq(reader, writer, m["ch"], params)
            return
        writer.write(
            b"HTTP/1.0 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html>404 Not Found</html>\n"
        )
        await writer.drain()

    async def _serve_motion_control(
        self, writer: asyncio.StreamWriter, params: dict[str, str]
    ) -> None:
        """`/emulator/motion?channel=1&on=1&areas=1,2`: start or end motion (a test and demo control, no auth)."""
        channel = _int_or_none(params.get("channel", "1")) or 1
        areas = tuple(
            a
            for a in (_int_or_none(x) for x in params.get("areas", "1").split(","))
            if a
        )
        ok = 1 <= channel <= self.config.channels and all(1 <= a <= 4 for a in areas)
        if ok:
            ok = self.motion.trigger(channel, params.get("on", "1") == "1", areas)
        writer.write(
            b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
            + (b"OK\n" if ok else b"IGNORED\n")
        )
        await writer.drain()

    # Authentication -------------------------------------------------------------------------------------------
    def _authorized(self, request: _Request) -> bool:
        cfg = self.config
        if cfg.auth == "none":
            return True
        header = request.headers.get("authorization", "")
        scheme, _, rest = header.partition(" ")
        scheme = scheme.lower()
        if cfg.auth == "basic" and scheme == "basic":
            try:
                user, sep, password = (
                    base64.b64decode(rest.strip(), validate=True)
                    .decode("utf-8")
                    .partition(":")
                )
            except ValueError:
                return False
            ok = bool(sep) and user == cfg.username and password == cfg.password
        elif cfg.auth == "digest" and scheme == "digest":
            ok = self._digest_ok(request, parse_digest(rest))
        else:
            return False
        if ok and self.faults.queue and self.faults.queue[0] == "401":
            self.faults.pop()
            return False
        return ok

    def _digest_ok(self, request: _Request, fields: dict[str, str]) -> bool:
        cfg = self.config
        # The proof covers the URI the client names: it must be the one requested.
        if unquote(fields.get("uri", "").split("?", 1)[0]) != unquote(request.path):
            return False
        return digest_ok(
            fields,
            method=request.method,
            username=cfg.username,
            realm=cfg.realm,
            password=cfg.password,
            nonces=self._nonces,
        )

    async def _send_401(self, writer: asyncio.StreamWriter) -> None:
        realm = self.config.realm
        if self.config.auth == "digest":
            nonce = secrets.token_hex(16)
            self._nonces.add(nonce)
            challenge = (
                f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'
            )
        else:
            challenge = f'Basic realm="{realm}"'
        body = b"<html><head><title>401 Unauthorized</title></head><body>401 Unauthorized</body></html>\n"
        if self.config.profile == "http10":
            head = (
                "HTTP/1.0 401 Unauthorized\n"
                f"WWW-Authenticate: {challenge}\n"
                "Content-Type: text/html\n\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
            return
        head = (
            "HTTP/1.0 401 Unauthorized\r\n"
            f"WWW-Authenticate: {challenge}\r\n"
            "Content-Type: text/html\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()

    # CGI ------------------------------------------------------------------------------------------------------
    async def _serve_cgi(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        area: str,
        op: str,
        params: dict[str, str],
    ) -> None:
        fault = self.faults.pop(f"{area}_{op}", params.get("Group"))
        if fault == "pass":
            fault = None
        if fault == "empty":
            return
        if fault == "stall":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    reader.read(), _STALL_LIMIT
                )  # until the client hangs up
            return
        if fault in {"503", "501"}:
            reply = CgiReply(area, op, int(fault))
        else:
            reply = handle_cgi(self.state, area, op, params)
        if fault == "empty-groups":
            reply.groups = [
                _EMPTY_GROUP.sub(r"<\1></\1>", group) for group in reply.groups
            ]
        elif fault == "nested":
            reply.groups.append(f"<Nested>{'<a>' * 100_000}{'</a>' * 100_000}</Nested>")
        body = reply.xml().encode("utf-8")
        if fault == "truncated":
            body = body[: max(1, len(body) * 2 // 3)]
        elif fault == "garbage":
            body = b"\x00\x17<html><body>Internal garbage \xff\xfe</body>\n"
        elif fault == "trailing":
            body += b"\x00garbage after the message<<<"
        elif fault == "doctype":
            body = (
                b'<?xml version="1.0" encoding="utf-8"?>\n'
                b'<!DOCTYPE Message [<!ENTITY boom "boom">]>\n'
                b'<Message><Header class="' + f"{area}_{op}".encode() + b'"></Header>'
                b'<result code="200">Successfully</result><DeviceInfo><DeviceID><string>&boom;</string>'
                b"</DeviceID></DeviceInfo></Message>\n"
            )
        payload = self._cgi_head(len(body)) + body
        if fault == "reset":
            writer.write(payload[: len(payload) // 2])
            await writer.drain()
            _reset(writer)
            return
        writer.write(payload)
        await writer.drain()
        if reply.reboot:
            self._schedule_reboot()
        if reply.code == 200 and op == "set":
            await self._after_set(area, params.get("Group"))

    async def _after_set(self, area: str, group: str | None) -> None:
        """Apply a set's effect outside the CGI state: the ONVIF service and its password."""
        if (area, group) == ("net", "NetProtocolInfo"):
            await self.apply_net_protocol()
        elif (area, group) == ("user", "ChangePassword") and self.onvif is not None:
            self.onvif.password = self.config.password

    def _cgi_head(self, length: int) -> bytes:
        match self.config.framing:
            case "all_lf":
                return b"HTTP/1.0 200 OK\nContent-Type: text/html\n\n"
            case "goahead_mixed":
                return (
                    b"HTTP/1.0 200 OK\r\nServer: GoAhead-Webs\nPragma: no-cache\r\n"
                    b"Cache-Control: no-cache\nContent-Type: text/html\r\n\n"
                )
            case "crlf":
                return (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                    + f"Content-Length: {length}\r\n".encode()
                    + b"Connection: close\r\n\r\n"
                )
            case _:
                return b"HTTP/1.0 200 OK\r\nContent-Type: text/html\n\n"

    # Images ---------------------------------------------------------------------------------------------------
    def _valid_channel(self, raw: str) -> int | None:
        ch = _int_or_none(raw)
        return ch if ch is not None and 1 <= ch <= self.config.channels else None

    async def _serve_jpeg(self, writer: asyncio.StreamWriter, raw_channel: str) -> None:
        ch = self._valid_channel(raw_channel)
        if ch is None:
            writer.write(NO_IMAGE)
            await writer.drain()
            return
        jpeg = await self._images.frame(ch)
        if self.config.profile == "http10":
            writer.write(b"HTTP/1.0 200 OK\nContent-Type: image/jpeg\n\n" + jpeg)
            await writer.drain()
            return
        writer.write(_jpeg_head(len(jpeg), keep_alive=False) + jpeg)
        await writer.drain()

    async def _serve_mjpeg(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        raw_channel: str,
    ) -> None:
        ch = self._valid_channel(raw_channel)
        if ch is None or self.state.channel(ch).mjpeg.get("Resolution") == "CLOSED":
            writer.write(NO_IMAGE)
            await writer.drain()
            return
        if self.stream_connections >= self.config.stream_limit:
            return  # accepted and closed with zero bytes, like the firmware's "web connect limited"
        self.stream_connections += 1
        self.max_stream_connections = max(
            self.max_stream_connections, self.stream_connections
        )
        drain = asyncio.get_running_loop().create_task(_discard(reader))
        try:
            boundary = "hankvisionboundary"
            if self.config.mjpeg_framing == "multipart":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nServer: Hankvision-Webs\r\nCache-control: no-cache\r\n"
                    + f"Content-Type: multipart/x-mixed-replace; boundary={boundary}\r\n\r\n".encode()
                )
            period = 1.0 / max(self.config.mjpeg_fps, 0.1)
            while not drain.done() and not writer.is_closing():
                if self.faults.offline:  # the camera dropped off the network
                    _reset(writer)
                    return
                jpeg = await self._images.frame(ch)
                if self.config.mjpeg_framing == "multipart":
                    part = (
                        f"--{boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
                        + jpeg
                        + b"\r\n"
                    )
                    writer.write(part)
                else:
                    writer.write(_jpeg_head(len(jpeg), keep_alive=True) + jpeg)
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(drain), period)
        finally:
            drain.cancel()
            self.stream_connections -= 1

    async def _serve_jpgmulreq(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        raw_channel: str,
        params: dict[str, str],
    ) -> None:
        """One JPEG per GET on a kept-alive connection (field notes §2.3, §7 E.21); `?close=true` ends it.

        Counts toward the stream limit it shares with /mjpgstreamreq. A follow-up request for any other path ends
        the connection without a reply (the firmware's media process only knows this one).
        """
        ch = self._valid_channel(raw_channel)
        if ch is None:
            writer.write(NO_IMAGE)
            await writer.drain()
            return
        if self.stream_connections >= self.config.stream_limit:
            return  # accepted and closed with zero bytes, like the firmware's "web connect limited"
        self.stream_connections += 1
        self.max_stream_connections = max(
            self.max_stream_connections, self.stream_connections
        )
        try:
            while True:
                if params.get("close") == "true":
                    writer.write(_MUL_CLOSE)
                    await writer.drain()
                    return
                jpeg = await self._images.frame(ch)
                writer.write(_jpeg_head(len(jpeg), keep_alive=True) + jpeg)
                await writer.drain()
                request = await asyncio.wait_for(_read_request(reader), 30)
                if request is None or _MUL_PATH.match(request.path) is None:
                    return
                params = dict(parse_qsl(request.query, keep_blank_values=True))
                self.requests.append(
                    RequestRecord(
                        method=request.method,
                        path=request.path,
                        area=None,
                        op=None,
                        group=None,
                        params=params,
                        channel=None,
                        time=time.time(),
                    )
                )
                if self.config.latency:
                    await asyncio.sleep(self.config.latency)
        finally:
            self.stream_connections -= 1


def _jpeg_head(length: int, *, keep_alive: bool) -> bytes:
    # Header order and spelling as in the firmware (field notes §2.3).
    now = time.asctime(time.gmtime())
    return (
        "HTTP/1.1 200 OK\r\n"
        f"Date: {now}\r\n"
        "Server: Hankvision-Webs\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        f"Last-modified: {now}\r\n"
        "Expires: 0\r\n"
        "Pragma: no-cache\r\n"
        "Cache-control: no-cache\r\n"
        "Content-Type: image/jpeg\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


async def _discard(reader: asyncio.StreamReader) -> None:
    """Read and drop whatever the client sends until it hangs up."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(4096):
            pass


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """Read a request line and headers; tolerate bare LF. Return None on EOF or junk."""
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").strip().split()
    if len(parts) < 2:
        return None
    method, target = parts[0].upper(), parts[1]
    headers: dict[str, str] = {}
    size = len(line)
    while True:
        raw = await reader.readline()
        size += len(raw)
        if size > _HEADER_LIMIT:
            return None
        text = raw.decode("latin-1").rstrip("\r\n")
        if not text:
            break
        name, _, value = text.partition(":")
        headers[name.strip().lower()] = value.strip()
    path, _, query = target.partition("?")
    if path.startswith(("http://", "https://")):
        path = "/" + path.split("/", 3)[-1] if path.count("/") >= 3 else "/"
    return _Request(method, target, unquote(path), query, headers)


def _int_or_none(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info(
        "socket"
    )  # asyncio's TransportSocket, not a socket.socket
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
    writer.transport.abort()
