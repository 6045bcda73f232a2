"""ONVIF motion events through a PullPoint subscription, with onvif-zeep-async (no Home Assistant imports).

The library is the one Home Assistant's own ONVIF integration uses; this works with every version the supported
releases pin (4.0.4 to 4.3.x). WS-UsernameToken with the camera's credentials and the camera's clock
(`adjust_time`); the addresses the camera announces are pinned to the configured host and port (`PinnedOnvifCamera`:
many of these cameras announce a wrong address); long-polled `PullMessages`, renewed by the library before expiry,
`Unsubscribe` when stopped.

Each pull asks the camera to answer within `PULL_TIMEOUT` and gives up `PULL_GRACE` later: a camera whose ONVIF goes
silent is noticed within `PULL_TIMEOUT + PULL_GRACE` seconds (7 s, less than the 10 s poll interval).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import onvif  # type: ignore[import-untyped]
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError  # type: ignore[import-untyped]
from onvif.util import is_auth_error  # type: ignore[import-untyped]
from yarl import URL
from zeep.exceptions import Fault, TransportError

from .live_motion import MotionSource, MotionSourceError, MotionUpdate

if TYPE_CHECKING:
    from collections.abc import Callable

    from .live_motion import Publish

__all__ = [
    "PULL_GRACE",
    "PULL_TIMEOUT",
    "SOURCE_ONVIF",
    "OnvifSource",
    "PinnedOnvifCamera",
    "onvif_reason",
]

_LOGGER = logging.getLogger(__name__)

SOURCE_ONVIF: Final = "onvif"
# Detection must not take long when the ONVIF port drops packets instead of refusing.
ONVIF_PROBE_TIMEOUT: Final = 6.0
# Short subscriptions, renewed by the library at 80 %: a camera cannot list or drop stale subscriptions, so
# ones left behind by a crash expire soon (Home Assistant's ONVIF integration does the same).
SUBSCRIPTION_TIME: Final = dt.timedelta(minutes=10)
# Long poll: the camera answers at once when it has events, else after PULL_TIMEOUT with none.
PULL_TIMEOUT: Final = dt.timedelta(seconds=5)
# How much later than PULL_TIMEOUT a pull may answer before the camera's ONVIF counts as silent.
PULL_GRACE: Final = 2.0
PULL_MESSAGE_LIMIT: Final = 100
# A camera closing an idle long poll (RFC 2616 §8.1.4) is pulled again after this many seconds.
REPULL_DELAY: Final = 0.5
STOP_TIMEOUT: Final = 5.0
# The first subscription reuses the probe's client (its service addresses and clock offset) when it comes within
# this many seconds of the probe, as it does at a setup: two requests and a client fewer per camera.
PROBED_CLIENT_SECONDS: Final = 60.0

# Failures that mean "the camera's ONVIF did not work just now"; anything else is a reply nobody foresaw.
ONVIF_ERRORS: Final = (
    ONVIFError,
    Fault,
    TransportError,
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
# The WSDLs ship inside the package; before 4.3 the library's default pointed one level too high (as Home Assistant's
# ONVIF integration, pass it explicitly).
WSDL_DIR: Final = os.path.join(os.path.dirname(onvif.__file__), "wsdl")


class _PinnedAddresses(dict[str, str]):
    """Service addresses with the host and port replaced by the configured ones, however they are stored."""

    def __init__(self, authority: tuple[str, int], *args: Any) -> None:
        super().__init__()
        self._authority = authority
        self.update(*args)

    def _pin(self, address: str) -> str:
        try:
            url = URL(address)
            if not url.absolute:
                return address
            return str(url.with_host(self._authority[0]).with_port(self._authority[1]))
        except ValueError:
            return address

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, self._pin(value))

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: str, default: str = "") -> str:
        if key not in self:
            self[key] = default
        return self[key]


class PinnedOnvifCamera(ONVIFCamera):  # type: ignore[misc]
    """An ONVIFCamera that reaches every service at the configured host and port, whatever the camera announces.

    onvif-zeep-async 4.3 can do this itself (`nat_override`); 4.0.4, which Home Assistant 2026.3 pins, cannot. Every
    version keeps the service addresses in `xaddrs`, so they are pinned there.
    """

    @property
    def xaddrs(self) -> dict[str, str]:
        """Return the service addresses (pinned)."""
        return self._pinned_xaddrs

    @xaddrs.setter
    def xaddrs(self, value: dict[str, str]) -> None:
        self._pinned_xaddrs = _PinnedAddresses((self.host, self.port), value)


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
        # The successful probe's client and when it probed, kept for the first `async_run`.
        self._probed: tuple[ONVIFCamera, float] | None = None

    def new_device(self) -> ONVIFCamera:
        """Return a client for the camera: its clock and the configured host, whatever it announces."""
        return PinnedOnvifCamera(
            self.host,
            self.port,
            self._username,
            self._password,
            wsdl_dir=WSDL_DIR,
            no_cache=True,  # the WSDLs ship with the library: no sqlite cache file, no thread
            adjust_time=True,
        )

    def _error(self, err: Exception) -> MotionSourceError:
        """Return the failure `err` stands for, in plain words; a reply nobody foresaw is marked unexpected."""
        _LOGGER.debug("%s: ONVIF request failed", self.host, exc_info=err)
        if isinstance(err, ONVIF_ERRORS):
            return MotionSourceError(onvif_reason(err, self.port))
        return MotionSourceError(
            "the camera's ONVIF service gave a reply that could not be read",
            unexpected=True,
        )

    async def async_probe(self) -> None:
        """Check that the camera answers ONVIF events with these credentials; MotionSourceError if not.

        On success the client is kept for the first `async_run` (see `async_release`).
        """
        device = self.new_device()
        properties: Any = None
        keep = False
        try:
            try:
                async with asyncio.timeout(ONVIF_PROBE_TIMEOUT):
                    await device.update_xaddrs()
                    has_events = EVENTS_NAMESPACE in device.xaddrs
                    if has_events:
                        events = await device.create_events_service()
                        properties = await events.GetEventProperties()
            except Exception as err:
                raise self._error(err) from err
            if not has_events:
                raise MotionSourceError("the camera has no ONVIF events service")
            if not _mentions_motion(properties):
                raise MotionSourceError("the camera announces no motion event")
            keep = True
        finally:
            if not keep:
                await device.close()
        await self.async_release()
        self._probed = (device, time.monotonic())

    async def async_release(self) -> None:
        """Close the probe's client if no run has taken it (the source is not started, or stopped before)."""
        probed, self._probed = self._probed, None
        if probed is not None:
            await probed[0].close()

    async def _client(self) -> tuple[ONVIFCamera, bool]:
        """Return a client and whether its service addresses are still to be read: the probe's while recent."""
        probed, self._probed = self._probed, None
        if probed is not None:
            device, probed_at = probed
            if time.monotonic() - probed_at <= PROBED_CLIENT_SECONDS:
                return device, False
            await device.close()
        return self.new_device(), True

    async def async_run(
        self,
        publish: Publish,
        connected: Callable[[], None],
        disconnected: Callable[[], None],
    ) -> None:
        """Subscribe, then long-poll until cancelled; always unsubscribe and close on the way out.

        A fresh client each time (after a reboot the camera's clock, and so the WS-Security offset, may differ),
        except right after the probe: its client, a moment old, subscribes. When a renewal fails the library
        subscribes again by itself and the next pull uses the new subscription.
        """
        device, fresh = await self._client()
        manager: Any = None
        try:
            try:
                async with asyncio.timeout(ONVIF_PROBE_TIMEOUT):
                    if fresh:
                        await device.update_xaddrs()
                    manager = await device.create_pullpoint_manager(
                        SUBSCRIPTION_TIME,
                        lambda: _LOGGER.debug("%s: ONVIF renewal failed", self.host),
                    )
                    await manager.set_synchronization_point()
            except Exception as err:
                raise self._error(err) from err
            # The camera reports changes only: until it says otherwise, nothing moves.
            for channel in self.channels:
                publish(MotionUpdate(channel, False))
            connected()
            while True:
                await self._pull(manager, publish)
                connected()
        except MotionSourceError:
            # Unsubscribing from a silent camera takes up to STOP_TIMEOUT: say so before.
            disconnected()
            raise
        finally:
            await _shielded(_shutdown(manager, device))

    async def _pull(self, manager: Any, publish: Publish) -> None:
        try:
            async with asyncio.timeout(PULL_TIMEOUT.total_seconds() + PULL_GRACE):
                response = await manager.get_service().PullMessages(
                    {"MessageLimit": PULL_MESSAGE_LIMIT, "Timeout": PULL_TIMEOUT}
                )
        except aiohttp.ServerDisconnectedError:
            # Cameras may close an idle long poll (RFC 2616 §8.1.4): pull again, without hammering.
            await asyncio.sleep(REPULL_DELAY)
            return
        except Exception as err:
            raise self._error(err) from err
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
    # Best effort: whatever the camera answers, the client is closed below.
    except Exception as err:  # noqa: BLE001
        _LOGGER.debug("ONVIF Unsubscribe failed: %s", type(err).__name__)
    finally:
        await device.close()


async def _shielded(coro: Any) -> None:
    """Finish `coro` however often the caller is cancelled meanwhile, then pass the cancellation on.

    Unsubscribe and close still happen when the entry unloads (which cancels the task once for the stop and again as
    the entry's background task); both are bounded (STOP_TIMEOUT).
    """
    task = asyncio.ensure_future(coro)
    cancelled = False
    while True:
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
            continue
        break
    if cancelled:
        raise asyncio.CancelledError


def onvif_reason(err: BaseException, port: int) -> str:
    """Describe an ONVIF failure in plain words, without credentials, URLs or exception names (those go to debug)."""
    if isinstance(err, Fault):
        if is_auth_error(err):
            return "the camera refused the ONVIF user name or password (or its clock is far off)"
        return f"the camera's ONVIF service refused the request ({(err.message or 'no reason')[:80]})"
    if isinstance(err, aiohttp.ClientConnectorError | ConnectionError):
        return f"nothing answers on ONVIF port {port}"
    if isinstance(err, TimeoutError):
        return f"ONVIF port {port} did not answer in time"
    if isinstance(err, ONVIFError) and "auth" in str(err).lower():
        return "the camera refused the ONVIF user name or password"
    return "the ONVIF request failed"
