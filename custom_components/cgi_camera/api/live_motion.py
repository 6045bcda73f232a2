"""Live motion sources: what each reports and how it fails (no Home Assistant imports).

A source (`alarm_status.AlarmStatusSource`, `onvif_events.OnvifSource`) runs until cancelled, publishing
`MotionUpdate`s and calling `connected` once the camera answers; it raises `MotionSourceError` when it stops working
(after calling `disconnected`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MotionSource", "MotionSourceError", "MotionUpdate", "Publish"]


class MotionSourceError(Exception):
    """A motion source stopped working; the message says why in plain words and never carries credentials.

    `unexpected` marks a reply the source could not make sense of (worth a warning), as opposed to a camera that
    did not answer (an outage, which the camera's other entities show too).
    """

    def __init__(self, reason: str, *, unexpected: bool = False) -> None:
        """Remember why."""
        super().__init__(reason)
        self.unexpected = unexpected


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

    async def async_release(self) -> None:
        """Free what a probe kept for the first run, when that run will not come (nothing by default)."""

    @abstractmethod
    async def async_run(
        self,
        publish: Publish,
        connected: Callable[[], None],
        disconnected: Callable[[], None],
    ) -> None:
        """Report motion through `publish` until cancelled.

        `connected` once the camera answers; `disconnected` as soon as it has failed (before cleaning up, which may
        take a while on a silent camera).
        """
