"""The integration's benchmark: figures printed with the bound or baseline they are compared with (no assertion on time).

Run by `scripts/bench` (python -m tests.bench), which collects `bench_*` functions from this file only; the regular
test run never collects it. Home Assistant is pytest's (phcc) in-process instance with asyncio debug mode off;
the cameras run in a separate process (tests/bench/fleet.py), so their CPU is not counted as the integration's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import cProfile
from datetime import timedelta
import gc
from pathlib import Path
import random
import sys
import time
import tracemalloc
from typing import TYPE_CHECKING, Any
from unittest.mock import Mock, PropertyMock, patch

import aiohttp
from defusedxml import ElementTree as DefusedET
from homeassistant.components.mjpeg.const import CONF_MJPEG_URL
from homeassistant.const import (
    CONF_AUTHENTICATION,
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    HTTP_BASIC_AUTHENTICATION,
    STATE_UNAVAILABLE,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store
from homeassistant.util.json import json_loads
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import CgiCamera as CgiCameraClient
from custom_components.cgi_camera.api.capabilities import Capabilities, parse_capability
from custom_components.cgi_camera.api.client import _extract_frame
from custom_components.cgi_camera.api.parse import ParamGroup, check_reply
from custom_components.cgi_camera.api.transport import basic_token
from custom_components.cgi_camera.camera import _part
from custom_components.cgi_camera.capability_cache import (
    CachedCapabilities,
    CapabilityCache,
    capabilities_from_json,
)
from custom_components.cgi_camera.const import DOMAIN
from custom_components.cgi_camera.coordinator import FAST_GROUPS
from custom_components.cgi_camera.mjpeg import MjpegHub
from tests.bench.fleet import PASSWORD, USERNAME, Fleet, mac_of
from tests.bench.report import REPORT, SETTINGS, median, percentile, ratio
from tests.bench.viewer import Viewer

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from custom_components.cgi_camera.api import CgiCamera

type FleetFactory = Callable[..., Awaitable[Fleet]]

LAT = SETTINGS.latency
CONN = SETTINGS.connections


def _entry(fleet: Fleet, index: int, *, polling: bool = True) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Bench camera {index}",
        unique_id=format_mac(mac_of(index)),
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: fleet.ports[index],
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
        },
        pref_disable_polling=not polling,
    )


def _enabled_entities(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    return [
        reg.entity_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if reg.disabled_by is None
    ]


async def _until_available(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Return once every enabled entity of the entry has a state that is not unavailable."""
    deadline = time.monotonic() + 60
    while True:
        states = [hass.states.get(e) for e in _enabled_entities(hass, entry)]
        if states and all(
            s is not None and s.state != STATE_UNAVAILABLE for s in states
        ):
            return
        assert time.monotonic() < deadline, "entities did not become available"
        await asyncio.sleep(0.002)


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> float:
    """Set up the entry; return the seconds until all its enabled entities are available."""
    entry.add_to_hass(hass)
    started = time.perf_counter()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await _until_available(hass, entry)
    return time.perf_counter() - started


async def _remove(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()


def _bound(requests: int) -> float:
    """Lower bound of the wall time of `requests` distinct requests: latency × count ÷ allowed concurrency."""
    return requests * LAT / CONN


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def _add_wall_row(
    section: str, figure: str, wall: float, bound: float, limit: float, detail: str = ""
) -> None:
    """Report a wall time against its lower bound, met when within `limit` × the bound (no target without one)."""
    REPORT.add(
        section,
        figure,
        _seconds(wall),
        compared_with=f"lower bound {_seconds(bound)}{detail}",
        ratio=ratio(wall, bound),
        target=f"≤ {limit}×" if bound else "",
        met=wall <= limit * bound if bound else None,
    )


# --- 1. Setup ------------------------------------------------------------------------------------------------


async def bench_setup(hass: HomeAssistant, fleet_factory: FleetFactory) -> None:
    """Config entry setup until every enabled entity is available: requests and wall time vs the lower bound."""
    fleet = await fleet_factory(count=1, latency=LAT, connections=CONN)
    walls: list[float] = []
    log: list[tuple[str, str]] = []
    for run in range(SETTINGS.repeat + 1):  # run 0 warms up: imports, translations
        await fleet.clear()
        entry = _entry(fleet, 0)
        wall = await _setup(hass, entry)
        log = await fleet.log()
        entities = len(_enabled_entities(hass, entry))
        await _remove(hass, entry)
        if run:
            walls.append(wall)
    distinct = len(set(log))
    REPORT.add(
        "1",
        "Setup: requests issued",
        str(len(log)),
        compared_with=f"{distinct} distinct",
        ratio=ratio(len(log), distinct),
        target="no repeats",
        met=len(log) == distinct,
    )
    _add_wall_row(
        "1",
        f"Setup wall time ({entities} entities available; median of {len(walls)})",
        median(walls),
        _bound(distinct),
        1.2,
        f" ({distinct} × {LAT * 1000:.0f} ms ÷ {CONN})",
    )


async def bench_setup_after_restart(
    hass: HomeAssistant, fleet_factory: FleetFactory
) -> None:
    """Setup with the entry's capabilities already stored (capability_cache.py), as after a restart.

    Target (issue 16): DeviceInfo plus the groups behind enabled entities, within 1.2× their lower bound.
    """
    fleet = await fleet_factory(count=1, latency=LAT, connections=CONN)
    first = _entry(fleet, 0)
    await _setup(hass, first)  # warm-up, and what the store will hold
    data = first.runtime_data
    cached = CachedCapabilities(
        capabilities=dict(data.capabilities),
        channels=tuple(data.channels),
        rtsp_port=data.rtsp_port,
        onvif_port=data.motion.onvif_port,
        sources=data.capability_sources,
    )
    groups = len(data.coordinator.wanted_groups)
    mac, firmware = data.device.mac, data.device.firmware
    assert mac is not None
    await _remove(hass, first)
    walls: list[float] = []
    log: list[tuple[str, str]] = []
    for _ in range(SETTINGS.repeat):
        entry = _entry(fleet, 0)
        # The restart: the entry's capabilities are stored before it is set up.
        await CapabilityCache.for_entry(hass, entry.entry_id).async_save(
            mac, firmware, cached
        )
        await fleet.clear()
        walls.append(await _setup(hass, entry))
        log = await fleet.log()
        await _remove(hass, entry)
    queries = sum(1 for path, _ in log if path.endswith("_query"))
    # Live motion's detection runs at every start (a camera's motion source can change): counted apart.
    motion = sum(1 for path, _ in log if path in MOTION_PROBES)
    polled = len(log) - motion
    REPORT.add(
        "1",
        "Setup after a restart (capabilities stored): requests issued",
        f"{polled} (+{motion} motion detection)",
        compared_with=f"1 + {groups} groups behind enabled entities",
        ratio=f"{queries} capability queries",
        target=f"≤ {1 + groups}",
        met=polled <= 1 + groups and queries == 0,
    )
    # The bound counts every request the setup sends, motion detection's included.
    _add_wall_row(
        "1",
        f"Setup after a restart: wall time (median of {len(walls)})",
        median(walls),
        _bound(1 + groups + motion),
        1.2,
        f" ({1 + groups + motion} × {LAT * 1000:.0f} ms ÷ {CONN})",
    )


# Requests live motion's detection sends at a start (motion.py) when ONVIF events do not answer at the stored port:
# NetPortInfo (in case the port moved), then getAlarmStatus (its reply is also the first motion state).
MOTION_PROBES = frozenset({"/cgi/netport_get", "/cgi/getAlarmStatus"})


# --- 2. Refresh ----------------------------------------------------------------------------------------------


async def _refresh_figures(
    hass: HomeAssistant, fleet: Fleet, entry: MockConfigEntry, label: str
) -> None:
    # One coordinator: a tick reads the fast groups (DeviceInfo when there are none); with the slow interval
    # at zero it reads every group, as a tick does once the slow interval has passed.
    coordinator = entry.runtime_data.coordinator
    slow_interval = coordinator.slow_interval
    for kind, groups in (
        (
            "fast",
            [k for k in coordinator.wanted_groups if (k.area, k.group) in FAST_GROUPS],
        ),
        ("slow", coordinator.wanted_groups),
    ):
        coordinator.slow_interval = slow_interval if kind == "fast" else timedelta(0)
        wanted = len(groups) or 1
        walls = []
        requests: list[int] = []
        queries = 0
        for _ in range(SETTINGS.repeat):
            await fleet.clear()
            started = time.perf_counter()
            await coordinator.async_refresh()
            walls.append(time.perf_counter() - started)
            log = await fleet.log()
            requests.append(len(log))
            distinct = len(set(log))
            queries += sum(1 for path, _ in log if path.endswith("_query"))
        REPORT.add(
            "2",
            f"{label}: {kind} refresh requests",
            str(max(requests)),
            compared_with=f"{wanted} groups behind enabled entities",
            ratio=f"{queries} capability queries",
            target="equal, no queries",
            met=queries == 0 and all(r == wanted for r in requests),
        )
        # The same requests by the bare client: what the camera (here, the emulator) and HTTP cost without Home
        # Assistant's refresh around them.
        bare = []
        for _ in range(SETTINGS.repeat):
            started = time.perf_counter()
            for key in groups:
                await coordinator.client.get_blocks(key.area, key.group, key.channel)
            bare.append(time.perf_counter() - started)
        _add_wall_row(
            "2",
            f"{label}: {kind} refresh wall time",
            median(walls),
            _bound(distinct),
            1.1,
            f"; bare client {_seconds(median(bare))}",
        )
    coordinator.slow_interval = slow_interval


async def bench_refresh(hass: HomeAssistant, fleet_factory: FleetFactory) -> None:
    """Requests and wall time per fast and slow refresh: default entities, every entity, all but one.

    Each case uses a camera of its own: the entity registry remembers a removed entity's settings per unique id.
    """
    fleet = await fleet_factory(count=3, latency=LAT, connections=CONN)

    entry = _entry(fleet, 0)
    await _setup(hass, entry)
    await _refresh_figures(hass, fleet, entry, "default entities")
    await _remove(hass, entry)

    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        entry = _entry(fleet, 1)
        await _setup(hass, entry)
    await _refresh_figures(
        hass, fleet, entry, f"every entity ({len(_enabled_entities(hass, entry))})"
    )
    await _remove(hass, entry)

    # All but one disabled: only the brightness number stays.
    entry = _entry(fleet, 2)
    await _setup(hass, entry)
    registry = er.async_get(hass)
    keep = next(e for e in _enabled_entities(hass, entry) if e.endswith("_brightness"))
    for entity_id in _enabled_entities(hass, entry):
        if entity_id != keep:
            registry.async_update_entity(
                entity_id, disabled_by=er.RegistryEntryDisabler.USER
            )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _refresh_figures(hass, fleet, entry, "all but one disabled")
    await _remove(hass, entry)


# --- 3. Snapshot ---------------------------------------------------------------------------------------------


def _camera_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return next(e for e in _enabled_entities(hass, entry) if e.startswith("camera."))


async def bench_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fleet_factory: FleetFactory,
) -> None:
    """`/api/camera_proxy` vs the client fetching `/jpgimage` directly (the same client, so polls queue alike)."""
    fleet = await fleet_factory(count=1, latency=LAT, connections=CONN)
    entry = _entry(fleet, 0)
    await _setup(hass, entry)
    http = await hass_client()
    camera = _camera_entity(hass, entry)
    client: CgiCamera = entry.runtime_data.client
    direct: list[float] = []
    proxied: list[float] = []
    for _ in range(4 * SETTINGS.repeat):
        started = time.perf_counter()
        image = await client.snapshot(1)
        direct.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = await http.get(f"/api/camera_proxy/{camera}")
        body = await response.read()
        proxied.append(time.perf_counter() - started)
        assert response.status == 200
        assert body[:2] == image[:2] == b"\xff\xd8"
    REPORT.add(
        "3",
        f"Snapshot via /api/camera_proxy (median of {len(proxied)})",
        _seconds(median(proxied)),
        compared_with=f"direct /jpgimage {_seconds(median(direct))}",
        ratio=ratio(median(proxied), median(direct)),
        target="≤ 1.1×",
        met=median(proxied) <= 1.1 * median(direct),
    )
    await _remove(hass, entry)


# --- 3b. Dashboard viewers and the keep-alive snapshot path ------------------------------------------------------

# Home Assistant's frontend refreshes a camera picture every 10 s and asks with the size it shows.
DASHBOARD_REFRESH = 10.0
VIEWERS = (1, 3, 10)


async def _dashboard_window(
    hass: HomeAssistant, http: Any, cameras: list[str], seconds: float
) -> list[list[float]]:
    """Run len(VIEWERS[i]) viewers of cameras[i], each fetching its picture every 10 s from a random phase.

    Returns each camera's request latencies (seconds, through Home Assistant's HTTP server).
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    rng = random.Random(25)  # noqa: S311 - phases of viewers, not secrets
    latencies: list[list[float]] = [[] for _ in cameras]

    async def viewer(index: int, phase: float) -> None:
        tick = start + phase
        while tick < start + seconds:
            await asyncio.sleep(max(0.0, tick - loop.time()))
            started = time.perf_counter()
            response = await http.get(
                f"/api/camera_proxy/{cameras[index]}?width=640&height=360"
            )
            assert response.status == 200
            assert (await response.read())[:2] == b"\xff\xd8"
            latencies[index].append(time.perf_counter() - started)
            tick += DASHBOARD_REFRESH

    await asyncio.gather(
        *(
            viewer(index, rng.uniform(0, DASHBOARD_REFRESH))
            for index, count in enumerate(VIEWERS)
            for _ in range(count)
        )
    )
    return latencies


async def bench_dashboard(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fleet_factory: FleetFactory,
) -> None:
    """Camera requests per 10 s with 1, 3 and 10 dashboard viewers, each on a camera of its own; snapshot latency.

    Viewers fetch `/api/camera_proxy/<camera>?width=640&height=360` every 10 s, as the frontend's picture cards do,
    each from a random point of the interval, for --dashboard-seconds; the camera counts its /jpgimage requests.
    Then the same without the kept image (in-flight sharing only, about what each viewer cost before). Polling
    runs as usual meanwhile (fast interval 10 s), so some pictures are asked for during a poll.
    """
    fleet = await fleet_factory(count=len(VIEWERS), latency=LAT, connections=CONN)
    entries = [_entry(fleet, index) for index in range(len(VIEWERS))]
    for entry in entries:
        await _setup(hass, entry)
    http = await hass_client()
    cameras = [_camera_entity(hass, entry) for entry in entries]
    seconds = SETTINGS.dashboard_seconds
    results = {}
    for mode in ("shared", "unshared"):
        with contextlib.ExitStack() as stack:
            if mode == "unshared":
                stack.enter_context(
                    patch("custom_components.cgi_camera.camera.STILL_KEEP", 0.0)
                )
            await fleet.clear()
            latencies = await _dashboard_window(hass, http, cameras, seconds)
            log = await fleet.log_by_camera()
        images = [
            sum(1 for path, _ in log.get(index, []) if path.startswith("/jpgimage/"))
            for index in range(len(VIEWERS))
        ]
        results[mode] = (images, latencies)
    shared, unshared = results["shared"], results["unshared"]
    windows = seconds / DASHBOARD_REFRESH
    for index, viewers in enumerate(VIEWERS):
        per_window = shared[0][index] / windows
        before = unshared[0][index] / windows
        REPORT.add(
            "3",
            f"Dashboard, {viewers} viewer{'s' if viewers > 1 else ''} of one camera (a picture every 10 s each, "
            f"{seconds:g} s): camera snapshot requests per 10 s",
            f"{per_window:.2f}",
            compared_with=(
                f"without the kept image {before:.2f} (in-flight sharing only; before: one per viewer, "
                f"{viewers}); picture latency median {_seconds(median(shared[1][index]))}, max "
                f"{_seconds(max(shared[1][index]))}"
            ),
            ratio=f"{per_window / viewers:.2f} a viewer",
            target="≤ 1 per 10 s",
            # The first refresh of each window may land anywhere in the first interval: one request more at most.
            met=shared[0][index] <= windows + 1,
        )

    # A snapshot during a full refresh (every group of every enabled entity: about 11 requests one at a time):
    # on its own connection slot vs behind the CGI requests (the previous path, same client).
    entry = entries[0]
    client: CgiCamera = entry.runtime_data.client
    coordinator = entry.runtime_data.coordinator
    transport = client._transport  # the previous path: the CGI slot
    slow_interval = coordinator.slow_interval
    coordinator.slow_interval = timedelta(0)
    alone: list[float] = []
    own: list[float] = []
    queued: list[float] = []
    for _ in range(SETTINGS.repeat):
        for target in (alone, own, queued):
            refresh = None
            if target is not alone:
                refresh = asyncio.create_task(coordinator.async_refresh())
                await asyncio.sleep(LAT / 2)  # the refresh's first request is under way
            started = time.perf_counter()
            if target is queued:
                await transport.request(
                    "/jpgimage/1/image.jpg", area="jpgimage", max_bytes=16 << 20
                )
            else:
                await client.snapshot(1)
            target.append(time.perf_counter() - started)
            if refresh is not None:
                await refresh
    coordinator.slow_interval = slow_interval
    REPORT.add(
        "3",
        f"Snapshot during a full refresh, on its own slot (median of {len(own)})",
        _seconds(median(own)),
        compared_with=(
            f"the same snapshot with nothing else under way {_seconds(median(alone))}; behind the refresh's "
            f"requests (one slot for all, as before) {_seconds(median(queued))}; the camera needs {LAT * 1000:.0f} ms"
        ),
        ratio=ratio(median(own), median(alone)),
        target="≤ 1.2× alone",
        met=median(own) <= 1.2 * median(alone),
    )
    for entry in entries:
        await _remove(hass, entry)


async def bench_jpgmulreq(fleet_factory: FleetFactory) -> None:
    """Snapshots over `/jpgmulreq` (one kept-alive connection) vs `/jpgimage` (a connection each): latency, cost.

    The client's own path for each, 20 snapshots alternating in blocks of 5; the camera's cost is the emulator
    process's CPU and the TCP connections it accepted, per snapshot. Then a camera without `/jpgmulreq`: the
    client falls back to `/jpgimage` and asks the path no more.
    """
    fleet = await fleet_factory(
        count=2, latency=LAT, connections=CONN + 1, alternate_jpgmulreq=True
    )
    headers = {"Authorization": basic_token(USERNAME, PASSWORD)}
    figures: dict[str, list[tuple[float, float, float, float]]] = {
        "jpgimage": [],
        "jpgmulreq": [],
    }
    async with aiohttp.ClientSession(headers=headers) as session:
        camera = CgiCameraClient(
            session, "127.0.0.1", fleet.ports[0], USERNAME, PASSWORD
        )
        await camera.snapshot(1)
        await camera.snapshot_keep_alive(1)  # both paths warm: the connection is open
        for _ in range(4):
            for path in ("jpgimage", "jpgmulreq"):
                before = await fleet.call("stats")
                cpu = time.process_time()
                for _ in range(5):
                    started = time.perf_counter()
                    if path == "jpgimage":
                        image = await camera.snapshot(1)
                    else:
                        image = await camera.snapshot_keep_alive(1)
                    assert image[:2] == b"\xff\xd8"
                    elapsed = time.perf_counter() - started
                    figures[path].append((elapsed, 0.0, 0.0, 0.0))
                ours = (time.process_time() - cpu) / 5
                after = await fleet.call("stats")
                camera_cpu = (after["cpu"] - before["cpu"]) / 5
                connections = (after["connections"][0] - before["connections"][0]) / 5
                figures[path][-5:] = [
                    (e, camera_cpu, connections, ours) for e, *_ in figures[path][-5:]
                ]
        camera.close_keep_alive()

        fallback = CgiCameraClient(
            session, "127.0.0.1", fleet.ports[1], USERNAME, PASSWORD
        )
        await fleet.clear()
        for _ in range(3):
            assert (await fallback.snapshot_keep_alive(1))[:2] == b"\xff\xd8"
        log = await fleet.log()
    tried = sum(1 for path, _ in log if path.startswith("/jpgmulreq/"))
    served = sum(1 for path, _ in log if path.startswith("/jpgimage/"))

    def summary(path: str) -> tuple[float, float, float, float]:
        rows = figures[path]
        return (
            median([r[0] for r in rows]),
            median([r[1] for r in rows]),
            median([r[2] for r in rows]),
            median([r[3] for r in rows]),
        )

    image, mul = summary("jpgimage"), summary("jpgmulreq")
    REPORT.add(
        "3",
        f"Snapshot over /jpgmulreq, kept alive (median of {len(figures['jpgmulreq'])})",
        _seconds(mul[0]),
        compared_with=f"/jpgimage, a connection each, {_seconds(image[0])}; the camera needs {LAT * 1000:.0f} ms",
        ratio=ratio(mul[0], image[0]),
    )
    REPORT.add(
        "3",
        "Snapshot cost to the camera (emulator process CPU; TCP connections accepted) per snapshot",
        f"/jpgmulreq {mul[1] * 1e6:.0f} µs, {mul[2]:.1f} connections",
        compared_with=f"/jpgimage {image[1] * 1e6:.0f} µs, {image[2]:.1f} connections",
        ratio=ratio(mul[1], image[1]),
    )
    REPORT.add(
        "3",
        "Snapshot cost to Home Assistant's process (the client's CPU) per snapshot",
        f"/jpgmulreq {mul[3] * 1e6:.0f} µs",
        compared_with=f"/jpgimage {image[3] * 1e6:.0f} µs",
        ratio=ratio(mul[3], image[3]),
    )
    REPORT.add(
        "3",
        "Camera without /jpgmulreq: 3 keep-alive snapshots",
        f"{served} via /jpgimage",
        compared_with=f"{tried} request to /jpgmulreq (answered 404, not asked again)",
        target="3 images, 1 try",
        met=served == 3 and tried == 1,
    )


# --- 4. MJPEG ------------------------------------------------------------------------------------------------


async def _count_direct(
    client: CgiCamera, seconds: float
) -> tuple[float, int, float, float]:
    """Read the camera's stream directly: (frames per second, frames, CPU seconds, wall seconds) from the first frame."""
    stamps: list[float] = []
    cpu = 0.0
    async with contextlib.aclosing(client.mjpeg_frames(1)) as frames:
        async for _ in frames:
            stamps.append(time.perf_counter())
            if len(stamps) == 1:
                # As for a viewer: from the first frame on, so connecting is not spread over the frames.
                cpu = time.process_time()
            elif stamps[-1] - stamps[0] >= seconds:
                break
    cpu = time.process_time() - cpu
    frames_read = len(stamps) - 1
    return (
        frames_read / (stamps[-1] - stamps[0]),
        frames_read,
        cpu,
        stamps[-1] - stamps[0],
    )


async def _count_viewer(
    url: str, seconds: float, token: str
) -> tuple[float, int, float, float]:
    """Read `url` in a viewer process: (frames per second, frames, this process's CPU seconds, wall seconds)."""
    viewer = await Viewer.start(url, seconds, token)
    cpu, wall = time.process_time(), time.perf_counter()
    fps, frames = await viewer.result()
    return fps, frames, time.process_time() - cpu, time.perf_counter() - wall


async def _python_work_per_frame(
    frame: bytes, count: int = 5000
) -> tuple[float, float]:
    """Return CPU seconds per frame of the integration's Python work alone, without sockets: (read, proxy).

    Read: finding the frame in a multipart chunk, one loop iteration per chunk (as a socket read takes). Proxy: the
    same frames through the hub to one viewer, which builds each multipart part (aiohttp's write not included).
    """
    chunk = (
        f"--b\r\nContent-Type: image/jpeg\r\nContent-Length: {len(frame)}\r\n\r\n".encode()
        + frame
        + b"\r\n"
    )

    async def frames() -> AsyncIterator[bytes]:
        data = bytearray()
        for _ in range(count):
            data += chunk
            while (found := _extract_frame(data)) is not None:
                yield found
            await asyncio.sleep(0)

    cpu = time.process_time()
    read = sum([1 async for _ in frames()])
    read_cpu = (time.process_time() - cpu) / read
    hub = MjpegHub(frames, "bench")
    served = 0
    cpu = time.process_time()
    async with hub.viewer() as viewer:
        while (found := await viewer.next_frame()) is not None:
            _part(found)
            served += 1
    proxy_cpu = (time.process_time() - cpu) / served
    await hub.close()
    return read_cpu, proxy_cpu


_SINK = "import socket, sys\nsock = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\nwhile sock.recv(65536):\n    pass\n"


async def _socket_send_cpu(frame: bytes, fps: float, seconds: float) -> float:
    """Return the CPU seconds this process spends sending `frame` to a local reader process, `fps` times a second.

    Less the same paced loop sending nothing: what the kernel charges the sender for a frame over loopback TCP
    (here the receiver's TCP processing and wake-up too), which serving any viewer costs.
    """
    connected: asyncio.Future[asyncio.StreamWriter] = (
        asyncio.get_running_loop().create_future()
    )

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set_result(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sink = await asyncio.create_subprocess_exec(sys.executable, "-c", _SINK, str(port))
    writer = await asyncio.wait_for(connected, 30)
    count = max(10, int(fps * seconds))

    async def paced(data: bytes | None) -> float:
        cpu = time.process_time()
        for _ in range(count):
            if data is not None:
                writer.write(data)
                await writer.drain()
            await asyncio.sleep(1 / fps)
        return (time.process_time() - cpu) / count

    idle = await paced(None)
    sending = await paced(frame)
    writer.close()
    await sink.wait()
    server.close()
    await server.wait_closed()
    return max(0.0, sending - idle)


async def bench_mjpeg(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    fleet_factory: FleetFactory,
) -> None:
    """`/api/camera_proxy_stream` vs direct and vs Home Assistant's mjpeg integration: frame rate, CPU per frame.

    The viewers run in processes of their own (tests/bench/viewer.py): reading the stream is the browser's work,
    not Home Assistant's, and would otherwise be counted in the process's CPU. Polling is off (a one-hour fast
    interval), and the idle process's CPU over each window's wall time is subtracted, so a window counts the
    stream's own work.
    """
    # One more connection than polling needs: the stream holds one for as long as it runs. Multipart framing, so
    # Home Assistant's mjpeg integration can read the same camera.
    fleet = await fleet_factory(
        count=1,
        latency=LAT,
        connections=CONN + 1,
        mjpeg_fps=SETTINGS.mjpeg_fps,
        mjpeg_framing="multipart",
    )
    entry = _entry(fleet, 0, polling=False)
    await _setup(hass, entry)
    core = MockConfigEntry(
        domain="mjpeg",
        title="Core MJPEG",
        options={
            CONF_MJPEG_URL: f"http://127.0.0.1:{fleet.ports[0]}/mjpgstreamreq/1/image.jpg",
            CONF_AUTHENTICATION: HTTP_BASIC_AUTHENTICATION,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_VERIFY_SSL: False,
        },
    )
    core.add_to_hass(hass)
    assert await hass.config_entries.async_setup(core.entry_id)
    await hass.async_block_till_done()
    http = await hass_client()
    url = str(http.make_url(f"/api/camera_proxy_stream/{_camera_entity(hass, entry)}"))
    (core_camera,) = _enabled_entities(hass, core)
    core_url = str(http.make_url(f"/api/camera_proxy_stream/{core_camera}"))
    seconds = SETTINGS.mjpeg_seconds
    # The windows alternate and medians are shown: other work on the machine comes and goes.
    idle: list[float] = []
    windows: dict[str, list[tuple[float, float]]] = {
        "direct": [],
        "ours": [],
        "core": [],
    }

    def add(kind: str, fps: float, frames: int, cpu: float, wall: float) -> None:
        windows[kind].append((fps, (cpu - median(idle) * wall) / frames))

    for _ in range(SETTINGS.repeat):
        idle_from = time.process_time()
        await asyncio.sleep(seconds)
        idle.append((time.process_time() - idle_from) / seconds)
        add("direct", *await _count_direct(entry.runtime_data.client, seconds))
        add("ours", *await _count_viewer(url, seconds, hass_access_token))
        await asyncio.sleep(0.2)  # the hub closes its upstream once the viewer leaves
        add("core", *await _count_viewer(core_url, seconds, hass_access_token))
        await asyncio.sleep(0.2)
    frame = await entry.runtime_data.client.snapshot(1)
    send_cpu = await _socket_send_cpu(frame, SETTINGS.mjpeg_fps, seconds)
    python_read, python_proxy = await _python_work_per_frame(frame)
    fps = {kind: median([f for f, _ in rows]) for kind, rows in windows.items()}
    per_frame = {kind: median([c for _, c in rows]) for kind, rows in windows.items()}

    def pairs(kind: str, base: str) -> str:
        return ", ".join(
            f"{p / d:.2f}"
            for (_, d), (_, p) in zip(windows[base], windows[kind], strict=True)
        )

    def us(value: float) -> str:
        return f"{value * 1e6:.0f} µs"

    REPORT.add(
        "4",
        f"MJPEG via /api/camera_proxy_stream ({SETTINGS.mjpeg_fps:g} fps source, {seconds:g} s; median of {SETTINGS.repeat})",
        f"{fps['ours']:.2f} fps",
        compared_with=f"direct {fps['direct']:.2f} fps; Home Assistant's mjpeg integration {fps['core']:.2f} fps",
        ratio=ratio(fps["ours"], fps["direct"]),
        target="≥ 0.98×",
        met=fps["ours"] >= 0.98 * fps["direct"],
    )
    REPORT.add(
        "4",
        "MJPEG CPU per frame, proxied (Home Assistant's process: upstream read, hub, HTTP server)",
        us(per_frame["ours"]),
        compared_with=(
            f"direct read {us(per_frame['direct'])} (ratios of each pair: {pairs('ours', 'direct')}); sending a "
            f"{len(frame) / 1000:.0f} kB frame to a local socket alone {us(send_cpu)}; idle process "
            f"{median(idle) * 1e3:.1f} ms/s subtracted"
        ),
        ratio=ratio(per_frame["ours"], per_frame["direct"]),
        target="≤ 1.5×",
        met=per_frame["ours"] <= 1.5 * per_frame["direct"],
    )
    REPORT.add(
        "4",
        "MJPEG CPU per frame, proxied, vs Home Assistant's mjpeg integration proxying the same camera",
        us(per_frame["ours"]),
        compared_with=f"mjpeg integration {us(per_frame['core'])} (ratios of each pair: {pairs('ours', 'core')})",
        ratio=ratio(per_frame["ours"], per_frame["core"]),
        target="≤ 1.0×",
        met=per_frame["ours"] <= per_frame["core"],
    )
    REPORT.add(
        "4",
        "MJPEG Python work per frame without sockets: hub and multipart part (proxy) vs finding the frame (read)",
        us(python_proxy),
        compared_with=f"read alone {us(python_read)}; the proxy adds {us(python_proxy - python_read)}",
        ratio=ratio(python_proxy, python_read),
    )
    await hass.config_entries.async_remove(core.entry_id)

    await asyncio.sleep(0.5)  # the hub closes its upstream once the last viewer leaves
    await fleet.clear()
    viewers = [
        await Viewer.start(url, seconds / 2, hass_access_token) for _ in range(3)
    ]
    rates = [await v.result() for v in viewers]
    upstreams = (await fleet.call("streams"))["max"][0]
    REPORT.add(
        "4",
        "MJPEG with three viewers: upstream connections the camera sees",
        str(upstreams),
        compared_with=f"viewers at {', '.join(f'{fps:.1f}' for fps, _ in rates)} fps",
        target="1",
        met=upstreams == 1,
    )
    await _remove(hass, entry)


# --- 5. Scale ------------------------------------------------------------------------------------------------


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def _loop_lag(seconds: float, period: float = 0.05) -> list[float]:
    """Sample how late the event loop wakes a sleeper (seconds), every `period`."""
    loop = asyncio.get_running_loop()
    lags = []
    end = loop.time() + seconds
    while (before := loop.time()) < end:
        await asyncio.sleep(period)
        lags.append(loop.time() - before - period)
    return lags


async def _until_all_available(
    hass: HomeAssistant, entries: list[MockConfigEntry], period: float = 0.05
) -> list[float]:
    """Return, per entry, the seconds until every enabled entity of it was available (checked every `period`).

    One pass over the entries not yet available every `period`, each stopping at its first unavailable entity:
    checking every entity of each entry every 2 ms, as `_setup` does for one camera, costs the event loop more
    than 100 cameras setting up.
    """
    started = time.perf_counter()
    done: dict[str, float] = {}
    deadline = started + 180
    while len(done) < len(entries):
        for entry in entries:
            if entry.entry_id in done:
                continue
            entity_ids = _enabled_entities(hass, entry)
            if entity_ids and all(
                (s := hass.states.get(e)) is not None and s.state != STATE_UNAVAILABLE
                for e in entity_ids
            ):
                done[entry.entry_id] = time.perf_counter() - started
        assert time.perf_counter() < deadline, "entities did not become available"
        await asyncio.sleep(period)
    return [done[entry.entry_id] for entry in entries]


async def _setup_together(
    hass: HomeAssistant, entries: list[MockConfigEntry]
) -> list[float]:
    """Set up `entries` at once; return the seconds until each had every enabled entity available."""
    setups = [
        asyncio.create_task(hass.config_entries.async_setup(e.entry_id))
        for e in entries
    ]
    available = await _until_all_available(hass, entries)
    assert all(await asyncio.gather(*setups))
    return available


def _deep_size(value: object) -> int:
    """Return the bytes of a JSON-like value and everything it holds (dicts, lists, strings, numbers)."""
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(_deep_size(k) + _deep_size(v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        size += sum(_deep_size(item) for item in value)
    return size


def _forget_harness_storage(
    hass_storage: dict[str, Any], entries: list[MockConfigEntry]
) -> int:
    """Drop what the test harness keeps of the cameras' storage; return the bytes of its stored copies.

    phcc keeps Home Assistant's storage in this process as parsed JSON, and its mocks of Store's load and write
    record every call with the data written (a real Home Assistant writes a file and keeps nothing): neither is
    the integration's memory.
    """
    keys = [f"{DOMAIN}.capabilities.{entry.entry_id}" for entry in entries]
    stored = sum(_deep_size(hass_storage.get(key)) for key in keys)
    # Also its parsed copies of the registries' files (written again after every change of a registry).
    keys += [
        k for k in hass_storage if k.startswith("core.") and k.endswith("registry")
    ]
    for key in keys:
        hass_storage.pop(key, None)
    _forget_storage_calls()
    return stored


class _StoredFile(dict[str, Any]):
    """One storage file of the harness, read as a real Home Assistant reads it: its JSON text parsed.

    phcc keeps Home Assistant's storage as parsed JSON and hands Store a deep copy of it on each load (pure Python,
    several times slower than parsing); Home Assistant's Store reads the file and parses it with orjson
    (json_util.load_json, in its executor). Store's load deep-copies what phcc hands it: this entry answers that
    copy with its JSON text parsed, so a load costs what parsing the file costs (the disk read aside).
    """

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.text = json_bytes(data)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return json_loads(self.text)


def _as_files(hass_storage: dict[str, Any], entries: list[MockConfigEntry]) -> None:
    """Make the cameras' stored capabilities load as a real Home Assistant's files do (see _StoredFile)."""
    for entry in entries:
        key = f"{DOMAIN}.capabilities.{entry.entry_id}"
        if (data := hass_storage.get(key)) is not None:
            hass_storage[key] = _StoredFile(data)


def _forget_storage_calls() -> None:
    """Clear the records phcc's Store mocks keep of every call (each with the store and the data written)."""
    for name in ("_async_load", "_async_write_data", "async_remove"):
        attr = getattr(Store, name, None)
        mock = attr if isinstance(attr, Mock) else getattr(attr, "mock", None)
        if isinstance(mock, Mock):
            mock.reset_mock()


async def _poll_window(
    hass: HomeAssistant, fleet: Fleet, entries: list[MockConfigEntry], *, slots: bool
) -> dict[str, float]:
    """Poll for --scale-seconds with the cameras in slots or in phase; return loop lag, CPU and requests.

    In phase: every coordinator's next poll is one fast interval away, and all refresh together, so they poll
    within the same second from then on (as before the poll slots). Slots: the shipped behaviour; after the
    refresh together, each takes its slot within 1.5 intervals, which is waited for before measuring.
    """
    coordinators = [entry.runtime_data.coordinator for entry in entries]
    with contextlib.ExitStack() as stack:
        if not slots:
            for coordinator in coordinators:
                stack.enter_context(
                    patch.object(
                        coordinator,
                        "_next_interval",
                        lambda c=coordinator: c.fast_interval,
                    )
                )
        await asyncio.gather(*(c.async_refresh() for c in coordinators))
        # Start the window between polls (in phase: half an interval after the refresh together; in slots, once
        # every camera is in its slot): a window of whole intervals then holds one poll per camera and interval.
        interval = coordinators[0].fast_interval.total_seconds()
        await asyncio.sleep((1.5 if slots and len(entries) > 1 else 0.5) * interval)
        await fleet.clear()
        profile = cProfile.Profile() if (path := SETTINGS.profile) else None
        if profile is not None:
            profile.enable()
        cpu = time.process_time()
        lags = await _loop_lag(SETTINGS.scale_seconds)
        cpu_rate = (time.process_time() - cpu) / SETTINGS.scale_seconds
        if profile is not None:
            profile.disable()
            profile.dump_stats(f"{path}.{len(entries)}.{'slots' if slots else 'phase'}")
        polled = len(await fleet.log())
    return {
        "lag_p50": percentile(lags, 50),
        "lag_p99": percentile(lags, 99),
        "lag_max": max(lags),
        "cpu_rate": cpu_rate,
        "requests_per_minute": polled / (SETTINGS.scale_seconds / 60),
    }


async def _scale_run(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fleet: Fleet,
    indices: range,
) -> dict[str, Any]:
    """Set up the cameras `indices` together as at a start, poll in phase and in slots, measure, remove them."""
    count = len(indices)
    gc.collect()
    rss_before = _rss_bytes()
    entries = [_entry(fleet, index) for index in indices]
    for entry in entries:
        entry.add_to_hass(hass)
    # First added (entities registered, "Registered new ... entity" logged, capabilities stored), then set up
    # again as at a start: unloaded as Home Assistant stops (the stored capabilities stay), set up together.
    first_added = max(await _setup_together(hass, entries))
    with patch.object(CapabilityCache, "async_invalidate", _no_invalidate):
        for entry in entries:
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    # The harness's records of the first set-up's writes (a real Home Assistant keeps none).
    _forget_storage_calls()
    _as_files(hass_storage, entries)
    await fleet.clear()
    gc.collect()
    profile = cProfile.Profile() if (path := SETTINGS.profile) else None
    setup_cpu = time.process_time()
    if profile is not None:
        profile.enable()
    available = await _setup_together(hass, entries)
    setup_cpu = time.process_time() - setup_cpu
    if profile is not None:
        profile.disable()
        profile.dump_stats(f"{path}.{count}")
    setup_wall = max(available)
    log = await fleet.log_by_camera()
    queries = sum(1 for r in log.values() for path, _ in r if path.endswith("_query"))
    # Each camera has its own connection: together they need as long as the camera with the most requests.
    per_camera = [len(set(requests)) for requests in log.values()]
    # A real Home Assistant reads its storage files at the start and keeps nothing of them.
    stored = _forget_harness_storage(hass_storage, entries)
    phase = await _poll_window(hass, fleet, entries, slots=False)
    slotted = await _poll_window(hass, fleet, entries, slots=True)
    unavailable = sum(
        1
        for entry in entries
        for e in _enabled_entities(hass, entry)
        if (s := hass.states.get(e)) is None or s.state == STATE_UNAVAILABLE
    )
    _forget_harness_storage(hass_storage, entries)
    gc.collect()
    rss_after = _rss_bytes()
    for entry in entries:
        await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    return {
        "count": count,
        "setup_wall": setup_wall,
        "setup_median": median(available),
        "setup_cpu": setup_cpu,
        "setup_queries": queries,
        "first_added": first_added,
        "bound": _bound(max(per_camera)),
        "requests": max(per_camera),
        "phase": phase,
        "slots": slotted,
        "unavailable": unavailable,
        "rss_per_camera": (rss_after - rss_before) / count,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "stored_per_camera": stored / count,
    }


async def _no_invalidate(self: CapabilityCache) -> None:
    """Keep the stored capabilities on unload, as when Home Assistant stops."""


# Last round's figures (docs/benchmarks.md "Results, issue 25, quiet machine", 2026-12-06), shown beside this run's:
# RSS without the harness's copy, CPU per camera-minute in ms (fast groups then read on every tick), set-up wall in s.
BASELINE = {
    "rss": {25: 0.93, 100: 0.94},
    "cpu_slots": {1: 13, 25: 35, 100: 29},
    "cpu_phase": {1: 24, 25: 25, 100: 19},
    "setup": {1: 0.611, 25: 1.051, 100: 2.104},
}


async def bench_scale(
    hass: HomeAssistant, hass_storage: dict[str, Any], fleet_factory: FleetFactory
) -> None:
    """1, 25 and 100 cameras in one Home Assistant: start-up, loop lag and CPU in phase vs in slots, RSS.

    Each count is set up together (as at a Home Assistant start, with the stored capabilities) on cameras of its
    own, polled in phase then in slots, then removed; the next count starts from the process as that left it
    (freed memory may be reused, so a later count's RSS per camera can read low: counts run smallest first, and the
    figure for the largest is also given from the very start).
    """
    counts = [int(c) for c in SETTINGS.cameras.split(",")]
    fleet = await fleet_factory(
        count=1 + sum(counts),
        latency=LAT,
        connections=CONN,
        onvif=bool(SETTINGS.onvif),
    )
    # Warm up (imports, translations, the camera and stream components) with one camera, then measure without it.
    single = await _setup(hass, warm_up := _entry(fleet, 0))
    await _remove(hass, warm_up)
    gc.collect()
    idle = min(10.0, SETTINGS.scale_seconds)
    cpu = time.process_time()
    idle_lags = await _loop_lag(idle)
    idle_cpu = (time.process_time() - cpu) / idle
    rss_start = _rss_bytes()

    runs = []
    first = 1
    for count in counts:
        runs.append(
            await _scale_run(hass, hass_storage, fleet, range(first, first + count))
        )
        first += count
    smallest = runs[0]
    idle_lag = (
        f"idle baseline {percentile(idle_lags, 50) * 1000:.2f} / "
        f"{percentile(idle_lags, 99) * 1000:.2f} ms ({max(idle_lags) * 1000:.0f} ms)"
    )
    for run in runs:
        count = int(run["count"])
        label = f"{count} {'ONVIF ' if SETTINGS.onvif else ''}camera{'s' if count > 1 else ''}"
        growth = ""
        if run is not smallest:
            growth = (
                f"; {ratio(run['setup_wall'], smallest['setup_wall'])} the "
                f"{smallest['count']:.0f}-camera figure for {count / smallest['count']:g}× the cameras"
            )
        baseline = BASELINE["setup"].get(count)
        REPORT.add(
            "5",
            f"{label}: set up together at a start, capabilities stored (last camera available; median camera "
            f"{_seconds(run['setup_median'])}; when first added {_seconds(run['first_added'])})",
            _seconds(run["setup_wall"]),
            compared_with=(
                f"lower bound {_seconds(run['bound'])} ({run['requests']} requests × {LAT * 1000:.0f} ms, cameras in "
                f"parallel); CPU of the set-up {_seconds(run['setup_cpu'])} "
                f"({run['setup_cpu'] / count * 1000:.0f} ms a camera; {ratio(run['setup_wall'], max(run['bound'], run['setup_cpu']))} "
                f"the larger of the two); {run['setup_queries']} capability queries; one camera alone "
                f"{_seconds(single)}{growth}"
                + (f"; last round {baseline:.2f} s" if baseline else "")
            ),
            ratio=ratio(run["setup_wall"], run["bound"]),
            target="≤ 1.5×" if count >= 100 else "",
            met=run["setup_wall"] <= 1.5 * run["bound"] if count >= 100 else None,
        )
        for mode in ("phase", "slots"):
            window = run[mode]
            name = "in phase" if mode == "phase" else "in slots"
            REPORT.add(
                "5",
                f"{label}, {SETTINGS.scale_seconds:g} s polling {name}: event-loop lag p50 / p99 (max)",
                f"{window['lag_p50'] * 1000:.2f} / {window['lag_p99'] * 1000:.2f} ms ({window['lag_max'] * 1000:.0f} ms)",
                compared_with=idle_lag,
                target="p99 < 10 ms, max ≤ 50 ms",
                met=window["lag_p99"] < 0.010 and window["lag_max"] <= 0.050,
            )
        for mode in ("phase", "slots"):
            window = run[mode]
            name = "in phase" if mode == "phase" else "in slots"
            per_camera_minute = (window["cpu_rate"] - idle_cpu) * 60 / count
            other = run["slots" if mode == "phase" else "phase"]
            other_minute = (other["cpu_rate"] - idle_cpu) * 60 / count
            baseline = BASELINE[f"cpu_{mode}"].get(count)
            REPORT.add(
                "5",
                f"{label}, polling {name}: CPU per camera-minute",
                f"{per_camera_minute * 1000:.0f} ms",
                compared_with=(
                    f"{'in slots' if mode == 'phase' else 'in phase'} {other_minute * 1000:.0f} ms; idle process "
                    f"{idle_cpu * 60 * 1000:.0f} ms per minute (subtracted); "
                    f"{window['requests_per_minute'] / count:.0f} requests per camera-minute"
                    + (f"; last round {baseline} ms" if baseline else "")
                ),
                ratio=ratio(per_camera_minute, other_minute),
                target="≤ 25 ms",
                met=per_camera_minute <= 0.025,
            )
        from_start = ""
        if run is runs[-1] and run is not smallest:
            from_start = f"; {(run['rss_after'] - rss_start) / count / 2**20:.2f} MB counted from before the first count"
        baseline = BASELINE["rss"].get(count)
        REPORT.add(
            "5",
            f"{label}: RSS per camera (after polling; the test harness's copy of the stored capabilities dropped)",
            f"{run['rss_per_camera'] / 2**20:.2f} MB",
            compared_with=(
                f"process before these cameras {run['rss_before'] / 2**20:.0f} MB{from_start}; the harness's copy, "
                f"{run['stored_per_camera'] / 2**20:.2f} MB a camera, is not counted (a file on disk in a real Home "
                "Assistant)" + (f"; last round {baseline:.2f} MB" if baseline else "")
            ),
            target="≤ 1.2 MB",
            met=run["rss_per_camera"] <= 1.2 * 2**20,
        )


async def _memory_breakdown(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fleet: Fleet,
    indices: range,
    top: int = 12,
) -> list[tuple[str, float]]:
    """Return where the memory of `indices` cameras set up together goes: (file, KB per camera), largest first.

    tracemalloc, started before the set-up and compared after 20 s of polling (garbage collected both times); the
    allocation's own file line, so a dataclass or a dict built by Home Assistant for an entity counts there.
    """
    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    entries = [_entry(fleet, index) for index in indices]
    for entry in entries:
        entry.add_to_hass(hass)
    await _setup_together(hass, entries)
    # As at a start: set up again from the stored capabilities; the test harness's copy of them then dropped
    # (a file on disk in a real Home Assistant).
    with patch.object(CapabilityCache, "async_invalidate", _no_invalidate):
        for entry in entries:
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    _forget_storage_calls()
    _as_files(hass_storage, entries)
    await _setup_together(hass, entries)
    _forget_harness_storage(hass_storage, entries)
    await asyncio.sleep(20)
    _forget_harness_storage(hass_storage, entries)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    for entry in entries:
        await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    site = str(Path(__file__).parents[2])
    grown: dict[str, int] = {}
    for stat in after.compare_to(before, "filename"):
        name = stat.traceback[0].filename
        for prefix in (site, "/usr/lib/python3", "site-packages/"):
            if prefix in name:
                name = name.split(prefix, 1)[1].lstrip("/")
        grown[name] = grown.get(name, 0) + stat.size_diff
    ranked = sorted(grown.items(), key=lambda item: item[1], reverse=True)[:top]
    ranked.append(("(every file)", sum(grown.values())))
    return [(name, size / len(indices) / 1024) for name, size in ranked]


async def bench_memory(
    hass: HomeAssistant, hass_storage: dict[str, Any], fleet_factory: FleetFactory
) -> None:
    """Where a camera's memory goes (tracemalloc, 25 cameras set up together as at a start, polled 20 s).

    Twice in one run: without sharing the stored capabilities between cameras (as before issue 25) and with it.
    """
    count = 25
    fleet = await fleet_factory(count=1 + 2 * count, latency=LAT, connections=CONN)
    await _setup(hass, warm_up := _entry(fleet, 0))
    await _remove(hass, warm_up)
    breakdowns = {}
    with patch(
        "custom_components.cgi_camera.capability_cache.shared_capabilities_from_json",
        capabilities_from_json,
    ):
        breakdowns["before"] = await _memory_breakdown(
            hass, hass_storage, fleet, range(1, 1 + count)
        )
    breakdowns["after"] = await _memory_breakdown(
        hass, hass_storage, fleet, range(1 + count, 1 + 2 * count)
    )
    before = dict(breakdowns["before"])
    for name, size in breakdowns["after"][:-1]:
        REPORT.add(
            "5",
            f"Memory per camera by allocating file ({count} cameras, tracemalloc): {name}",
            f"{size:.0f} KB",
            compared_with=f"without shared capabilities {before.get(name, 0.0):.0f} KB",
        )
    total = {mode: rows[-1][1] for mode, rows in breakdowns.items()}
    REPORT.add(
        "5",
        "Memory per camera, every file (tracemalloc)",
        f"{total['after']:.0f} KB",
        compared_with=f"without shared capabilities {total['before']:.0f} KB",
        ratio=ratio(total["after"], total["before"]),
    )


# --- 6. Parsing ----------------------------------------------------------------------------------------------


def _per_call(function: Callable[[], object], budget: float = 0.5) -> float:
    """Return the median CPU seconds per call over batches of about 2 ms filling `budget` seconds.

    CPU time of the process, not wall time, and short batches: on a machine shared with other work, a batch that
    was preempted still counts only what it ran.
    """
    batch = 1
    while True:
        started = time.process_time()
        for _ in range(batch):
            function()
        if (elapsed := time.process_time() - started) > 0.002:
            break
        batch *= 2
    runs = max(3, int(budget / elapsed))
    times = []
    for _ in range(runs):
        started = time.process_time()
        for _ in range(batch):
            function()
        times.append((time.process_time() - started) / batch)
    return median(times)


async def bench_parsing(fleet_factory: FleetFactory) -> None:
    """Microseconds per typical `_get` and `_query` reply, vs parsing the same XML with defusedxml alone."""
    fleet = await fleet_factory(count=1, latency=0.0, connections=CONN)
    replies: dict[str, bytes] = {}
    headers = {"Authorization": basic_token(USERNAME, PASSWORD)}
    async with aiohttp.ClientSession(headers=headers) as session:
        for label, path in (
            (
                "_get camera/ExposureInfo",
                "/cgi/camera_get?Channel=1&Group=ExposureInfo",
            ),
            ("_get image/ImageInfo", "/cgi/image_get?Channel=1&Group=ImageInfo"),
            ("_query camera/All", "/cgi/camera_query?Group=All"),
            ("_query major_stream/All", "/cgi/major_stream_query?Group=All"),
        ):
            async with session.get(f"http://127.0.0.1:{fleet.ports[0]}{path}") as r:
                replies[label] = await r.read()

    for label, body in replies.items():
        if label.startswith("_get"):

            def parse(body: bytes = body) -> object:
                return [ParamGroup.from_raw(g) for g in check_reply(body).groups]
        else:
            # Each query reply with an empty capability cache, as at a start: only repeats within the reply hit.
            def parse(body: bytes = body) -> object:
                parse_capability.cache_clear()
                return Capabilities.from_reply(check_reply(body))

        ours = _per_call(parse)
        text = body.decode()
        bare = _per_call(lambda text=text: DefusedET.fromstring(text, forbid_dtd=True))
        REPORT.add(
            "6",
            f"Parse a {label} reply ({len(body)} bytes) into typed values",
            f"{ours * 1e6:.0f} µs",
            compared_with=f"defusedxml parse alone {bare * 1e6:.0f} µs",
            ratio=ratio(ours, bare),
            target="≤ 1.3×",
            met=ours <= 1.3 * bare,
        )
