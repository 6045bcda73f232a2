"""`/cgi/getAlarmStatus`: the live motion state some firmware answers in plain text (field notes §1.14, §3.7).

Reply as the camera's web UI parses it: `OK getalarmstatus=<0|1>` and, on builds with motion areas,
`alarmArea=<a>&<b>&<c>&<d>` (one flag per motion area). Not confirmed on every firmware: a camera without it answers
404, an HTML page or nothing, all of which are errors here.

`AlarmStatusSource` polls it every `ALARM_STATUS_INTERVAL` seconds through the camera's client, so it takes its turn in
the per-camera request queue; each request gives up after `ALARM_STATUS_TIMEOUT` seconds, the wait for its turn
included, so a hung getAlarmStatus never holds the camera's single request slot longer than that.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import re
from typing import TYPE_CHECKING, Final

from .errors import CgiError, MalformedReply
from .live_motion import MotionSource, MotionSourceError, MotionUpdate

if TYPE_CHECKING:
    from collections.abc import Callable

    from .client import CgiCamera
    from .live_motion import Publish

__all__ = [
    "ALARM_STATUS_INTERVAL",
    "ALARM_STATUS_PATH",
    "ALARM_STATUS_TIMEOUT",
    "SOURCE_ALARM_STATUS",
    "AlarmStatus",
    "AlarmStatusSource",
]

ALARM_STATUS_PATH: Final = "/cgi/getAlarmStatus"
SOURCE_ALARM_STATUS: Final = "alarm_status"
# Seconds between polls (the camera's web UI polls every 2 s).
ALARM_STATUS_INTERVAL: Final = 1.0
# Seconds one poll may take, its wait for the camera's request slot included (a healthy reply takes milliseconds).
ALARM_STATUS_TIMEOUT: Final = 2.0
_STATE = re.compile(rb"getalarmstatus\s*=\s*([01])", re.IGNORECASE)
_AREAS = re.compile(rb"alarmArea\s*=\s*([01](?:\s*&\s*[01])*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AlarmStatus:
    """Whether the camera sees motion now, and in which of its motion areas (empty when it does not say)."""

    motion: bool
    areas: tuple[bool, ...] = ()

    @classmethod
    def parse(cls, body: bytes) -> AlarmStatus:
        """Parse a reply; MalformedReply when it carries no `getalarmstatus=` flag."""
        if (state := _STATE.search(body)) is None:
            raise MalformedReply("no getalarmstatus flag", area="getAlarmStatus")
        areas: tuple[bool, ...] = ()
        if (found := _AREAS.search(body)) is not None:
            areas = tuple(flag.strip() == b"1" for flag in found[1].split(b"&"))
        return cls(motion=state[1] == b"1", areas=areas)

    def update(self, channel: int) -> MotionUpdate:
        """Return this status as the motion of `channel` (the camera reports one device-wide state)."""
        return MotionUpdate(channel, self.motion, self.areas or None)


class AlarmStatusSource(MotionSource):
    """Polls `/cgi/getAlarmStatus` (one device-wide state, plus one flag per motion area)."""

    kind = SOURCE_ALARM_STATUS
    reports_areas = True

    def __init__(
        self,
        client: CgiCamera,
        channels: tuple[int, ...],
        interval: float = ALARM_STATUS_INTERVAL,
    ) -> None:
        """Poll through `client` every `interval` seconds; the state belongs to the first channel."""
        super().__init__(channels[:1])
        self.client = client
        self.interval = interval

    async def async_read(self) -> AlarmStatus:
        """Read the status once; MotionSourceError when the camera does not give it."""
        try:
            return await self.client.alarm_status(time_limit=ALARM_STATUS_TIMEOUT)
        except CgiError as err:
            raise MotionSourceError(
                str(err), unexpected=isinstance(err, MalformedReply)
            ) from err

    async def async_run(
        self,
        publish: Publish,
        connected: Callable[[], None],
        disconnected: Callable[[], None],
    ) -> None:
        """Poll until cancelled (nothing to clean up after a failure, so `disconnected` is not needed)."""
        while True:
            status = await self.async_read()
            connected()
            publish(status.update(self.channels[0]))
            await asyncio.sleep(self.interval)
