"""Checks for the camera's common problems, each a repair issue that clears itself (fixes in repairs.py).

- A factory password (checked at setup, from the entry).
- ONVIF switched off (net / NetProtocolInfo `ONVIF` 0): live motion gets polling or nothing.
- A wrong clock: sys / TimeInfo `CameraTime` (UTC) more than CLOCK_TOLERANCE away from Home Assistant's clock, or a
  `TimeZone` other than Home Assistant's present UTC offset.

The groups are read by the coordinator's slow poll like any entity's (they are registered with it, so they cost no
request of their own) and checked whenever a new reply arrives: the issues come and go with the camera's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

from homeassistant.const import CONF_PASSWORD
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import TimeInfo
from .api.document_ranges import TIME_ZONES
from .api.wire import GroupKey
from .const import DOMAIN
from .motion import SOURCE_ONVIF

if TYPE_CHECKING:
    from .api import ParamGroup
    from .data import CgiCameraConfigEntry

# Factory passwords of this camera family; with them anyone on the network controls the camera.
FACTORY_PASSWORDS: Final[frozenset[str]] = frozenset({"", "admin", "123456", "888888"})

ISSUE_DEFAULT_PASSWORD: Final = "default_password"
ISSUE_ONVIF_DISABLED: Final = "onvif_disabled"
ISSUE_CLOCK: Final = "clock_wrong"
ISSUES: Final = (ISSUE_DEFAULT_PASSWORD, ISSUE_ONVIF_DISABLED, ISSUE_CLOCK)

TIME_KEY: Final = GroupKey("sys", "TimeInfo", None)
PROTOCOL_KEY: Final = GroupKey("net", "NetProtocolInfo", None)

# Two minutes (docs/wire-decisions.md "Repairs"): well above the error of the measurement (the reply's age, at most one
# request timeout, and the camera's whole-second clock), and well below what an owner notices on the picture's time
# stamp or in recording file names (minutes). A camera without NTP drifts a few seconds a day: weeks pass before it
# trips, so the issue does not flap.
CLOCK_TOLERANCE: Final = 120


def issue_id(kind: str, entry_id: str) -> str:
    """Return the repair issue id of `kind` for an entry."""
    return f"{kind}_{entry_id}"


def format_offset(minutes: int) -> str:
    """Return a UTC offset in minutes as `UTC+01:00`."""
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def local_offset() -> int:
    """Return Home Assistant's present UTC offset in minutes (daylight saving time included)."""
    offset = dt_util.now().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def document_zone(minutes: int) -> int | None:
    """Return `minutes` when the document's TimeZone list has it (the camera can show it), else None."""
    return minutes if TIME_ZONES.allows(minutes) else None


@dataclass(frozen=True, slots=True)
class ClockState:
    """How the camera's clock compares with Home Assistant's."""

    difference: int  # seconds, camera minus Home Assistant
    camera_zone: (
        int | None
    )  # the camera's UTC offset in minutes (TimeZone, plus an hour with DaylightEnable)
    wanted_zone: (
        int | None
    )  # Home Assistant's offset when the document lists it; otherwise the zone is not checked

    @property
    def time_wrong(self) -> bool:
        """Whether the camera's UTC clock is off by more than the tolerance."""
        return abs(self.difference) > CLOCK_TOLERANCE

    @property
    def zone_wrong(self) -> bool:
        """Whether the camera shows another UTC offset than Home Assistant's."""
        return (
            self.wanted_zone is not None
            and self.camera_zone is not None
            and self.camera_zone != self.wanted_zone
        )

    @property
    def wrong(self) -> bool:
        """Whether the time or the zone needs fixing."""
        return self.time_wrong or self.zone_wrong


def clock_state(info: TimeInfo, now: float) -> ClockState | None:
    """Compare the camera's TimeInfo, read at `now` (epoch seconds), with Home Assistant's clock and zone."""
    if info.camera_time is None:
        return None
    camera_zone = info.time_zone
    if camera_zone is not None and info.daylight_enable:
        # The document does not say how the camera applies daylight saving time: with it on, take the hour
        # as applied (a camera on the right standard zone and DaylightEnable shows the summer offset).
        camera_zone += 60
    return ClockState(
        difference=round(info.camera_time - now),
        camera_zone=camera_zone,
        wanted_zone=document_zone(local_offset()),
    )


@callback
def async_set_issue(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    kind: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Raise the entry's fixable repair issue `kind` with `placeholders`, or clear it (None)."""
    issue = issue_id(kind, entry.entry_id)
    if placeholders is None:
        ir.async_delete_issue(hass, DOMAIN, issue)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue,
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=kind,
        translation_placeholders=placeholders,
        data={"entry_id": entry.entry_id},
    )


@callback
def async_check_default_password(
    hass: HomeAssistant, entry: CgiCameraConfigEntry
) -> None:
    """Raise a fixable repair issue while the entry logs in with a factory password; clear it otherwise."""
    factory = entry.data[CONF_PASSWORD] in FACTORY_PASSWORDS
    async_set_issue(
        hass, entry, ISSUE_DEFAULT_PASSWORD, {"title": entry.title} if factory else None
    )


class CameraChecks:
    """Watch the coordinator's replies for ONVIF and the clock; raise or clear their repair issues."""

    def __init__(self, hass: HomeAssistant, entry: CgiCameraConfigEntry) -> None:
        """Bind to a set-up entry."""
        self.hass = hass
        self.entry = entry
        self._seen: dict[GroupKey, list[ParamGroup]] = {}

    @callback
    def async_start(self) -> None:
        """Register the groups with the coordinator and check every new reply (stopped at unload)."""
        entry = self.entry
        data = entry.runtime_data
        coordinator = data.coordinator
        for key in self.keys():
            unregister = coordinator.async_register_group(key)
            entry.async_on_unload(unregister)
            if key == PROTOCOL_KEY:
                entry.async_on_unload(
                    data.motion.async_on_ready(partial(self._drop_if_onvif, unregister))
                )
        entry.async_on_unload(coordinator.async_add_listener(self.async_update))

    @callback
    def _drop_if_onvif(self, unregister: CALLBACK_TYPE) -> None:
        """Stop reading NetProtocolInfo once live motion runs on ONVIF events: ONVIF is evidently on."""
        if self.entry.runtime_data.motion.kind == SOURCE_ONVIF:
            unregister()

    def keys(self) -> list[GroupKey]:
        """Return the groups the camera has that the checks need.

        NetProtocolInfo is dropped once live motion runs on ONVIF events (ONVIF is on; the slow poll saves the
        request); live motion starts in the background, so that is known only later.
        """
        data = self.entry.runtime_data
        wanted = [TIME_KEY, PROTOCOL_KEY]
        return [
            key
            for key in wanted
            if (caps := data.capabilities.get(key.area)) is not None
            and caps.has_group(key.group)
        ]

    def _fresh(self, key: GroupKey) -> ParamGroup | None:
        """Return the group's first block when a new reply arrived since the last check."""
        blocks = (self.entry.runtime_data.coordinator.data or {}).get(key)
        if not blocks or self._seen.get(key) is blocks:
            return None
        self._seen[key] = blocks
        return blocks[0]

    @callback
    def async_update(self) -> None:
        """Check the replies that are new."""
        if (protocols := self._fresh(PROTOCOL_KEY)) is not None:
            self._check_onvif(protocols)
        if (time_info := self._fresh(TIME_KEY)) is not None:
            # The reply has just arrived: its CameraTime is (within a request's time) the camera's clock now.
            state = clock_state(
                TimeInfo.from_group(time_info), dt_util.utcnow().timestamp()
            )
            if state is not None:
                self._check_clock(state)

    def _check_onvif(self, block: ParamGroup) -> None:
        off = block.get("ONVIF") == 0
        placeholders = {"title": self.entry.title} if off else None
        async_set_issue(self.hass, self.entry, ISSUE_ONVIF_DISABLED, placeholders)

    def _check_clock(self, state: ClockState) -> None:
        placeholders = (
            clock_placeholders(self.entry.title, state) if state.wrong else None
        )
        async_set_issue(self.hass, self.entry, ISSUE_CLOCK, placeholders)


def clock_placeholders(title: str, state: ClockState) -> dict[str, str]:
    """Return the clock issue's placeholders: the difference in whole minutes and both UTC offsets."""
    return {
        "title": title,
        "minutes": str(round(abs(state.difference) / 60)),
        "camera_zone": format_offset(state.camera_zone)
        if state.camera_zone is not None
        else "?",
        "ha_zone": format_offset(local_offset()),
    }


@callback
def async_setup_checks(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> None:
    """Check the password now, and ONVIF and the clock with every poll that reads them."""
    async_check_default_password(hass, entry)
    CameraChecks(hass, entry).async_start()


@callback
def async_remove_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Drop the entry's repair issues (the entry is being deleted)."""
    for kind in ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry_id))
