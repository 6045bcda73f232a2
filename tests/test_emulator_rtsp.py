"""The emulator's RTSP server, played by FFmpeg (PyAV, as Home Assistant's stream does) over loopback."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING
from urllib.parse import quote

import av
import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

USER = "admin"
PASSWORD = "pä ss&word@:"  # non-ASCII, a space and URL delimiters


def _url(emu: CameraEmulator, path: str, password: str = PASSWORD) -> str:
    assert emu.rtsp is not None
    return (
        f"rtsp://{quote(USER, safe='')}:{quote(password, safe='')}@{emu.host}:{emu.rtsp.port}/"
        f"{path}"
    )


def _decode(url: str, frames: int = 12) -> tuple[str, list[tuple[int, int]]]:
    """Open `url` as Home Assistant's stream does (RTSP over TCP) and decode `frames` frames."""
    sizes: list[tuple[int, int]] = []
    with av.open(
        url, options={"rtsp_flags": "prefer_tcp", "timeout": "5000000"}, timeout=10
    ) as container:
        video = container.streams.video[0]
        codec = video.codec_context.name
        for frame in container.decode(video):
            sizes.append((frame.width, frame.height))
            if len(sizes) == frames:
                break
    return codec, sizes


@pytest.fixture
async def emu(socket_enabled: None) -> AsyncGenerator[CameraEmulator]:
    async with CameraEmulator(
        EmulatorConfig(username=USER, password=PASSWORD, auth="digest", channels=2)
    ) as emu:
        yield emu


async def test_main_and_sub_stream_play_with_digest_auth(emu: CameraEmulator) -> None:
    """Both streams of both channels decode, main larger than sub, H.264 while Payload is 0."""
    assert emu.rtsp is not None
    assert emu.state.netport.data["RtspPort"] == emu.rtsp.port
    for channel in (1, 2):
        codec, sizes = await asyncio.to_thread(
            _decode, _url(emu, f"{channel}/h264major")
        )
        assert codec == "h264"
        assert set(sizes) == {(640, 360)}
        codec, sizes = await asyncio.to_thread(
            _decode, _url(emu, f"{channel}/h264minor"), 3
        )
        assert codec == "h264"
        assert set(sizes) == {(320, 180)}
    assert emu.rtsp.stats.max_playing == 1  # one viewer at a time


async def test_main_stream_is_h265_when_the_encoder_says_so(
    emu: CameraEmulator,
) -> None:
    """Payload 1 on the main stream's encoder: the main stream is H.265, the sub stream stays H.264."""
    emu.state.channel(1).major.data["Payload"] = 1
    codec, sizes = await asyncio.to_thread(_decode, _url(emu, "1/h264major"))
    assert codec == "hevc"
    assert set(sizes) == {(640, 360)}
    codec, _ = await asyncio.to_thread(_decode, _url(emu, "1/h264minor"), 2)
    assert codec == "h264"


async def test_wrong_password_and_unknown_path_are_refused(
    emu: CameraEmulator,
) -> None:
    """A wrong password is a 401 and a path the camera does not serve a 404: nothing plays."""
    with pytest.raises(av.error.HTTPUnauthorizedError):
        await asyncio.to_thread(_decode, _url(emu, "1/h264major", "wrong"))
    with pytest.raises(av.error.HTTPNotFoundError):
        await asyncio.to_thread(_decode, _url(emu, "3/h264major"))
    assert ("DESCRIBE", "/3/h264major") in emu.rtsp.stats.requests


async def test_only_stream_limit_clients_play_at_once(socket_enabled: None) -> None:
    """Like the camera, the emulator plays at most `stream_limit` sessions at once: the next is refused (453)."""
    config = EmulatorConfig(
        username=USER, password=PASSWORD, auth="digest", stream_limit=1
    )
    async with CameraEmulator(config) as emu:
        assert emu.rtsp is not None
        playing = threading.Event()
        done = threading.Event()

        def watch() -> None:
            with av.open(
                _url(emu, "1/h264minor"),
                options={"rtsp_flags": "prefer_tcp"},
                timeout=10,
            ) as container:
                for _ in container.decode(video=0):
                    playing.set()
                    if done.is_set():
                        return

        first = asyncio.create_task(asyncio.to_thread(watch))
        await asyncio.to_thread(playing.wait, 20)
        with pytest.raises(av.error.FFmpegError):
            await asyncio.to_thread(_decode, _url(emu, "1/h264major"), 1)
        assert emu.rtsp.stats.max_playing == 1
        done.set()
        await first
