"""A snapshot has a connection slot of its own: it never waits behind the camera's CGI requests."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from custom_components.cgi_camera.api import CgiCamera
    from tests.emulator import CameraEmulator


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """A camera whose web server serves one connection at a time (images are served apart, without a limit)."""
    return EmulatorConfig(
        username=USERNAME, password=PASSWORD, mac=MAC, max_connections=1
    )


async def test_snapshot_does_not_wait_behind_a_cgi_request(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """While a poll's request hangs at the camera, a snapshot is still answered."""
    emulator.faults.push("stall")
    poll = asyncio.create_task(client.get("image", "ImageInfo", 1))
    while not any(r.group == "ImageInfo" for r in emulator.requests):
        await asyncio.sleep(0.01)

    image = await client.snapshot(1)

    assert image.startswith(b"\xff\xd8")
    assert not poll.done()
    poll.cancel()


async def test_cgi_requests_still_one_at_a_time_with_snapshots(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """Snapshots add one connection at most: CGI requests keep to one at a time, images to one at a time."""
    emulator.config.latency = 0.01
    await asyncio.gather(
        *(client.get("image", "ImageInfo", 1) for _ in range(6)),
        *(client.snapshot(1) for _ in range(6)),
    )
    assert emulator.max_concurrent == 2
