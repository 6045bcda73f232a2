"""Camera platform: one entity per video stream (main, sub) of each channel."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from homeassistant.components.camera import Camera, CameraEntityDescription
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import CgiError
from .compat import CameraEntityFeature
from .const import CONF_DEFAULT_STREAM, LOGGER, MANUFACTURER, STREAM_MAIN, STREAM_SUB
from .coordinator import CgiCoordinator
from .entity import device_info
from .mjpeg import MjpegHub, MjpegViewer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry

PARALLEL_UPDATES = 0

# Key of the per-channel MJPEG hubs in the entry's runtime data `extra`.
HUBS_KEY = "mjpeg_hubs"
BOUNDARY = "frameboundary"
# Seconds an MJPEG frame may be old to stand in for a snapshot.
LIVE_FRAME_MAX_AGE = 2.0


@dataclass(frozen=True, kw_only=True)
class CgiCameraEntityDescription(CameraEntityDescription):
    """A video stream of the camera."""

    stream: str  # STREAM_MAIN or STREAM_SUB
    rtsp_path: str


CAMERAS: tuple[CgiCameraEntityDescription, ...] = (
    CgiCameraEntityDescription(
        key="main_stream",
        translation_key="main_stream",
        stream=STREAM_MAIN,
        rtsp_path="h264major",
    ),
    CgiCameraEntityDescription(
        key="sub_stream",
        translation_key="sub_stream",
        stream=STREAM_SUB,
        rtsp_path="h264minor",
    ),
)


def _hubs(entry: CgiCameraConfigEntry) -> dict[int, MjpegHub]:
    hubs: dict[int, MjpegHub] = entry.runtime_data.extra.setdefault(HUBS_KEY, {})
    return hubs


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one camera entity per stream and channel, sharing one MJPEG hub per channel."""
    data = entry.runtime_data
    hubs = _hubs(entry)
    for channel in data.channels:
        if channel not in hubs:
            hub = MjpegHub(
                _upstream_opener(entry, channel), f"{entry.title} channel {channel}"
            )
            hubs[channel] = hub
            entry.async_on_unload(hub.close)
    async_add_entities(
        CgiCameraEntity(entry, description, channel)
        for channel in data.channels
        for description in CAMERAS
    )


def _upstream_opener(
    entry: CgiCameraConfigEntry, channel: int
) -> Callable[[], AsyncIterator[bytes]]:
    """Return a function that opens one upstream MJPEG connection of `channel`."""
    client = entry.runtime_data.client
    return partial(client.mjpeg_frames, channel)


class CgiCameraEntity(CoordinatorEntity[CgiCoordinator], Camera):
    """A video stream of one channel: RTSP for live view, snapshots and a shared MJPEG proxy for stills."""

    _attr_has_entity_name = True
    _attr_supported_features = CameraEntityFeature.STREAM
    _attr_brand = MANUFACTURER
    entity_description: CgiCameraEntityDescription

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: CgiCameraEntityDescription,
        channel: int,
    ) -> None:
        """Initialize the stream entity; availability follows the slow coordinator (no group is polled)."""
        data = entry.runtime_data
        CoordinatorEntity.__init__(self, data.coordinators.slow)
        Camera.__init__(self)
        self.entry = entry
        self.channel = channel
        self.entity_description = description
        self._hub = _hubs(entry)[channel]
        self._attr_unique_id = f"{entry.unique_id}_{channel}_{description.key}"
        self._attr_device_info = device_info(entry, channel)
        self._attr_model = data.device.device_id
        self._attr_entity_registry_enabled_default = (
            description.stream == entry.options.get(CONF_DEFAULT_STREAM, STREAM_MAIN)
        )
        self._snapshot_error_logged = False

    @property
    def available(self) -> bool:
        """Return True while the camera answers polls and any RTSP stream worker is healthy."""
        if (stream := self.stream) is not None and not stream.available:
            return False
        return super().available

    async def stream_source(self) -> str:
        """Return the RTSP URL of this stream (contains credentials: never log it)."""
        # From the entry: the client keeps its password private.
        host = self.entry.data[CONF_HOST]
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # IPv6 literal
        user = quote(self.entry.data[CONF_USERNAME], safe="")
        password = quote(self.entry.data[CONF_PASSWORD], safe="")
        return (
            f"rtsp://{user}:{password}@{host}:{self.entry.runtime_data.rtsp_port}/"
            f"{self.channel}/{self.entity_description.rtsp_path}"
        )

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """Return a JPEG snapshot of the channel (the camera cannot scale it)."""
        if (frame := self._hub.latest_frame(LIVE_FRAME_MAX_AGE)) is not None:
            # Someone is watching the MJPEG stream: its newest frame saves the camera a request.
            return frame
        try:
            image = await self.entry.runtime_data.client.snapshot(self.channel)
        except CgiError as err:
            # The error carries no credentials; log it once per failure streak.
            if not self._snapshot_error_logged:
                LOGGER.warning(
                    "%s: no snapshot from the camera: %s", self.entity_id, err
                )
                self._snapshot_error_logged = True
            return None
        if self._snapshot_error_logged:
            LOGGER.info("%s: snapshots work again", self.entity_id)
            self._snapshot_error_logged = False
        return image

    async def handle_async_mjpeg_stream(
        self, request: web.Request
    ) -> web.StreamResponse | None:
        """Proxy the camera's MJPEG stream, shared with every other viewer of this channel."""
        async with self._hub.viewer() as viewer:
            if (first := await viewer.next_frame()) is not None:
                return await self._async_serve_stream(request, viewer, first)
        # No MJPEG from the camera (both stream sessions taken, feature off, offline): serve snapshots instead.
        LOGGER.debug("%s: MJPEG stream unavailable, serving snapshots", self.entity_id)
        return await self.handle_async_still_stream(request, self.frame_interval)

    async def _async_serve_stream(
        self, request: web.Request, viewer: MjpegViewer, first: bytes
    ) -> web.StreamResponse:
        """Write frames as a standard multipart stream until the upstream or the viewer ends."""
        response = web.StreamResponse()
        response.content_type = f"multipart/x-mixed-replace;boundary={BOUNDARY}"
        await response.prepare(request)
        try:
            # Browsers show frame n-1 of multipart streams, so the first frame is sent twice.
            await response.write(_part(first))
            await response.write(_part(first))
            while (frame := await viewer.next_frame()) is not None:
                await response.write(_part(frame))
        except ConnectionResetError:
            LOGGER.debug("%s: MJPEG viewer went away", self.entity_id)
        return response


def _part(frame: bytes) -> bytes:
    """Return one part of the multipart stream."""
    return (
        f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(frame)}\r\n\r\n".encode()
        + frame
        + b"\r\n"
    )
