"""Camera platform: one entity per video stream (main, sub) of each channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from homeassistant.components.camera import Camera, CameraEntityDescription
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME

from .api import CgiError
from .compat import CameraEntityFeature
from .const import CONF_DEFAULT_STREAM, LOGGER, MANUFACTURER, STREAM_MAIN, STREAM_SUB
from .entity import CgiBaseEntity
from .mjpeg import STILL_KEEP

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry
    from .mjpeg import MjpegViewer

PARALLEL_UPDATES = 0

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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one camera entity per stream and channel; the channel's streams share its MJPEG hub."""
    async_add_entities(
        CgiCameraEntity(entry, description, channel)
        for channel in entry.runtime_data.channels
        for description in CAMERAS
    )


class CgiCameraEntity(CgiBaseEntity, Camera):
    """A video stream of one channel: RTSP for live view, snapshots and a shared MJPEG proxy for stills."""

    _attr_supported_features = CameraEntityFeature.STREAM
    _attr_brand = MANUFACTURER
    entity_description: CgiCameraEntityDescription

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: CgiCameraEntityDescription,
        channel: int,
    ) -> None:
        """Initialize the stream entity; it polls no group (the coordinator's heartbeat tells availability)."""
        super().__init__(entry, description, channel)
        Camera.__init__(self)
        self._hub = entry.runtime_data.mjpeg_hubs[channel]
        self._attr_model = entry.runtime_data.device.device_id
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
        """Return a JPEG snapshot of the channel (the camera cannot scale it), shared with other callers.

        Both streams of the channel and every caller share one camera request (mjpeg.MjpegHub.still). A picture on
        a dashboard (Home Assistant's frontend asks with the size it shows) may be the image another viewer got up
        to STILL_KEEP seconds ago, so the camera sees one request per refresh whatever the number of viewers; a
        call without a size (the snapshot action, automations) gets an image taken after it was made.
        """
        max_age = STILL_KEEP if width is not None or height is not None else 0.0
        try:
            image = await self._hub.still(
                self._fetch_snapshot, live_max_age=LIVE_FRAME_MAX_AGE, max_age=max_age
            )
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

    async def _fetch_snapshot(self) -> bytes:
        """Ask the camera for one JPEG of the channel."""
        return await self.entry.runtime_data.client.snapshot(self.channel)

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


_PART_HEAD = (
    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n".encode()
)


def _part(frame: bytes) -> bytes:
    """Return one part of the multipart stream."""
    # One copy of the frame (a chain of + would copy it twice).
    return b"".join((_PART_HEAD % len(frame), frame, b"\r\n"))
