"""Tests for the camera platform and the shared MJPEG hub."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.camera import (
    DOMAIN as CAMERA_DOMAIN,
    async_get_stream_source,
)
from homeassistant.const import CONF_HOST, Platform
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import CONF_DEFAULT_STREAM, DOMAIN
from custom_components.cgi_camera.mjpeg import MjpegHub
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Generator

    from aiohttp import ClientResponse
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

SOI = b"\xff\xd8"
EOI = b"\xff\xd9"
BOUNDARY = b"--frameboundary"


@pytest.fixture(autouse=True)
def camera_only() -> Generator[None]:
    """Set up only the camera platform: these tests are about it alone."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]):
        yield


def _entity_id(
    hass: HomeAssistant, entry: MockConfigEntry, key: str, channel: int = 1
) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        CAMERA_DOMAIN, DOMAIN, f"{entry.unique_id}_{channel}_{key}"
    )
    assert entity_id is not None
    return entity_id


def _upstream_count(emu: CameraEmulator) -> int:
    """Return the most MJPEG connections the emulator served at once (or in total, by its request log)."""
    if (count := getattr(emu, "max_stream_connections", None)) is not None:
        return int(count)
    return sum(
        1
        for request in emu.requests
        if "mjpeg" in request.path and "stream" in request.path
    )


async def _read_parts(
    response: ClientResponse, count: int, timeout: float = 10.0
) -> list[bytes]:
    """Read `count` complete JPEG parts of a multipart response."""
    buffer = b""
    async with asyncio.timeout(timeout):
        while buffer.count(BOUNDARY) <= count:
            chunk = await response.content.readany()
            if not chunk:
                break
            buffer += chunk
    parts = buffer.split(BOUNDARY)[1:]
    frames = []
    for part in parts[:count]:
        header, _, body = part.partition(b"\r\n\r\n")
        assert b"Content-Type: image/jpeg" in header
        frames.append(body.removesuffix(b"\r\n"))
    return frames


# --- entities -------------------------------------------------------------------------------------------------


async def test_camera_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Main stream is enabled, sub stream exists but is disabled by default."""
    registry = er.async_get(hass)
    main = registry.async_get(_entity_id(hass, loaded_entry, "main_stream"))
    sub = registry.async_get(_entity_id(hass, loaded_entry, "sub_stream"))
    assert main is not None
    assert sub is not None
    assert main.disabled_by is None
    assert sub.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert main.translation_key == "main_stream"
    assert sub.translation_key == "sub_stream"
    state = hass.states.get(main.entity_id)
    assert state is not None
    assert state.state == "idle"
    assert hass.states.get(sub.entity_id) is None


async def test_default_stream_option(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """The `default_stream` option decides which stream entity is enabled."""
    entry = await setup_integration(entry_for(emulator, **{CONF_DEFAULT_STREAM: "sub"}))
    registry = er.async_get(hass)
    main = registry.async_get(_entity_id(hass, entry, "main_stream"))
    sub = registry.async_get(_entity_id(hass, entry, "sub_stream"))
    assert main is not None
    assert sub is not None
    assert main.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert sub.disabled_by is None
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, channels=2)],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_multi_channel(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A video server gets both streams per channel, each on its channel's device, one hub per channel."""
    assert loaded_entry.runtime_data.channels == (1, 2)
    registry = er.async_get(hass)
    devices = set()
    for channel in (1, 2):
        main = registry.async_get(
            _entity_id(hass, loaded_entry, "main_stream", channel)
        )
        sub = registry.async_get(_entity_id(hass, loaded_entry, "sub_stream", channel))
        assert main is not None
        assert sub is not None
        assert main.device_id == sub.device_id
        devices.add(main.device_id)
    assert len(devices) == 2
    assert sorted(loaded_entry.runtime_data.mjpeg_hubs) == [1, 2]
    port = loaded_entry.runtime_data.rtsp_port
    source = await async_get_stream_source(
        hass, _entity_id(hass, loaded_entry, "sub_stream", 2)
    )
    assert source == f"rtsp://{USERNAME}:s3cr3t%26pw@127.0.0.1:{port}/2/h264minor"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_stream_source(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The RTSP URL carries percent-encoded credentials and the camera's RTSP port."""
    port = loaded_entry.runtime_data.rtsp_port
    main = await async_get_stream_source(
        hass, _entity_id(hass, loaded_entry, "main_stream")
    )
    sub = await async_get_stream_source(
        hass, _entity_id(hass, loaded_entry, "sub_stream")
    )
    assert PASSWORD == "s3cr3t&pw"
    assert main == f"rtsp://{USERNAME}:s3cr3t%26pw@127.0.0.1:{port}/1/h264major"
    assert sub == f"rtsp://{USERNAME}:s3cr3t%26pw@127.0.0.1:{port}/1/h264minor"


async def test_stream_source_brackets_ipv6(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """An IPv6 camera address is bracketed in the RTSP URL."""
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, CONF_HOST: "fe80::1"}
    )
    source = await async_get_stream_source(
        hass, _entity_id(hass, loaded_entry, "main_stream")
    )
    assert source is not None
    assert "@[fe80::1]:" in source


async def test_stream_source_never_logged(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the password nor the RTSP URL appear in the log."""
    await async_get_stream_source(hass, _entity_id(hass, loaded_entry, "main_stream"))
    assert "s3cr3t" not in caplog.text
    assert "rtsp://" not in caplog.text


# --- snapshots ------------------------------------------------------------------------------------------------


async def test_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    """The camera proxy returns the emulator's JPEG."""
    client = await hass_client()
    response = await client.get(
        f"/api/camera_proxy/{_entity_id(hass, loaded_entry, 'main_stream')}"
    )
    assert response.status == 200
    assert response.content_type == "image/jpeg"
    body = await response.read()
    assert body.startswith(SOI)
    assert body.rstrip().endswith(EOI)


async def test_snapshot_bad_channel(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A snapshot the camera refuses (no image, bad channel) is an error for HA, logged once, no password."""
    entity_id = _entity_id(hass, loaded_entry, "main_stream")
    camera = hass.data[CAMERA_DOMAIN].get_entity(entity_id)
    camera.channel = 9  # the emulator has one channel
    client = await hass_client()
    for _ in range(2):
        response = await client.get(f"/api/camera_proxy/{entity_id}")
        assert response.status == 500
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    # Once, naming the camera and its address in plain words; the error's class only at debug level.
    assert [w for w in warnings if "no snapshot" in w] == [
        f"{loaded_entry.title} (127.0.0.1): no snapshot: the camera sent no image"
    ]
    assert "s3cr3t" not in caplog.text


async def test_snapshot_offline(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """An unreachable camera gives HA no image rather than an exception."""
    emulator.faults.offline = True
    client = await hass_client()
    response = await client.get(
        f"/api/camera_proxy/{_entity_id(hass, loaded_entry, 'main_stream')}"
    )
    assert response.status == 500
    emulator.faults.offline = False
    response = await client.get(
        f"/api/camera_proxy/{_entity_id(hass, loaded_entry, 'main_stream')}"
    )
    assert response.status == 200


# --- MJPEG proxy ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username=USERNAME,
            password=PASSWORD,
            mac=MAC,
            mjpeg_framing="repeated",
            mjpeg_fps=20.0,
        ),
        EmulatorConfig(
            username=USERNAME,
            password=PASSWORD,
            mac=MAC,
            mjpeg_framing="multipart",
            mjpeg_fps=20.0,
        ),
    ],
    ids=["repeated", "multipart"],
)
async def test_mjpeg_stream(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    """The stream proxy serves standard multipart JPEG frames whatever the camera's framing."""
    client = await hass_client()
    response = await client.get(
        f"/api/camera_proxy_stream/{_entity_id(hass, loaded_entry, 'main_stream')}"
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace")
    assert "boundary=frameboundary" in response.headers["Content-Type"]
    frames = await _read_parts(response, 4)
    assert len(frames) == 4
    for frame in frames:
        assert frame.startswith(SOI)
        assert frame.endswith(EOI)
    response.close()


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username=USERNAME,
            password=PASSWORD,
            mac=MAC,
            stream_limit=2,
            mjpeg_fps=20.0,
        )
    ],
)
async def test_mjpeg_viewers_share_one_upstream(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """Three viewers (more than the camera's two sessions) share one upstream connection."""
    entity_id = _entity_id(hass, loaded_entry, "main_stream")
    clients = [await hass_client() for _ in range(3)]
    responses = [
        await client.get(f"/api/camera_proxy_stream/{entity_id}") for client in clients
    ]
    for response in responses:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace")
    results = await asyncio.gather(
        *(_read_parts(response, 3) for response in responses)
    )
    for frames in results:
        assert len(frames) == 3
        assert all(frame.startswith(SOI) for frame in frames)
    assert _upstream_count(emulator) == 1
    for response in responses:
        response.close()


async def test_mjpeg_sub_stream_shares_channel_upstream(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Both stream entities of a channel use the same MJPEG hub."""
    main = hass.data[CAMERA_DOMAIN].get_entity(
        _entity_id(hass, loaded_entry, "main_stream")
    )
    hubs = loaded_entry.runtime_data.mjpeg_hubs
    assert main._hub is hubs[1]
    assert list(hubs) == [1]


async def test_mjpeg_upstream_end_ends_viewers(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """When the camera closes the stream, every viewer's response ends."""
    entity_id = _entity_id(hass, loaded_entry, "main_stream")
    client = await hass_client()
    responses = [
        await client.get(f"/api/camera_proxy_stream/{entity_id}") for _ in range(2)
    ]
    for response in responses:
        assert len(await _read_parts(response, 1)) == 1
    await emulator.stop()
    for response in responses:
        async with asyncio.timeout(10):
            while await response.content.readany():
                pass
        assert response.content.at_eof()


async def test_mjpeg_falls_back_to_snapshots(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    """Without an MJPEG stream from the camera, viewers get a stream of snapshots instead."""

    async def no_frames(channel: int) -> AsyncIterator[bytes]:
        if False:  # pragma: no cover - makes this an empty async generator
            yield b""

    entity_id = _entity_id(hass, loaded_entry, "main_stream")
    hub: MjpegHub = loaded_entry.runtime_data.mjpeg_hubs[1]
    with patch.object(hub, "_open_upstream", lambda: no_frames(1)):
        client = await hass_client()
        response = await client.get(f"/api/camera_proxy_stream/{entity_id}")
        assert response.status == 200
        frames = await _read_parts(response, 1)
        assert frames[0].startswith(SOI)
        response.close()


async def test_mjpeg_closed_on_camera_serves_snapshots(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """With the camera's MJPEG stream switched off ("no Image."), the proxy falls back to snapshots."""
    emulator.state.channel(1).mjpeg["Resolution"] = "CLOSED"
    client = await hass_client()
    response = await client.get(
        f"/api/camera_proxy_stream/{_entity_id(hass, loaded_entry, 'main_stream')}"
    )
    assert response.status == 200
    frames = await _read_parts(response, 2)
    assert len(frames) == 2
    assert all(frame.startswith(SOI) for frame in frames)
    response.close()


# --- the hub on its own ---------------------------------------------------------------------------------------


class FakeUpstream:
    """An upstream that yields numbered frames while open and counts its connections."""

    def __init__(self, frames: int | None = None, interval: float = 0.001) -> None:
        self.frames = frames
        self.interval = interval
        self.opened = 0
        self.open_now = 0
        self.max_open = 0
        self.closed = 0

    async def __call__(self) -> AsyncIterator[bytes]:
        self.opened += 1
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        try:
            number = 0
            while self.frames is None or number < self.frames:
                await asyncio.sleep(self.interval)
                yield SOI + str(number).encode() + EOI
                number += 1
        finally:
            self.open_now -= 1
            self.closed += 1


async def test_hub_fan_out_single_upstream() -> None:
    """Every viewer gets frames from one upstream; it closes after the last viewer leaves."""
    upstream = FakeUpstream()
    hub = MjpegHub(upstream, "test")

    async def watch(count: int) -> list[bytes]:
        async with hub.viewer() as viewer:
            return [
                frame
                for _ in range(count)
                if (frame := await viewer.next_frame()) is not None
            ]

    results = await asyncio.gather(watch(5), watch(10), watch(3))
    assert [len(r) for r in results] == [5, 10, 3]
    assert upstream.opened == 1
    await asyncio.sleep(0.01)
    assert upstream.open_now == 0
    assert not hub.running
    # A new viewer starts a new upstream.
    assert len(await watch(2)) == 2
    assert upstream.opened == 2
    assert upstream.max_open == 1
    await hub.close()


async def test_hub_slow_viewer_drops_frames() -> None:
    """A viewer that does not read keeps only the newest frame instead of a backlog."""
    upstream = FakeUpstream()
    hub = MjpegHub(upstream, "test")
    async with hub.viewer() as slow:
        first = await slow.next_frame()
        await asyncio.sleep(0.05)  # dozens of frames arrive meanwhile
        latest = await slow.next_frame()
        assert first is not None
        assert latest is not None
        assert int(latest[2:-2]) > int(first[2:-2]) + 1
    await hub.close()


async def test_hub_upstream_end_ends_viewers() -> None:
    """The end of the upstream ends every viewer; the next viewer reconnects."""
    upstream = FakeUpstream(frames=3)
    hub = MjpegHub(upstream, "test")

    async def drain() -> int:
        count = 0
        async with hub.viewer() as viewer:
            while await viewer.next_frame() is not None:
                count += 1
        return count

    counts = await asyncio.gather(drain(), drain())
    assert all(1 <= count <= 3 for count in counts)
    assert upstream.opened == 1
    assert await drain() >= 1
    assert upstream.opened == 2
    await hub.close()


async def test_hub_upstream_failure_and_stall() -> None:
    """A failing or stalled upstream ends the viewers instead of hanging them."""

    async def failing() -> AsyncIterator[bytes]:
        yield SOI + EOI
        raise ConnectionResetError

    hub = MjpegHub(failing, "test")
    async with hub.viewer() as viewer:
        assert await viewer.next_frame() == SOI + EOI
        assert await viewer.next_frame() is None

    async def stalled() -> AsyncIterator[bytes]:
        await asyncio.sleep(3600)
        yield b""

    hub = MjpegHub(stalled, "test", frame_timeout=0.05)
    async with hub.viewer() as viewer:
        assert await viewer.next_frame() is None
    await hub.close()


async def test_hub_rejoin_while_closing_never_overlaps() -> None:
    """A viewer joining while the previous upstream is still closing waits for it: never two at once."""
    upstream = FakeUpstream()
    hub = MjpegHub(upstream, "test")
    for _ in range(5):
        async with hub.viewer() as viewer:
            assert await viewer.next_frame() is not None
    assert upstream.max_open == 1
    await hub.close()
    assert upstream.open_now == 0
    # A closed hub ends new viewers at once.
    async with hub.viewer() as viewer:
        assert await viewer.next_frame() is None
