"""Live motion: where a camera's motion state comes from, and who hears it (README, "Live motion").

At setup `CameraMotion.async_start()` picks the best source the camera has, best first:

1. ONVIF events: a PullPoint subscription on the camera's ONVIF port (NetPortInfo `OnvifPort`, read once when the
   camera is learnt and stored with its capabilities: the constructor's `onvif_port`; read again at a start when
   nothing answers at the stored port, in case it was moved), with onvif-zeep-async,
   the library Home Assistant's own ONVIF integration uses. WS-UsernameToken with the camera's credentials and the
   camera's clock (`adjust_time`), announced addresses pinned to the configured host (`nat_override`), long-polled
   `PullMessages`, renewed by the library before expiry, `Unsubscribe` when stopped.
2. `/cgi/getAlarmStatus` polling through the camera's client, so it waits its turn in the per-camera request queue.
3. Neither: no motion entity; `diagnostics()` says what was tried and why it failed.

A source runs only while a motion entity listens: with every motion entity disabled it costs the camera nothing.
When it fails (camera rebooted, subscription lost) the motion entities turn unavailable and it starts over after a
growing delay; the other entities never depend on it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
import contextlib
from dataclasses import dataclass
import datetime as dt
import re
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from onvif import ONVIFCamera  # type: ignore[import-untyped]
from onvif.exceptions import ONVIFError  # type: ignore[import-untyped]
from onvif.util import is_auth_error  # type: ignore[import-untyped]
from zeep.exceptions import Fault, TransportError, ValidationError, XMLParseError

from .api import CgiCamera, CgiError
from .const import LOGGER

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "CONF_MOTION_INTERVAL",
    "DEFAULT_MOTION_INTERVAL",
    "CameraMotion",
    "MotionUpdate",
]

CONF_MOTION_INTERVAL: Final = "motion_interval"
DEFAULT_MOTION_INTERVAL: Final = (
    1.0  # seconds between getAlarmStatus polls (the web UI polls every 2 s)
)
MOTION_INTERVAL_RANGE: Final = (0.5, 10.0)

SOURCE_ONVIF: Final = "onvif"
SOURCE_ALARM_STATUS: Final = "alarm_status"

# Detection must not hold up setup for long when the ONVIF port drops packets instead of refusing.
ONVIF_PROBE_TIMEOUT: Final = 6.0
# Short subscriptions, renewed by the library at 80 %: a camera cannot list or drop stale subscriptions, so
# ones left behind by a crash expire soon (Home Assistant's ONVIF integration does the same).
SUBSCRIPTION_TIME: Final = dt.timedelta(minutes=10)
# Long poll: one request a minute while nothing happens, and events as soon as the camera has them.
PULL_TIMEOUT: Final = dt.timedelta(seconds=60)
PULL_MESSAGE_LIMIT: Final = 100
STOP_TIMEOUT: Final = 5.0
# Seconds before starting over after a failure, growing with each failure since the source last worked for
# HEALTHY_SECONDS (a camera that accepts a subscription and then fails every pull must not be hammered).
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
HEALTHY_SECONDS: Final = 60.0

ONVIF_ERRORS: Final = (
    ONVIFError,
    Fault,
    TransportError,
    XMLParseError,
    ValidationError,
    aiohttp.ClientError,
    TimeoutError,
    OSError,
)
EVENTS_NAMESPACE: Final = "http://www.onvif.org/ver10/events/wsdl"
# Motion topics (namespace prefix dropped) and the Data item carrying the state.
MOTION_TOPICS: Final = {
    "RuleEngine/CellMotionDetector/Motion": "IsMotion",
    "RuleEngine/MotionRegionDetector/Motion": "State",
    "VideoSource/MotionAlarm": "State",
}
SOURCE_ITEMS: Final = (
    "VideoSourceConfigurationToken",
    "VideoSourceToken",
    "Source",
    "InputToken",
)
_TRAILING_NUMBER = re.compile(r"(\d+)$")


class MotionSourceError(Exception):
    """A motion source stopped working; the message says why and never carries credentials."""


@dataclass(frozen=True, slots=True)
class MotionUpdate:
    """The motion state of one channel (and of its motion areas, when the source reports them)."""

    channel: int
    motion: bool
    areas: tuple[bool, ...] | None = None


type Publish = Callable[[MotionUpdate], None]


class MotionSource(ABC):
    """Where motion comes from: `async_run` reports until cancelled, or raises MotionSourceError."""

    kind: str
    reports_areas = False

    def __init__(self, channels: tuple[int, ...]) -> None:
        """Report motion for `channels`."""
        self.channels = channels

    @abstractmethod
    async def async_run(self, publish: Publish, connected: Callable[[], None]) -> None:
        """Report motion through `publish`; call `connected` once the camera answers."""


class AlarmStatusSource(MotionSource):
    """Polls `/cgi/getAlarmStatus` (one device-wide state, plus one flag per motion area)."""

    kind = SOURCE_ALARM_STATUS
    reports_areas = True

    def __init__(
        self, client: CgiCamera, channels: tuple[int, ...], interval: float
    ) -> None:
        """Poll through `client` every `interval` seconds; the state belongs to the first channel."""
        super().__init__(channels[:1])
        self.client = client
        self.interval = interval

    async def async_run(self, publish: Publish, connected: Callable[[], None]) -> None:
        """Poll until cancelled."""
        while True:
            try:
                status = await self.client.alarm_status()
            except CgiError as err:
                raise MotionSourceError(str(err)) from err
            connected()
            publish(MotionUpdate(self.channels[0], status.motion, status.areas or None))
            await asyncio.sleep(self.interval)


class OnvifSource(MotionSource):
    """ONVIF events through a PullPoint subscription."""

    kind = SOURCE_ONVIF

    def __init__(
        self,
        channels: tuple[int, ...],
        host: str,
        port: int,
        username: str,
        password: str,
    ) -> None:
        """Prepare; nothing is sent until `async_probe()` or `async_run()`."""
        super().__init__(channels)
        self.host = host
        self.port = port
        self._username = username
        self._password = password
        self._tokens: list[str] = []

    def new_device(self) -> ONVIFCamera:
        """Return a client for the camera: its clock and the configured host, whatever it announces."""
        return ONVIFCamera(
            self.host,
            self.port,
            self._username,
            self._password,
            no_cache=True,  # the WSDLs ship with the library: no sqlite cache file, no thread
            adjust_time=True,
            nat_override=True,
        )

    async def async_probe(self) -> None:
        """Check that the camera answers ONVIF events with these credentials; MotionSourceError if not."""
        device = self.new_device()
        try:
            async with asyncio.timeout(ONVIF_PROBE_TIMEOUT):
                await device.update_xaddrs()
                if EVENTS_NAMESPACE not in device.xaddrs:
                    raise MotionSourceError("the camera has no ONVIF events service")
                events = await device.create_events_service()
                properties = await events.GetEventProperties()
        except ONVIF_ERRORS as err:
            raise MotionSourceError(onvif_reason(err, self.port)) from err
        finally:
            await device.close()
        if not _mentions_motion(properties):
            raise MotionSourceError("the camera announces no motion event")

    async def async_run(self, publish: Publish, connected: Callable[[], None]) -> None:
        """Subscribe, then long-poll until cancelled; always unsubscribe and close on the way out.

        A fresh client each time: after a reboot the camera's clock (and so the WS-Security offset) may differ.
        When a renewal fails the library subscribes again by itself and the next pull uses the new subscription.
        """
        device = self.new_device()
        manager: Any = None
        try:
            try:
                await device.update_xaddrs()
                manager = await device.create_pullpoint_manager(
                    SUBSCRIPTION_TIME,
                    lambda: LOGGER.debug("%s: ONVIF renewal failed", self.host),
                )
                await manager.set_synchronization_point()
            except ONVIF_ERRORS as err:
                raise MotionSourceError(onvif_reason(err, self.port)) from err
            # The camera reports changes only: until it says otherwise, nothing moves.
            for channel in self.channels:
                publish(MotionUpdate(channel, False))
            connected()
            while True:
                await self._pull(manager, publish)
        finally:
            await _shielded(_shutdown(manager, device))

    async def _pull(self, manager: Any, publish: Publish) -> None:
        try:
            async with asyncio.timeout(PULL_TIMEOUT.total_seconds() + 30):
                response = await manager.get_service().PullMessages(
                    {"MessageLimit": PULL_MESSAGE_LIMIT, "Timeout": PULL_TIMEOUT}
                )
        except aiohttp.ServerDisconnectedError:
            # Cameras may close an idle long poll (RFC 2616 §8.1.4): pull again, without hammering.
            await asyncio.sleep(RETRY_DELAYS[0])
            return
        except ONVIF_ERRORS as err:
            raise MotionSourceError(onvif_reason(err, self.port)) from err
        for message in getattr(response, "NotificationMessage", None) or ():
            if (update := self.parse(message)) is not None:
                publish(update)

    def parse(self, message: Any) -> MotionUpdate | None:
        """Return the motion update a NotificationMessage carries, or None for other events."""
        try:
            topic = str(message.Topic._value_1).strip().rstrip("/.")  # noqa: SLF001
            payload = message.Message._value_1  # noqa: SLF001
            topic = topic.partition(":")[2] or topic
            if (item := MOTION_TOPICS.get(topic)) is None:
                return None
            data = {i.Name: i.Value for i in payload.Data.SimpleItem}
            source = {i.Name: i.Value for i in (payload.Source.SimpleItem or ())}
        except (AttributeError, TypeError):
            return None
        value = data.get(item)
        if value is None and len(data) == 1:
            value = next(iter(data.values()))
        if value is None:
            return None
        token = next((source[n] for n in SOURCE_ITEMS if n in source), "")
        if (channel := self.channel_for(str(token))) is None:
            return None
        return MotionUpdate(channel, str(value).strip().lower() in {"true", "1"})

    def channel_for(self, token: str) -> int | None:
        """Map a video source token to a channel: the tokens in their numeric order are the channels in order."""
        if len(self.channels) == 1:
            return self.channels[0]
        if token not in self._tokens:
            self._tokens.append(token)
            self._tokens.sort(key=_token_order)
        index = self._tokens.index(token)
        return self.channels[index] if index < len(self.channels) else None


def _token_order(token: str) -> tuple[int, str]:
    match = _TRAILING_NUMBER.search(token)
    return (int(match[1]) if match else 0, token)


def _mentions_motion(properties: Any) -> bool:
    """Return True when the announced topic set names a motion topic (or cannot be read: then try anyway)."""
    topic_set = getattr(properties, "TopicSet", None)
    if topic_set is None:
        return True
    elements = getattr(topic_set, "_value_1", None) or ()
    names: list[str] = []
    for element in elements:
        if hasattr(element, "iter"):
            names.extend(str(e.tag) for e in element.iter())
    return not names or any("Motion" in name for name in names)


async def _shutdown(manager: Any, device: ONVIFCamera) -> None:
    """Unsubscribe (best effort, bounded) and close the client's sessions."""
    try:
        if manager is not None:
            async with asyncio.timeout(STOP_TIMEOUT):
                await manager.shutdown()
    except (*ONVIF_ERRORS, AssertionError) as err:
        LOGGER.debug("ONVIF Unsubscribe failed: %s", type(err).__name__)
    finally:
        await device.close()


async def _shielded(coro: Any) -> None:
    """Finish `coro` even when the caller is being cancelled (so Unsubscribe and close still happen)."""
    task = asyncio.ensure_future(coro)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


def onvif_reason(err: BaseException, port: int) -> str:
    """Describe an ONVIF failure without credentials or URLs."""
    if isinstance(err, Fault):
        if is_auth_error(err):
            return "the camera refused the ONVIF credentials (or its clock is far off)"
        return f"the camera answered with a SOAP fault ({(err.message or 'no reason')[:80]})"
    if isinstance(err, aiohttp.ClientConnectorError | ConnectionError):
        return f"nothing answers on ONVIF port {port}"
    if isinstance(err, TimeoutError):
        return f"ONVIF port {port} did not answer in time"
    if isinstance(err, ONVIFError) and "auth" in str(err).lower():
        return "the camera refused the ONVIF credentials"
    return f"ONVIF request failed ({type(err).__name__})"


class CameraMotion:
    """The live motion of one camera: the detected source, its state, its listeners and its task."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: CgiCamera,
        *,
        password: str,
        channels: tuple[int, ...],
        onvif_port: int,
        recheck_onvif_port: bool = False,
        interval: float = DEFAULT_MOTION_INTERVAL,
        name: str = "",
    ) -> None:
        """Prepare; nothing is sent until `async_start()`.

        `onvif_port` is the camera's (see capability_cache); with `recheck_onvif_port` (it came from storage) and no
        ONVIF answer there, NetPortInfo is read once in case the port was changed on the camera since.
        """
        self.hass = hass
        self.client = client
        self.channels = channels
        self.onvif_port = onvif_port
        self._recheck_onvif_port = recheck_onvif_port
        low, high = MOTION_INTERVAL_RANGE
        self.interval = min(max(float(interval), low), high)
        self.name = name or client.host
        self._password = password
        self.source: MotionSource | None = None
        self.tried: dict[str, str] = {}
        self.available = False
        self.last_error: str | None = None
        self.failures = 0
        self.restarts = 0
        self._motion: dict[int, bool] = {}
        self._areas: dict[int, tuple[bool, ...]] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._task: asyncio.Task[None] | None = None
        # Tasks cancelled but still unsubscribing; unload waits for them.
        self._ending: set[asyncio.Task[None]] = set()
        self._stopped = False
        self._connected_at: float | None = None
        self._outage_logged = False

    # Detection ------------------------------------------------------------------------------------------------
    async def async_start(self) -> None:
        """Detect the best source (ONVIF events, else getAlarmStatus); it runs once a motion entity listens."""
        if await self._async_probe_onvif():
            return
        if self._recheck_onvif_port and await self._async_onvif_port_moved():
            if await self._async_probe_onvif():
                return
        try:
            status = await self.client.alarm_status()
        except CgiError as err:
            self.tried[SOURCE_ALARM_STATUS] = str(err)
        else:
            self.tried[SOURCE_ALARM_STATUS] = "ok"
            self.source = AlarmStatusSource(self.client, self.channels, self.interval)
            self._publish(
                MotionUpdate(self.channels[0], status.motion, status.areas or None)
            )
            return
        LOGGER.info(
            "%s: no live motion source (%s), so no motion sensor",
            self.name,
            "; ".join(f"{kind}: {reason}" for kind, reason in self.tried.items()),
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
        # An unforeseen reply must not fail the platform's setup (and with it the camera's other sensors).
        except Exception as err:  # noqa: BLE001
            LOGGER.debug("%s: ONVIF probe failed", self.name, exc_info=True)
            self.tried[SOURCE_ONVIF] = f"unexpected ONVIF reply ({type(err).__name__})"
        else:
            self.tried[SOURCE_ONVIF] = "ok"
            self.source = onvif
            return True
        return False

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

    async def async_stop(self) -> None:
        """Stop for good: cancel the task and wait until it has unsubscribed."""
        self._stopped = True
        self._listeners.clear()
        self._cancel_task()
        if self._ending:
            await asyncio.gather(*self._ending, return_exceptions=True)

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
            "running": self._task is not None and not self._task.done(),
            "available": self.available,
            "listeners": len(self._listeners),
            "failures": self.failures,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "poll_interval": self.interval
            if self.kind == SOURCE_ALARM_STATUS
            else None,
        }

    # Listeners ----------------------------------------------------------------------------------------------
    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` on every change; the source runs while anyone listens."""
        self._listeners.append(update)
        if self._task is None and self.source is not None and not self._stopped:
            self._task = self.hass.async_create_background_task(
                self._async_run(self.source), f"{self.name} motion"
            )

        @callback
        def remove() -> None:
            if update in self._listeners:
                self._listeners.remove(update)
            if not self._listeners:
                self._cancel_task()

        return remove

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
            LOGGER.info("%s: live motion is back (%s)", self.name, self.kind)
            self._outage_logged = False
        self.last_error = None
        if not self.available:
            self.available = True
            self._notify()

    def _worked_a_while(self) -> bool:
        """Return True when the source ran connected for HEALTHY_SECONDS before failing."""
        connected_at = self._connected_at
        return (
            connected_at is not None
            and time.monotonic() - connected_at >= HEALTHY_SECONDS
        )

    async def _async_run(self, source: MotionSource) -> None:
        """Run the source; after each failure wait longer before starting over."""
        while True:
            self._connected_at = None
            try:
                await source.async_run(self._publish, self._connected)
            except MotionSourceError as err:
                self.last_error = str(err)
            # A bug or an unforeseen reply must not end live motion for good.
            except Exception:  # noqa: BLE001
                LOGGER.exception("%s: live motion (%s) failed", self.name, source.kind)
                self.last_error = "unexpected error"
            if self._worked_a_while():
                self.failures = 0
            if self.failures == 0:
                LOGGER.info(
                    "%s: live motion (%s) stopped: %s; retrying",
                    self.name,
                    source.kind,
                    self.last_error,
                )
                self._outage_logged = True
            delay = RETRY_DELAYS[min(self.failures, len(RETRY_DELAYS) - 1)]
            self.failures += 1
            self.restarts += 1
            if self.available:
                self.available = False
                self._notify()
            await asyncio.sleep(delay)
