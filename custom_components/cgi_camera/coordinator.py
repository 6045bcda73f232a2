"""Coordinators for the CGI IP Camera integration.

Two coordinators poll the camera: a fast one for state that changes by itself or from the camera's own UI
(exposure, image, PTZ, motion settings, record control) and a slow one for what rarely does (stream settings, SD
card, network, time). Each polls only the CGI groups that enabled entities have registered, so a disabled entity
costs the camera no request.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
from dataclasses import dataclass, field
import time
from typing import TYPE_CHECKING, NamedTuple

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import AuthenticationFailed, CgiCamera, CgiError, NotSupported, ParamGroup
from .const import AUTH_FAILURES_BEFORE_REAUTH, DOMAIN, LOGGER

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from datetime import timedelta

    from .data import CgiCameraConfigEntry


class GroupKey(NamedTuple):
    """One CGI group of one channel (channel None for device-wide areas such as sys or net)."""

    area: str
    group: str
    channel: int | None = None


# Groups whose values change without Home Assistant doing it; everything else is polled slowly.
FAST_GROUPS: frozenset[tuple[str, str]] = frozenset(
    {
        ("camera", "ExposureInfo"),
        ("camera", "BasicInfo"),
        ("image", "ImageInfo"),
        ("ptz", "PTZCtrlInfo"),
        ("alarm", "MDInfo"),
        ("alarm", "MDAccessInfo"),
        ("record", "RecordControl"),
    }
)

type GroupData = dict[GroupKey, list[ParamGroup]]


@dataclass
class PollStats:
    """Counters shown in diagnostics."""

    refreshes: int = 0
    failures: int = 0
    requests: int = 0
    last_duration: float | None = None
    last_requests: int = 0

    def record(self, started: float, requests_before: int) -> None:
        """Count one refresh that began at monotonic time `started`, when `requests` was `requests_before`."""
        self.refreshes += 1
        self.last_duration = time.monotonic() - started
        self.last_requests = self.requests - requests_before


@dataclass
class AuthFailureTracker:
    """Consecutive authentication failures across both coordinators."""

    count: int = 0


class CgiCoordinator(DataUpdateCoordinator[GroupData]):
    """Poll the CGI groups that enabled entities need."""

    config_entry: CgiCameraConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CgiCameraConfigEntry,
        client: CgiCamera,
        *,
        name: str,
        interval: timedelta,
        auth: AuthFailureTracker,
    ) -> None:
        """Initialize the coordinator."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} {name}",
            update_interval=interval,
            always_update=False,
        )
        self.client = client
        self.stats = PollStats()
        self._auth = auth
        self._wanted: Counter[GroupKey] = Counter()
        self._unsupported: set[GroupKey] = set()
        self.data = {}
        # The other coordinator of the same camera: both report one camera, so only one of them logs.
        self.peer: CgiCoordinator | None = None
        self._following_peer = False
        # Set whenever an entity registers a group; wakes the first poll (see Coordinators.async_first_refresh).
        self.group_registered = asyncio.Event()

    @property
    def wanted_groups(self) -> list[GroupKey]:
        """Return the groups polled on each refresh."""
        return [key for key in self._wanted if key not in self._unsupported]

    @callback
    def async_register_group(self, key: GroupKey) -> CALLBACK_TYPE:
        """Poll `key` while the returned callback has not been called."""
        self._wanted[key] += 1
        self.group_registered.set()

        @callback
        def _unregister() -> None:
            self._wanted[key] -= 1
            if self._wanted[key] <= 0:
                del self._wanted[key]

        return _unregister

    async def _fetch(self, key: GroupKey) -> list[ParamGroup]:
        self.stats.requests += 1
        return await self.client.get_blocks(key.area, key.group, key.channel)

    async def async_read_into(self, key: GroupKey, data: GroupData) -> None:
        """Read `key` into `data`; other errors propagate.

        A group the camera answers with "not supported" is dropped from `data` and no longer polled.
        """
        try:
            data[key] = await self._fetch(key)
        except NotSupported:
            # The capability query promised the group, the camera disagrees: stop asking.
            LOGGER.debug(
                "%s: %s/%s is not supported; no longer polled",
                self.name,
                key.area,
                key.group,
            )
            self._unsupported.add(key)
            data.pop(key, None)

    async def _async_update_data(self) -> GroupData:
        """Fetch every wanted group; any transport error makes the whole camera unavailable."""
        started = time.monotonic()
        requests_before = self.stats.requests
        data: GroupData = dict(self.data or {})
        try:
            for key in self.wanted_groups:
                await self.async_read_into(key, data)
        except AuthenticationFailed as err:
            self.stats.failures += 1
            self._auth.count += 1
            if self._auth.count >= AUTH_FAILURES_BEFORE_REAUTH:
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="invalid_auth"
                ) from err
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="auth_retry",
                translation_placeholders={"count": str(self._auth.count)},
            ) from err
        except CgiError as err:
            self.stats.failures += 1
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        finally:
            self.stats.record(started, requests_before)
        self._auth.count = 0
        return data

    async def _async_refresh(
        self,
        log_failures: bool = True,
        raise_on_auth_failed: bool = False,
        scheduled: bool = False,
        raise_on_entry_error: bool = False,
    ) -> None:
        """Refresh, keeping both coordinators of the camera in step.

        When one finds the camera unreachable, the other's entities are stale too: they go unavailable at once,
        and the camera is reported once. When it answers again, the other refreshes at once, without a second
        "recovered" line, so every entity is back within one poll.
        """
        peer = self.peer
        if peer is not None and not peer.last_update_success:
            log_failures = False
        was_ok = self.last_update_success
        await super()._async_refresh(
            log_failures, raise_on_auth_failed, scheduled, raise_on_entry_error
        )
        if peer is None or self._following_peer:
            return
        if was_ok and not self.last_update_success and peer.last_update_success:
            peer.async_mark_unreachable()
        elif not was_ok and self.last_update_success and not peer.last_update_success:
            await peer.async_catch_up()

    @callback
    def async_mark_unreachable(self) -> None:
        """The other coordinator found the camera unreachable: these entities are stale too."""
        self.last_update_success = False
        self.async_update_listeners()

    async def async_catch_up(self) -> None:
        """The other coordinator reached the camera again: refresh now, without a second "recovered" line."""
        self.last_update_success = True
        self._following_peer = True
        try:
            await self._async_refresh(log_failures=False)
        finally:
            self._following_peer = False

    async def async_refresh_group(self, key: GroupKey) -> None:
        """Re-read one group (after a set) and tell its entities, without a full refresh."""
        try:
            blocks = await self._fetch(key)
        except CgiError as err:
            LOGGER.debug(
                "%s: re-reading %s/%s failed: %s", self.name, key.area, key.group, err
            )
            return
        self.async_set_updated_data({**(self.data or {}), key: blocks})

    async def async_set(
        self, key: GroupKey, params: Mapping[str, int | str], setting: str
    ) -> None:
        """Set parameters of one group, then re-read it so state is what the camera reports.

        `setting` names the setting in the error shown to the user.
        """
        try:
            await self.client.set(key.area, key.group, key.channel, params)
        except CgiError as err:
            await self.async_refresh_group(key)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="set_failed",
                translation_placeholders={"setting": setting, "error": str(err)},
            ) from err
        await self.async_refresh_group(key)


@dataclass
class Coordinators:
    """The fast and the slow coordinator of one camera."""

    fast: CgiCoordinator
    slow: CgiCoordinator
    auth: AuthFailureTracker = field(default_factory=AuthFailureTracker)

    def __post_init__(self) -> None:
        """Link the two coordinators; one event tells when either gets a group."""
        self.fast.peer = self.slow
        self.slow.peer = self.fast
        self.slow.group_registered = self.fast.group_registered

    async def async_first_refresh(self, platforms: asyncio.Task[None]) -> None:
        """Read every group once while `platforms` sets up the entities, then hand each coordinator its data.

        Creating the entities is CPU work; reading each group as soon as its entity registers it lets that work
        run while the camera answers, instead of after the last reply. No group is read twice. If a read fails,
        the coordinators' own refresh runs once the platforms are set up: it logs the failure, marks the
        entities unavailable and counts authentication failures. `platforms` is awaited in every case, and
        cancelled if this is.
        """
        woken = self.fast.group_registered
        platforms.add_done_callback(lambda _: woken.set())
        started = time.monotonic()
        requests_before = {
            coordinator: coordinator.stats.requests for coordinator in self
        }
        data: dict[CgiCoordinator, GroupData] = {
            coordinator: {} for coordinator in self
        }
        try:
            while True:
                woken.clear()
                unread = next(
                    (
                        (coordinator, key)
                        for coordinator in self
                        for key in coordinator.wanted_groups
                        if key not in data[coordinator]
                    ),
                    None,
                )
                if unread is not None:
                    await unread[0].async_read_into(unread[1], data[unread[0]])
                elif platforms.done():
                    break
                else:
                    await woken.wait()
        except CgiError as err:
            LOGGER.debug("First poll failed; refreshing once set up: %s", err)
            await platforms
            for coordinator in self:
                await coordinator.async_refresh()
            return
        except BaseException:
            # Cancelled (or a bug): stop the platform setup too, and wait for it so no task outlives setup.
            platforms.cancel()
            with contextlib.suppress(BaseException):
                await platforms
            raise
        await platforms
        for coordinator in self:
            coordinator.stats.record(started, requests_before[coordinator])
            coordinator.async_set_updated_data(data[coordinator])

    def for_group(self, key: GroupKey) -> CgiCoordinator:
        """Return the coordinator that polls `key`."""
        return self.fast if (key.area, key.group) in FAST_GROUPS else self.slow

    def __iter__(self) -> Iterator[CgiCoordinator]:
        """Iterate over both coordinators."""
        return iter((self.fast, self.slow))
