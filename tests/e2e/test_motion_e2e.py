"""End to end, live motion: emulator processes and a real `hass`, driven over HTTP only.

Two cameras: one with ONVIF events (`--onvif-port 0`; the integration finds the port in NetPortInfo), one with
`/cgi/getAlarmStatus` only. Motion detection is switched on through Home Assistant, motion is started and ended with
the emulator's control request, and each camera's motion sensor must follow: on, then off.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.e2e.emulator_process import EmulatorProcess, free_port
from tests.e2e.hass import HassServer

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable
    from pathlib import Path

USER, PASSWORD = "admin", "motion e2e&pass"
DEMO_USER, DEMO_PASSWORD = "e2e", "e2e-password-2026"
# Generous: the machine may be busy; the latency targets are the benchmark's (tests/bench/bench_motion.py).
STATE_TIMEOUT = 20.0


async def _until(
    check: Callable[[], Awaitable[bool]], timeout: float = STATE_TIMEOUT
) -> float:
    """Wait until `check()` returns True; return the seconds it took."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, (
            f"timed out waiting for {check.__name__}"
        )
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def _state(hass: HassServer, entity_id: str) -> str:
    with contextlib.suppress(Exception):
        return str((await hass.request("GET", f"/api/states/{entity_id}"))["state"])
    return "missing"


def _find_motion(diagnostics: Any) -> dict[str, Any] | None:
    """Return the live-motion part of a diagnostics dump, wherever it sits."""
    if isinstance(diagnostics, dict):
        if "tried" in diagnostics and "source" in diagnostics:
            return diagnostics
        for value in diagnostics.values():
            if (found := _find_motion(value)) is not None:
                return found
    return None


@pytest.fixture
async def stack(
    socket_enabled: None, tmp_path: Path
) -> AsyncGenerator[tuple[HassServer, EmulatorProcess, EmulatorProcess]]:
    """A camera with ONVIF events, one with getAlarmStatus only, and a real Home Assistant."""
    onvif = EmulatorProcess(
        free_port(),
        "--onvif-port",
        "0",
        user=USER,
        password=PASSWORD,
        mac="00:2a:2a:4d:00:01",
    )
    polled = EmulatorProcess(
        free_port(),
        "--alarm-status",
        user=USER,
        password=PASSWORD,
        mac="00:2a:2a:4d:00:02",
    )
    hass = HassServer(tmp_path / "config", free_port())
    try:
        await onvif.start()
        await polled.start()
        await hass.start()
        await hass.onboard_or_login(DEMO_USER, DEMO_PASSWORD)
        yield hass, onvif, polled
    finally:
        await hass.stop()
        await onvif.stop()
        await polled.stop()


async def test_motion_sensor_follows_the_camera(
    stack: tuple[HassServer, EmulatorProcess, EmulatorProcess],
) -> None:
    """Both sources: the sensor is off, turns on with the camera's motion and off when it ends."""
    hass, onvif, polled = stack
    assert onvif.onvif_port
    entries = {
        "porch": await hass.add_camera(
            "127.0.0.1", onvif.port, USER, PASSWORD, name="Porch"
        ),
        "yard": await hass.add_camera(
            "127.0.0.1", polled.port, USER, PASSWORD, name="Yard"
        ),
    }

    latencies: dict[str, tuple[float, float]] = {}
    async with aiohttp.ClientSession() as session:
        for prefix, emulator in (("porch", onvif), ("yard", polled)):
            sensor = f"binary_sensor.{prefix}_motion"
            switch = f"switch.{prefix}_motion_detection"

            async def sensor_off(sensor: str = sensor) -> bool:
                return await _state(hass, sensor) == "off"

            async def sensor_on(sensor: str = sensor) -> bool:
                return await _state(hass, sensor) == "on"

            async def switch_available(switch: str = switch) -> bool:
                return await _state(hass, switch) in ("on", "off")

            await _until(sensor_off)
            await _until(switch_available)
            # Detection off (the camera's default): the camera sees nothing, the trigger is ignored.
            assert await _state(hass, switch) == "off"
            assert await emulator.motion(session, on=True) == "IGNORED"
            await hass.request(
                "POST", "/api/services/switch/turn_on", {"entity_id": switch}
            )
            assert await _state(hass, switch) == "on"
            assert await emulator.motion(session, on=True) == "OK"
            on = await _until(sensor_on)
            assert await emulator.motion(session, on=False) == "OK"
            off = await _until(sensor_off)
            latencies[prefix] = (on, off)

    # Diagnostics name the source each camera uses.
    sources = {}
    for prefix, entry in entries.items():
        diagnostics = await hass.request(
            "GET", f"/api/diagnostics/config_entry/{entry['entry_id']}"
        )
        motion = _find_motion(diagnostics)
        assert motion is not None
        sources[prefix] = motion["source"]
    assert sources == {"porch": "onvif", "yard": "alarm_status"}
    print(  # the figures, for whoever runs it with -s
        "motion on/off seen by the REST API after (s): "
        + ", ".join(f"{k} {on:.2f}/{off:.2f}" for k, (on, off) in latencies.items())
    )
