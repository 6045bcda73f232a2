"""The MJPEG stream reader against cameras that misbehave: silent, hanging up, endless headers, broken frames."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    CameraTimeout,
    CannotConnect,
    CgiCamera,
    CgiError,
    MalformedReply,
)
from custom_components.cgi_camera.api.client import _extract_frame

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    import aiohttp


PASSWORD = "s3cr3t&pw"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n"

type Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def _serve(handler: Handler) -> AsyncIterator[int]:
    """Run a tiny server that answers every connection with `handler`; yield its port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def _first_frame(client: CgiCamera, **kw: int) -> bytes:
    async for frame in client.mjpeg_frames(1, **kw):
        return frame
    raise AssertionError("the stream ended without a frame")


async def _frame_from(
    session: aiohttp.ClientSession, handler: Handler, *, timeout: float = 2, **kw: int
) -> bytes:
    async with _serve(handler) as port:
        client = CgiCamera(
            session, "127.0.0.1", port, "admin", PASSWORD, timeout=timeout
        )
        return await _first_frame(client, **kw)


@pytest.fixture
async def jpeg(client: CgiCamera) -> bytes:
    """A real frame of the emulator, to serve from the tiny servers."""
    return await client.snapshot(1)


async def test_frame_larger_than_the_limit_is_refused(client: CgiCamera) -> None:
    """A frame that would not fit the memory bound ends the stream with a malformed-reply error."""
    with pytest.raises(MalformedReply, match="too large"):
        await _first_frame(client, max_frame_bytes=64)


async def test_broken_frame_is_skipped_at_the_limit(
    session: aiohttp.ClientSession, jpeg: bytes, socket_enabled: None
) -> None:
    """A frame cut short (no end marker) is dropped once the buffer reaches the limit; the next one comes through."""
    broken = b"\xff\xd8" + b"\x11" * (len(jpeg) + 100)
    half = len(jpeg) // 2

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(HEAD + broken + jpeg[:half])
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.write(jpeg[half:])
        await writer.drain()
        writer.close()

    limit = len(broken) + half - 1  # the first read already exceeds it
    assert await _frame_from(session, handler, max_frame_bytes=limit) == jpeg


async def test_connection_reset_mid_stream(
    session: aiohttp.ClientSession, jpeg: bytes, socket_enabled: None
) -> None:
    """A camera that drops off the network mid-frame (TCP reset) ends the stream as a connection error."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(HEAD + jpeg[:100])
        await writer.drain()
        await asyncio.sleep(0.1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    with pytest.raises(CannotConnect, match="interrupted"):
        await _frame_from(session, handler)


async def test_camera_hangs_up_without_answering(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera that closes the stream connection without a byte (out of stream sessions) cannot connect."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    with pytest.raises(CannotConnect, match="empty reply"):
        await _frame_from(session, handler)


async def test_header_cut_off(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera that hangs up in the middle of the reply header gives an error, not a stream."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/jp")
        await writer.drain()
        writer.close()

    with pytest.raises(
        CgiError
    ):  # today NoImage: the cut header is taken for a body without a JPEG
        await _frame_from(session, handler)


async def test_endless_header_is_malformed(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A reply whose header never ends is refused after 64 KiB instead of being buffered without bound."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(2000):
            writer.write(b"X-Padding: " + b"x" * 60 + b"\r\n")
        await writer.drain()
        writer.close()

    with pytest.raises(MalformedReply, match="header too large"):
        await _frame_from(session, handler)


@pytest.mark.parametrize("status", [b"\xb2", b"2\xb9\xb3"])
async def test_status_with_superscript_digits_is_malformed(
    session: aiohttp.ClientSession, status: bytes, socket_enabled: None
) -> None:
    """Issue 21 item 10: `HTTP/1.1 ²` (str.isdigit() is true for superscripts) is the client's error, not ValueError."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 " + status + b" OK\r\nContent-Type: image/jpeg\r\n\r\n")
        await writer.drain()
        writer.close()

    with pytest.raises(MalformedReply, match="status line"):
        await _frame_from(session, handler)


async def test_silent_camera_times_out(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera that accepts the stream but never answers times out (no hang)."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.read()  # silent until the client gives up and hangs up
        writer.close()

    with pytest.raises(CameraTimeout):
        await _frame_from(session, handler, timeout=0.3)


def test_frame_without_scan_ends_at_its_end_marker() -> None:
    """A JPEG that ends before any scan (a placeholder image) is cut at its own end, not merged with the next."""
    placeholder = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xd9"
    data = bytearray(placeholder + b"\xff\xd8more")
    assert _extract_frame(data) == placeholder
    assert data == bytearray(b"\xff\xd8more")


def test_progressive_frame_split_anywhere_is_complete_only_at_its_end() -> None:
    """A progressive JPEG (several scans) arriving in pieces is returned only once whole, wherever it was split."""
    scan_header = b"\xff\xda\x00\x08" + b"\x01\x01\x00\x00\x3f\x00"
    frame = (
        b"\xff\xd8"
        b"\xff\xc2\x00\x05\x08\x00\x01"  # SOF2 (progressive)
        + scan_header
        + b"\x12\x34\xff\x00\x56"  # entropy-coded data with a stuffed 0xFF
        + scan_header
        + b"\x78\x9a"
        + b"\xff\xd9"
    )
    for cut in range(2, len(frame)):
        assert _extract_frame(bytearray(frame[:cut])) is None, cut
    assert _extract_frame(bytearray(frame)) == frame
