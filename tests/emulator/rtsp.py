"""The emulated camera's RTSP server: RTP over the RTSP connection (TCP interleaved), digest authentication.

Each channel serves its main and sub stream (`/<ch>/h264major`, `/<ch>/h264minor`, field notes §3.3) from a short
clip made at run time (clips.py): H.264, or H.265 on a stream whose encoder `Payload` is 1. A client that asks for
UDP transport is answered 461 (Unsupported Transport): clients such as FFmpeg then retry over TCP.

Other path layouts seen in the wild can be played with `layout` (see LAYOUTS), so the integration's path check has
something to find.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass, field
import logging
import re
import secrets
import struct
import time
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .clips import Clip, make_clip
from .digest import digest_ok, parse_digest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .config import EmulatorConfig
    from .state import CameraState

__all__ = ["LAYOUTS", "RtspServer"]

_LOGGER = logging.getLogger(__name__)

# Path layouts (main, sub) with {ch} for the channel: the family's own, and aliases reported for OEM relatives.
LAYOUTS: dict[str, tuple[str, str]] = {
    "h264major": ("{ch}/h264major", "{ch}/h264minor"),
    "streaming": ("Streaming/Channels/{ch}01", "Streaming/Channels/{ch}02"),
    "av_stream": ("mpeg4/ch{ch:02d}/main/av_stream", "mpeg4/ch{ch:02d}/sub/av_stream"),
    "mpeg4": ("mpeg4", "mpeg4cif"),
    # A layout no client knows: every path the integration tries answers 404.
    "unlisted": ("live/{ch}/main", "live/{ch}/sub"),
}
# Encoded sizes (kept small: the clip is encoded when the emulator first describes a stream).
_SIZES = {"main": (640, 360), "sub": (320, 180)}
_MTU = 1400
_PAYLOAD_TYPE = 96


@dataclass
class _Session:
    session_id: str
    stream: tuple[int, str]  # (channel, "main" | "sub")
    channel_id: int = 0  # interleaved RTP channel
    sender: asyncio.Task[None] | None = None


@dataclass
class RtspStats:
    """What the RTSP server saw: connections now and at most, sessions playing now and at most, requests."""

    connections: int = 0
    max_connections: int = 0
    playing: int = 0
    max_playing: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)


class RtspServer:
    """An RTSP server for the emulated camera's channels (see module docstring)."""

    def __init__(
        self, config: EmulatorConfig, state: CameraState, layout: str = "h264major"
    ) -> None:
        """Serve the channels of `state` with the credentials of `config`."""
        self.config = config
        self.state = state
        self.layout = layout
        self.stats = RtspStats()
        self.host = "127.0.0.1"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._nonces: set[str] = set()

    async def start(self, host: str, port: int = 0) -> None:
        """Listen on `host:port` (0: a free port)."""
        self.host = host
        self._server = await asyncio.start_server(
            self._on_connection, host, port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        server, self._server = self._server, None
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    # Paths and clips --------------------------------------------------------------------------------------------
    def _stream_of(self, path: str) -> tuple[int, str] | None:
        """Return (channel, "main" | "sub") for a request path (a track suffix allowed), else None."""
        path = path.strip("/")
        main, sub = LAYOUTS[self.layout]
        for channel in range(1, self.config.channels + 1):
            for kind, pattern in (("main", main), ("sub", sub)):
                base = pattern.format(ch=channel)
                # The stream itself, or its track (SETUP's URL is the Content-Base plus "trackID=0").
                if path in (base, f"{base}/trackID=0"):
                    return channel, kind
        return None

    def codec(self, channel: int, kind: str) -> str:
        """Return the codec the encoder of this stream is set to (StreamInfo Payload: 0 H.264, 1 H.265)."""
        group = self.state.channel(channel).major if kind == "main" else None
        if kind == "sub":
            group = self.state.channel(channel).minor
        assert group is not None
        return "H265" if int(group.data.get("Payload", 0)) == 1 else "H264"

    async def _clip(self, channel: int, kind: str) -> Clip:
        width, height = _SIZES[kind]
        return await asyncio.to_thread(
            make_clip, self.codec(channel, kind), width, height
        )  # type: ignore[arg-type]

    # Connections ------------------------------------------------------------------------------------------------
    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        stats = self.stats
        stats.connections += 1
        stats.max_connections = max(stats.max_connections, stats.connections)
        sessions: dict[str, _Session] = {}
        lock = asyncio.Lock()
        try:
            await self._serve(reader, writer, sessions, lock)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            raise
        except Exception:
            _LOGGER.exception("emulator RTSP: unhandled error")
        finally:
            for session in sessions.values():
                self._stop_session(session)
            stats.connections -= 1
            self._writers.discard(writer)
            writer.transport.abort()
            if task is not None:
                self._tasks.discard(task)

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        sessions: dict[str, _Session],
        lock: asyncio.Lock,
    ) -> None:
        while True:
            first = await reader.readexactly(1)
            if (
                first == b"$"
            ):  # interleaved data from the client (RTCP receiver reports): skip
                _channel, length = struct.unpack("!BH", await reader.readexactly(3))
                await reader.readexactly(length)
                continue
            line = first + await reader.readuntil(b"\n")
            request_line = line.decode("latin-1").strip()
            if not request_line:
                continue
            headers: dict[str, str] = {}
            while (raw := await reader.readuntil(b"\n")) not in (b"\r\n", b"\n"):
                name, _, value = raw.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if length := int(headers.get("content-length", "0") or 0):
                await reader.readexactly(length)
            reply = await self._handle(request_line, headers, sessions, writer, lock)
            async with lock:
                writer.write(reply)
                await writer.drain()
            if request_line.startswith("TEARDOWN") and not sessions:
                return

    async def _handle(
        self,
        request_line: str,
        headers: dict[str, str],
        sessions: dict[str, _Session],
        writer: asyncio.StreamWriter,
        lock: asyncio.Lock,
    ) -> bytes:
        parts = request_line.split()
        if len(parts) != 3 or not parts[2].startswith("RTSP/"):
            return _reply("400 Bad Request", headers)
        method, url = parts[0].upper(), parts[1]
        path = unquote(urlsplit(url).path) if "://" in url else url
        self.stats.requests.append((method, path))
        if method == "OPTIONS":
            return _reply(
                "200 OK",
                headers,
                {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER"},
            )
        if not self._authorized(method, headers):
            return _reply(
                "401 Unauthorized",
                headers,
                {"WWW-Authenticate": self._challenge()},
            )
        if method == "GET_PARAMETER":
            return _reply("200 OK", headers, _session_header(sessions, headers))
        if method == "TEARDOWN":
            if (session := sessions.pop(_session_id(headers), None)) is not None:
                self._stop_session(session)
            return _reply("200 OK", headers)
        stream = self._stream_of(path)
        if stream is None:
            return _reply("404 Not Found", headers)
        if method == "DESCRIBE":
            clip = await self._clip(*stream)
            sdp = _sdp(clip, self.host).encode()
            base = url if url.endswith("/") else url + "/"
            return _reply(
                "200 OK",
                headers,
                {"Content-Base": base, "Content-Type": "application/sdp"},
                sdp,
            )
        if method == "SETUP":
            transport = headers.get("transport", "")
            if "interleaved" not in transport.lower():
                return _reply("461 Unsupported Transport", headers)
            match = re.search(r"interleaved=(\d+)", transport)
            channel_id = int(match[1]) if match else 0
            session_id = _session_id(headers) or secrets.token_hex(8)
            sessions[session_id] = _Session(session_id, stream, channel_id)
            return _reply(
                "200 OK",
                headers,
                {
                    "Transport": f"RTP/AVP/TCP;unicast;interleaved={channel_id}-{channel_id + 1}",
                    "Session": f"{session_id};timeout=60",
                },
            )
        if method == "PLAY":
            session = sessions.get(_session_id(headers))
            if session is None:
                return _reply("454 Session Not Found", headers)
            if session.sender is None:
                stats = self.stats
                # Like the camera's MJPEG sessions: only stream_limit video clients at once.
                if stats.playing >= self.config.stream_limit:
                    return _reply("453 Not Enough Bandwidth", headers)
                stats.playing += 1
                stats.max_playing = max(stats.max_playing, stats.playing)
                clip = await self._clip(*session.stream)
                session.sender = asyncio.get_running_loop().create_task(
                    self._send(clip, session, writer, lock)
                )
                session.sender.add_done_callback(self._ended)
            return _reply(
                "200 OK",
                headers,
                {"Session": session.session_id, "Range": "npt=0.000-"},
            )
        return _reply("405 Method Not Allowed", headers)

    def _ended(self, _task: asyncio.Task[None]) -> None:
        self.stats.playing -= 1

    def _stop_session(self, session: _Session) -> None:
        if session.sender is not None:
            session.sender.cancel()
            session.sender = None

    async def _send(
        self,
        clip: Clip,
        session: _Session,
        writer: asyncio.StreamWriter,
        lock: asyncio.Lock,
    ) -> None:
        """Send the clip as RTP in real time, looping, until the session ends."""
        ssrc = secrets.randbits(32)
        sequence = secrets.randbits(16)
        ticks = 90000 // clip.fps
        timestamp = secrets.randbits(32)
        start = time.monotonic()
        try:
            index = 0
            while True:
                frame = clip.frames[index % len(clip.frames)]
                packets = list(_packetize(clip.codec, frame))
                async with lock:
                    for number, payload in enumerate(packets):
                        marker = number == len(packets) - 1
                        header = struct.pack(
                            "!BBHII",
                            0x80,
                            (0x80 if marker else 0) | _PAYLOAD_TYPE,
                            sequence & 0xFFFF,
                            timestamp & 0xFFFFFFFF,
                            ssrc,
                        )
                        sequence += 1
                        rtp = header + payload
                        writer.write(
                            struct.pack("!cBH", b"$", session.channel_id, len(rtp))
                            + rtp
                        )
                    await writer.drain()
                index += 1
                timestamp += ticks
                delay = start + index / clip.fps - time.monotonic()
                await asyncio.sleep(max(delay, 0))
        except ConnectionError:
            pass

    # Authentication ---------------------------------------------------------------------------------------------
    def _challenge(self) -> str:
        nonce = secrets.token_hex(16)
        self._nonces.add(nonce)
        return f'Digest realm="{self.config.realm}", nonce="{nonce}"'

    def _authorized(self, method: str, headers: dict[str, str]) -> bool:
        cfg = self.config
        if cfg.auth == "none":
            return True
        scheme, _, rest = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "digest":
            return False
        return digest_ok(
            parse_digest(rest),
            method=method,
            username=cfg.username,
            realm=cfg.realm,
            password=cfg.password if cfg.rtsp_password is None else cfg.rtsp_password,
            nonces=self._nonces,
        )


def _session_id(headers: dict[str, str]) -> str:
    return headers.get("session", "").split(";", 1)[0].strip()


def _session_header(
    sessions: dict[str, _Session], headers: dict[str, str]
) -> dict[str, str]:
    return {"Session": sid} if (sid := _session_id(headers)) in sessions else {}


def _reply(
    status: str,
    request_headers: dict[str, str],
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    lines = [f"RTSP/1.0 {status}", f"CSeq: {request_headers.get('cseq', '0')}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _sdp(clip: Clip, host: str) -> str:
    b64 = [base64.b64encode(unit).decode() for unit in clip.parameter_sets]
    if clip.codec == "H265":
        fmtp = f"sprop-vps={b64[0]};sprop-sps={b64[1]};sprop-pps={b64[2]}"
    else:
        sps = clip.parameter_sets[0]
        fmtp = (
            f"packetization-mode=1;profile-level-id={sps[1:4].hex().upper()};"
            f"sprop-parameter-sets={b64[0]},{b64[1]}"
        )
    return (
        "v=0\r\n"
        f"o=- {secrets.randbits(31)} 1 IN IP4 {host}\r\n"
        "s=IP Camera Video\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "t=0 0\r\n"
        "a=control:*\r\n"
        f"m=video 0 RTP/AVP {_PAYLOAD_TYPE}\r\n"
        f"a=rtpmap:{_PAYLOAD_TYPE} {clip.codec}/90000\r\n"
        f"a=fmtp:{_PAYLOAD_TYPE} {fmtp}\r\n"
        f"a=framerate:{clip.fps}\r\n"
        "a=control:trackID=0\r\n"
    )


def _packetize(codec: str, units: tuple[bytes, ...]) -> Iterator[bytes]:
    """Yield the RTP payloads of one access unit: single NAL unit packets, or fragmentation units."""
    for unit in units:
        if len(unit) <= _MTU:
            yield unit
            continue
        if codec == "H265":
            kind = (unit[0] >> 1) & 0x3F
            head = bytes(((unit[0] & 0x81) | (49 << 1), unit[1]))
            body = unit[2:]
        else:
            kind = unit[0] & 0x1F
            head = bytes(((unit[0] & 0xE0) | 28,))
            body = unit[1:]
        for offset in range(0, len(body), _MTU):
            fu = kind
            if offset == 0:
                fu |= 0x80
            if offset + _MTU >= len(body):
                fu |= 0x40
            yield head + bytes((fu,)) + body[offset : offset + _MTU]
