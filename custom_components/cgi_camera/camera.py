"""Camera platform: one entity per video stream (main, sub) of each channel."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from homeassistant.components.camera import Camera, CameraEntityDescription
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from .api import CgiError, RtspCheck, RtspOutcome
from .api.wire import group_key
from .compat import CameraEntityFeature
from .const import (
    CONF_DEFAULT_STREAM,
    DOMAIN,
    LOGGER,
    MANUFACTURER,
    STREAM_MAIN,
    STREAM_SUB,
)
from .entity import CgiBaseEntity
from .errors import plain_words
from .mjpeg import STILL_KEEP

if TYPE_CHECKING:
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


CAMERAS: tuple[CgiCameraEntityDescription, ...] = (
    CgiCameraEntityDescription(
        key="main_stream",
        translation_key="main_stream",
        stream=STREAM_MAIN,
    ),
    CgiCameraEntityDescription(
        key="sub_stream",
        translation_key="sub_stream",
        stream=STREAM_SUB,
    ),
)


# What a failed RTSP check tells the user (a repair issue each; a silent port reads as a refusing one).
_RTSP_ISSUES: dict[RtspOutcome, str] = {
    RtspOutcome.REFUSED: "rtsp_refused",
    RtspOutcome.NO_ANSWER: "rtsp_refused",
    RtspOutcome.NOT_FOUND: "rtsp_not_found",
    RtspOutcome.UNAUTHORIZED: "rtsp_unauthorized",
}
_ISSUE_KEYS = frozenset((*_RTSP_ISSUES.values(), "h265_main_stream"))
H265 = "H265"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one camera entity per stream and channel; the channel's streams share its MJPEG hub.

    The RTSP check learnt with the capabilities is repeated when a stored one failed (the camera may have been
    fixed since) or was made on another port than the one in use (the RTSP port option): a failure is a repair issue, and
    the entities then offer the MJPEG live view instead of an RTSP stream that cannot play.
    """
    data = entry.runtime_data
    check = data.rtsp
    if check is None or check.port != data.rtsp_port or not (check.ok or check.fresh):
        check = data.rtsp = await data.client.check_rtsp(
            data.rtsp_port, data.channels[0]
        )
    LOGGER.debug("%s: RTSP check %s", entry.title, check.as_dict())
    issue = _RTSP_ISSUES.get(check.outcome)
    if issue is not None:
        LOGGER.warning(
            "%s: the live video (RTSP) on port %s cannot be played (%s); live view uses MJPEG",
            entry.title,
            check.port,
            check.outcome.value.replace("_", " "),
        )
        _async_issue(hass, entry, issue, port=str(check.port))
    entry.async_on_unload(partial(_async_delete_issues, hass, entry))
    h265 = check.codecs.get(STREAM_MAIN) == H265
    _async_h265_issue(hass, entry, h265=h265)
    # A main stream browsers cannot play: the sub stream is the one enabled by default.
    default_stream = entry.options.get(
        CONF_DEFAULT_STREAM, STREAM_SUB if h265 else STREAM_MAIN
    )
    entry.async_on_unload(
        data.coordinator.async_add_listener(partial(_async_follow_codec, hass, entry))
    )
    async_add_entities(
        CgiCameraEntity(entry, description, channel, default_stream)
        for channel in data.channels
        for description in CAMERAS
    )


def _async_issue(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, key: str, **placeholders: str
) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{key}_{entry.entry_id}",
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"title": entry.title, **placeholders},
    )


@callback
def _async_delete_issues(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> None:
    """Drop the entry's live view issues (at unload: the next setup raises them again when still due)."""
    for key in _ISSUE_KEYS:
        ir.async_delete_issue(hass, DOMAIN, f"{key}_{entry.entry_id}")


@callback
def _async_h265_issue(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, *, h265: bool
) -> None:
    if h265:
        _async_issue(hass, entry, "h265_main_stream")
    else:
        ir.async_delete_issue(hass, DOMAIN, f"h265_main_stream_{entry.entry_id}")


@callback
def _async_follow_codec(hass: HomeAssistant, entry: CgiCameraConfigEntry) -> None:
    """Follow the main stream's encoder (StreamInfo Payload 1: H.265) when a poll read it (the codec select)."""
    data = entry.runtime_data
    payloads = [
        blocks[0].get("Payload")
        for channel in data.channels
        if (
            blocks := data.coordinator.data.get(
                group_key("major_stream", "StreamInfo", channel)
            )
        )
    ]
    if payloads:
        _async_h265_issue(hass, entry, h265=1 in payloads)


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
        default_stream: str = STREAM_MAIN,
    ) -> None:
        """Initialize the stream entity; it polls no group (the coordinator's heartbeat tells availability).

        Its availability is the camera's: a stream that does not play leaves snapshots and MJPEG working.
        """
        super().__init__(entry, description, channel)
        Camera.__init__(self)
        self._hub = entry.runtime_data.mjpeg_hubs[channel]
        self._attr_model = entry.runtime_data.device.device_id
        self._attr_entity_registry_enabled_default = (
            description.stream == default_stream
        )
        self._rtsp = entry.runtime_data.rtsp or RtspCheck(
            entry.runtime_data.rtsp_port, RtspOutcome.OK
        )
        # Without a playable RTSP stream the frontend shows the MJPEG live view.
        self._attr_supported_features = (
            CameraEntityFeature.STREAM if self._rtsp.ok else CameraEntityFeature(0)
        )
        self._snapshot_error_logged = False

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
            f"{self._rtsp.path(self.channel, self.entity_description.stream)}"
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
                    "%s (%s): no snapshot: %s",
                    self.entry.title,
                    self.entry.data[CONF_HOST],
                    plain_words(err),
                )
                LOGGER.debug("%s: snapshot failed: %r", self.entity_id, err)
                self._snapshot_error_logged = True
            return None
        if self._snapshot_error_logged:
            LOGGER.info(
                "%s (%s): snapshots work again",
                self.entry.title,
                self.entry.data[CONF_HOST],
            )
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


@callback
def async_switch_default_stream(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, stream: str
) -> None:
    """Enable the camera entities of `stream` that the integration disabled, and disable the other stream's.

    An entity the user disabled stays so. The camera platform reads the option only when it first creates an entity.
    """
    if stream == entry.options.get(CONF_DEFAULT_STREAM, STREAM_MAIN):
        return
    ent_reg = er.async_get(hass)
    for reg in er.async_entries_for_config_entry(ent_reg, entry.entry_id):
        if reg.domain != Platform.CAMERA:
            continue
        if reg.unique_id.endswith(f"_{stream}_stream"):
            if reg.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
                ent_reg.async_update_entity(reg.entity_id, disabled_by=None)
        elif reg.disabled_by is None:
            ent_reg.async_update_entity(
                reg.entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
            )
