"""Smoke tests of the camera emulator itself, over raw loopback sockets and aiohttp (never through the client)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from urllib.parse import quote

import aiohttp
import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.emulator import CameraEmulator, EmulatorConfig

USER = "admin"
PASSWORD = "pä ss&word"  # non-ASCII, a space and an ampersand


def _basic(user: str = USER, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def raw(
    emu: CameraEmulator, target: str, *, auth: str | None = None, method: str = "GET"
) -> bytes:
    """Send one request on a fresh socket and return every byte until the emulator closes it."""
    reader, writer = await asyncio.open_connection(emu.host, emu.port)
    head = f"{method} {target} HTTP/1.1\r\nHost: {emu.host}\r\n"
    head += f"Authorization: {auth if auth is not None else _basic(emu.config.username, emu.config.password)}\r\n\r\n"
    writer.write(head.encode())
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def cgi(name: str, **params: object) -> str:
    return f"/cgi/{name}?" + "&".join(
        f"{k}={quote(str(v), safe='')}" for k, v in params.items()
    )


def result_code(reply: bytes) -> int:
    m = re.search(rb'<result code="(\d+)">', reply)
    assert m, reply
    return int(m[1])


def value(reply: bytes, name: str) -> str:
    m = re.search(
        rf"<{name}><(?:int|string)>(.*?)</(?:int|string)></{name}>".encode(), reply
    )
    assert m, reply
    return m[1].decode()


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """Use a password that needs escaping everywhere, and a short reboot."""
    return EmulatorConfig(username=USER, password=PASSWORD, reboot_seconds=0.3)


@pytest.fixture
def emu(emulator: CameraEmulator) -> CameraEmulator:
    """Return the shared `emulator` fixture (tests/conftest.py) under a short name."""
    return emulator


@pytest.mark.parametrize(
    ("framing", "head"),
    [
        ("spec_mixed", b"HTTP/1.0 200 OK\r\nContent-Type: text/html\n\n<?xml"),
        ("all_lf", b"HTTP/1.0 200 OK\nContent-Type: text/html\n\n<?xml"),
        ("goahead_mixed", b"HTTP/1.0 200 OK\r\nServer: GoAhead-Webs\nPragma"),
        ("crlf", b"HTTP/1.1 200 OK\r\nContent-Type"),
    ],
)
async def test_framing(socket_enabled: None, framing: str, head: bytes) -> None:
    cfg = EmulatorConfig(username=USER, password=PASSWORD, framing=framing)
    async with CameraEmulator(cfg) as emu:
        reply = await raw(emu, cgi("sys_get", Group="DeviceInfo"))
        # A lenient HTTP parser (aiohttp outside dev mode) reads every variant.
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"{emu.url}/cgi/sys_get?Group=DeviceInfo",
                headers={"Authorization": _basic()},
            ) as resp,
        ):
            assert resp.status == 200
            assert (await resp.text()).rstrip().endswith("</Message>")
    assert reply.startswith(head)
    assert value(reply, "DeviceID") == "V6202IR-AR0237"
    assert value(reply, "Mac") == "00:2a:2a:12:34:56"
    assert reply.rstrip().endswith(b"</Message>")
    if framing == "crlf":
        body = reply.split(b"\r\n\r\n", 1)[1]
        assert f"Content-Length: {len(body)}\r\n".encode() in reply


async def test_aiohttp_basic_auth(emu: CameraEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.url}/cgi/sys_get?Group=DeviceInfo") as resp:
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"] == 'Basic realm="IPCamera"'
        good = {"Authorization": _basic()}
        async with session.get(
            f"{emu.url}/cgi/sys_get?Group=DeviceInfo", headers=good
        ) as resp:
            assert resp.status == 200
            assert (
                "<Firmware><string>V1.04.10-161208</string></Firmware>"
                in await resp.text()
            )
        bad = {"Authorization": _basic(USER, "wrong")}
        async with session.get(
            f"{emu.url}/cgi/sys_get?Group=DeviceInfo", headers=bad
        ) as resp:
            assert resp.status == 401
    assert [r.authorized for r in emu.requests] == [False, True, False]


async def test_digest_auth(socket_enabled: None) -> None:
    cfg = EmulatorConfig(username=USER, password=PASSWORD, auth="digest")
    async with CameraEmulator(cfg) as emu:
        # Basic is refused in digest mode, with a Digest challenge.
        reply = await raw(emu, cgi("sys_get", Group="DeviceInfo"))
        assert reply.startswith(b"HTTP/1.0 401 Unauthorized\r\n")
        challenge = re.search(rb"WWW-Authenticate: (.*)\r\n", reply)
        assert challenge
        text = challenge[1].decode()
        assert text.startswith("Digest ")
        assert 'qop="auth"' in text
        assert "algorithm=MD5" in text
        nonce = re.search(r'nonce="([^"]+)"', text)
        assert nonce
        uri = "/cgi/sys_get?Group=DeviceInfo"

        def md5(s: str) -> str:
            return hashlib.md5(s.encode()).hexdigest()

        ha1, ha2 = md5(f"{USER}:IPCamera:{PASSWORD}"), md5(f"GET:{uri}")
        response = md5(f"{ha1}:{nonce[1]}:00000001:abcdef:auth:{ha2}")
        header = (
            f'Digest username="{USER}", realm="IPCamera", nonce="{nonce[1]}", uri="{uri}", '
            f'response="{response}", qop=auth, nc=00000001, cnonce="abcdef", algorithm=MD5'
        )
        assert result_code(await raw(emu, uri, auth=header)) == 200
        bad = header.replace(response, "0" * 32)
        assert (await raw(emu, uri, auth=bad)).startswith(b"HTTP/1.0 401")
        # aiohttp's digest middleware works against it too.
        async with (
            aiohttp.ClientSession(
                middlewares=(aiohttp.DigestAuthMiddleware(USER, PASSWORD),)
            ) as session,
            session.get(f"{emu.url}/cgi/image_get?Channel=1&Group=ImageInfo") as resp,
        ):
            assert resp.status == 200
            assert "<Brightness><int>128</int></Brightness>" in await resp.text()


async def test_set_get_round_trip(emu: CameraEmulator) -> None:
    reply = await raw(
        emu, cgi("image_set", Channel=1, Group="ImageInfo", Brightness=42, Contrast=7)
    )
    assert result_code(reply) == 200
    assert value(reply, "Brightness") == "42"
    assert b"<Hue>" not in reply  # only the changed values come back
    assert emu.state.channel(1).image["Brightness"] == 42
    reply = await raw(emu, cgi("image_get", Channel=1, Group="ImageInfo"))
    assert value(reply, "Brightness") == "42"
    assert value(reply, "Hue") == "128"
    # OSD title with XML-special and non-ASCII characters.
    title = "Hof & <Tür>"
    assert (
        result_code(
            await raw(
                emu, cgi("image_set", Channel=1, Group="OSDInfo", TextOSDTitle=title)
            )
        )
        == 200
    )
    reply = await raw(emu, cgi("image_get", Channel=1, Group="OSDInfo"))
    assert value(reply, "TextOSDTitle") == "Hof &amp; &lt;Tür&gt;"


@pytest.mark.parametrize(
    ("target", "code"),
    [
        (cgi("image_set", Channel=1, Group="ImageInfo", Brightness=256), 402),
        (cgi("image_set", Channel=1, Group="ImageInfo", Brightness="x"), 402),
        (cgi("image_set", Channel=1, Group="ImageInfo", Brightnes=1), 403),
        (cgi("image_get", Channel=2, Group="ImageInfo"), 401),
        (cgi("image_get", Channel=0, Group="ImageInfo"), 401),
        (cgi("image_get", Channel=1, Group="NoSuchGroup"), 501),
        (cgi("foo_get", Group="Bar"), 501),
        (cgi("net_get", Group="UluInfo"), 501),
        (cgi("sys_set", Group="DeviceInfo", DeviceID="x"), 402),
        (
            cgi("major_stream_set", Channel=1, Group="StreamInfo", Resolution="1080P"),
            402,
        ),
        (
            cgi(
                "minor_stream_set",
                Channel=1,
                Group="StreamInfo",
                Resolution="640x360",
                BitRate=2000,
            ),
            402,
        ),
        (cgi("camera_set", Channel=1, Group="ExposureInfo", ShutterManual=100), 502),
        (
            cgi(
                "camera_set",
                Channel=1,
                Group="ExposureInfo",
                ExposureMode=2,
                ShutterManual=100,
            ),
            200,
        ),
        (
            cgi(
                "camera_set",
                Channel=1,
                Group="ExposureInfo",
                ShutterMax=100,
                ShutterManual=100,
            ),
            402,
        ),
        (cgi("camera_set", Channel=1, Group="ExposureInfo", BLCLLevel=5), 200),
        (cgi("ptz_set", Channel=1, Group="PTZCtrlInfo", Direction="up"), 402),
        (cgi("alarm_set", Channel=1, Group="MDInfo", MDArea="1/2"), 402),
    ],
)
async def test_result_codes(emu: CameraEmulator, target: str, code: int) -> None:
    reply = await raw(emu, target)
    assert result_code(reply) == code
    if code != 200:
        assert re.search(rb"</result>\s*</Message>", reply)


async def test_feature_flags(socket_enabled: None) -> None:
    cfg = EmulatorConfig(
        username=USER,
        password=PASSWORD,
        ptz=False,
        wifi=False,
        sd_card=False,
        channels=2,
    )
    async with CameraEmulator(cfg) as emu:
        assert (
            result_code(await raw(emu, cgi("ptz_get", Channel=1, Group="SpeedInfo")))
            == 501
        )
        assert (
            result_code(await raw(emu, cgi("rs485_get", Channel=1, Group="RS485Data")))
            == 501
        )
        assert result_code(await raw(emu, cgi("wifi_get", Group="WifiInfo"))) == 501
        reply = await raw(emu, cgi("record_get", Channel=2, Group="RecordDevice"))
        assert value(reply, "SDStatus") == "0"
        assert value(reply, "TotalSpace") == "0"
        assert (
            result_code(await raw(emu, cgi("image_get", Channel=2, Group="ImageInfo")))
            == 200
        )
        assert (
            result_code(await raw(emu, cgi("image_get", Channel=3, Group="ImageInfo")))
            == 401
        )


async def test_query_grammar(emu: CameraEmulator) -> None:
    reply = (await raw(emu, cgi("major_stream_query", Group="StreamInfo"))).decode()
    blocks = re.findall(r"<StreamInfo>(.*?)</StreamInfo>", reply)
    assert len(blocks) == 6
    assert "<Resolution><string>1920x1080</string></Resolution>" in blocks[0]
    assert "<BitRate><int>256 ... 10000</int></BitRate>" in blocks[0]
    assert "<FrameRate><int>3, 5, 10, 15, 20, 25, 30</int></FrameRate>" in blocks[0]
    assert "<Channel><int></int></Channel>" in blocks[0]
    reply = (await raw(emu, cgi("sys_query", Group="All"))).decode()
    assert "<DeviceID><string></string></DeviceID>" in reply
    assert "<NTPServerIP><string>valid string</string></NTPServerIP>" in reply
    reply = (await raw(emu, "/cgi/image_query")).decode()
    for group in ("ImageInfo", "OSDInfo", "ROIInfo", "AreaExpInfo", "PrivacyMaskInfo"):
        assert f"<{group}>" in reply
    assert "<Brightness><int>0 ... 255</int></Brightness>" in reply
    assert "<TextOSDTitle><string>any string</string></TextOSDTitle>" in reply
    reply = (await raw(emu, cgi("mjpeg_query", Group="All"))).decode()
    assert "<Resolution><string>1280x720, CLOSED</string></Resolution>" in reply


async def test_blocks(emu: CameraEmulator) -> None:
    reply = (await raw(emu, cgi("wifi_get", Group="HotspotList"))).decode()
    assert reply.count("<HotspotList>") == 3
    assert "<SSID><string>Guest &amp; Friends</string></SSID>" in reply
    reply = (await raw(emu, cgi("user_get", Group="UserList"))).decode()
    assert reply.count("<UserList>") == 1
    assert PASSWORD not in reply
    reply = await raw(
        emu, cgi("user_set", Group="AddUser", UserName="bob", Password="x", Privilege=1)
    )
    assert result_code(reply) == 200
    assert (await raw(emu, cgi("user_get", Group="UserList"))).count(b"<UserList>") == 2
    reply = await raw(
        emu,
        cgi(
            "record_get",
            Channel=1,
            Group="RecordSearch",
            StartTime=0,
            EndTime=2**31 - 1,
        ),
    )
    assert reply.count(b"<RecordSearch>") == 3
    reply = await raw(
        emu, cgi("record_get", Channel=1, Group="RecordSearch", StartTime=0, EndTime=10)
    )
    assert result_code(reply) == 200
    assert b"<RecordSearch>" not in reply


async def test_ptz_move_stop_and_presets(emu: CameraEmulator) -> None:
    ptz = emu.state.channel(1).ptz
    pan0 = ptz.pan
    reply = await raw(
        emu,
        cgi(
            "ptz_set",
            Channel=1,
            Group="PTZCtrlInfo",
            Direction=4,
            PanSpeed=5,
            TiltSpeed=5,
        ),
    )
    assert result_code(reply) == 200
    assert value(reply, "Direction") == "4"
    assert ptz.moving == 4
    await asyncio.sleep(0.1)
    reply = await raw(emu, cgi("ptz_get", Channel=1, Group="PTZCtrlInfo"))
    assert value(reply, "Direction") == "4"
    assert int(value(reply, "Pan")) > pan0
    await raw(emu, cgi("ptz_set", Channel=1, Group="PTZCtrlInfo", Stop=0))
    assert ptz.moving == 0
    assert ptz.stop_count == 1
    stopped = ptz.pan
    await asyncio.sleep(0.05)
    assert ptz.pan == stopped
    # Save preset 3 here, move away, call it back.
    await raw(
        emu,
        cgi(
            "ptz_set",
            Channel=1,
            Group="PTZCtrlInfo",
            PresetNumber=3,
            Preset=0,
            PresetTitle="Door",
        ),
    )
    await raw(
        emu,
        cgi(
            "ptz_set",
            Channel=1,
            Group="PTZCtrlInfo",
            Model=0,
            Pan=100,
            Tilt=200,
            ZoomPosition=300,
        ),
    )
    assert (round(ptz.pan), round(ptz.tilt), round(ptz.zoom)) == (100, 200, 300)
    await raw(
        emu, cgi("ptz_set", Channel=1, Group="PTZCtrlInfo", PresetNumber=3, Preset=1)
    )
    assert ptz.pan == pytest.approx(stopped)
    reply = await raw(emu, cgi("ptz_get", Channel=1, Group="PresetNameInfo"))
    assert value(reply, "PresetTitle") == "Door"
    await raw(emu, cgi("ptz_set", Channel=1, Group="PTZCtrlInfo", Zoom=1))
    assert ptz.zooming == 1
    await raw(emu, cgi("ptz_set", Channel=1, Group="PTZCtrlInfo", Stop=0))
    assert not ptz.busy
    assert len(ptz.commands) == 7


async def test_rs485(emu: CameraEmulator) -> None:
    reply = await raw(
        emu, cgi("rs485_set", Channel=1, Group="RS485Data", Data="1234abCD")
    )
    assert value(reply, "Data") == "12 34 AB CD"
    reply = await raw(emu, cgi("rs485_get", Channel=1, Group="RS485Data"))
    assert value(reply, "Data") == "CD AB 34 12"
    assert emu.state.channel(1).rs485.sent == [bytes.fromhex("1234abcd")]
    assert (
        result_code(
            await raw(emu, cgi("rs485_set", Channel=1, Group="RS485Data", Data="123"))
        )
        == 402
    )


async def test_sd_format(emu: CameraEmulator) -> None:
    reply = await raw(
        emu, cgi("record_set", Channel=1, Group="RecordDevice", Operate=2)
    )
    assert result_code(reply) == 200
    assert (
        value(
            await raw(emu, cgi("record_get", Channel=1, Group="RecordDevice")),
            "SDStatus",
        )
        == "3"
    )
    emu.state.channel(1).sd.format_until = 0
    reply = await raw(emu, cgi("record_get", Channel=1, Group="RecordDevice"))
    assert (value(reply, "SDStatus"), value(reply, "UsedSpace")) == ("4", "0")
    reply = await raw(
        emu, cgi("record_set", Channel=1, Group="RecordControl", Lenght=300)
    )
    assert value(reply, "Lenght") == "300"


async def test_reboot(emu: CameraEmulator) -> None:
    assert result_code(await raw(emu, cgi("sys_set", Group="Reboot"))) == 200
    await asyncio.sleep(0.15)
    with pytest.raises(ConnectionError):
        await raw(emu, cgi("sys_get", Group="TimeInfo"))
    deadline = time.monotonic() + 3
    while True:
        try:
            reply = await raw(emu, cgi("sys_get", Group="TimeInfo"))
            break
        except OSError:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    assert value(reply, "UpTime") == "0"
    assert emu.reboot_count == 1


async def test_faults(emu: CameraEmulator) -> None:
    target = cgi("sys_get", Group="DeviceInfo")
    emu.faults.push("empty")
    assert await raw(emu, target) == b""
    emu.faults.push("503")
    assert result_code(await raw(emu, target)) == 503
    emu.faults.push("truncated")
    assert not (await raw(emu, target)).rstrip().endswith(b"</Message>")
    emu.faults.push("trailing")
    assert not (await raw(emu, target)).rstrip().endswith(b"</Message>")
    emu.faults.push("doctype")
    assert b"<!DOCTYPE" in await raw(emu, target)
    emu.faults.push("401")
    assert (await raw(emu, target)).startswith(b"HTTP/1.0 401")
    emu.faults.push("stall")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(raw(emu, target), 0.3)
    assert result_code(await raw(emu, target)) == 200
    emu.faults.offline = True
    with pytest.raises(ConnectionError):
        await raw(emu, target)


async def test_snapshot(emu: CameraEmulator) -> None:
    reply = await raw(emu, "/jpgimage/1/image.jpg")
    head, body = reply.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Type: image/jpeg" in head
    assert body[:2] == b"\xff\xd8"
    assert body.endswith(b"\xff\xd9")
    assert (
        await raw(emu, "/jpgimage/9/image.jpg")
        == b"HTTP/1.0 200 OK\r\nContent-Type: text/html\n\nno Image.\n"
    )


async def _open_stream(
    emu: CameraEmulator,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(emu.host, emu.port)
    auth = _basic(emu.config.username, emu.config.password)
    writer.write(
        f"GET /mjpgstreamreq/1/image.jpg HTTP/1.1\r\nAuthorization: {auth}\r\n\r\n".encode()
    )
    await writer.drain()
    return reader, writer


async def test_mjpeg_repeated_and_limit(emu: CameraEmulator) -> None:
    streams = [await _open_stream(emu) for _ in range(2)]
    data = b""
    while data.count(b"\xff\xd9") < 2:
        chunk = await asyncio.wait_for(streams[0][0].read(65536), 5)
        assert chunk
        data += chunk
    assert data.count(b"HTTP/1.1 200 OK\r\n") >= 2
    assert emu.stream_connections == 2
    third_reader, third_writer = await _open_stream(emu)
    assert await asyncio.wait_for(third_reader.read(), 5) == b""
    third_writer.close()
    for _, writer in streams:
        writer.close()
    for _ in range(50):
        if emu.stream_connections == 0:
            break
        await asyncio.sleep(0.05)
    assert emu.stream_connections == 0
    assert emu.max_stream_connections == 2


async def test_max_connections_and_latency(socket_enabled: None) -> None:
    cfg = EmulatorConfig(
        username=USER, password=PASSWORD, max_connections=1, latency=0.2
    )
    async with CameraEmulator(cfg) as emu:
        first, second = await asyncio.gather(
            raw(emu, cgi("sys_get", Group="DeviceInfo")),
            raw(emu, cgi("sys_get", Group="DeviceInfo")),
        )
        assert sorted([first == b"", second == b""]) == [False, True]
        assert emu.max_concurrent == 2


async def test_more_faults(emu: CameraEmulator) -> None:
    target = cgi("sys_get", Group="DeviceInfo")
    emu.faults.push("garbage")
    reply = await raw(emu, target)
    assert reply.startswith(b"HTTP/1.0 200 OK")
    assert b"<Message>" not in reply
    emu.faults.push("reset", count=2)
    for _ in range(2):
        try:
            reply = await raw(emu, target)
        except ConnectionResetError:
            continue
        assert not reply.rstrip().endswith(b"</Message>")
    assert result_code(await raw(emu, target, method="POST")) == 200


async def test_mjpeg_multipart(socket_enabled: None) -> None:
    cfg = EmulatorConfig(
        username=USER, password=PASSWORD, mjpeg_framing="multipart", mjpeg_fps=20
    )
    async with CameraEmulator(cfg) as emu:
        reader, writer = await _open_stream(emu)
        data = b""
        while data.count(b"\xff\xd9") < 2:
            chunk = await asyncio.wait_for(reader.read(65536), 5)
            assert chunk
            data += chunk
        writer.close()
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"multipart/x-mixed-replace; boundary=" in data
    assert data.count(b"HTTP/1.1") == 1


async def test_time_and_mdarea(emu: CameraEmulator) -> None:
    reply = await raw(
        emu, cgi("sys_set", Group="TimeInfo", TimeMethod=0, CameraTime=1000)
    )
    assert result_code(reply) == 200
    reply = await raw(emu, cgi("sys_get", Group="TimeInfo"))
    assert 1000 <= int(value(reply, "CameraTime")) <= 1002
    area = "/".join(["1"] + ["0"] * 16 + [";;;f"]) + "/"
    reply = await raw(
        emu, cgi("alarm_set", Channel=1, Group="MDInfo", MDArea=area, MDEnable=1)
    )
    assert result_code(reply) == 200
    assert emu.state.channel(1).md_info["MDArea"] == area.rstrip("/")
    assert (
        result_code(
            await raw(
                emu,
                cgi(
                    "alarm_set", Channel=1, Group="MDInfo", MDArea="/".join(["0"] * 17)
                ),
            )
        )
        == 402
    )


# Firmware profiles -------------------------------------------------------------------------------------------------
def _profile(profile: str, **kw: object) -> EmulatorConfig:
    return EmulatorConfig(username=USER, password=PASSWORD, profile=profile, **kw)  # type: ignore[arg-type]


def test_profile_knobs() -> None:
    minimal = _profile("minimal", ptz=True)
    assert (minimal.ptz, minimal.sd_card, minimal.sd_slot, minimal.wifi) == (False,) * 4
    assert _profile("http10", framing="crlf").framing == "all_lf"
    assert _profile("spec").framing == "spec_mixed"
    with pytest.raises(ValueError, match="unknown profile"):
        _profile("nonsense")


def test_profile_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.emulator.__main__ import _parse

    monkeypatch.setattr("sys.argv", ["emulator", "--profile", "sparse-query"])
    assert _parse().profile == "sparse-query"
    monkeypatch.setattr("sys.argv", ["emulator"])
    assert _parse().profile == "spec"


async def test_sparse_query_profile(socket_enabled: None) -> None:
    async with CameraEmulator(_profile("sparse-query")) as emu:
        for area in ("image", "sys", "major_stream", "alarm", "net"):
            assert result_code(await raw(emu, cgi(f"{area}_query", Group="All"))) == 501
        reply = await raw(emu, cgi("image_query", Group="ImageInfo"))
        assert result_code(reply) == 200
        assert value(reply, "Brightness") == "0 ... 255"
        assert result_code(await raw(emu, cgi("image_query", Group="OSDInfo"))) == 501
        assert (
            result_code(await raw(emu, cgi("camera_query", Group="BasicInfo"))) == 403
        )
        reply = await raw(emu, cgi("record_query", Group="RecordDevice"))
        assert result_code(reply) == 200
        assert b"<RecordDevice>" not in reply
        # Every group still answers its get.
        reply = await raw(emu, cgi("camera_get", Channel=1, Group="BasicInfo"))
        assert value(reply, "MirrorHor") == "0"
        reply = await raw(emu, cgi("record_get", Channel=1, Group="RecordDevice"))
        assert value(reply, "SDStatus") == "4"


async def test_alt_names_profile(socket_enabled: None) -> None:
    async with CameraEmulator(_profile("alt-names")) as emu:
        reply = await raw(emu, cgi("sys_get", Group="DeviceInfo"))
        assert value(reply, "SoftwareVersion") == emu.config.firmware
        assert value(reply, "SerialNumber") == emu.config.serial
        assert value(reply, "MacAddress") == emu.config.mac
        assert b"<Firmware>" not in reply
        assert b"<SerialNum>" not in reply
        # The firmware's own spelling is accepted in a set and echoed; the document's is not known.
        reply = await raw(emu, cgi("audio_set", Channel=1, Group="AudioInfo", Volume=7))
        assert value(reply, "Volume") == "7"
        assert emu.state.channel(1).audio["AudioVolume"] == 7
        reply = await raw(
            emu, cgi("audio_set", Channel=1, Group="AudioInfo", AudioVolume=3)
        )
        assert result_code(reply) == 403
        reply = await raw(emu, cgi("record_query", Group="RecordControl"))
        assert value(reply, "Length") == "10 ... 3600"
        reply = await raw(
            emu, cgi("record_set", Channel=1, Group="RecordDevice", Operate=1)
        )
        assert result_code(reply) == 403
        reply = await raw(
            emu, cgi("record_set", Channel=1, Group="RecordDevice", OperateRate=0)
        )
        assert value(reply, "SDStatus") == "5"
        reply = await raw(emu, cgi("sys_set", Group="TimeInfo", NTPSwitch=0))
        assert value(reply, "NTPSwitch") == "0"


async def test_http10_profile(socket_enabled: None) -> None:
    async with CameraEmulator(_profile("http10")) as emu:
        reply = await raw(emu, cgi("sys_get", Group="DeviceInfo"))
        assert reply.startswith(b"HTTP/1.0 200 OK\nContent-Type: text/html\n\n<?xml")
        assert b"\r" not in reply.split(b"\n\n", 1)[0]
        assert b"Content-Length" not in reply
        image = await raw(emu, "/jpgimage/1/image.jpg")
        assert image.startswith(
            b"HTTP/1.0 200 OK\nContent-Type: image/jpeg\n\n\xff\xd8"
        )
        denied = await raw(
            emu, cgi("sys_get", Group="DeviceInfo"), auth=_basic(USER, "wrong")
        )
        assert denied.startswith(b"HTTP/1.0 401 Unauthorized\nWWW-Authenticate: Basic")
        assert b"Content-Length" not in denied


async def test_minimal_profile(socket_enabled: None) -> None:
    async with CameraEmulator(_profile("minimal")) as emu:
        assert (
            result_code(await raw(emu, cgi("ptz_get", Channel=1, Group="PTZCtrlInfo")))
            == 501
        )
        assert result_code(await raw(emu, cgi("wifi_get", Group="WifiInfo"))) == 501
        assert (
            result_code(
                await raw(emu, cgi("record_get", Channel=1, Group="RecordDevice"))
            )
            == 501
        )
        reply = await raw(
            emu, cgi("record_set", Channel=1, Group="RecordDevice", Operate=1)
        )
        assert result_code(reply) == 501
        reply = await raw(emu, cgi("record_query", Group="All"))
        assert b"<RecordControl>" in reply
        assert b"<RecordDevice>" not in reply


async def test_reset_fault_sends_rst(emu: CameraEmulator) -> None:
    """The reset fault closes with an RST after half the reply, not with a FIN."""
    emu.faults.push("reset")
    with pytest.raises(ConnectionResetError):
        await raw(emu, cgi("sys_get", Group="DeviceInfo"))
