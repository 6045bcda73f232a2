"""A dashboard costs the camera one snapshot per refresh, whatever the number of viewers (issue 25).

Home Assistant's frontend asks `/api/camera_proxy/<camera>?width=..&height=..` every 10 s for each picture it shows;
the integration shares one camera request between every caller that asks while it is under way, and keeps the image
for pictures (a request with a size) until the next refresh. A call without a size (the snapshot action,
automations) gets an image taken after it was made.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.camera import DOMAIN as CAMERA_DOMAIN, async_get_image
from homeassistant.const import Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from tests.emulator import CameraEmulator

SOI = b"\xff\xd8"


@pytest.fixture(autouse=True)
def camera_only() -> Generator[None]:
    """Set up only the camera platform."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]):
        yield


def _stream(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        CAMERA_DOMAIN, DOMAIN, f"{entry.unique_id}_1_{key}"
    )
    assert entity_id is not None
    return entity_id


def _snapshot_requests(emu: CameraEmulator) -> int:
    return sum(1 for request in emu.requests if request.path.startswith("/jpgimage/"))


@pytest.fixture
async def held_images(emulator: CameraEmulator) -> AsyncIterator[asyncio.Event]:
    """Hold the camera's image replies until the returned event is set."""
    release = asyncio.Event()
    render = emulator._images.frame  # the emulator's own image source

    async def held(channel: int) -> bytes:
        await release.wait()
        return await render(channel)

    with patch.object(emulator._images, "frame", held):
        yield release
    release.set()


async def _until_requested(emu: CameraEmulator, count: int) -> None:
    while _snapshot_requests(emu) < count:
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("viewers", [1, 3, 10])
async def test_dashboard_viewers_cost_one_snapshot_per_refresh(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    viewers: int,
) -> None:
    """Viewers of one camera (also of both its streams) asking with a size, together and one after the other: one request."""
    client = await hass_client()
    main = _stream(hass, loaded_entry, "main_stream")
    before = _snapshot_requests(emulator)

    replies = await asyncio.gather(
        *(
            client.get(f"/api/camera_proxy/{main}?width=640&height=360")
            for _ in range(viewers)
        )
    )
    later = await client.get(f"/api/camera_proxy/{main}?width=320&height=180")

    bodies = [await reply.read() for reply in [*replies, later]]
    assert all(reply.status == 200 for reply in [*replies, later])
    assert all(body.startswith(SOI) for body in bodies)
    assert _snapshot_requests(emulator) == before + 1


async def test_both_streams_of_a_channel_share_the_snapshot(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """The main and sub stream entities show the same channel: a picture of one serves the other."""
    er.async_get(hass).async_update_entity(
        _stream(hass, loaded_entry, "sub_stream"), disabled_by=None
    )
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    before = _snapshot_requests(emulator)

    main = await async_get_image(
        hass, _stream(hass, loaded_entry, "main_stream"), width=640, height=360
    )
    sub = await async_get_image(
        hass, _stream(hass, loaded_entry, "sub_stream"), width=640, height=360
    )

    assert main.content == sub.content
    assert _snapshot_requests(emulator) == before + 1


async def test_calls_without_size_share_only_a_request_under_way(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    held_images: asyncio.Event,
) -> None:
    """The snapshot action joins a request already sent, but never takes an image from before it was called."""
    main = _stream(hass, loaded_entry, "main_stream")
    before = _snapshot_requests(emulator)

    calls = [asyncio.create_task(async_get_image(hass, main)) for _ in range(3)]
    await _until_requested(emulator, before + 1)
    held_images.set()
    images = await asyncio.gather(*calls)

    assert all(image.content.startswith(SOI) for image in images)
    assert _snapshot_requests(emulator) == before + 1

    # Done: a new call without a size asks the camera again; a picture takes the image just fetched.
    await async_get_image(hass, main)
    assert _snapshot_requests(emulator) == before + 2
    await async_get_image(hass, main, width=640, height=360)
    assert _snapshot_requests(emulator) == before + 2


async def test_caller_giving_up_does_not_cancel_the_shared_request(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    held_images: asyncio.Event,
) -> None:
    """The first caller's request goes on for the others when it is cancelled (e.g. its browser went away)."""
    main = _stream(hass, loaded_entry, "main_stream")
    before = _snapshot_requests(emulator)
    first = asyncio.create_task(async_get_image(hass, main))
    await _until_requested(emulator, before + 1)
    second = asyncio.create_task(async_get_image(hass, main))
    await asyncio.sleep(0)
    first.cancel()
    held_images.set()

    image = await second

    assert image.content.startswith(SOI)
    with pytest.raises(
        HomeAssistantError
    ):  # Home Assistant reports the cancelled call as no image
        await first
    assert _snapshot_requests(emulator) == before + 1


async def test_failed_shared_request_fails_every_caller_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    held_images: asyncio.Event,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera that drops off fails each waiting caller with one request, one log line."""
    main = _stream(hass, loaded_entry, "main_stream")
    before = _snapshot_requests(emulator)
    calls = [asyncio.create_task(async_get_image(hass, main)) for _ in range(3)]
    await _until_requested(emulator, before + 1)
    emulator.faults.offline = True
    for writer in tuple(emulator._writers):  # the camera drops the connection
        writer.transport.abort()

    results = await asyncio.gather(*calls, return_exceptions=True)

    assert all(isinstance(result, Exception) for result in results)
    assert _snapshot_requests(emulator) == before + 1
    assert caplog.text.count("no snapshot:") == 1


async def test_unload_ends_a_snapshot_under_way(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    held_images: asyncio.Event,
) -> None:
    """Unloading the entry cancels the shared request: its callers get no image instead of waiting."""
    main = _stream(hass, loaded_entry, "main_stream")
    before = _snapshot_requests(emulator)
    call = asyncio.create_task(async_get_image(hass, main))
    await _until_requested(emulator, before + 1)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)

    with pytest.raises(HomeAssistantError):
        await call
