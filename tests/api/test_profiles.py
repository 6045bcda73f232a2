"""The client against each emulator firmware profile (docs/wire-decisions.md "Firmware profiles")."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    KNOWN_GROUPS,
    AuthenticationFailed,
    CameraTimeout,
    CannotConnect,
    CgiCamera,
    CgiError,
    Choices,
    FreeString,
    IntRange,
    MalformedReply,
    ReadOnly,
    SdOperation,
    SdStatus,
    ServerFailed,
)

if TYPE_CHECKING:
    import aiohttp

    from tests.emulator import CameraEmulator, FaultKind

PASSWORD = "s3cr3t&pw"


# http10 ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_profile", ["http10"])
async def test_reset_without_content_length_is_a_connection_failure(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """Defect 11.6: a reset in the middle of a reply that has no Content-Length is CannotConnect."""
    emulator.faults.push("reset")
    with pytest.raises(CannotConnect, match="reset"):
        await client.device_info()
    # A reply cut short by a clean close is still one that could not be understood.
    emulator.faults.push("truncated")
    with pytest.raises(MalformedReply):
        await client.device_info()
    assert (await client.device_info()).serial == emulator.config.serial


@pytest.mark.parametrize("emulator_profile", ["http10"])
async def test_http10_profile(
    client: CgiCamera, emulator: CameraEmulator, session: aiohttp.ClientSession
) -> None:
    info = await client.device_info()
    assert (info.firmware, info.serial) == (
        emulator.config.firmware,
        emulator.config.serial,
    )
    assert (await client.snapshot(1)).endswith(b"\xff\xd9")
    found = await client.discover_all_capabilities()
    assert {
        d.source(g) for d in found.areas.values() for g, *_ in d.as_dict().items()
    } == {"query"}
    wrong = CgiCamera(session, "127.0.0.1", emulator.port, "admin", "wrong", timeout=5)
    with pytest.raises(AuthenticationFailed):
        await wrong.device_info()


# spec and minimal ------------------------------------------------------------------------------------------------------
async def test_spec_discovery_is_one_query_per_area(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    found = await client.discover_all_capabilities()
    assert len(emulator.requests) == len(KNOWN_GROUPS)
    assert all(r.op == "query" and r.group == "All" for r in emulator.requests)
    for area, groups in KNOWN_GROUPS.items():
        discovered = found.areas[area]
        assert discovered.capabilities is not None
        assert {discovered.source(group) for group in groups} == {"query"}, area
    assert set(found.by_area) == set(KNOWN_GROUPS)
    # Groups the camera reports beyond the known ones are kept too.
    assert found.by_area["sys"].has_group("SystemInfo")
    assert found.as_dict()["image"]["ImageInfo"] == {"source": "query", "reason": None}


@pytest.mark.parametrize("emulator_profile", ["minimal"])
async def test_minimal_profile(client: CgiCamera) -> None:
    found = await client.discover_all_capabilities()
    for area in ("ptz", "wifi"):
        assert found.areas[area].capabilities is None
        assert area not in found.by_area
    assert found.areas["ptz"].as_dict()["PTZCtrlInfo"] == {
        "source": "none",
        "reason": "Group=All: result 501; Group=PTZCtrlInfo: result 501; get: result 501",
    }
    record = found.areas["record"]
    assert record.source("RecordControl") == "query"
    assert record.source("RecordDevice") == "none"
    assert record.source("NotAsked") == "none"
    with pytest.raises(CgiError):
        await client.sd_operate(1, SdOperation.MOUNT)


# sparse-query ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_profile", ["sparse-query"])
async def test_sparse_query_falls_back_to_get_and_document(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    found = await client.discover_all_capabilities()
    image = found.areas["image"]
    assert image.source("ImageInfo") == "query-group"
    assert image.as_dict()["ImageInfo"]["reason"] == "Group=All: result 501"
    assert image.source("OSDInfo") == "get+document"
    caps = found.by_area["image"]
    assert caps.get("ImageInfo", "Brightness") == IntRange(0, 255)
    # The camera's own query wins over the document (Gamma: the document says only "int").
    assert caps.get("ImageInfo", "Gamma") == IntRange(0, 10)
    assert caps.get("OSDInfo", "TextOSDTitle") == FreeString()
    assert (
        caps.get("OSDInfo", "DateFormat") == ReadOnly()
    )  # present, but the document gives no values

    camera = found.areas["camera"]
    assert camera.as_dict()["BasicInfo"] == {
        "source": "get+document",
        "reason": (
            "Group=All: result 403; Group=BasicInfo: result 403; "
            "ranges: §3.8.4 Basic parameters, p. 29"
        ),
    }
    exposure = found.by_area["camera"]
    assert exposure.get("ExposureInfo", "AGCMax") == Choices((2, 4, 8, 16, 32, 64))
    assert exposure.get("ExposureInfo", "ShutterMax") == ReadOnly()
    assert exposure.get("BasicInfo", "MirrorHor") == Choices((0, 1))
    assert camera.source("ResetInfo") == "none"  # set-only: a get cannot show it

    record = found.areas["record"]
    assert record.as_dict()["RecordDevice"]["reason"].startswith(
        "Group=All: empty reply; Group=RecordDevice: empty reply; "
    )
    sd = found.by_area["record"]
    assert sd.get("RecordDevice", "Operate") == Choices((0, 1, 2))
    assert sd.get("RecordDevice", "SDStatus") == ReadOnly()
    assert sd.get("RecordControl", "Lenght") == IntRange(10, 3600)

    sys_area = found.areas["sys"]
    assert sys_area.source("TimeInfo") == "query-group"
    assert sys_area.source("DeviceInfo") == "get+document"
    stream = found.areas["major_stream"]
    assert stream.source("StreamInfo") == "query-group"
    assert len(found.by_area["major_stream"].blocks("StreamInfo")) > 1
    assert found.areas["mjpeg"].source("StreamInfo") == "get+document"
    assert found.by_area["ptz"].get("PTZCtrlInfo", "Direction") == IntRange(1, 8)
    assert found.by_area["alarm"].get("MDInfo", "MDSensitivity") == IntRange(1, 100)
    assert found.by_area["wifi"].get("WifiInfo", "Signal") == ReadOnly()
    assert set(found.by_area) == set(KNOWN_GROUPS)
    # Every source is a get the camera answers, and the values are the camera's.
    assert (await client.get("camera", "BasicInfo", 1))["MirrorHor"] == 0


@pytest.mark.parametrize("emulator_profile", ["sparse-query"])
async def test_sparse_query_undocumented_and_empty_groups(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    sys_area = await client.discover_capabilities("sys", ["HardwareV"])
    assert sys_area.as_dict()["HardwareV"]["reason"].endswith(
        "ranges: not in the document"
    )
    assert sys_area.capabilities is not None
    assert sys_area.capabilities.get("HardwareV", "HwdVersion") == ReadOnly()
    emulator.state.channel(1).sd.status = 5  # unmounted: the search finds nothing
    record = await client.discover_capabilities("record", ["RecordSearch"])
    assert record.capabilities is None
    assert record.as_dict()["RecordSearch"]["reason"].endswith("get: empty reply")


@pytest.mark.parametrize("emulator_profile", ["sparse-query"])
@pytest.mark.parametrize(
    ("faults", "exc"),
    [
        (["503"], ServerFailed),
        (["garbage"], MalformedReply),
        (["reset"], CannotConnect),
        (["pass", "503"], ServerFailed),  # the group's own query
        (["pass", "pass", "truncated"], MalformedReply),  # the get
        (["pass", "pass", "401"], AuthenticationFailed),
    ],
)
async def test_transient_failures_are_never_unsupported(
    client: CgiCamera,
    emulator: CameraEmulator,
    faults: list[FaultKind],
    exc: type[CgiError],
) -> None:
    emulator.faults.queue.extend(faults)
    with pytest.raises(exc):
        await client.discover_capabilities("camera", ["BasicInfo"])
    emulator.faults.clear()
    found = await client.discover_capabilities("camera", ["BasicInfo"])
    assert found.source("BasicInfo") == "get+document"


@pytest.mark.parametrize("emulator_profile", ["spec"])
async def test_timeout_is_transient(
    session: aiohttp.ClientSession, emulator: CameraEmulator
) -> None:
    client = CgiCamera(
        session, "127.0.0.1", emulator.port, "admin", PASSWORD, timeout=0.3
    )
    emulator.faults.push("stall")
    with pytest.raises(CameraTimeout):
        await client.discover_capabilities("image", ["ImageInfo"])


async def test_http_404_is_a_refusal(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera without the `_query` CGI at all (HTTP 404): the get and the document decide."""
    reply = (
        b"HTTP/1.0 200 OK\nContent-Type: text/html\n\n"
        b'<?xml version="1.0" encoding="utf-8"?><Message><Header class="image_get"></Header>'
        b'<result code="200">Successfully</result>'
        b"<ImageInfo><Brightness><int>9</int></Brightness></ImageInfo></Message>"
    )

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        if b"_query" in request:
            writer.write(b"HTTP/1.0 404 Not Found\r\n\r\n<html>404</html>")
        else:
            writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = CgiCamera(session, "127.0.0.1", port, "admin", PASSWORD, timeout=2)
        found = await client.discover_capabilities("image", ["ImageInfo"])
    finally:
        server.close()
        await server.wait_closed()
    assert found.as_dict()["ImageInfo"]["reason"].startswith(
        "Group=All: HTTP 404; Group=ImageInfo: HTTP 404; "
    )
    assert found.capabilities is not None
    assert found.capabilities.get("ImageInfo", "Brightness") == IntRange(0, 255)


# alt-names ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_profile", ["alt-names"])
async def test_alt_names_profile(
    client: CgiCamera, emulator: CameraEmulator, session: aiohttp.ClientSession
) -> None:
    info = await client.device_info()
    assert info.firmware == emulator.config.firmware
    assert info.serial == emulator.config.serial
    assert info.mac == emulator.config.mac
    assert (await client.time_info()).time_method == 0
    # The emulator's RTSP server listens on a port of its own, which NetPortInfo reports as RTSPPort.
    assert emulator.rtsp is not None
    assert (await client.net_port_info()).rtsp_port == emulator.rtsp.port
    # Reads come back under the canonical names, and sets go out in the camera's spelling.
    audio = await client.get("audio", "AudioInfo", 1)
    assert audio["AudioVolume"] == 0
    assert "Volume" not in audio
    echo = await client.set("audio", "AudioInfo", 1, {"AudioVolume": 6})
    assert emulator.requests[-1].params["Volume"] == "6"
    assert echo["AudioVolume"] == 6
    assert emulator.state.channel(1).audio["AudioVolume"] == 6
    record = await client.get("record", "RecordControl", 1)
    assert record["Lenght"] == 600
    # Query replies too: the capability sits under the canonical name, and a set learnt from the query alone goes
    # out in the camera's spelling.
    fresh = CgiCamera(session, "127.0.0.1", emulator.port, "admin", PASSWORD, timeout=5)
    found = await fresh.discover_capabilities("record", ["RecordControl"])
    assert found.capabilities is not None
    assert found.capabilities.get("RecordControl", "Lenght") == IntRange(10, 3600)
    assert found.capabilities.get("RecordControl", "Length") is None
    await fresh.set("record", "RecordControl", 1, {"Lenght": 90})
    assert emulator.requests[-1].params["Length"] == "90"
    assert emulator.state.channel(1).record_control["Lenght"] == 90


@pytest.mark.parametrize("emulator_profile", ["alt-names"])
async def test_sd_operate_falls_back_to_operate_rate(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    assert await client.sd_operate(1, SdOperation.UNMOUNT) is SdStatus.UNMOUNTED
    assert [
        r.params.get("Operate", r.params.get("OperateRate")) for r in emulator.requests
    ] == [
        "0",
        "0",
    ]
    assert "OperateRate" in emulator.requests[-1].params


async def test_sd_operations(client: CgiCamera, emulator: CameraEmulator) -> None:
    """Operate 0/1/2 (the document's table): the card's state follows each operation."""
    sd = emulator.state.channel(1).sd
    assert await client.sd_operate(1, SdOperation.UNMOUNT) is SdStatus.UNMOUNTED
    assert emulator.requests[-1].params["Operate"] == "0"
    assert await client.sd_operate(1, SdOperation.MOUNT) is SdStatus.MOUNTED
    assert await client.sd_operate(1, SdOperation.FORMAT) is SdStatus.FORMATTING
    sd.format_until = 0  # the format is over
    status = (await client.get("record", "RecordDevice", 1))["SDStatus"]
    assert status == SdStatus.MOUNTED
    with pytest.raises(ValueError, match="3"):
        await client.sd_operate(1, 3)
    # Channel defaults to 1; Channel and Group among the parameters are not sent twice.
    await client.set("record", "RecordDevice", None, {"Operate": 1, "Channel": 5})
    assert emulator.requests[-1].params == {
        "Channel": "1",
        "Group": "RecordDevice",
        "Operate": "1",
    }


async def test_set_reply_without_group(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A camera that answers a set with the result only: an empty echo, and no SD status to report."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.0 200 OK\nContent-Type: text/html\n\n<Message>"
            b'<result code="200">Successfully</result></Message>'
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = CgiCamera(session, "127.0.0.1", port, "admin", PASSWORD, timeout=2)
        echo = await client.set("image", "ImageInfo", 1, {"Brightness": 1})
        assert (echo.name, len(echo)) == ("ImageInfo", 0)
        assert await client.sd_operate(1, SdOperation.FORMAT) is None
    finally:
        server.close()
        await server.wait_closed()
