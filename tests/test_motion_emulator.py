"""The emulator's live motion: the control request, getAlarmStatus, periodic motion, and the ONVIF service's checks."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

import aiohttp
import pytest

# Import Home Assistant first: it swaps httpx for its own fork, which fails once zeep has imported httpx.
from custom_components.cgi_camera.api.onvif_events import WSDL_DIR, PinnedOnvifCamera
from custom_components.cgi_camera.api.transport import basic_token
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig
from tests.emulator.onvif import NS, _seconds_until

from onvif import ONVIFCamera  # isort: skip
from onvif.util import is_auth_error  # isort: skip
from zeep.exceptions import Fault  # isort: skip

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

CONFIG = EmulatorConfig(
    username=USERNAME,
    password=PASSWORD,
    mac=MAC,
    onvif=True,
    alarm_status=True,
    channels=2,
)


@pytest.fixture
async def emu(socket_enabled: None) -> AsyncGenerator[CameraEmulator]:
    """An emulator with both motion sources."""
    emulator = CameraEmulator(CONFIG)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


async def _get(emu: CameraEmulator, path: str, auth: bool = True) -> tuple[int, str]:
    headers = {"Authorization": basic_token(USERNAME, PASSWORD)} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emu.url}{path}", headers=headers) as resp,
    ):
        return resp.status, await resp.text()


async def test_control_request_and_alarm_status(emu: CameraEmulator) -> None:
    """Motion registers only while detection is on; getAlarmStatus shows channel 1 and its areas; it needs login."""
    assert await _get(emu, "/emulator/motion?on=1", auth=False) == (200, "IGNORED\n")
    emu.state.channel(1).md_info.data["MDEnable"] = 1
    assert await _get(emu, "/emulator/motion?channel=1&on=1&areas=2,4", auth=False) == (
        200,
        "OK\n",
    )
    assert await _get(emu, "/cgi/getAlarmStatus") == (
        200,
        "OK getalarmstatus=1\r\nalarmArea=0&1&0&1\r\n",
    )
    assert (await _get(emu, "/cgi/getAlarmStatus", auth=False))[0] == 401
    assert (await _get(emu, "/emulator/motion?channel=3", auth=False))[1] == "IGNORED\n"
    assert (await _get(emu, "/emulator/motion?areas=5", auth=False))[1] == "IGNORED\n"
    await _get(emu, "/emulator/motion?on=0&areas=2,4", auth=False)
    assert (await _get(emu, "/cgi/getAlarmStatus"))[1].startswith("OK getalarmstatus=0")
    emu.config.alarm_status = False
    assert (await _get(emu, "/cgi/getAlarmStatus"))[0] == 404


async def test_periodic_motion_and_reboot_clears(emu: CameraEmulator) -> None:
    """Periodic motion switches detection on and comes and goes; a reboot ends motion."""
    changes: list[tuple[int, bool]] = []
    emu.motion.listeners.append(lambda channel, on: changes.append((channel, on)))
    emu.motion.start_periodic(0.3, 0.1)
    async with asyncio.timeout(3):
        while changes.count((2, False)) < 2:
            await asyncio.sleep(0.02)
    emu.motion.stop_periodic()
    assert (1, True) in changes
    emu.motion.trigger(1, on=True)
    await emu.reboot()
    assert not emu.motion.active(1)


async def test_onvif_checks_the_camera_clock(emu: CameraEmulator) -> None:
    """Without the camera's clock a login hours off is refused as an auth fault; with it, it passes."""
    assert emu.onvif is not None
    emu.state.time_offset = 3 * 3600
    naive = ONVIFCamera(
        "127.0.0.1", emu.onvif.port, USERNAME, PASSWORD, wsdl_dir=WSDL_DIR
    )
    # GetServices' fault is swallowed; the GetCapabilities fallback raises it.
    with pytest.raises(Fault) as caught:
        await naive.update_xaddrs()
    await naive.close()
    assert is_auth_error(caught.value)
    assert emu.onvif.log.refused >= 1
    # Pinned to the configured host (the emulator announces another), on every supported library version.
    adjusted = PinnedOnvifCamera(
        "127.0.0.1",
        emu.onvif.port,
        USERNAME,
        PASSWORD,
        wsdl_dir=WSDL_DIR,
        adjust_time=True,
    )
    await adjusted.update_xaddrs()
    assert adjusted.xaddrs[NS["tev"]].startswith(f"http://127.0.0.1:{emu.onvif.port}/")
    await adjusted.close()


async def test_onvif_capabilities_fallback_and_announced_host(
    emu: CameraEmulator,
) -> None:
    """GetCapabilities answers too; without nat_override the camera's (wrong) announced host shows."""
    assert emu.onvif is not None
    camera = ONVIFCamera(
        "127.0.0.1", emu.onvif.port, USERNAME, PASSWORD, wsdl_dir=WSDL_DIR
    )
    capabilities = await camera.get_capabilities()
    assert capabilities is not None
    assert capabilities["Events"]["XAddr"].startswith("http://192.0.2.10:80/")
    assert capabilities["Events"]["WSPullPointSupport"] is True
    await camera.close()


async def _soap(emu: CameraEmulator, path: str, body: str) -> tuple[int, str]:
    assert emu.onvif is not None
    envelope = (
        f'<env:Envelope xmlns:env="{NS["env"]}" xmlns:tev="{NS["tev"]}" xmlns:wsnt="{NS["wsnt"]}">'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{emu.onvif.port}/onvif/{path}", data=envelope
        ) as resp,
    ):
        return resp.status, await resp.text()


async def test_onvif_refuses_requests_without_a_token(emu: CameraEmulator) -> None:
    """Everything but GetSystemDateAndTime needs a UsernameToken; junk gets a sender fault."""
    status, text = await _soap(emu, "event_service", "<tev:GetEventProperties/>")
    assert status == 400
    assert "ter:NotAuthorized" in text
    status, text = await _soap(
        emu, "device_service", "<tds:GetSystemDateAndTime xmlns:tds='x'/>"
    )
    assert status == 200
    assert "UTCDateTime" in text
    assert (await _soap(emu, "device_service", ""))[0] == 400
    assert emu.onvif is not None
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{emu.onvif.port}/onvif/device_service", data=b"<not xml"
        ) as resp,
    ):
        assert resp.status == 400


def test_termination_times() -> None:
    """Relative and absolute termination times both give a subscription length."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert _seconds_until("PT1M30S", now) == 90
    assert _seconds_until("P1DT1H", now) == 90000
    assert _seconds_until("", now) == 600
    assert _seconds_until("2026-01-01T00:10:00Z", now) == 600
    assert _seconds_until("2026-01-01T00:10:00", now) == 600
    assert _seconds_until("2025-01-01T00:00:00Z", now) == 1
