"""End to end: the emulator and a real `hass` as separate processes, driven over HTTP and WebSocket only."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import CgiCamera
from tests.e2e.hass import REPO, HassServer

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from pathlib import Path

USER, PASSWORD = "admin", "e2e pass&word"
DEMO_USER, DEMO_PASSWORD = "e2e", "e2e-password-2026"
PREFIX = "v6202ir_ar0237"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """`python -m tests.emulator` on a fixed loopback port, stoppable and restartable."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.emulator",
            "--port",
            str(self.port),
            "--user",
            USER,
            "--password",
            PASSWORD,
            cwd=REPO,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(100):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("the emulator did not start")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


async def _until(check: Any, timeout: float = 40.0) -> None:
    """Wait until `check()` (a coroutine function) returns True."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out waiting for {check.__name__}"
        await asyncio.sleep(0.5)


@pytest.fixture
async def stack(
    socket_enabled: None, tmp_path: Path
) -> AsyncGenerator[tuple[HassServer, EmulatorProcess]]:
    """A camera emulator process and a real Home Assistant with the integration."""
    emulator = EmulatorProcess(_free_port())
    await emulator.start()
    hass = HassServer(tmp_path / "config", _free_port())
    try:
        await hass.start()
        await hass.onboard_or_login(DEMO_USER, DEMO_PASSWORD)
        yield hass, emulator
    finally:
        await hass.stop()
        await emulator.stop()


async def _state(hass: HassServer, entity_id: str) -> dict[str, Any]:
    result: dict[str, Any] = await hass.request("GET", f"/api/states/{entity_id}")
    return result


async def test_real_home_assistant(stack: tuple[HassServer, EmulatorProcess]) -> None:
    """Config flow over HTTP, entity values, settings, PTZ, UART, images, outage and removal."""
    hass, emulator = stack
    entry = await hass.add_camera("127.0.0.1", emulator.port, USER, PASSWORD)
    assert entry["title"] == "V6202IR-AR0237"

    async with aiohttp.ClientSession() as session:
        camera = CgiCamera(session, "127.0.0.1", emulator.port, USER, PASSWORD)

        async def brightness_loaded() -> bool:
            state = await _state(hass, f"number.{PREFIX}_brightness")
            return state["state"] not in ("unavailable", "unknown")

        await _until(brightness_loaded)
        image = await camera.get("image", "ImageInfo", 1)
        assert (
            float((await _state(hass, f"number.{PREFIX}_brightness"))["state"])
            == image["Brightness"]
        )
        exposure = await camera.get("camera", "ExposureInfo", 1)
        ir_cut = (await _state(hass, f"select.{PREFIX}_ir_cut_mode"))["state"]
        assert (
            ir_cut == ("external", "night", "day", "auto")[int(exposure["ICRSwitch"])]
        )

        # A number, a select and a switch reach the camera.
        await hass.request(
            "POST",
            "/api/services/number/set_value",
            {"entity_id": f"number.{PREFIX}_brightness", "value": 42},
        )
        await hass.request(
            "POST",
            "/api/services/select/select_option",
            {"entity_id": f"select.{PREFIX}_ir_cut_mode", "option": "night"},
        )
        flip_before = (await camera.get("camera", "BasicInfo", 1))["MirrorVer"]
        await hass.request(
            "POST",
            f"/api/services/switch/{'turn_off' if flip_before else 'turn_on'}",
            {"entity_id": f"switch.{PREFIX}_flip"},
        )
        assert (await camera.get("image", "ImageInfo", 1))["Brightness"] == 42
        assert (await camera.get("camera", "ExposureInfo", 1))["ICRSwitch"] == 1
        assert (await camera.get("camera", "BasicInfo", 1))["MirrorVer"] == (
            0 if flip_before else 1
        )

        # A timed move ends with the camera stopped.
        camera_entity = f"camera.{PREFIX}_main_stream"
        await hass.request(
            "POST",
            "/api/services/cgi_camera/ptz_move",
            {"entity_id": camera_entity, "direction": "left", "duration": 0.3},
        )
        assert (await camera.get("ptz", "PTZCtrlInfo", 1))["Direction"] == 0

        # UART: the emulated RS-485 peer answers with the bytes reversed.
        reply = await hass.request(
            "POST",
            "/api/services/cgi_camera/uart_send?return_response",
            {"entity_id": camera_entity, "data": "01 02 AB", "read_back": True},
        )
        response_data = reply["service_response"]
        response_data = response_data.get(camera_entity, response_data)
        assert response_data["data"] == "AB 02 01"

        # Snapshot and MJPEG through Home Assistant's camera proxy.
        async with hass.session.get(
            f"{hass.url}/api/camera_proxy/{camera_entity}", headers=hass.headers
        ) as response:
            assert response.status == 200
            assert (await response.read())[:2] == b"\xff\xd8"
        async with hass.session.get(
            f"{hass.url}/api/camera_proxy_stream/{camera_entity}", headers=hass.headers
        ) as response:
            assert response.status == 200
            assert response.content_type == "multipart/x-mixed-replace"
            seen = b""
            while seen.count(b"\xff\xd8") < 3:
                seen += await asyncio.wait_for(response.content.read(65536), 10)

    # The camera goes away: entities become unavailable; it returns: they come back by themselves.
    await emulator.stop()

    async def unavailable() -> bool:
        return (await _state(hass, f"number.{PREFIX}_brightness"))[
            "state"
        ] == "unavailable"

    await _until(unavailable)
    await emulator.start()
    await _until(brightness_loaded)

    # Removing the entry leaves no entity or device behind.
    await hass.request(
        "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
    )
    entities = await hass.ws({"type": "config/entity_registry/list"})
    devices = await hass.ws({"type": "config/device_registry/list"})
    assert not [e for e in entities[0] if e["platform"] == "cgi_camera"]
    assert not [d for d in devices[0] if entry["entry_id"] in d["config_entries"]]
