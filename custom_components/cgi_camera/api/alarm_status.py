"""`/cgi/getAlarmStatus`: the live motion state some firmware answers in plain text (field notes §1.14, §3.7).

Reply as the camera's web UI parses it: `OK getalarmstatus=<0|1>` and, on builds with motion areas,
`alarmArea=<a>&<b>&<c>&<d>` (one flag per motion area). Not confirmed on every firmware: a camera without it answers
404, an HTML page or nothing, all of which are errors here.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Final

from .errors import MalformedReply

__all__ = ["ALARM_STATUS_PATH", "AlarmStatus"]

ALARM_STATUS_PATH: Final = "/cgi/getAlarmStatus"
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
