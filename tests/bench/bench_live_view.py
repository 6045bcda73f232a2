"""Live view figures (issue 24): time to the first HLS segment and the first MJPEG frame, beside Home Assistant's
generic camera on the same emulated camera; RTSP sessions the camera serves for three viewers.

Collected by scripts/bench (`--only live`). Home Assistant's stream integration runs for real (PyAV): the emulator
serves RTSP over TCP with digest auth (tests/emulator/rtsp.py, 10 frames a second, a key frame every second).
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING, Any

from homeassistant.components.camera import DOMAIN as CAMERA_DOMAIN
from homeassistant.const import (
    CONF_AUTHENTICATION,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    HTTP_BASIC_AUTHENTICATION,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.cgi_camera  # noqa: F401
from tests.bench.bench_integration import (
    CONN,
    LAT,
    _camera_entity,
    _entry,
    _seconds,
    _setup,
)
from tests.bench.fleet import PASSWORD, USERNAME
from tests.bench.report import REPORT

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import (
        ClientSessionGenerator,
        WebSocketGenerator,
    )

    from tests.bench.bench_integration import FleetFactory

VIEWERS = 3
_SEGMENT = re.compile(r"^(?:\./)?(segment/\d+\.m4s)$", re.MULTILINE)


async def _open_stream(ws: Any, entity_id: str, ident: int) -> str:
    """Ask for the entity's HLS stream as the frontend does; return the master playlist's URL."""
    await ws.send_json({"id": ident, "type": "camera/stream", "entity_id": entity_id})
    reply = await ws.receive_json()
    assert reply["success"], reply
    return str(reply["result"]["url"])


async def _first_segment(http: Any, master_url: str) -> float:
    """Fetch the master playlist, the media playlist until it lists a segment, and that segment: seconds taken."""
    started = time.perf_counter()
    async with asyncio.timeout(60):
        master = await (await http.get(master_url)).text()
        media = next(line for line in master.splitlines() if line and line[0] != "#")
        base = master_url.rsplit("/", 1)[0]
        while True:
            response = await http.get(f"{base}/{media}")
            if response.status == 200 and (
                found := _SEGMENT.findall(await response.text())
            ):
                break
            await asyncio.sleep(0.1)
        segment = await http.get(f"{base}/{found[0]}")
        assert segment.status == 200
        await segment.read()
    return time.perf_counter() - started


async def _first_mjpeg_frame(http: Any, entity_id: str) -> float | None:
    """Return the seconds to the first complete JPEG of the entity's MJPEG stream, None if it ends without one."""
    started = time.perf_counter()
    response = await http.get(f"/api/camera_proxy_stream/{entity_id}")
    assert response.status == 200
    buffer = b""
    try:
        async with asyncio.timeout(30):
            while b"\xff\xd9" not in buffer:
                if not (chunk := await response.content.readany()):
                    return None
                buffer += chunk
    finally:
        response.close()
    return time.perf_counter() - started


def _frame(seconds: float | None) -> str:
    return "no frame" if seconds is None else _seconds(seconds)


async def _stop_streams(hass: HomeAssistant, *entity_ids: str) -> None:
    component = hass.data[CAMERA_DOMAIN]
    for entity_id in entity_ids:
        if (camera := component.get_entity(entity_id)) and camera.stream:
            await camera.stream.stop()


# Timers of Home Assistant's stream integration and generic camera outlive their unload (none is the integration's).
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def bench_live(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    fleet_factory: FleetFactory,
) -> None:
    """First HLS segment and first MJPEG frame, ours vs generic; RTSP sessions for three viewers."""
    assert await async_setup_component(hass, "stream", {})
    # Before the HTTP test client starts (its router is frozen then).
    assert await async_setup_component(hass, "websocket_api", {})
    # Connections enough for both integrations at once (each polls or fetches stills on its own).
    fleet = await fleet_factory(count=1, latency=LAT, connections=max(CONN, 8))
    entry = _entry(fleet, 0)
    await _setup(hass, entry)
    ours = _camera_entity(hass, entry)
    rtsp_port = entry.runtime_data.rtsp_port
    camera_url = f"127.0.0.1:{fleet.ports[0]}"
    generic = MockConfigEntry(
        domain="generic",
        title="Generic",
        version=2,
        options={
            "still_image_url": f"http://{camera_url}/jpgimage/1/image.jpg",
            "stream_source": f"rtsp://127.0.0.1:{rtsp_port}/1/h264major",
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            "content_type": "image/jpeg",
            "advanced": {
                CONF_AUTHENTICATION: HTTP_BASIC_AUTHENTICATION,
                "framerate": 2,
                CONF_VERIFY_SSL: False,
                "rtsp_transport": "tcp",
                "limit_refetch_to_url_change": False,
            },
        },
    )
    generic.add_to_hass(hass)
    assert await hass.config_entries.async_setup(generic.entry_id)
    await hass.async_block_till_done()
    theirs = next(
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), generic.entry_id)
    )
    http = await hass_client()
    ws = await hass_ws_client(hass)
    try:
        hls: dict[str, float] = {}
        for ident, (name, entity_id) in enumerate(
            (("ours", ours), ("generic", theirs)), start=1
        ):
            hls[name] = await _first_segment(
                http, await _open_stream(ws, entity_id, ident)
            )
        plays_before = (await fleet.call("rtsp"))["total"][0]
        # Three viewers of our main stream at once (the stream is already running for the first one).
        urls = [await _open_stream(ws, ours, 10 + n) for n in range(VIEWERS)]
        await asyncio.gather(*(_first_segment(http, url) for url in urls))
        rtsp = await fleet.call("rtsp")
        extra_sessions = rtsp["total"][0] - plays_before
        mjpeg = {
            "ours": await _first_mjpeg_frame(http, ours),
            "generic": await _first_mjpeg_frame(http, theirs),
        }
    finally:
        await _stop_streams(hass, ours, theirs)
        await ws.close()
    REPORT.add(
        "8",
        "Live view: opening to first HLS segment (camera/stream, playlist, segment)",
        _seconds(hls["ours"]),
        compared_with=f"generic camera {_seconds(hls['generic'])}",
        target="≈ generic",
        met=hls["ours"] <= 1.2 * hls["generic"] + 0.5,
    )
    REPORT.add(
        "8",
        "Live view fallback: first MJPEG frame (/api/camera_proxy_stream)",
        _frame(mjpeg["ours"]),
        compared_with=f"generic camera (stills) {_frame(mjpeg['generic'])}",
        target="≤ generic + 50 ms",
        met=mjpeg["ours"] is not None
        and (mjpeg["generic"] is None or mjpeg["ours"] <= mjpeg["generic"] + 0.05),
    )
    REPORT.add(
        "8",
        f"RTSP sessions the camera serves for {VIEWERS} more viewers of a playing stream",
        str(extra_sessions),
        compared_with=f"most at once over the run: {rtsp['max'][0]} (ours and generic)",
        target="0 (shared)",
        met=extra_sessions == 0,
    )
    await hass.config_entries.async_unload(generic.entry_id)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
