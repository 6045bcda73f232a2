"""Live motion benchmark (issue 14): latency from the camera seeing motion to the entity's state, per source, and
the requests each source costs the camera while nothing moves.

Collected by `scripts/bench` beside bench_integration.py (`--only motion`). Unlike the fleet there, the cameras run
in this process: the figures are latencies and request counts, not CPU, and the trigger must be the camera's own
(`emulator.motion.trigger`, the same call the emulator's `/emulator/motion` control request makes).
Four cameras run at once, so the idle minute is shared: ONVIF events, getAlarmStatus only, and each of those with
every motion entity disabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from typing import TYPE_CHECKING

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.event import async_track_state_change_event
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api.alarm_status import ALARM_STATUS_INTERVAL
from custom_components.cgi_camera.const import DOMAIN
from tests.bench.report import REPORT, SETTINGS, median
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from homeassistant.core import HomeAssistant

USERNAME, PASSWORD = "admin", "bench-pass"
SECTION = "7"
# Motion on + off per round; getAlarmStatus rounds start at a random point of the polling interval.
ROUNDS = max(10, 2 * SETTINGS.repeat)
# One idle minute: ONVIF's long poll lasts a minute, so a shorter window would not see one.
IDLE_SECONDS = 61.0
STATE_TIMEOUT = 10.0


class Camera:
    """An emulated camera in this process and its config entry."""

    def __init__(self, index: int, *, onvif: bool, alarm_status: bool) -> None:
        self.emulator = CameraEmulator(
            EmulatorConfig(
                username=USERNAME,
                password=PASSWORD,
                mac=f"00:2a:2a:4d:be:{index:02x}",
                serial=f"MOTION{index:06d}",
                latency=SETTINGS.latency,
                max_connections=SETTINGS.connections,
                onvif=onvif,
                alarm_status=alarm_status,
            )
        )
        self.entry: MockConfigEntry | None = None
        self._cgi_mark = 0
        self._onvif_mark = 0

    async def setup(self, hass: HomeAssistant, title: str) -> MockConfigEntry:
        await self.emulator.start(host="127.0.0.1", port=0)
        self.emulator.state.channel(1).md_info.data["MDEnable"] = 1
        self.entry = MockConfigEntry(
            domain=DOMAIN,
            title=title,
            unique_id=format_mac(self.emulator.config.mac),
            data={
                CONF_HOST: "127.0.0.1",
                CONF_PORT: self.emulator.port,
                CONF_USERNAME: USERNAME,
                CONF_PASSWORD: PASSWORD,
            },
        )
        self.entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(self.entry.entry_id)
        await hass.async_block_till_done()
        return self.entry

    @property
    def loaded(self) -> MockConfigEntry:
        """Return the entry (once set up)."""
        assert self.entry is not None
        return self.entry

    def motion_entity(self, hass: HomeAssistant) -> str:
        entity_id = er.async_get(hass).async_get_entity_id(
            "binary_sensor", DOMAIN, f"{self.loaded.unique_id}_1_motion"
        )
        assert entity_id is not None, "no motion sensor"
        return entity_id

    def mark(self) -> None:
        """Start counting motion requests from now."""
        self._cgi_mark = len(self.emulator.requests)
        onvif = self.emulator.onvif
        self._onvif_mark = len(onvif.log.operations) if onvif is not None else 0

    def motion_requests(self) -> int:
        """Return the motion requests (getAlarmStatus and every ONVIF one) since `mark()`."""
        cgi = sum(
            1
            for r in list(self.emulator.requests)[self._cgi_mark :]
            if r.path == "/cgi/getAlarmStatus"
        )
        onvif = self.emulator.onvif
        return cgi + (
            len(onvif.log.operations) - self._onvif_mark if onvif is not None else 0
        )


@contextlib.asynccontextmanager
async def _states(
    hass: HomeAssistant, entity_id: str
) -> AsyncGenerator[asyncio.Queue[tuple[str, float]]]:
    """Yield a queue of (state, perf_counter) for each state the entity is written with."""
    queue: asyncio.Queue[tuple[str, float]] = asyncio.Queue()

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            queue.put_nowait((new.state, time.perf_counter()))

    remove = async_track_state_change_event(hass, [entity_id], _changed)
    try:
        yield queue
    finally:
        remove()


async def _until_state(queue: asyncio.Queue[tuple[str, float]], wanted: str) -> float:
    """Return the perf_counter at which the entity got `wanted`."""
    async with asyncio.timeout(STATE_TIMEOUT):
        while True:
            state, at = await queue.get()
            if state == wanted:
                return at


async def _latencies(hass: HomeAssistant, camera: Camera, phase: float) -> list[float]:
    """Trigger motion on and off ROUNDS times; return each trigger → state delay (seconds).

    Each trigger waits a random part of `phase` first, so polling is met at every point of its interval.
    """
    entity_id = camera.motion_entity(hass)
    rng = random.Random(14)  # noqa: S311 - a reproducible spread of trigger times, no secret
    delays: list[float] = []
    async with _states(hass, entity_id) as queue:
        for _ in range(ROUNDS):
            for on, wanted in ((True, STATE_ON), (False, STATE_OFF)):
                await asyncio.sleep(rng.uniform(0.05, 0.05 + phase))
                while not queue.empty():
                    queue.get_nowait()
                started = time.perf_counter()
                assert camera.emulator.motion.trigger(1, on=on)
                delays.append(await _until_state(queue, wanted) - started)
    return delays


async def _until_state_now(hass: HomeAssistant, entity_id: str, wanted: str) -> None:
    async with asyncio.timeout(30):
        while (s := hass.states.get(entity_id)) is None or s.state != wanted:
            await asyncio.sleep(0.01)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def bench_motion(hass: HomeAssistant, socket_enabled: None) -> None:
    """Latency per source (trigger → entity state) and idle requests per minute, with sensors enabled and not."""
    onvif = Camera(1, onvif=True, alarm_status=False)
    polled = Camera(2, onvif=False, alarm_status=True)
    onvif_off = Camera(3, onvif=True, alarm_status=False)
    polled_off = Camera(4, onvif=False, alarm_status=True)
    cameras = (onvif, polled, onvif_off, polled_off)
    try:
        for index, camera in enumerate(cameras, start=1):
            await camera.setup(hass, f"Motion camera {index}")
        for camera in cameras:
            await _until_state_now(hass, camera.motion_entity(hass), STATE_OFF)
        kinds = [
            (m.kind if (m := c.loaded.runtime_data.motion) else None) for c in cameras
        ]
        assert kinds == ["onvif", "alarm_status", "onvif", "alarm_status"], kinds
        polled_motion = polled.loaded.runtime_data.motion
        assert polled_motion is not None
        interval = ALARM_STATUS_INTERVAL  # fixed: live motion has no interval option

        # Every motion entity of two cameras disabled (the area sensors are disabled by default).
        registry = er.async_get(hass)
        for camera in (onvif_off, polled_off):
            for reg in er.async_entries_for_config_entry(
                registry, camera.loaded.entry_id
            ):
                if reg.entity_id.startswith("binary_sensor.") and "_motion" in (
                    reg.unique_id
                ):
                    registry.async_update_entity(
                        reg.entity_id, disabled_by=er.RegistryEntryDisabler.USER
                    )
            await hass.config_entries.async_reload(camera.loaded.entry_id)
            await hass.async_block_till_done()

        # One getAlarmStatus request by the integration's own client while idle: the "+ one request" of the bound.
        client = polled.loaded.runtime_data.client
        request_times = []
        for _ in range(SETTINGS.repeat):
            started = time.perf_counter()
            await client.alarm_status()
            request_times.append(time.perf_counter() - started)
        one_request = median(request_times)

        onvif_delays = await _latencies(hass, onvif, 0.5)
        polled_delays = await _latencies(hass, polled, interval)

        for camera in cameras:
            camera.mark()
        started = time.perf_counter()
        await asyncio.sleep(IDLE_SECONDS)
        minutes = (time.perf_counter() - started) / 60
        per_minute = {camera: camera.motion_requests() / minutes for camera in cameras}
    finally:
        for camera in cameras:
            if camera.entry is not None:
                await hass.config_entries.async_unload(camera.entry.entry_id)
        await hass.async_block_till_done()
        for camera in cameras:
            await camera.emulator.stop()

    label = f"{ROUNDS} × on + off"
    REPORT.add(
        SECTION,
        f"Motion latency, ONVIF events: trigger → entity state, median / max ({label})",
        f"{_ms(median(onvif_delays))} / {_ms(max(onvif_delays))}",
        compared_with=f"p90 {_ms(statistics.quantiles(onvif_delays, n=10)[-1])}",
        target="≤ 1 s",
        met=max(onvif_delays) <= 1.0,
    )
    bound = interval + one_request
    REPORT.add(
        SECTION,
        f"Motion latency, getAlarmStatus every {interval:g} s: median / max ({label})",
        f"{_ms(median(polled_delays))} / {_ms(max(polled_delays))}",
        compared_with=f"interval + one request {_ms(bound)} ({_ms(one_request)} request)",
        ratio=f"{max(polled_delays) / bound:.2f}× (max)",
        target="max ≤ interval + one request",
        met=max(polled_delays) <= bound,
    )
    REPORT.add(
        SECTION,
        "Motion requests per minute while idle, ONVIF events",
        f"{per_minute[onvif]:.1f}",
        compared_with="one long poll a minute, a Renew every 8 min",
        target="≤ 1.2",
        met=per_minute[onvif] <= 1.2,
    )
    REPORT.add(
        SECTION,
        f"Motion requests per minute while idle, getAlarmStatus every {interval:g} s",
        f"{per_minute[polled]:.1f}",
        compared_with=f"{60 / interval:.0f} (one per interval)",
        target="≤ one per interval",
        met=per_minute[polled] <= 60 / interval,
    )
    disabled = per_minute[onvif_off] + per_minute[polled_off]
    REPORT.add(
        SECTION,
        "Motion requests per minute, every motion entity disabled (ONVIF and getAlarmStatus camera)",
        f"{per_minute[onvif_off]:.1f} + {per_minute[polled_off]:.1f}",
        target="0",
        met=disabled == 0,
    )
