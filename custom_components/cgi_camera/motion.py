"""Live motion of one camera, owned by its config entry (README, "Live motion"; docs/architecture.md).

`async_setup_entry` creates a `CameraMotion` and starts `async_start()` as a background task of the entry, so a slow
or absent ONVIF port delays nothing else. It picks the best source the camera has, best first (the protocols live in
`api/`, without Home Assistant):

1. ONVIF events (`api/onvif_events.py`): a PullPoint subscription on the camera's ONVIF port (NetPortInfo
   `OnvifPort`, stored with the capabilities; read again when nothing answers at the stored port, in case it moved).
2. `/cgi/getAlarmStatus` polling (`api/alarm_status.py`) through the camera's client, every second, each request
   bounded by its own 2 s timeout so it never holds the camera's request slot longer.
3. Neither: no motion sensor; a repair issue says so in plain words, diagnostics say what was tried and why it failed.

Once the source has given its first answer (or failed), the binary_sensor platform adds the motion sensors
(`async_on_ready`), so a sensor's first state is its real one. The source runs only while a motion sensor is enabled.
When it fails the sensors turn unavailable and it starts over after at most `RETRY_DELAYS[-1]` seconds, at once when
the camera's polls succeed again; its sensors also follow the camera's availability (the coordinator).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import CONF_PASSWORD
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from .api import CgiError
from .api.alarm_status import (
    ALARM_STATUS_INTERVAL,
    SOURCE_ALARM_STATUS,
    AlarmStatusSource,
)
from .api.live_motion import MotionSource, MotionSourceError, MotionUpdate
from .api.onvif_events import SOURCE_ONVIF, OnvifSource
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .coordinator import CgiCoordinator
    from .data import CgiCameraConfigEntry

__all__ = [
    "CONF_MOTION_INTERVAL",
    "DEFAULT_MOTION_INTERVAL",
    "SOURCE_ALARM_STATUS",
    "SOURCE_ONVIF",
    "CameraMotion",
    "MotionUpdate",
    "no_motion_issue_id",
]

# Left for the options flow until it drops the option; live motion no longer reads it (a fixed interval).
CONF_MOTION_INTERVAL: Final = "motion_interval"
DEFAULT_MOTION_INTERVAL: Final = ALARM_STATUS_INTERVAL
MOTION_INTERVAL_RANGE: Final = (0.5, 10.0)

# Seconds before starting over after a failure, growing with each failure since the source last worked for
# HEALTHY_SECONDS, and never more than the last: live motion is back within that of the camera answering again.
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 3.0)
HEALTHY_SECONDS: Final = 60.0
# How log lines name the sources.
SOURCE_WORDS: Final = {
    SOURCE_ONVIF: "its ONVIF events",
    SOURCE_ALARM_STATUS: "its motion status page",
}
# How long the motion sensors wait for the source's first answer before they are added anyway (unavailable).
FIRST_ANSWER_TIMEOUT: Final = 15.0


def no_motion_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue that says a camera has no live motion sensor."""
    return f"no_live_motion_{entry_id}"


class CameraMotion:
    """The live motion of one camera: the detected source, its state, its listeners and its task."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CgiCameraConfigEntry,
        coordinator: CgiCoordinator,
    ) -> None:
        """Prepare from what the coordinator learnt; nothing is sent until `async_start()`.

        The ONVIF port is the camera's (see capability_cache); when it came from storage and nothing answers ONVIF
        there, NetPortInfo is read once in case the port was changed on the camera since.
        """
        known = coordinator.known
        assert known is not None
        self.hass = hass
        self.entry = entry
        self.client = client = coordinator.client
        self.coordinator = coordinator
        self.channels = known.channels
        self.onvif_port = known.onvif_port
        self._recheck_onvif_port = known.from_storage
        # How log lines name the camera: its name and its address.
        self.name = f"{entry.title} ({client.host})"
        self._password: str = entry.data[CONF_PASSWORD]
        self.source: MotionSource | None = None
        self.tried: dict[str, str] = {}
        self.available = False
        self.last_error: str | None = None
        self.failures = 0
        self.restarts = 0
        # Set once the sensors can be added: detection is over and the source answered (or failed) once.
        self.ready = asyncio.Event()
        self._ready_callbacks: list[CALLBACK_TYPE] = []
        self._first_answer = asyncio.Event()
        self._retry_now = asyncio.Event()
        self._camera_answers = True
        self._motion: dict[int, bool] = {}
        self._areas: dict[int, tuple[bool, ...]] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._task: asyncio.Task[None] | None = None
        # Tasks cancelled but still unsubscribing; unload waits for them.
        self._ending: set[asyncio.Task[None]] = set()
        self._stopped = False
        self._connected_at: float | None = None
        self._outage_logged = False
        self._remove_coordinator_listener: CALLBACK_TYPE | None = None

    # Detection ------------------------------------------------------------------------------------------------
    async def async_start(self) -> None:
        """Detect the best source, start it, and let the platform add the sensors once it has answered."""
        try:
            await self._async_detect()
            if self.source is not None and not self._stopped and self._sensor_enabled():
                self._remove_coordinator_listener = self.coordinator.async_add_listener(
                    self._on_coordinator_update
                )
                self._ensure_task()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(FIRST_ANSWER_TIMEOUT):
                        await self._first_answer.wait()
            elif self.source is not None:
                # Not started (every motion sensor disabled, or unloading): what the probe kept is not needed.
                await self.source.async_release()
        finally:
            self._set_ready()

    async def _async_detect(self) -> None:
        """Pick ONVIF events, else getAlarmStatus, else nothing (then say so)."""
        if await self._async_probe_onvif():
            return
        if self._recheck_onvif_port and await self._async_onvif_port_moved():
            if await self._async_probe_onvif():
                return
        alarm_status = AlarmStatusSource(self.client, self.channels)
        try:
            status = await alarm_status.async_read()
        except MotionSourceError as err:
            self.tried[SOURCE_ALARM_STATUS] = str(err)
        else:
            self.tried[SOURCE_ALARM_STATUS] = "ok"
            self.source = alarm_status
            self._publish(status.update(self.channels[0]))
            return
        LOGGER.info(
            "%s has no live motion sensor: it offers neither ONVIF motion events nor a motion status page (%s)",
            self.name,
            "; ".join(f"{kind}: {reason}" for kind, reason in self.tried.items()),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            no_motion_issue_id(self.entry.entry_id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_live_motion",
            translation_placeholders={
                "title": self.entry.title,
                "address": self.client.host,
                "port": str(self.onvif_port),
            },
        )

    async def _async_probe_onvif(self) -> bool:
        """Try ONVIF events on the current port; on success they become the source."""
        onvif = OnvifSource(
            self.channels,
            self.client.host,
            self.onvif_port,
            self.client.username,
            self._password,
        )
        try:
            await onvif.async_probe()
        except MotionSourceError as err:
            self.tried[SOURCE_ONVIF] = str(err)
            return False
        self.tried[SOURCE_ONVIF] = "ok"
        self.source = onvif
        ir.async_delete_issue(
            self.hass, DOMAIN, no_motion_issue_id(self.entry.entry_id)
        )
        return True

    async def _async_onvif_port_moved(self) -> bool:
        """Read the camera's ONVIF port again; return True when it differs from the stored one (now replaced)."""
        try:
            port = (await self.client.net_port_info()).onvif_port
        except CgiError:
            return False
        if port is None or port == self.onvif_port:
            return False
        LOGGER.debug(
            "%s: the camera's ONVIF port moved from %s to %s",
            self.name,
            self.onvif_port,
            port,
        )
        self.onvif_port = port
        return True

    def _sensor_enabled(self) -> bool:
        """Return True unless the user disabled every motion sensor of this camera (then the source costs nothing)."""
        registry = er.async_get(self.hass)
        entries = [
            reg
            for reg in er.async_entries_for_config_entry(registry, self.entry.entry_id)
            if reg.domain == "binary_sensor" and "_motion" in reg.unique_id
        ]
        # A new camera's channel sensors are created enabled.
        return not entries or any(reg.disabled_by is None for reg in entries)

    @callback
    def _set_ready(self) -> None:
        if self.ready.is_set() or self._stopped:
            return
        self.ready.set()
        if self.source is not None:
            ir.async_delete_issue(
                self.hass, DOMAIN, no_motion_issue_id(self.entry.entry_id)
            )
        for add in self._ready_callbacks:
            add()
        self._ready_callbacks.clear()

    @callback
    def async_on_ready(self, add: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `add` once the source is known and has answered (at once if it has); return a remover."""
        if self.ready.is_set():
            add()
            return lambda: None
        self._ready_callbacks.append(add)

        @callback
        def remove() -> None:
            if add in self._ready_callbacks:
                self._ready_callbacks.remove(add)

        return remove

    async def async_stop(self) -> None:
        """Stop for good: cancel the task and wait until it has unsubscribed."""
        self._stopped = True
        self._listeners.clear()
        self._ready_callbacks.clear()
        if self._remove_coordinator_listener is not None:
            self._remove_coordinator_listener()
            self._remove_coordinator_listener = None
        self._cancel_task()
        if self._ending:
            await asyncio.gather(*self._ending, return_exceptions=True)
        if self.source is not None:
            # Stopped before the source ran: close what its probe kept for the first run.
            await self.source.async_release()

    # State --------------------------------------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        """Return the running source's kind ("onvif", "alarm_status"), or None without one."""
        return self.source.kind if self.source is not None else None

    @property
    def source_channels(self) -> tuple[int, ...]:
        """Return the channels the source reports motion for."""
        return self.source.channels if self.source is not None else ()

    def motion(self, channel: int) -> bool | None:
        """Return whether `channel` sees motion (None while unknown)."""
        return self._motion.get(channel)

    def area_motion(self, channel: int, area: int) -> bool | None:
        """Return whether motion area `area` (1-based) of `channel` sees motion (None while unknown)."""
        areas = self._areas.get(channel, ())
        return areas[area - 1] if 0 < area <= len(areas) else None

    def area_count(self, channel: int) -> int:
        """Return how many motion areas the source reported for `channel` (0 when it does not say)."""
        return len(self._areas.get(channel, ()))

    def diagnostics(self) -> dict[str, Any]:
        """Return what diagnostics show: the sources tried and the running one's health."""
        return {
            "source": self.kind,
            "tried": dict(self.tried),
            "ready": self.ready.is_set(),
            "running": self._task is not None and not self._task.done(),
            "available": self.available,
            "listeners": len(self._listeners),
            "failures": self.failures,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "poll_interval": ALARM_STATUS_INTERVAL
            if self.kind == SOURCE_ALARM_STATUS
            else None,
        }

    # Listeners ----------------------------------------------------------------------------------------------
    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` on every change; the source runs while anyone listens."""
        self._listeners.append(update)
        self._ensure_task()

        @callback
        def remove() -> None:
            if update in self._listeners:
                self._listeners.remove(update)
            if not self._listeners:
                self._cancel_task()

        return remove

    @callback
    def _ensure_task(self) -> None:
        if self._task is None and self.source is not None and not self._stopped:
            self._task = self.entry.async_create_background_task(
                self.hass, self._async_run(self.source), f"{self.name} live motion"
            )

    @callback
    def _cancel_task(self) -> None:
        """Cancel the running source; it unsubscribes on its way out (tracked in `_ending`)."""
        task, self._task = self._task, None
        self.available = False
        if task is None:
            return
        task.cancel()
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    @callback
    def _on_coordinator_update(self) -> None:
        """Start over at once when the camera answers its polls again."""
        answers = self.coordinator.last_update_success
        if answers and not self._camera_answers:
            self._retry_now.set()
        self._camera_answers = answers

    @callback
    def _notify(self) -> None:
        for update in list(self._listeners):
            update()

    @callback
    def _publish(self, update: MotionUpdate) -> None:
        changed = self._motion.get(update.channel) != update.motion
        self._motion[update.channel] = update.motion
        if update.areas is not None and self._areas.get(update.channel) != update.areas:
            self._areas[update.channel] = update.areas
            changed = True
        if changed:
            self._notify()

    @callback
    def _connected(self) -> None:
        if self._connected_at is None:
            self._connected_at = time.monotonic()
        if self._outage_logged:
            LOGGER.info("Live motion of %s is back", self.name)
            self._outage_logged = False
        self.last_error = None
        self._first_answer.set()
        if not self.available:
            self.available = True
            if not self.coordinator.last_update_success:
                # The camera answers again: let its other entities (and this one's availability) catch up now.
                self.entry.async_create_task(
                    self.hass,
                    self.coordinator.async_request_refresh(),
                    f"{self.name} refresh after live motion came back",
                )
            self._notify()

    @callback
    def _disconnected(self) -> None:
        if self.available:
            self.available = False
            self._notify()

    def _worked_a_while(self) -> bool:
        """Return True when the source ran connected for HEALTHY_SECONDS before failing."""
        connected_at = self._connected_at
        return (
            connected_at is not None
            and time.monotonic() - connected_at >= HEALTHY_SECONDS
        )

    async def _async_run(self, source: MotionSource) -> None:
        """Run the source; after each failure wait a little (less when the camera answers polls again)."""
        while True:
            self._connected_at = None
            unexpected = False
            try:
                await source.async_run(
                    self._publish, self._connected, self._disconnected
                )
            except MotionSourceError as err:
                self.last_error = str(err)
                unexpected = err.unexpected
            # A bug must not end live motion for good.
            except Exception:  # noqa: BLE001
                if self.failures == 0:
                    LOGGER.exception("Live motion of %s failed", self.name)
                self.last_error = "unexpected error"
            if self._worked_a_while():
                self.failures = 0
            if self.failures == 0:
                # One line per outage; the retries are quiet.
                LOGGER.log(
                    # A warning for a reply nobody foresaw; a camera not answering shows on its other entities.
                    logging.WARNING if unexpected else logging.INFO,
                    "Live motion of %s from %s stopped: %s; retrying",
                    self.name,
                    SOURCE_WORDS.get(source.kind, source.kind),
                    self.last_error,
                )
                self._outage_logged = True
            delay = RETRY_DELAYS[min(self.failures, len(RETRY_DELAYS) - 1)]
            self.failures += 1
            self.restarts += 1
            self._first_answer.set()
            self._disconnected()
            self._retry_now.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._retry_now.wait()
