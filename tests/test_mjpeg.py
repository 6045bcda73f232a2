"""The MJPEG hub's stall deadline: one per upstream, moved on by frames instead of a timer per frame."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.mjpeg import MjpegHub

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

FRAME = b"\xff\xd8frame\xff\xd9"


def _paced(interval: float, frames: int) -> AsyncIterator[bytes]:
    async def upstream() -> AsyncIterator[bytes]:
        for _ in range(frames):
            await asyncio.sleep(interval)
            yield FRAME
        await asyncio.sleep(3600)  # then nothing more: a stall

    return upstream()


async def test_frames_keep_a_slow_upstream_alive() -> None:
    """Frames 0.6 timeouts apart, for 6 timeouts in all: the deadline moves on, the stream is not cut."""
    timeout = 0.05
    hub = MjpegHub(lambda: _paced(0.6 * timeout, 10), "test", frame_timeout=timeout)
    loop = asyncio.get_running_loop()
    async with hub.viewer() as viewer:
        started = loop.time()
        received = 0
        while await viewer.next_frame() is not None:
            received += 1
        ended = loop.time()
    assert received == 10
    # After the last frame the stall is noticed within 1 to 1.5 timeouts.
    assert 10 * 0.6 * timeout + timeout <= ended - started + 0.005
    assert (
        ended - started <= 10 * 0.6 * timeout + 1.5 * timeout + 0.5
    )  # a loaded machine
    assert not hub.running
    await hub.close()


async def test_a_stall_right_away_is_noticed_after_the_timeout() -> None:
    """No frame at all: the first deadline (one timeout) ends the stream."""
    timeout = 0.05
    hub = MjpegHub(lambda: _paced(1, 0), "test", frame_timeout=timeout)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with hub.viewer() as viewer:
        assert await viewer.next_frame() is None
    assert timeout - 0.005 <= loop.time() - started <= timeout + 0.5
    await hub.close()
