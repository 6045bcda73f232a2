"""The coordinator of one camera: it polls the CGI groups that enabled entities need, each when it is due.

The coordinator ticks every fast interval and reads the PTZ position (it changes by itself) on every tick. Groups the
camera's own app or web page may change (exposure, image, motion, record control: the "fast" groups) are read once
per fast-group interval, spread over the ticks so that each tick sends about one request; the others once per slow
interval. When no group is due, the cheapest request (DeviceInfo, the heartbeat) checks the camera is still there, so
availability never depends on which entities are enabled, and a camera that goes away is noticed within one tick.
At set-up each group is read as the first of its entities is added (`async_read_first`), so first states are real.

Several cameras take turns: each polls in a slot of its own within the fast interval (see `_next_interval`), so a
hundred cameras set up together do not all poll in the same second.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
import math
import time
from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    AuthenticationFailed,
    CannotConnect,
    Capabilities,
    CgiCamera,
    CgiError,
    Choices,
    IntRange,
    InvalidName,
    NotFound,
    NotSupported,
    ParamGroup,
    ResultCodeError,
    SdStatus,
    ServerFailed,
)
from .api.wire import GROUPS, GroupKey, group_key
from .capability_cache import CachedCapabilities, CapabilityCache
from .const import (
    AUTH_FAILURES_BEFORE_REAUTH,
    DEFAULT_ONVIF_PORT,
    DEFAULT_RTSP_PORT,
    DOMAIN,
    LOGGER,
)
from .errors import camera_errors, translation

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from .api import DeviceInfo
    from .data import CgiCameraConfigEntry

# Groups whose values change without Home Assistant doing it (api/wire.py GROUPS): read every fast-group interval.
FAST_GROUPS: frozenset[tuple[str, str]] = frozenset(
    (spec.area, spec.group) for spec in GROUPS if spec.fast
)
# Those that change by themselves (the PTZ position): read on every tick.
TICK_GROUPS: frozenset[tuple[str, str]] = frozenset(
    (spec.area, spec.group) for spec in GROUPS if spec.every_tick
)
# The fast groups read once per fast-group interval, spread over the ticks.
SPREAD_GROUPS: frozenset[tuple[str, str]] = FAST_GROUPS - TICK_GROUPS

type GroupData = dict[GroupKey, list[ParamGroup]]

# Video servers of this family have at most 16 channels; the cap bounds the probing below.
MAX_CHANNELS = 16


@dataclass
class PollStats:
    """Counters shown in diagnostics."""

    refreshes: int = 0
    failures: int = 0
    requests: int = 0
    last_duration: float | None = None
    last_requests: int = 0


class CgiCoordinator(DataUpdateCoordinator[GroupData]):
    """Poll the CGI groups that enabled entities need, fast groups every tick and the others when due."""

    config_entry: CgiCameraConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CgiCameraConfigEntry,
        client: CgiCamera,
        *,
        fast_interval: timedelta,
        fast_group_interval: timedelta,
        slow_interval: timedelta,
    ) -> None:
        """Initialize the coordinator; it ticks at the fast interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=fast_interval,
            # Entities are notified when a value changes or the camera's reachability does (HA compares
            # last_update_success itself), so a recovery reaches every entity even when no value changed.
            always_update=False,
        )
        self.client = client
        self.fast_interval = fast_interval
        self.fast_group_interval = fast_group_interval
        self.slow_interval = slow_interval
        self.stats = PollStats()
        # Consecutive 401s while polling: weak Wi-Fi links answer a spurious one now and then.
        self.auth_failures = 0
        self._wanted: Counter[GroupKey] = Counter()
        self._unsupported: set[GroupKey] = set()
        self._read_at: dict[GroupKey, datetime] = {}
        # Groups read on every tick until their reply says an operation finished (e.g. formatting an SD card).
        self._followed: dict[GroupKey, Callable[[list[ParamGroup]], bool]] = {}
        self.data = {}
        # What the last heartbeat read; `_async_setup` reads it first.
        self.device: DeviceInfo | None = None
        # What the camera supports, its channels and ports: learnt (or loaded) by `_async_setup`.
        self.known: CachedCapabilities | None = None
        # The SD card device, read by the first poll only to learn whether the camera has a card slot.
        self._slot_probe: GroupKey | None = None
        self._has_slot_group = False
        # True right after `_async_setup` read DeviceInfo, or after the set-up read the groups of the entities as they
        # were added: the next poll needs no heartbeat of its own.
        self._met = False
        # Set-up reads of groups entities are being added for (shared by the entities of one group), and how many
        # fast groups they read (to spread those over the ticks, as a poll does).
        self._first_reads: dict[GroupKey, asyncio.Future[None]] = {}
        self._first_fast_reads = 0
        self._first_reads_failed = False

    @property
    def wanted_groups(self) -> list[GroupKey]:
        """Return the groups enabled entities need (and, at setup, the SD card device)."""
        wanted = list(self._wanted)
        if self._slot_probe is not None and self._slot_probe not in self._wanted:
            wanted.append(self._slot_probe)
        return [key for key in wanted if key not in self._unsupported]

    @callback
    def async_register_group(self, key: GroupKey) -> CALLBACK_TYPE:
        """Poll `key` while the returned callback has not been called (calling it again does nothing)."""
        self._wanted[key] += 1
        registered = True

        @callback
        def _unregister() -> None:
            nonlocal registered
            if not registered:
                return
            registered = False
            self._wanted[key] -= 1
            if self._wanted[key] <= 0:
                del self._wanted[key]

        return _unregister

    @callback
    def async_follow(
        self, key: GroupKey, done: Callable[[list[ParamGroup]], bool]
    ) -> None:
        """Read `key` on every tick until `done(blocks)` says the operation it reports has finished."""
        if not done(self.data.get(key, [])):
            self._followed[key] = done

    def _due(self, key: GroupKey, now: datetime) -> bool:
        if (
            (key.area, key.group) in TICK_GROUPS
            or key in self._followed
            or (read := self._read_at.get(key)) is None
        ):
            return True
        interval = (
            self.fast_group_interval
            if (key.area, key.group) in FAST_GROUPS
            else self.slow_interval
        )
        # Half a tick of slack, so that timer jitter does not push a group due "now" to the next tick.
        slack = self.fast_interval / 2
        return not read <= now < read + interval - slack

    async def _read(self, key: GroupKey) -> list[ParamGroup]:
        self.stats.requests += 1
        return await self.client.get_blocks(key.area, key.group, key.channel)

    async def _async_setup(self) -> None:
        """Meet the camera (DeviceInfo), then learn what it supports; after a restart that comes from storage.

        Errors map as in a poll: ConfigEntryNotReady, or on a 401 ConfigEntryAuthFailed.
        """
        with self._mapped_errors():
            self.stats.requests += 1
            device = self.device = await self.client.device_info()
            self._met = True
            # What the camera supports only changes with its firmware (capability_cache).
            known = self.known = await CapabilityCache.for_entry(
                self.hass, self.config_entry.entry_id
            ).async_get_or_query(
                device.mac, device.firmware, partial(async_learn_camera, self.client)
            )
        if (caps := known.capabilities.get("record")) is not None and caps.has_group(
            "RecordDevice"
        ):
            self._has_slot_group = True
            self._slot_probe = self._slot_key

    @property
    def _slot_key(self) -> GroupKey:
        assert self.known is not None
        return group_key("record", "RecordDevice", self.known.channels[0])

    @property
    def has_sd_card_slot(self) -> bool:
        """Return False when the first poll found no SD card device (SDStatus 0, "dev off"), or none is offered.

        Unread (the camera refused the group just now): keep the entities, they show unknown until it answers.
        """
        if not self._has_slot_group:
            return False
        blocks = self.data.get(self._slot_key)
        return not blocks or blocks[0].get("SDStatus") != SdStatus.OFF

    @callback
    def async_setup_done(self) -> None:
        """Stop reading the SD card device unless an entity needs it (call once the platforms are set up)."""
        self._slot_probe = None

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        """Turn the client's errors into UpdateFailed, or ConfigEntryAuthFailed for a 401 at setup or repeated."""
        try:
            yield
        except AuthenticationFailed as err:
            self.stats.failures += 1
            self.auth_failures += 1
            # At setup (camera not learnt yet) a 401 asks for the password at once, HA's usual pattern: the flow checked
            # it, and retrying a wrong one can lock the camera. Later, weak Wi-Fi links answer a spurious 401 now
            # and then, so only several in a row do. The count lives here and needs to survive no setup retry.
            if self.auth_failures >= AUTH_FAILURES_BEFORE_REAUTH or self.known is None:
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="invalid_auth"
                ) from err
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="auth_retry",
                translation_placeholders={"count": str(self.auth_failures)},
            ) from err
        except CgiError as err:
            self.stats.failures += 1
            # Home Assistant logs the message once when the camera goes away ("Error fetching <name> data: ...")
            # and once when it is back; the class and the group read are for the debug log.
            LOGGER.debug("%s: poll failed: %r", self.name, err)
            raise UpdateFailed(
                **translation(err, self.config_entry.data[CONF_HOST])
            ) from err

    async def _async_update_data(self) -> GroupData:
        """Read every due group (or the heartbeat); any transport error makes the whole camera unavailable."""
        started = time.monotonic()
        now = dt_util.utcnow()
        requests_before = self.stats.requests
        self.stats.refreshes += 1
        # A new dict each time: the coordinator compares it with the previous one to decide whom to notify.
        data: GroupData = dict(self.data or {})
        met, self._met = self._met, False
        try:
            with self._mapped_errors():
                due = [key for key in self.wanted_groups if self._due(key, now)]
                spread = 0
                for key in due:
                    if (key.area, key.group) not in SPREAD_GROUPS:
                        await self._read_due(key, data, now)
                        continue
                    await self._read_due(key, data, self._spread(now, spread))
                    spread += 1
                if not due and not met:
                    self.stats.requests += 1
                    self.device = await self.client.device_info()
        finally:
            self.stats.last_duration = time.monotonic() - started
            self.stats.last_requests = self.stats.requests - requests_before
            # Read by the coordinator when it schedules the next refresh, right after this one.
            self.update_interval = self._next_interval()
        self.auth_failures = 0
        return data

    def _spread(self, now: datetime, index: int) -> datetime:
        """Return when the `index`-th fast group read together counts as read: 0, 1, 2, 0... ticks before `now`.

        So fast groups read together come due in different ticks: each tick then carries about one of them, never a
        burst of all of them and ticks with only a heartbeat.
        """
        ticks = max(1, round(self.fast_group_interval / self.fast_interval))
        return now - self.fast_interval * (index % ticks)

    async def _read_due(self, key: GroupKey, data: GroupData, now: datetime) -> None:
        """Read one due group into `data` (as read at `now`); a group the camera turns out not to have is dropped for good."""
        try:
            data[key] = await self._read(key)
        except NotSupported:
            # The capability query promised the group, the camera disagrees: stop asking.
            LOGGER.debug("%s: %s/%s not supported", self.name, key.area, key.group)
            self._unsupported.add(key)
            data.pop(key, None)
        else:
            self._read_at[key] = now
            if (done := self._followed.get(key)) and done(data[key]):
                del self._followed[key]

    def _next_interval(self) -> timedelta:
        """Return the time to the next poll: the fast interval, or the way to this camera's slot when there are several.

        With N cameras, camera k (by entry id) polls when the loop's clock is k/N of an interval (in whole seconds)
        past a multiple of the interval, so their polls (and the state writes that follow) are spread evenly instead
        of arriving together. The next poll is the first slot at least half an interval away: once in its slot, a camera polls
        every interval; after a setup, a manual refresh or a change in the number of cameras, one gap is between half
        and one and a half intervals. Home Assistant counts the interval from the whole second and adds a sub-second
        offset of its own, which stays as it is.
        """
        interval = self.fast_interval.total_seconds()
        entry_ids = sorted(
            entry.entry_id
            for entry in self.hass.config_entries.async_entries(
                DOMAIN, include_ignore=False, include_disabled=False
            )
        )
        if len(entry_ids) < 2 or self.config_entry.entry_id not in entry_ids:
            return self.fast_interval
        # Whole seconds: Home Assistant counts intervals from the whole second and spreads coordinators within it.
        slot = math.floor(
            entry_ids.index(self.config_entry.entry_id) * interval / len(entry_ids)
        )
        base = int(self.hass.loop.time())
        turns = math.floor((base + interval / 2 - slot) / interval) + 1
        return timedelta(seconds=turns * interval + slot - base)

    async def async_read_first(self, key: GroupKey) -> None:
        """Read `key` once for an entity being added at set-up, so that its first state is the camera's value.

        Entities of one group share the read. After a failure no further group is read this way: the poll that ends
        the set-up reports the camera's state (entities stay unavailable until a poll reads them).
        """
        if key in self.data or key in self._unsupported or self._first_reads_failed:
            return
        if (pending := self._first_reads.get(key)) is not None:
            await asyncio.shield(pending)
            return
        pending = self._first_reads[key] = self.hass.loop.create_future()
        now = dt_util.utcnow()
        try:
            with self._mapped_errors():
                if (key.area, key.group) in SPREAD_GROUPS:
                    now = self._spread(now, self._first_fast_reads)
                    self._first_fast_reads += 1
                await self._read_due(key, self.data, now)
                self._met = True
        except UpdateFailed, ConfigEntryAuthFailed:
            self._first_reads_failed = True
        finally:
            del self._first_reads[key]
            pending.set_result(None)

    async def async_refresh_group(self, key: GroupKey) -> None:
        """Re-read one group (after a set) and tell its entities, without a full refresh."""
        try:
            blocks = await self._read(key)
        except CgiError as err:
            LOGGER.debug(
                "%s: re-reading %s/%s failed: %s", self.name, key.area, key.group, err
            )
            return
        self._read_at[key] = dt_util.utcnow()
        self.async_set_updated_data({**(self.data or {}), key: blocks})

    async def async_set(
        self, key: GroupKey, params: Mapping[str, int | str], setting: str
    ) -> None:
        """Set parameters of one group, then re-read it so the state is what the camera reports.

        After a transport failure nothing is re-read (the camera did not answer, and the caller must not wait a
        second timeout); after a refusal the group is re-read to show the value the camera kept. `setting` names
        the setting in the error shown to the user.
        """
        with camera_errors(setting):
            try:
                await self.client.set(key.area, key.group, key.channel, params)
            except ResultCodeError as err:
                if isinstance(err, InvalidName | NotSupported):
                    # What setup learnt (possibly from storage) offered this parameter, and the camera disagrees:
                    # reload, which asks the camera again what it supports.
                    self.hass.config_entries.async_schedule_reload(
                        self.config_entry.entry_id
                    )
                await self.async_refresh_group(key)
                raise
        await self.async_refresh_group(key)


async def _async_channels(
    client: CgiCamera, capabilities: dict[str, Capabilities]
) -> tuple[int, ...]:
    """Return the video channels: the stream query's Channel range, else probed one by one."""
    caps = capabilities.get("major_stream")
    if caps is None:
        return (1,)
    cap = caps.get("StreamInfo", "Channel")
    if isinstance(cap, IntRange) and 1 <= cap.min <= cap.max <= MAX_CHANNELS:
        return tuple(range(cap.min, cap.max + 1))
    if isinstance(cap, Choices):
        channels = sorted(
            v for v in cap.values if isinstance(v, int) and 1 <= v <= MAX_CHANNELS
        )
        if channels:
            return tuple(channels)
    # Most firmware answers the query with an empty (read-only) Channel: ask for channel 2, 3... until the camera
    # calls the channel invalid. A single-channel camera costs one extra request per setup.
    channels = [1]
    for channel in range(2, MAX_CHANNELS + 1):
        try:
            await client.get("major_stream", "StreamInfo", channel)
        except (CannotConnect, AuthenticationFailed):
            raise
        except CgiError:
            break
        channels.append(channel)
    return tuple(channels)


async def _async_camera_ports(client: CgiCamera, has_netport: bool) -> tuple[int, int]:
    """Return the camera's RTSP and ONVIF ports from one NetPortInfo read; 554 and 8999 for a missing one.

    Only a refusal means the defaults: the answer is stored until the firmware changes, so a transient failure
    raises and setup is retried.
    """
    if has_netport:
        try:
            info = await client.net_port_info()
        except (ResultCodeError, NotFound) as err:
            if isinstance(err, ServerFailed):
                raise
            LOGGER.debug("Could not read the RTSP and ONVIF ports: %s", err)
        else:
            return (
                info.rtsp_port or DEFAULT_RTSP_PORT,
                info.onvif_port or DEFAULT_ONVIF_PORT,
            )
    return DEFAULT_RTSP_PORT, DEFAULT_ONVIF_PORT


async def async_learn_camera(client: CgiCamera) -> CachedCapabilities:
    """Ask the camera what it supports: capabilities, channels, RTSP and ONVIF ports (cached, see capability_cache)."""
    # Query, else per-group query, else the current values with the document's ranges; a transient failure
    # raises (ConfigEntryNotReady in setup) and is never taken for "unsupported".
    discovered = await client.discover_all_capabilities()
    capabilities = discovered.by_area
    channels = await _async_channels(client, capabilities)
    rtsp_port, onvif_port = await _async_camera_ports(client, "netport" in capabilities)
    return CachedCapabilities(
        capabilities=capabilities,
        channels=channels,
        rtsp_port=rtsp_port,
        sources=discovered.as_dict(),
        onvif_port=onvif_port,
        rtsp=await client.check_rtsp(rtsp_port, channels[0]),
    )
