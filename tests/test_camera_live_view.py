"""The camera entity while someone watches it: snapshots from the live stream, viewers leaving, RTSP health."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING
from unittest.mock import patch

from aiohttp import ClientConnectionResetError, web
from homeassistant.components.camera import DOMAIN as CAMERA_DOMAIN
from homeassistant.const import Platform
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Generator

    from aiohttp import ClientResponse
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from custom_components.cgi_camera.mjpeg import MjpegHub

SOI = b"\xff\xd8"
BOUNDARY = b"--frameboundary"


@pytest.fixture(autouse=True)
def camera_only() -> Generator[None]:
    """Set up only the camera platform."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]):
        yield


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """A camera streaming fast enough that a frame is always fresh."""
    return EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, mjpeg_fps=20.0)


def _main_stream(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        CAMERA_DOMAIN, DOMAIN, f"{entry.unique_id}_1_main_stream"
    )
    assert entity_id is not None
    return entity_id


def _snapshot_requests(emu: CameraEmulator) -> int:
    return sum(1 for request in emu.requests if request.path.startswith("/jpgimage/"))


async def _first_frame(response: ClientResponse) -> bytes:
    """Read the stream until its first complete part and return that JPEG."""
    buffer = b""
    async with asyncio.timeout(10):
        while buffer.count(BOUNDARY) < 2:
            chunk = await response.content.readany()
            assert chunk, "the stream ended before its first frame"
            buffer += chunk
    part = buffer.split(BOUNDARY)[1]
    return part.partition(b"\r\n\r\n")[2].removesuffix(b"\r\n")


async def test_snapshot_while_streaming_uses_live_frame(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """While the MJPEG stream runs, a snapshot is its newest frame: the camera gets no snapshot request."""
    entity_id = _main_stream(hass, loaded_entry)
    client = await hass_client()
    stream = await client.get(f"/api/camera_proxy_stream/{entity_id}")
    assert (await _first_frame(stream)).startswith(SOI)
    before = _snapshot_requests(emulator)

    response = await client.get(f"/api/camera_proxy/{entity_id}")

    assert response.status == 200
    assert (await response.read()).startswith(SOI)
    assert _snapshot_requests(emulator) == before
    stream.close()


async def test_snapshot_while_streaming_with_stale_frame_asks_camera(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """A stream frame older than the allowed age is not served as a snapshot: the camera is asked."""
    entity_id = _main_stream(hass, loaded_entry)
    client = await hass_client()
    stream = await client.get(f"/api/camera_proxy_stream/{entity_id}")
    await _first_frame(stream)
    before = _snapshot_requests(emulator)

    # Every frame counts as stale (a stalled stream whose last frame is older than the limit).
    with patch("custom_components.cgi_camera.camera.LIVE_FRAME_MAX_AGE", -1.0):
        response = await client.get(f"/api/camera_proxy/{entity_id}")

    assert response.status == 200
    assert (await response.read()).startswith(SOI)
    assert _snapshot_requests(emulator) == before + 1
    stream.close()


async def test_viewer_leaving_closes_upstream(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """A viewer who closes the page mid-stream frees the camera's stream session (no error logged)."""
    entity_id = _main_stream(hass, loaded_entry)
    hub: MjpegHub = loaded_entry.runtime_data.mjpeg_hubs[1]
    client = await hass_client()
    stream = await client.get(f"/api/camera_proxy_stream/{entity_id}")
    await _first_frame(stream)
    assert hub.viewer_count == 1
    assert hub.running

    stream.close()
    async with asyncio.timeout(10):
        while hub.running or emulator.stream_connections:
            await asyncio.sleep(0.05)

    assert hub.viewer_count == 0
    assert hub.latest_frame(60) is None
    # The next viewer gets a fresh upstream.
    stream = await client.get(f"/api/camera_proxy_stream/{entity_id}")
    assert (await _first_frame(stream)).startswith(SOI)
    assert hub.upstreams_opened == 2
    stream.close()


async def test_viewer_connection_reset_mid_write_frees_upstream(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A viewer whose connection resets while a frame is written ends that stream quietly and frees the camera.

    Over loopback the disconnect usually cancels the handler first; the reset during a write happens when the
    socket breaks between two writes, so the write fails here the way aiohttp fails it on a closing transport.
    """
    entity_id = _main_stream(hass, loaded_entry)
    hub: MjpegHub = loaded_entry.runtime_data.mjpeg_hubs[1]
    real_write = web.StreamResponse.write
    writes = 0

    async def write_until_reset(self: web.StreamResponse, data: bytes) -> None:
        nonlocal writes
        writes += 1
        if writes > 3:  # the first frame (sent twice) and one more get through
            raise ClientConnectionResetError("Cannot write to closing transport")
        await real_write(self, data)

    client = await hass_client()
    with patch.object(web.StreamResponse, "write", write_until_reset):
        stream = await client.get(f"/api/camera_proxy_stream/{entity_id}")
        assert (await _first_frame(stream)).startswith(SOI)
        async with asyncio.timeout(10):
            while hub.running:
                await asyncio.sleep(0.05)
    assert hub.viewer_count == 0
    assert "MJPEG viewer went away" in caplog.text
    assert "Error" not in caplog.text
    stream.close()


@dataclass
class _RtspStream:
    """Stands in for Home Assistant's RTSP stream (its worker needs PyAV, which the tests do not install)."""

    available: bool


async def test_failing_rtsp_stream_keeps_camera_available(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """When Home Assistant's RTSP worker cannot play the stream, snapshots and the MJPEG live view still work:
    the camera stays available (issue 24; the setup's RTSP check tells the user what is wrong)."""
    entity_id = _main_stream(hass, loaded_entry)
    camera = hass.data[CAMERA_DOMAIN].get_entity(entity_id)
    rtsp = _RtspStream(available=False)
    camera.stream = rtsp
    camera.async_write_ha_state()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "idle"
    camera.stream = None
