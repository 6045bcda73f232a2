"""The keep-alive snapshot path (`/jpgmulreq`, field notes §7 E.21): used where the camera has it, else `/jpgimage`."""

from __future__ import annotations

import asyncio
import base64
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    AuthenticationFailed,
    CameraTimeout,
    CannotConnect,
    CgiCamera,
    NoImage,
)
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    import aiohttp

SOI = b"\xff\xd8"


def _paths(emu: CameraEmulator, prefix: str) -> int:
    return sum(1 for request in emu.requests if request.path.startswith(prefix))


def _client(session: aiohttp.ClientSession, emu: CameraEmulator) -> CgiCamera:
    return CgiCamera(session, "127.0.0.1", emu.port, USERNAME, PASSWORD, timeout=5.0)


@pytest.mark.parametrize("auth", ["basic", "digest"])
async def test_snapshots_share_one_connection(
    session: aiohttp.ClientSession, socket_enabled: None, auth: str
) -> None:
    """Three snapshots in a row: three GETs on one connection (Basic, or Digest once challenged)."""
    config = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, auth=auth)  # type: ignore[arg-type]
    async with CameraEmulator(config) as emu:
        client = _client(session, emu)
        images = [await client.snapshot_keep_alive(1) for _ in range(3)]
        assert all(image.startswith(SOI) for image in images)
        # Digest: the first request is answered 401 with the challenge, a second connection carries the session.
        assert _paths(emu, "/jpgmulreq/1/image.jpg") == (3 if auth == "basic" else 4)
        assert _paths(emu, "/jpgimage/") == 0
        assert emu.connections_accepted == (1 if auth == "basic" else 2)
        client.close_keep_alive()


async def test_camera_without_the_path_falls_back_once(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera that answers 404: every snapshot from /jpgimage, the keep-alive path tried once only."""
    config = EmulatorConfig(
        username=USERNAME, password=PASSWORD, mac=MAC, jpgmulreq=False
    )
    async with CameraEmulator(config) as emu:
        client = _client(session, emu)
        images = [await client.snapshot_keep_alive(1) for _ in range(3)]
        assert all(image.startswith(SOI) for image in images)
        assert _paths(emu, "/jpgmulreq/") == 1
        assert _paths(emu, "/jpgimage/1/image.jpg") == 3


async def test_stream_sessions_taken_falls_back_for_that_snapshot(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Both stream sessions taken (closed without a reply): /jpgimage, and the path is tried again next time."""
    config = EmulatorConfig(
        username=USERNAME, password=PASSWORD, mac=MAC, stream_limit=0
    )
    async with CameraEmulator(config) as emu:
        client = _client(session, emu)
        assert (await client.snapshot_keep_alive(1)).startswith(SOI)
        assert (await client.snapshot_keep_alive(1)).startswith(SOI)
        # Each snapshot tried the keep-alive path first, closed without a reply.
        assert _paths(emu, "/jpgmulreq/") == 2
        assert _paths(emu, "/jpgimage/1/image.jpg") == 2
        assert emu.connections_accepted == 4

        emu.config.stream_limit = 2
        assert (await client.snapshot_keep_alive(1)).startswith(SOI)
        assert _paths(emu, "/jpgmulreq/") == 3
        assert _paths(emu, "/jpgimage/") == 2
        client.close_keep_alive()


async def test_connection_closed_by_camera_is_reopened(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A kept connection the camera has dropped meanwhile: the snapshot is taken on a new one."""
    config = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC)
    async with CameraEmulator(config) as emu:
        client = _client(session, emu)
        await client.snapshot_keep_alive(1)
        for writer in tuple(emu._writers):  # the camera drops the connection
            writer.close()
        while emu.stream_connections:
            await asyncio.sleep(0.01)

        assert (await client.snapshot_keep_alive(1)).startswith(SOI)
        assert _paths(emu, "/jpgmulreq/") == 2
        assert emu.connections_accepted == 2
        client.close_keep_alive()


async def test_bad_channel_falls_back(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """ "no Image." (no Content-Length) is not the keep-alive path: /jpgimage answers, and NoImage is raised."""
    config = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC)
    async with CameraEmulator(config) as emu:
        client = _client(session, emu)
        with pytest.raises(NoImage):
            await client.snapshot_keep_alive(9)
        assert _paths(emu, "/jpgimage/9/") == 1


async def test_emulator_close_request(socket_enabled: None) -> None:
    """`?close=true` on the kept connection is answered with an empty close reply (field notes §2.3)."""
    config = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC)
    async with CameraEmulator(config) as emu:
        reader, writer = await asyncio.open_connection(emu.host, emu.port)
        auth = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        writer.write(
            b"GET /jpgmulreq/1/image.jpg?key=1&lq=1 HTTP/1.1\r\n"
            + f"Authorization: Basic {auth}\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"Connection: keep-alive" in head
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        assert (await reader.readexactly(length)).startswith(SOI)
        writer.write(b"GET /jpgmulreq/1/image.jpg?close=true&key=2 HTTP/1.1\r\n\r\n")
        reply = await asyncio.wait_for(reader.read(), 5)
        assert (
            reply
            == b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        writer.close()


async def test_wrong_password_is_an_authentication_failure(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A wrong password is not a missing path: AuthenticationFailed, as every other request gives."""
    config = EmulatorConfig(username=USERNAME, password="other", mac=MAC)
    async with CameraEmulator(config) as emu:
        client = _client(session, emu)
        with pytest.raises(AuthenticationFailed):
            await client.snapshot_keep_alive(1)


async def test_timeout_is_not_followed_by_a_second_request(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera that does not answer in time: CameraTimeout, without also trying /jpgimage (a second timeout)."""
    config = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, latency=2)
    async with CameraEmulator(config) as emu:
        client = CgiCamera(
            session, "127.0.0.1", emu.port, USERNAME, PASSWORD, timeout=0.2
        )
        with pytest.raises(CameraTimeout):
            await client.snapshot_keep_alive(1)
        assert _paths(emu, "/jpgimage/") == 0


async def test_camera_unreachable(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Nothing listens: CannotConnect (the /jpgimage try fails the same way)."""
    emu = CameraEmulator(EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC))
    await emu.start(host="127.0.0.1", port=0)
    port = emu.port
    await emu.stop()
    client = CgiCamera(session, "127.0.0.1", port, USERNAME, PASSWORD, timeout=2.0)
    with pytest.raises(CannotConnect):
        await client.snapshot_keep_alive(1)
