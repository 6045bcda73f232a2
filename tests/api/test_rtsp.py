"""The RTSP check (api/rtsp.py) against the emulator's RTSP server and a few misbehaving listeners."""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    CgiCamera,
    RtspCheck,
    RtspOutcome,
    rtsp as rtsp_module,
)
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable

    import aiohttp


def _port(emulator: CameraEmulator) -> int:
    assert emulator.rtsp is not None
    return emulator.rtsp.port


async def test_family_layout_and_codecs(
    emulator: CameraEmulator, client: CgiCamera
) -> None:
    """The family's /1/h264major answers with digest auth: its layout and both streams' codecs are kept."""
    emulator.state.channel(1).major.data["Payload"] = 1
    check = await client.check_rtsp(_port(emulator))
    assert check == RtspCheck(
        _port(emulator), RtspOutcome.OK, "h264major", {"main": "H265", "sub": "H264"}
    )
    assert check.ok
    assert check.path(2, "main") == "2/h264major"
    assert check.path(2, "sub") == "2/h264minor"
    # Only descriptions: nothing was played.
    assert [method for method, _ in emulator.rtsp.stats.requests] == [
        "DESCRIBE",
        "DESCRIBE",
        "DESCRIBE",
    ]
    assert emulator.rtsp.stats.max_playing == 0


@pytest.mark.parametrize(
    ("layout", "main", "sub"),
    [
        ("streaming", "Streaming/Channels/101", "Streaming/Channels/102"),
        ("av_stream", "mpeg4/ch01/main/av_stream", "mpeg4/ch01/sub/av_stream"),
        ("mpeg4", "mpeg4", "mpeg4cif"),
    ],
)
async def test_other_layouts_are_found(
    socket_enabled: None,
    session: aiohttp.ClientSession,
    layout: str,
    main: str,
    sub: str,
) -> None:
    """A camera that answers another layout (field notes §3.3): the check finds it; 404s on the way are fine."""
    config = EmulatorConfig(auth="digest", rtsp_layout=layout)
    async with CameraEmulator(config) as emu:
        client = CgiCamera(session, emu.host, emu.port, "admin", "admin")
        check = await client.check_rtsp(_port(emu))
    assert check.outcome is RtspOutcome.OK
    assert check.layout == layout
    assert (check.path(1, "main"), check.path(1, "sub")) == (main, sub)
    assert check.codecs == {"main": "H264", "sub": "H264"}


async def test_no_layout_answers(emulator: CameraEmulator, client: CgiCamera) -> None:
    """Every path 404s (channel 2 of a one-channel camera): not found."""
    check = await client.check_rtsp(_port(emulator), channel=2)
    assert check == RtspCheck(_port(emulator), RtspOutcome.NOT_FOUND)
    assert not check.ok


async def test_wrong_password(
    emulator: CameraEmulator, session: aiohttp.ClientSession
) -> None:
    """The camera refuses the credentials: unauthorized, with no second guess of other layouts."""
    client = CgiCamera(session, emulator.host, emulator.port, "admin", "wrong")
    check = await client.check_rtsp(_port(emulator))
    assert check.outcome is RtspOutcome.UNAUTHORIZED
    assert len(emulator.rtsp.stats.requests) == 2


async def test_refused_port(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """Nothing listens on the port: refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening
        client = CgiCamera(session, "127.0.0.1", 80, "admin", "admin")
        check = await client.check_rtsp(port)
    assert check == RtspCheck(port, RtspOutcome.REFUSED)


@pytest.fixture
async def listener(
    socket_enabled: None,
) -> AsyncGenerator[Callable[[Callable[..., Awaitable[None]]], Awaitable[int]]]:
    """Start a loopback TCP server with a given connection handler; return its port."""
    servers: list[asyncio.Server] = []

    async def start(handler: Callable[..., Awaitable[None]]) -> int:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()


async def _read_request(reader: asyncio.StreamReader) -> str:
    return (await reader.readuntil(b"\r\n\r\n")).decode()


async def test_silent_port(
    listener: Callable[[Callable[..., Awaitable[None]]], Awaitable[int]],
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A port that accepts but never answers RTSP (a filtered port, another service): no answer."""
    done = asyncio.Event()

    async def silent(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await done.wait()
        writer.close()

    port = await listener(silent)
    monkeypatch.setattr(rtsp_module, "CHECK_SECONDS", 0.2)
    client = CgiCamera(session, "127.0.0.1", 80, "admin", "admin")
    check = await client.check_rtsp(port)
    done.set()
    assert check.outcome is RtspOutcome.NO_ANSWER


async def test_http_on_the_port(
    listener: Callable[[Callable[..., Awaitable[None]]], Awaitable[int]],
    session: aiohttp.ClientSession,
) -> None:
    """Another protocol answers (an HTTP server on the port): no answer from RTSP."""

    async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    port = await listener(http)
    client = CgiCamera(session, "127.0.0.1", 80, "admin", "admin")
    assert (await client.check_rtsp(port)).outcome is RtspOutcome.NO_ANSWER


async def test_basic_auth_camera(
    listener: Callable[[Callable[..., Awaitable[None]]], Awaitable[int]],
    session: aiohttp.ClientSession,
) -> None:
    """A camera asking for Basic: answered with the camera's credentials; an SDP without rtpmap has no codec."""
    seen: list[str] = []

    async def basic(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await _read_request(reader)
            seen.append(request)
            cseq = next(
                line.split(":", 1)[1].strip()
                for line in request.split("\r\n")
                if line.lower().startswith("cseq")
            )
            if "Authorization: Basic YWRtaW46YWRtaW4=" not in request:
                writer.write(
                    f'RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n'.encode()
                )
            else:
                body = b"v=0\r\nm=video 0 RTP/AVP 96\r\n"
                writer.write(
                    f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
            await writer.drain()

    port = await listener(basic)
    client = CgiCamera(session, "127.0.0.1", 80, "admin", "admin")
    check = await client.check_rtsp(port)
    assert check == RtspCheck(port, RtspOutcome.OK, "h264major", {})
    # Challenged once; the sub stream's DESCRIBE is authenticated up front.
    assert len(seen) == 3
    assert seen[0].startswith("DESCRIBE rtsp://127.0.0.1:")


def test_stored_form_round_trips() -> None:
    """as_dict / from_dict keep a check; an unknown layout or malformed codecs are refused."""
    check = RtspCheck(8554, RtspOutcome.OK, "streaming", {"main": "H265"})
    assert RtspCheck.from_dict(check.as_dict()) == check
    with pytest.raises(ValueError, match="layout"):
        RtspCheck.from_dict(check.as_dict() | {"layout": "nope"})
    with pytest.raises(TypeError):
        RtspCheck.from_dict(check.as_dict() | {"codecs": ["H264"]})
    with pytest.raises(ValueError, match="maybe"):
        RtspCheck.from_dict(check.as_dict() | {"outcome": "maybe"})
