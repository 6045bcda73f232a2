"""Share one upstream MJPEG connection of a camera channel among every viewer.

The camera serves at most two stream sessions, so the integration never opens more than one per channel: the
first viewer starts the upstream, every frame goes to each viewer's single-frame slot (a slow viewer skips frames
instead of buffering them), and the upstream closes when the last viewer leaves. When the upstream ends or fails,
every viewer gets the end of the stream; the next viewer starts a new upstream.

The hub also shares the channel's snapshots (`still`): the live stream's newest frame while it runs, else one camera
request for every caller that asks while it is under way, and that image for as long as a caller accepts its age.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine

    # Starts the upstream's task: the integration passes its config entry's, so an unload ends it.
    type TaskStarter = Callable[[Coroutine[None, None, None], str], asyncio.Task[None]]

_LOGGER = logging.getLogger(__name__)

# Seconds without a frame before the upstream counts as stalled and is closed (noticed within 1.5 times as long).
DEFAULT_FRAME_TIMEOUT = 20.0
# Seconds a snapshot is kept for callers that accept one that old: less than the 10 s in which Home Assistant's
# frontend refreshes a camera picture, so one viewer gets a new image at each refresh, and any number of viewers share
# one camera request per refresh.
STILL_KEEP = 9.5


class MjpegViewer:
    """One viewer's view of the shared stream: only the newest frame is kept."""

    __slots__ = ("_ended", "_frame", "_waiter")

    def __init__(self) -> None:
        """Initialize an empty slot."""
        self._frame: bytes | None = None
        self._ended = False
        # The future next_frame waits on (a bare future: an Event costs a coroutine and a deque per frame).
        self._waiter: asyncio.Future[None] | None = None

    def _wake(self) -> None:
        if (waiter := self._waiter) is not None and not waiter.done():
            waiter.set_result(None)

    def put(self, frame: bytes) -> None:
        """Replace the pending frame (an unread older frame is dropped)."""
        self._frame = frame
        self._wake()

    def end(self) -> None:
        """Mark the stream as ended; pending frames are still delivered first."""
        self._ended = True
        self._wake()

    async def next_frame(self) -> bytes | None:
        """Return the newest frame not yet returned, or None at the end of the stream."""
        while True:
            if (frame := self._frame) is not None:
                self._frame = None
                return frame
            if self._ended:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None


def _asyncio_task(coro: Coroutine[None, None, None], name: str) -> asyncio.Task[None]:
    return asyncio.create_task(coro, name=name)


class MjpegHub:
    """Fan out one upstream MJPEG connection to any number of viewers."""

    def __init__(
        self,
        open_upstream: Callable[[], AsyncIterator[bytes]],
        name: str,
        *,
        frame_timeout: float = DEFAULT_FRAME_TIMEOUT,
        start_task: TaskStarter | None = None,
    ) -> None:
        """Initialize the hub; `open_upstream` opens one upstream connection per call."""
        self._open_upstream = open_upstream
        self._start_task = start_task or _asyncio_task
        self._name = name
        self._frame_timeout = frame_timeout
        self._viewers: set[MjpegViewer] = set()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        # True from the start of an upstream until its viewers were told it ended (before it finishes closing).
        self._live = False
        self.upstreams_opened = 0
        self._latest: bytes | None = None
        self._latest_at = 0.0
        # The last snapshot, when its request was sent (loop time), the request under way, the timer that drops it.
        self._still: bytes | None = None
        self._still_at = 0.0
        self._still_task: asyncio.Task[bytes] | None = None
        self._still_drop: asyncio.TimerHandle | None = None
        self.stills_fetched = 0

    @property
    def viewer_count(self) -> int:
        """Return the number of connected viewers."""
        return len(self._viewers)

    @property
    def running(self) -> bool:
        """Return True while an upstream connection is open (or opening)."""
        return self._live

    def latest_frame(self, max_age: float) -> bytes | None:
        """Return the newest frame of the running upstream if it is at most `max_age` seconds old."""
        if not self._live or self._latest is None:
            return None
        if asyncio.get_running_loop().time() - self._latest_at > max_age:
            return None
        return self._latest

    async def still(
        self,
        fetch: Callable[[], Awaitable[bytes]],
        *,
        live_max_age: float,
        max_age: float,
    ) -> bytes:
        """Return an image of the channel for a snapshot, asking the camera only when nothing recent enough exists.

        In order: the running stream's newest frame if at most `live_max_age` seconds old; the last snapshot if its
        request was sent less than `max_age` seconds ago (0: never; it is kept at most STILL_KEEP seconds); the request under way, whoever started it (an
        image at most as old as this call); else a new request with `fetch`. A caller that gives up (cancelled)
        does not cancel the request the others wait for. A failed request raises the same error to each of them.
        """
        if (frame := self.latest_frame(live_max_age)) is not None:
            # Someone is watching the MJPEG stream: its newest frame saves the camera a request.
            return frame
        loop = asyncio.get_running_loop()
        if self._still is not None and loop.time() - self._still_at < max_age:
            return self._still
        if (task := self._still_task) is None:
            task = self._still_task = loop.create_task(
                self._fetch_still(fetch),
                name=f"cgi_camera snapshot {self._name}",
            )
        return await asyncio.shield(task)

    async def _fetch_still(self, fetch: Callable[[], Awaitable[bytes]]) -> bytes:
        loop = asyncio.get_running_loop()
        sent = loop.time()
        self.stills_fetched += 1
        try:
            image = await fetch()
        finally:
            self._still_task = None
        self._drop_still()
        # Kept only while a caller could still accept it (a real camera's frame is a few hundred kB).
        self._still, self._still_at = image, sent
        self._still_drop = loop.call_at(sent + STILL_KEEP, self._drop_still)
        return image

    def _drop_still(self) -> None:
        self._still = None
        if (handle := self._still_drop) is not None:
            handle.cancel()
            self._still_drop = None

    @contextlib.asynccontextmanager
    async def viewer(self) -> AsyncIterator[MjpegViewer]:
        """Join the stream for the duration of the context."""
        viewer = MjpegViewer()
        await self._join(viewer)
        try:
            yield viewer
        finally:
            self._leave(viewer)

    async def _join(self, viewer: MjpegViewer) -> None:
        async with self._lock:
            if self._closed:
                viewer.end()
                return
            if not self._live:
                if (old := self._task) is not None and not old.done():
                    # The previous upstream may still be closing: wait so two never overlap.
                    with contextlib.suppress(asyncio.CancelledError):
                        await old
                self._live = True
                self._task = self._start_task(
                    self._pump(), f"cgi_camera mjpeg {self._name}"
                )
            self._viewers.add(viewer)

    def _leave(self, viewer: MjpegViewer) -> None:
        self._viewers.discard(viewer)
        if not self._viewers and self._live and self._task is not None:
            _LOGGER.debug(
                "%s: last viewer left, closing the MJPEG upstream", self._name
            )
            self._live = False
            self._task.cancel()

    async def _pump(self) -> None:
        """Read the upstream and hand each frame to every viewer."""
        self.upstreams_opened += 1
        _LOGGER.debug("%s: opening the MJPEG upstream", self._name)
        frames = self._open_upstream()
        loop = asyncio.get_running_loop()
        timeout = self._frame_timeout
        try:
            # One deadline for the whole upstream instead of a timer per frame: a frame moves it on only once it is
            # less than the timeout away, to 1.5 timeouts; a stall is noticed 1 to 1.5 timeouts after the last frame.
            async with asyncio.timeout_at(loop.time() + timeout) as deadline:
                while True:
                    frame = await anext(frames)
                    self._latest = frame
                    self._latest_at = now = loop.time()
                    if (deadline.when() or now) - now < timeout:
                        deadline.reschedule(now + 1.5 * timeout)
                    for viewer in tuple(self._viewers):
                        viewer.put(frame)
        except StopAsyncIteration:
            _LOGGER.debug("%s: the MJPEG upstream ended", self._name)
        except TimeoutError:
            _LOGGER.debug("%s: the MJPEG upstream stalled", self._name)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - any upstream failure just ends the stream
            _LOGGER.debug(
                "%s: the MJPEG upstream failed: %s", self._name, type(err).__name__
            )
        finally:
            # Viewers of this upstream see the end of stream; from now on a join starts a new upstream (which
            # waits for this one to finish closing).
            self._live = False
            self._latest = None
            for viewer in tuple(self._viewers):
                viewer.end()
            self._viewers.clear()
            if (aclose := getattr(frames, "aclose", None)) is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def close(self) -> None:
        """End every viewer and close the upstream (on unload)."""
        async with self._lock:
            self._closed = True
            self._live = False
            for viewer in tuple(self._viewers):
                viewer.end()
            self._viewers.clear()
            self._drop_still()
            if (still := self._still_task) is not None:
                still.cancel()
            if (task := self._task) is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
