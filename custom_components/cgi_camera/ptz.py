"""PTZ control that always ends in Stop.

These cameras keep moving (and zooming, focusing, opening the iris) until they receive `Stop=0`. Every timed motion
therefore runs in one task per channel whose `finally` sends Stop: when its duration ends, when a newer command
replaces it, when the caller is cancelled, when the move request itself fails, and when the entry unloads.

A command and its Stop share one deadline: one request timeout from the command, plus the duration once the command
went through. The caller gets its answer by then; a Stop the camera has not answered by then goes on in the
background (tracked, awaited at unload) and is logged if it fails.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Any, Final, Literal

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .api import CameraTimeout, CgiError, NotFound, PtzDirection
from .api.wire import GroupKey
from .const import (
    CONF_PTZ_WATCHDOG,
    DEFAULT_PTZ_SPEED,
    DEFAULT_PTZ_STEP,
    DEFAULT_PTZ_WATCHDOG,
    DOMAIN,
    LOGGER,
)
from .errors import camera_errors, translated_error

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .api import CgiCamera
    from .data import CgiCameraConfigEntry

SPEED_RANGE: Final = (1, 8)  # PanSpeed/TiltSpeed per the spec

# Pattern/AutoPan action values per the spec: 0 start position, 1 end position, 2 run.
PROGRAM_ACTIONS: Final[dict[str, int]] = {"set_start": 0, "set_end": 1, "run": 2}

# The request that sets up or runs each program: (client, channel, number, action) → request.
PROGRAM_REQUESTS: Final[
    dict[str, Callable[[CgiCamera, int, int | None, str], Awaitable[Any]]]
] = {
    "autoscan": lambda client, channel, number, action: client.ptz_autoscan(channel),
    "pattern": lambda client, channel, number, action: client.ptz_pattern(
        channel, number, PROGRAM_ACTIONS[action]
    ),
    "auto_pan": lambda client, channel, number, action: client.ptz_autopan(
        channel, number, PROGRAM_ACTIONS[action]
    ),
    "tour": lambda client, channel, number, action: client.tour(
        channel, number or 1, action == "run"
    ),
}

# Service/entity direction names → the camera's Direction codes (wire-decisions: 5 up-left, 6 down-left,
# 7 up-right, 8 down-right).
DIRECTIONS: Final[tuple[str, ...]] = (
    "up",
    "down",
    "left",
    "right",
    "up_left",
    "up_right",
    "down_left",
    "down_right",
)


def ptz_direction(name: str) -> PtzDirection:
    """Return the client's direction for a service/entity direction name such as `up_left`."""
    return PtzDirection[name.upper()]


def ptz_state_key(channel: int) -> GroupKey:
    """Return the group that reports PTZ movement and position."""
    return GroupKey("ptz", "PTZCtrlInfo", channel)


# The first recall of a preset checks that the camera moved (docs/wire-decisions.md "Preset recall"): pictures this
# many seconds apart after the documented call, then the web page's call if none differed from the one before.
PRESET_CHECK_DELAYS: tuple[float, ...] = (1.0, 2.0, 3.0)
# Two pictures show a move when this share of their 32x18 grey thumbnails changed by more than PIXEL_CHANGE levels:
# a time stamp's digits change a few thumbnail pixels a little, a move most of them.
PICTURE_CHANGE_SHARE: Final = 0.04
PIXEL_CHANGE: Final = 32

type PresetMechanism = Literal["cgi", "form"]


def pictures_differ(before: bytes, after: bytes) -> bool:
    """Return True when two JPEGs show different scenes (not just another time stamp); False if either is unreadable."""
    # Imported here: only a first recall needs it.
    from PIL import Image, ImageChops, UnidentifiedImageError

    try:
        thumbs = [
            Image.open(io.BytesIO(jpeg)).convert("L").resize((32, 18))
            for jpeg in (before, after)
        ]
    except (UnidentifiedImageError, OSError):
        return False
    changed = ImageChops.difference(*thumbs).point(
        lambda v: 255 if v > PIXEL_CHANGE else 0
    )
    histogram = changed.histogram()
    return histogram[255] / (32 * 18) > PICTURE_CHANGE_SHARE


def preset_names_key(channel: int) -> GroupKey:
    """Return the group that lists the saved presets."""
    return GroupKey("ptz", "PresetNameInfo", channel)


class PtzController:
    """Serialize PTZ commands of one channel and guarantee that every motion ends in Stop."""

    def __init__(
        self, hass: HomeAssistant, entry: CgiCameraConfigEntry, channel: int
    ) -> None:
        """Initialize the controller of `channel`."""
        self.hass = hass
        self.entry = entry
        self.channel = channel
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        # Stop requests still in flight after their motion was cancelled twice (e.g. at shutdown).
        self._pending_stops: set[asyncio.Task[None]] = set()
        # Owned by the PTZ number entities, which restore them across restarts (the camera does not store them).
        self.speed = DEFAULT_PTZ_SPEED
        self.step_duration = DEFAULT_PTZ_STEP
        # The preset last recalled through Home Assistant; cleared once anything moves the camera.
        self.last_preset: int | None = None
        # Which recall moves this camera: the document's, or (DM523HS) the web page's; None until the first recall.
        self.preset_mechanism: PresetMechanism | None = None
        # Counts the commands sent: a preset check gives up when another command moved the camera meanwhile.
        self._commands = 0
        self._listeners: list[Callable[[], None]] = []

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when the recalled preset or the preset list changes."""
        self._listeners.append(listener)

        @callback
        def _remove() -> None:
            self._listeners.remove(listener)

        return _remove

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    @callback
    def async_clear_preset(self) -> None:
        """Forget the recalled preset (the camera moved)."""
        if self.last_preset is not None:
            self.last_preset = None
            self._notify()

    @property
    def moving(self) -> bool:
        """Return True while a motion started by Home Assistant is running."""
        return self._task is not None and not self._task.done()

    @property
    def watchdog(self) -> float:
        """Return the seconds after which an unreleased `start` is stopped."""
        return float(self.entry.options.get(CONF_PTZ_WATCHDOG, DEFAULT_PTZ_WATCHDOG))

    # -- timed and held motions ------------------------------------------------------------------------------

    async def move(
        self, direction: PtzDirection, pan_speed: int, tilt_speed: int, duration: float
    ) -> None:
        """Move for `duration` seconds, then stop; returns once stopped (or replaced by a newer command)."""
        client = self.entry.runtime_data.client
        await self._timed(
            "move",
            lambda: client.ptz_move(self.channel, direction, pan_speed, tilt_speed),
            duration,
            wait=True,
        )

    async def start(
        self, direction: PtzDirection, pan_speed: int, tilt_speed: int
    ) -> None:
        """Start moving until `stop()`; the watchdog stops the camera if no stop arrives in time."""
        client = self.entry.runtime_data.client
        await self._timed(
            "move",
            lambda: client.ptz_move(self.channel, direction, pan_speed, tilt_speed),
            self.watchdog,
            wait=False,
        )

    async def step(self, direction: PtzDirection) -> None:
        """Move one step (the step duration at the PTZ speed), as a direction button does."""
        await self.move(direction, self.speed, self.speed, self.step_duration)

    async def zoom_step(self, zoom_in: bool) -> None:
        """Zoom for one step duration."""
        await self.zoom(zoom_in, self.step_duration)

    async def zoom(self, zoom_in: bool, duration: float) -> None:
        """Zoom in or out for `duration` seconds, then stop."""
        client = self.entry.runtime_data.client
        await self._timed(
            "zoom", lambda: client.ptz_zoom(self.channel, zoom_in), duration, wait=True
        )

    async def focus(self, near: bool, duration: float) -> None:
        """Focus near or far for `duration` seconds, then stop."""
        client = self.entry.runtime_data.client
        await self._timed(
            "focus", lambda: client.ptz_focus(self.channel, near), duration, wait=True
        )

    async def iris(self, open_: bool, duration: float) -> None:
        """Open or close the iris for `duration` seconds, then stop."""
        client = self.entry.runtime_data.client
        await self._timed(
            "iris", lambda: client.ptz_iris(self.channel, open_), duration, wait=True
        )

    async def stop(self) -> None:
        """Stop whatever the camera does: a running motion, or the camera's own scan/tour/pattern."""
        async with self._lock:
            self._commands += 1
            if await self._cancel_active():
                return  # the cancelled motion sent Stop
            with camera_errors(self.entry.title):
                await self.entry.runtime_data.client.ptz_stop(self.channel)

    async def command(
        self, operation: str, request: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Run a one-shot command (preset, scan, position...) after stopping any motion of ours."""
        async with self._lock:
            self._commands += 1
            await self._cancel_active()
            with camera_errors(self.entry.title):
                return await request()

    # -- one-shot commands -----------------------------------------------------------------------------------

    async def goto_preset(self, number: int) -> None:
        """Recall preset `number`, the first time checking that the camera moves (else using the web page's call)."""
        client = self.entry.runtime_data.client
        if self.preset_mechanism == "form":
            await self.command("goto preset", lambda: client.form_preset(number))
        else:
            # The web page's call has no channel: only channel 1 can use it, so only channel 1 is checked.
            before = None
            if self.preset_mechanism is None and self.channel == 1:
                before = await self._async_picture()
            await self.command(
                "goto preset", lambda: client.preset_call(self.channel, number)
            )
            if before is not None:
                self.entry.async_create_background_task(
                    self.hass,
                    self._async_check_preset(number, before, self._commands),
                    f"{DOMAIN} preset check channel {self.channel}",
                )
        self.last_preset = number
        self._notify()

    async def _async_picture(self) -> bytes | None:
        try:
            return await self.entry.runtime_data.client.snapshot(self.channel)
        except CgiError as err:
            LOGGER.debug(
                "%s: no picture for the preset check: %s", self.entry.title, err
            )
            return None

    async def _async_check_preset(
        self, number: int, before: bytes, commands: int
    ) -> None:
        """After the first documented recall: keep it if the picture changes, else try the web page's call."""
        for delay in PRESET_CHECK_DELAYS:
            await asyncio.sleep(delay)
            if self._commands != commands:
                return  # something else moved the camera: no conclusion, the next recall checks again
            if (after := await self._async_picture()) is None:
                return
            if await self.hass.async_add_executor_job(pictures_differ, before, after):
                self.preset_mechanism = "cgi"
                return
        if self._commands != commands:
            return
        client = self.entry.runtime_data.client
        try:
            async with self._lock:
                self._commands += 1
                moved = await client.form_preset(number)
        except NotFound:
            # No web page call either (or the camera was at the preset already): the documented call stays.
            self.preset_mechanism = "cgi"
            return
        except CgiError as err:
            LOGGER.debug(
                "%s: the web page's preset call failed: %s", self.entry.title, err
            )
            return
        if moved:
            self.preset_mechanism = "form"
            LOGGER.info(
                "%s: the camera ignores the documented preset recall; presets are recalled the way its web page does",
                self.entry.title,
            )
        else:
            self.preset_mechanism = "cgi"

    async def save_preset(self, number: int, title: str | None = None) -> None:
        """Save the current position as preset `number`, then re-read the preset names.

        Where the recall is the web page's call, the save is sent that way too (the documented one keeps the title
        in the preset list).
        """
        client = self.entry.runtime_data.client

        async def save() -> None:
            await client.preset_save(self.channel, number, title)
            if self.preset_mechanism == "form":
                await client.form_preset(number, save=True)

        await self.command("save preset", save)
        await self.async_refresh_presets()

    async def rename_preset(self, number: int, title: str) -> None:
        """Rename preset `number` without moving it, then re-read the preset names."""
        client = self.entry.runtime_data.client
        await self.command(
            "rename preset",
            lambda: client.set(
                "ptz",
                "PresetNameInfo",
                self.channel,
                {"PresetNumber": number, "PresetTitle": title},
            ),
        )
        await self.async_refresh_presets()

    async def position(
        self,
        pan: int | None,
        tilt: int | None,
        zoom: int | None,
        *,
        relative: bool = False,
    ) -> None:
        """Go to a position in spec units (pan/tilt hundredths of a degree, zoom 0..65535)."""
        client = self.entry.runtime_data.client
        await self.command(
            "position",
            lambda: client.ptz_position(
                self.channel, pan, tilt, zoom, relative=relative
            ),
        )
        self.async_clear_preset()

    async def run_program(self, program: str, number: int | None, action: str) -> None:
        """Autoscan, or set up/run/stop a pattern, auto-pan or tour (the camera runs these until Stop)."""
        if action == "stop" and program != "tour":
            await self.stop()
            return
        request = PROGRAM_REQUESTS[program]
        client = self.entry.runtime_data.client
        await self.command(
            program, lambda: request(client, self.channel, number, action)
        )
        self.async_clear_preset()

    async def async_refresh_presets(self) -> None:
        """Re-read the preset names now so the preset select shows a change without waiting for a poll."""
        key = preset_names_key(self.channel)
        await self.entry.runtime_data.coordinator.async_refresh_group(key)
        self._notify()

    async def async_shutdown(self) -> None:
        """Stop a running motion (entry unload)."""
        async with self._lock:
            await self._cancel_active()
        if self._pending_stops:
            await asyncio.wait(self._pending_stops, timeout=5)

    # -- internals -------------------------------------------------------------------------------------------

    @staticmethod
    def stop_wait(deadline: float, now: float, duration: float | None) -> float:
        """Return how long the caller still waits for a Stop.

        That is what the command left of its deadline, plus the motion's duration once the command went through
        (`duration` None: it failed).
        """
        return max(0.0, deadline + (duration or 0.0) - now)

    async def _timed(
        self,
        operation: str,
        begin: Callable[[], Awaitable[Any]],
        duration: float,
        *,
        wait: bool,
    ) -> None:
        """Replace the running motion with a new one; follow it until started (`wait`: until stopped)."""
        loop = self.hass.loop
        async with self._lock:
            self._commands += 1
            await self._cancel_active()
            self.async_clear_preset()
            deadline = loop.time() + self.entry.runtime_data.client.timeout
            started: asyncio.Future[None] = loop.create_future()
            task = self.entry.async_create_background_task(
                self.hass,
                self._motion(operation, begin, duration, started),
                f"{DOMAIN} PTZ {operation} channel {self.channel}",
                eager_start=False,
            )
            self._task = task
        try:
            await self._follow(task, started)
        except Exception:
            # The command failed; wait for the Stop sent in its place, until the deadline.
            await asyncio.wait(
                [task], timeout=self.stop_wait(deadline, loop.time(), None)
            )
            raise
        if wait:
            try:
                async with asyncio.timeout(
                    self.stop_wait(deadline, loop.time(), duration)
                ):
                    await self._follow(task, task)
            except TimeoutError:
                # The Stop goes on in the background (self._pending_stops) and is logged if it fails.
                raise translated_error(
                    CameraTimeout("timed out", area="ptz"), "PTZ stop"
                ) from None

    async def _motion(
        self,
        operation: str,
        begin: Callable[[], Awaitable[Any]],
        duration: float,
        started: asyncio.Future[None],
    ) -> None:
        """Send the command, wait, and send Stop whatever happens."""
        try:
            try:
                await begin()
            except Exception as err:  # noqa: BLE001 - whatever failed, Stop goes out in `finally`
                started.set_exception(
                    translated_error(err, self.entry.title)
                    if isinstance(err, CgiError)
                    else err
                )
                return
            started.set_result(None)
            await asyncio.sleep(duration)
        finally:
            if not started.done():
                started.cancel()
            await self._send_stop(operation)

    async def _send_stop(self, operation: str) -> None:
        """Send Stop; shielded so a second cancellation cannot abort it, failures only logged."""
        stop = self.entry.async_create_task(
            self.hass,
            self._stop_logged(operation),
            f"{DOMAIN} PTZ stop channel {self.channel}",
            eager_start=False,
        )
        self._pending_stops.add(stop)
        stop.add_done_callback(self._pending_stops.discard)
        await asyncio.shield(stop)

    async def _stop_logged(self, operation: str) -> None:
        try:
            await self.entry.runtime_data.client.ptz_stop(self.channel)
        except Exception as err:  # noqa: BLE001 - nothing more to do than tell the user
            LOGGER.warning(
                "%s channel %s: Stop after PTZ %s failed, the camera may still be moving: %s",
                self.entry.title,
                self.channel,
                operation,
                err,
            )

    async def _cancel_active(self) -> bool:
        """Cancel the running motion and wait until it has sent Stop; return True if there was one."""
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()
        await asyncio.wait([task])
        return True

    async def _follow(
        self, task: asyncio.Task[None], until: asyncio.Future[None]
    ) -> None:
        """Wait for `until`; cancel `task` (so it stops) if the caller is cancelled.

        A motion replaced by a newer command returns quietly: the newer caller owns the camera now.
        """
        try:
            await asyncio.shield(until)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                task.cancel()
                await asyncio.wait([task])
                if until.done() and not until.cancelled():
                    until.exception()  # retrieved, so asyncio does not log it
                raise
            # Superseded by a newer command.


def get_controller(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, channel: int
) -> PtzController:
    """Return the PTZ controller of `channel` (built at setup, stopped on unload)."""
    return entry.runtime_data.ptz[channel]


def has_ptz(entry: CgiCameraConfigEntry) -> bool:
    """Return True when the camera has PTZ control (controllers are built only then)."""
    return bool(entry.runtime_data.ptz)
