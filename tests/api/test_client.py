"""Client tests against the camera emulator over real loopback HTTP."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    AuthenticationFailed,
    CameraTimeout,
    CannotConnect,
    CgiCamera,
    CgiError,
    Choices,
    FreeString,
    IntRange,
    InvalidChannel,
    InvalidName,
    InvalidValue,
    MalformedReply,
    NoImage,
    NotAvailableInMode,
    NotFound,
    NotSupported,
    PtzDirection,
    ReadOnly,
    ServerFailed,
)
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    import aiohttp

PASSWORD = "s3cr3t&pw"


def make(
    session: aiohttp.ClientSession,
    emu: CameraEmulator,
    password: str | None = None,
    **kw: float,
) -> CgiCamera:
    """A client for `emu`."""
    return CgiCamera(
        session,
        "127.0.0.1",
        emu.port,
        emu.config.username,
        emu.config.password if password is None else password,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["spec_mixed", "all_lf", "goahead_mixed", "crlf"])
def framing_config(request: pytest.FixtureRequest) -> EmulatorConfig:
    """One emulator config per reply framing."""
    return EmulatorConfig(password=PASSWORD, framing=request.param)


@pytest.mark.parametrize("framing", ["spec_mixed", "all_lf", "goahead_mixed", "crlf"])
@pytest.mark.parametrize("auth", ["basic", "digest"])
async def test_framings_and_auth(
    framing: str, auth: str, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    config = EmulatorConfig(password=PASSWORD, framing=framing, auth=auth)  # type: ignore[arg-type]
    async with CameraEmulator(config) as emu:
        await emu.start(host="127.0.0.1", port=0) if not emu.port else None
        client = make(session, emu)
        info = await client.device_info()
        assert info.device_id == config.device_id
        assert info.mac == "00:2a:2a:12:34:56"
        assert info.serial == config.serial
        assert info.firmware == config.firmware
        # A second request goes straight to the scheme that worked.
        assert (await client.time_info()).camera_time is not None
        assert client.uses_digest is (auth == "digest")
        assert (await client.snapshot(1)).startswith(b"\xff\xd8")


@pytest.mark.parametrize("auth", ["basic", "digest"])
async def test_wrong_password(
    auth: str, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    async with CameraEmulator(EmulatorConfig(password=PASSWORD, auth=auth)) as emu:  # type: ignore[arg-type]
        if not emu.port:
            await emu.start(host="127.0.0.1", port=0)
        client = make(session, emu, password="wrong-pass")
        with pytest.raises(AuthenticationFailed) as info:
            await client.device_info()
        assert "wrong-pass" not in str(info.value)
        assert "wrong-pass" not in repr(info.value)
        with pytest.raises(AuthenticationFailed):
            await client.snapshot(1)
        with pytest.raises(AuthenticationFailed):
            async for _ in client.mjpeg_frames(1):
                pass  # pragma: no cover


async def test_repr_hides_password(client: CgiCamera) -> None:
    assert PASSWORD not in repr(client)
    assert PASSWORD not in repr(client._transport)


async def test_no_channel_for_device_areas(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    await client.get("sys", "DeviceInfo", 1)
    await client.get("net", "AddressInfo", 1)
    await client.get("netport", "NetPortInfo", 1)
    await client.get("wifi", "WifiInfo", 1)
    await client.get_blocks("user", "UserList", 1)
    await client.get("image", "ImageInfo")
    assert all("Channel" not in r.params for r in emulator.requests[:5])
    assert emulator.requests[5].params["Channel"] == "1"


async def test_hostile_values_are_encoded(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    title = "a&b=c#d e/é?%+;Group=X"
    echo = await client.set("image", "OSDInfo", 1, {"TextOSDTitle": title})
    record = emulator.requests[-1]
    assert record.params == {"Channel": "1", "Group": "OSDInfo", "TextOSDTitle": title}
    assert echo["TextOSDTitle"] == title
    assert (await client.get("image", "OSDInfo", 1))["TextOSDTitle"] == title


async def test_set_echo_and_state(client: CgiCamera, emulator: CameraEmulator) -> None:
    echo = await client.set("image", "ImageInfo", 1, {"Brightness": 77})
    assert echo.name == "ImageInfo"
    assert echo["Brightness"] == 77
    assert emulator.state.channel(1).image["Brightness"] == 77
    assert (await client.get("image", "ImageInfo", 1))["Brightness"] == 77


@pytest.mark.parametrize(
    ("area", "group", "channel", "params", "exc"),
    [
        ("image", "ImageInfo", 9, {"Brightness": 1}, InvalidChannel),
        ("image", "ImageInfo", 1, {"Brightness": 100000}, InvalidValue),
        ("image", "ImageInfo", 1, {"NoSuchParam": 1}, InvalidName),
        ("image", "NoSuchGroup", 1, {"X": 1}, NotSupported),
        (
            "camera",
            "ExposureInfo",
            1,
            {"ExposureMode": 0, "ShutterManual": 100},
            NotAvailableInMode,
        ),
    ],
)
async def test_result_code_errors(
    client: CgiCamera,
    area: str,
    group: str,
    channel: int,
    params: dict[str, int],
    exc: type[CgiError],
) -> None:
    with pytest.raises(exc) as info:
        await client.set(area, group, channel, params)
    assert info.value.area == area
    assert info.value.group == group


async def test_fault_503(client: CgiCamera, emulator: CameraEmulator) -> None:
    emulator.faults.push("503")
    with pytest.raises(ServerFailed) as info:
        await client.device_info()
    assert info.value.code == 503


@pytest.mark.parametrize(
    ("fault", "exc"),
    [
        ("reset", CgiError),
        ("garbage", MalformedReply),
        ("truncated", MalformedReply),
        ("doctype", MalformedReply),
    ],
)
async def test_faults(
    client: CgiCamera, emulator: CameraEmulator, fault: str, exc: type[CgiError]
) -> None:
    emulator.faults.push(fault)  # type: ignore[arg-type]
    with pytest.raises(exc):
        await client.device_info()
    # The next request works again.
    assert (await client.device_info()).device_id == emulator.config.device_id


async def test_empty_reply(client: CgiCamera, emulator: CameraEmulator) -> None:
    # aiohttp itself retries an idempotent GET once when the server closes without a byte; twice is an error.
    emulator.faults.push("empty", count=2)
    with pytest.raises(CannotConnect):
        await client.device_info()
    assert (await client.device_info()).device_id == emulator.config.device_id


async def test_trailing_garbage_is_tolerated(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    emulator.faults.push("trailing")
    assert (await client.device_info()).device_id == emulator.config.device_id


async def test_stall_times_out(
    session: aiohttp.ClientSession, emulator: CameraEmulator
) -> None:
    client = make(session, emulator, timeout=0.3)
    emulator.faults.push("stall")
    with pytest.raises(CameraTimeout):
        await client.device_info()


async def test_offline_and_refused(
    session: aiohttp.ClientSession, emulator: CameraEmulator
) -> None:
    client = make(session, emulator, timeout=2)
    emulator.faults.offline = True
    with pytest.raises(CannotConnect):
        await client.device_info()
    emulator.faults.offline = False
    port = emulator.port
    await emulator.stop()
    client = CgiCamera(session, "127.0.0.1", port, "admin", PASSWORD, timeout=2)
    with pytest.raises(CannotConnect):
        await client.device_info()


async def test_reply_too_large(
    session: aiohttp.ClientSession, emulator: CameraEmulator
) -> None:
    client = make(session, emulator, max_response_bytes=100)
    with pytest.raises(MalformedReply):
        await client.query("image")


async def test_concurrency_one(client: CgiCamera, emulator: CameraEmulator) -> None:
    emulator.config.latency = 0.01
    results = await asyncio.gather(
        *(client.get("image", "ImageInfo", 1) for _ in range(12))
    )
    assert len(results) == 12
    assert emulator.max_concurrent == 1


async def test_queries_every_area(client: CgiCamera) -> None:
    areas = [
        "sys", "major_stream", "minor_stream", "mjpeg", "image", "audio", "record", "ptz",
        "rs485", "camera", "net", "netport", "wifi", "alarm", "user",
    ]  # fmt: skip
    for area in areas:
        caps = await client.query(area)
        assert caps.groups, area
    major = await client.query("major_stream")
    blocks = major.blocks("StreamInfo")
    assert len(blocks) > 1
    assert isinstance(blocks[0]["Resolution"], Choices)
    assert isinstance(major.get("StreamInfo", "BitRate"), IntRange | Choices)
    sys_caps = await client.query("sys", "DeviceInfo")
    assert sys_caps.get("DeviceInfo", "DeviceID") == ReadOnly()
    image = await client.query("image", "OSDInfo")
    assert isinstance(image.get("OSDInfo", "TextOSDTitle"), FreeString)


async def test_typed_helpers(client: CgiCamera, emulator: CameraEmulator) -> None:
    assert (
        emulator.rtsp is not None
    )  # its RTSP server's own port, reported in NetPortInfo
    assert (await client.net_port_info()).rtsp_port == emulator.rtsp.port
    time_info = await client.time_info()
    assert time_info.time_zone == 480
    assert time_info.up_time is not None
    emulator.state.channel(1).ptz.presets[3] = "Door & gate"
    assert await client.preset_names(1) == {3: "Door & gate"}


async def test_ptz(client: CgiCamera, emulator: CameraEmulator) -> None:
    ptz = emulator.state.channel(1).ptz
    await client.ptz_move(1, PtzDirection.UP_RIGHT, 3, 4)
    assert ptz.moving == 7
    assert emulator.requests[-1].params | {} == {
        "Channel": "1", "Group": "PTZCtrlInfo", "Direction": "7", "PanSpeed": "3", "TiltSpeed": "4",
    }  # fmt: skip
    assert (await client.get("ptz", "PTZCtrlInfo", 1))["Direction"] == 7
    await client.ptz_stop(1)
    assert ptz.moving == 0
    await client.ptz_zoom(1, True)
    assert emulator.requests[-1].params["Zoom"] == "1"
    await client.ptz_focus(1, False)
    assert emulator.requests[-1].params["Focus"] == "0"
    await client.ptz_iris(1, True)
    assert emulator.requests[-1].params["Iris"] == "1"
    await client.ptz_stop(1)
    await client.ptz_autoscan(1)
    assert ptz.autoscan
    await client.ptz_stop(1)
    await client.preset_save(1, 3, "Door & gate")
    assert emulator.requests[-1].params["Preset"] == "0"
    assert (await client.preset_names(1))[3] == "Door & gate"
    await client.preset_call(1, 3)
    assert emulator.requests[-1].params["Preset"] == "1"
    await client.ptz_pattern(1, 2, 2)
    assert ptz.patterns[2] == 2
    await client.ptz_autopan(1, None, 1)
    assert ptz.autopans[1] == 1
    await client.ptz_position(1, pan=9000, tilt=100, zoom=5)
    assert emulator.requests[-1].params["Model"] == "0"
    await client.ptz_position(1, pan=10, relative=True)
    assert emulator.requests[-1].params["Model"] == "1"
    await client.tour(1, 1, True)
    assert ptz.tours[1]["active"]
    await client.tour(1, 1, False)


async def test_rs485(client: CgiCamera, emulator: CameraEmulator) -> None:
    sent = await client.rs485_send(1, b"\x12\x34\xab")
    assert sent == b"\x12\x34\xab"
    assert emulator.requests[-1].params["Data"] == "1234AB"
    received = await client.rs485_transceive(1, b"\x01\x02")
    assert received.endswith(b"\x02\x01")
    assert isinstance(await client.rs485_transceive(1), bytes)


async def test_snapshot(client: CgiCamera) -> None:
    image = await client.snapshot(1)
    assert image.startswith(b"\xff\xd8")
    assert image.endswith(b"\xff\xd9")
    with pytest.raises(NoImage):
        await client.snapshot(7)


@pytest.mark.parametrize("mjpeg_framing", ["repeated", "multipart"])
@pytest.mark.parametrize("auth", ["basic", "digest"])
async def test_mjpeg(
    mjpeg_framing: str, auth: str, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    config = EmulatorConfig(
        password=PASSWORD, auth=auth, mjpeg_framing=mjpeg_framing, mjpeg_fps=50
    )  # type: ignore[arg-type]
    async with CameraEmulator(config) as emu:
        if not emu.port:
            await emu.start(host="127.0.0.1", port=0)
        client = make(session, emu)
        frames = []
        stream = client.mjpeg_frames(1)
        async for frame in stream:
            frames.append(frame)
            if len(frames) == 3:
                break
        await stream.aclose()  # type: ignore[attr-defined]
        assert all(
            f.startswith(b"\xff\xd8") and f.endswith(b"\xff\xd9") for f in frames
        )
        for _ in range(50):
            if emu.stream_connections == 0:
                break
            await asyncio.sleep(0.02)
        assert emu.stream_connections == 0


async def test_mjpeg_bad_channel(client: CgiCamera) -> None:
    with pytest.raises(NoImage):
        async for _ in client.mjpeg_frames(9):
            pass  # pragma: no cover


async def test_reboot(client: CgiCamera, emulator: CameraEmulator) -> None:
    emulator.config.reboot_seconds = 0.2
    await client.reboot()
    assert emulator.requests[-1].params["ResetFlag"] == "0"


@pytest.mark.parametrize(
    ("reply", "exc"),
    [
        (b"HTTP/1.0 404 Not Found\r\n\r\n<html>404</html>", NotFound),
        (b"HTTP/1.0 503 Service Unavailable\r\n\r\nbusy", ServerFailed),
        (b"HTTP/1.0 500 Internal Error\r\n\r\nx", MalformedReply),
        (b"HTTP/1.0 200 OK\r\nContent-Type: text/html\n\n", CannotConnect),
        (
            b"HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=x\r\n\r\n",
            AuthenticationFailed,
        ),
        (b"\x00\x01garbage\r\n\r\n", MalformedReply),
    ],
)
async def test_http_statuses(
    reply: bytes,
    exc: type[CgiError],
    session: aiohttp.ClientSession,
    socket_enabled: None,
) -> None:
    """A tiny server writing exact bytes, for statuses the emulator never sends."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = CgiCamera(session, "127.0.0.1", port, "admin", PASSWORD, timeout=2)
        with pytest.raises(exc) as info:
            await client.get("sys", "DeviceInfo")
        assert PASSWORD not in str(info.value)
        with pytest.raises(CgiError):
            async for _ in client.mjpeg_frames(1):
                pass  # pragma: no cover
    finally:
        server.close()
        await server.wait_closed()


async def test_mjpeg_unreachable(
    session: aiohttp.ClientSession, emulator: CameraEmulator
) -> None:
    port = emulator.port
    await emulator.stop()
    client = CgiCamera(session, "127.0.0.1", port, "admin", PASSWORD, timeout=1)
    with pytest.raises(CannotConnect):
        async for _ in client.mjpeg_frames(1):
            pass  # pragma: no cover
